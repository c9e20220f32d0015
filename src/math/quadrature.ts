/**
 * Numerical quadrature on [a, b]:
 * - `gaussLegendre(n)`: nodes and weights on [−1, 1] (Newton on P_n from the Chebyshev-like initial guess
 *   cos(π(k − 1/4)/(n + 1/2)); weights 2/((1−x²) P_n'(x)²)). Exact for polynomials of degree ≤ 2n−1.
 * - `compositeGaussLegendre(a, b, panels, order)`: fixed nodes/weights of `panels` equal panels (for tabulations whose
 *   nodes are reused for many integrands).
 * - `integrateAdaptive(f, a, b, {absTol, relTol})`: adaptive Gauss–Kronrod 7/15 with interval bisection; the error
 *   estimate is |K15 − G7| per interval (conservative for smooth integrands).
 * Reference: Golub & Welsch (1969) for GL; Kronrod nodes as tabulated in QUADPACK (Piessens et al. 1983), qk15.
 */

export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const glCache = new Map<number, QuadratureRule>();

/** Gauss–Legendre rule with n nodes on [−1, 1] (ascending nodes). Cached. */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`gaussLegendre: n must be a positive integer, got ${n}`);
  const hit = glCache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n), weights = new Float64Array(n);
  for (let k = 0; k < Math.ceil(n / 2); k++) {
    let x = Math.cos((Math.PI * (k + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      // P_n(x) and P_n'(x) by the three-term recurrence
      let p0 = 1, p1 = x;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1, pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // recompute derivative at the converged node
    let p0 = 1, p1 = x;
    for (let j = 2; j <= n; j++) {
      const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
      p0 = p1;
      p1 = p2;
    }
    dp = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[n - 1 - k] = x;
    nodes[k] = -x;
    weights[k] = w;
    weights[n - 1 - k] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  const rule = { nodes, weights };
  glCache.set(n, rule);
  return rule;
}

/** Nodes and weights of `panels` equal Gauss–Legendre panels of `order` nodes covering [a, b]. */
export function compositeGaussLegendre(a: number, b: number, panels: number, order: number): QuadratureRule {
  const { nodes: x, weights: w } = gaussLegendre(order);
  const nodes = new Float64Array(panels * order), weights = new Float64Array(panels * order);
  const h = (b - a) / panels;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let k = 0; k < order; k++) {
      nodes[p * order + k] = mid + 0.5 * h * x[k];
      weights[p * order + k] = 0.5 * h * w[k];
    }
  }
  return { nodes, weights };
}

/** ∫_a^b f(x) dx with an n-point Gauss–Legendre rule. */
export function integrateGaussLegendre(f: (x: number) => number, a: number, b: number, n = 32): number {
  const { nodes, weights } = gaussLegendre(n);
  const mid = 0.5 * (a + b), half = 0.5 * (b - a);
  let s = 0;
  for (let k = 0; k < n; k++) s += weights[k] * f(mid + half * nodes[k]);
  return s * half;
}

// Gauss–Kronrod 7/15 (QUADPACK qk15): Kronrod nodes (positive half, descending) and weights; Gauss weights of the
// 7-point rule on the odd-indexed nodes.
const XGK = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0];
const WGK = [0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714];
const WG = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975,
  0.417959183673469387755102040816327];

function gk15(f: (x: number) => number, a: number, b: number): [number, number] {
  const c = 0.5 * (a + b), h = 0.5 * (b - a);
  const fc = f(c);
  let k = fc * WGK[7], g = fc * WG[3];
  for (let j = 0; j < 7; j++) {
    const dx = h * XGK[j];
    const s = f(c - dx) + f(c + dx);
    k += WGK[j] * s;
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  return [k * h, Math.abs((k - g) * h)];
}

export interface AdaptiveOptions {
  absTol?: number;
  relTol?: number;
  maxIntervals?: number;
}

/**
 * Adaptive Gauss–Kronrod (7/15) quadrature: bisect the interval with the largest error estimate until the summed
 * estimate ≤ max(absTol, relTol·|I|). Throws RangeError when `maxIntervals` is exceeded.
 */
export function integrateAdaptive(f: (x: number) => number, a: number, b: number, options: AdaptiveOptions = {}): number {
  const absTol = options.absTol ?? 1e-13, relTol = options.relTol ?? 1e-13, maxIntervals = options.maxIntervals ?? 10000;
  type Iv = { a: number; b: number; v: number; e: number };
  const [v0, e0] = gk15(f, a, b);
  const ivs: Iv[] = [{ a, b, v: v0, e: e0 }];
  let total = v0, err = e0;
  while (err > Math.max(absTol, relTol * Math.abs(total))) {
    if (ivs.length >= maxIntervals) throw new RangeError(`integrateAdaptive: no convergence with ${maxIntervals} intervals (error ≈ ${err})`);
    let worst = 0;
    for (let k = 1; k < ivs.length; k++) if (ivs[k].e > ivs[worst].e) worst = k;
    const iv = ivs[worst], m = 0.5 * (iv.a + iv.b);
    const [v1, e1] = gk15(f, iv.a, m), [v2, e2] = gk15(f, m, iv.b);
    ivs[worst] = { a: iv.a, b: m, v: v1, e: e1 };
    ivs.push({ a: m, b: iv.b, v: v2, e: e2 });
    total = 0; err = 0;
    for (const q of ivs) { total += q.v; err += q.e; }
  }
  return total;
}
