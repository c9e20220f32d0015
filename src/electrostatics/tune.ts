/**
 * Accuracy → numerical parameters, in one place (DESIGN rule 4; LAMMPS's accuracy_relative idea).
 *
 * The user gives a relative RMS force accuracy ε (default 1e-6), relative to the force between two unit charges
 * 1 Å apart: absolute target ΔF = ε · k_e (eV/Å), split as ΔF/√2 for each of the real and reciprocal parts. With q² = k_e Σ_i Σ_c (q_i^c)², N atoms, volume V
 * (Kolafa & Perram, Mol. Simul. 9, 351 (1992), as used by LAMMPS ewald.cpp / science.md §3.4):
 *   real space        ΔF_r = 2 q² e^{−α² r_c²} / √(N r_c V)
 *   reciprocal space  ΔF_k = (2 q² α / L) √(1/(π m N)) e^{−(π m/(α L))²}  per direction (L = perpendicular width,
 *                     m = largest index), i.e. with k_c = 2π m / L the spherical cutoff e^{−k_c²/(4α²)} governs it.
 * Ewald: α = √π (N/V²)^{1/6} · f (cost balance of the two O(N^{3/2}) sums, f = EWALD_BALANCE measured by the bench),
 *        r_c from ΔF_r = ΔF, k_c from ΔF_k = ΔF.
 * PME:   r_c fixed by the density (≈ REAL_NEIGHBOURS neighbours, clamped to 5 … 12 Å), α from ΔF_r = ΔF, then the
 *        mesh spacing h from the empirical SPME error model (calibrated against Ewald on a random 512-ion NaCl melt,
 *        orders 4/6/8, αh = 0.12 … 0.7, with a safety margin; verified in test/electrostatics/pme.test.ts)
 *          ΔF/k_e ≈ c_p · α · (αh)^p · √(ρ_q / 0.032),   ρ_q = Σq²/V (e²/Å³), α in Å⁻¹,
 *        K_d = ⌈L_d / h⌉ rounded up to a power of two (fft.js). Without an explicit order, the order in {4, 6, 8}
 *        with the smallest cost estimate N p³ + 5 M log₂ M is taken.
 * Auto: Ewald below AUTO_PME_ATOMS atoms (crossover measured with `npm run bench -- electrostatics`), else PME;
 *       open boundaries → direct sum.
 * Every value can be overridden; the result records estimates of the real- and reciprocal-space errors (eV/Å).
 */
import { COULOMB_EV_A, FarfieldError, cellVolume, cellWidths } from '../core/index.js';
import { nextPowerOfTwo } from '../math/index.js';
import type { ElectrostaticsSystem, Method, SolverParameters } from './solve.js';

export const EWALD_BALANCE = 1.0;
export const REAL_NEIGHBOURS = 120;
export const AUTO_PME_ATOMS = 1000;
export const DEFAULT_ORDER = 6;
/** c_p of the SPME error model (see module doc); orders without calibration use the next lower even order. */
export function pmeErrorConstant(order: number): number {
  return order >= 8 ? 0.015 : order >= 6 ? 0.04 : order >= 4 ? 0.2 : 1;
}

/** Mesh for order p meeting the relative accuracy (powers of two, ≥ p). */
export function pmeMesh(widths: readonly number[], alpha: number, order: number, accuracy: number, chargeDensity: number): [number, number, number] {
  const scale = pmeErrorConstant(order) * alpha * Math.sqrt(Math.max(chargeDensity, 1e-12) / 0.032);
  const h = Math.pow(accuracy / scale, 1 / order) / alpha;
  return widths.map((L) => Math.max(nextPowerOfTwo(Math.ceil(L / h)), nextPowerOfTwo(order))) as [number, number, number];
}

export interface TuneOptions {
  /** Relative RMS force accuracy (default 1e-6). */
  accuracy?: number;
  method?: Method | 'auto';
  alpha?: number;
  realCutoffA?: number;
  kCutoff?: number;
  mesh?: [number, number, number];
  order?: number;
}

export interface TunedParameters extends SolverParameters {
  accuracy: number;
  /** Estimated RMS force errors (eV/Å) of the two parts, where defined. */
  realErrorEvPerA?: number;
  reciprocalErrorEvPerA?: number;
}

function realError(q2: number, alpha: number, rc: number, n: number, V: number): number {
  return (2 * q2 * Math.exp(-alpha * alpha * rc * rc)) / Math.sqrt(n * rc * V);
}

function kError(q2: number, alpha: number, kc: number, L: number, n: number): number {
  const m = Math.max(1, (kc * L) / (2 * Math.PI));
  return ((2 * q2 * alpha) / L) * Math.sqrt(1 / (Math.PI * m * n)) * Math.exp(-(kc * kc) / (4 * alpha * alpha));
}

/** Resolve solver parameters for the charges (N × channels) of a system. */
export function tuneElectrostatics(sys: ElectrostaticsSystem, charges: Float64Array, options: TuneOptions = {}): TunedParameters {
  const accuracy = options.accuracy ?? 1e-6;
  if (!(accuracy > 0 && accuracy < 1)) throw new FarfieldError('INVALID_INPUT', `accuracy must be a relative force accuracy in (0, 1), got ${accuracy}`);
  const n = sys.positions.length / 3;
  const periodic = sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
  let method = options.method ?? 'auto';
  if (method === 'auto') method = !(sys.pbc[0] || sys.pbc[1] || sys.pbc[2]) ? 'direct' : n < AUTO_PME_ATOMS ? 'ewald' : 'pme';
  if (method === 'direct') return { method, accuracy };
  if (!periodic) throw new FarfieldError('UNSUPPORTED', `${method} needs a 3-D periodic cell; use method 'direct' for open systems`);
  const V = cellVolume(sys.cell);
  const widths = cellWidths(sys.cell);
  let q2 = 0;
  for (let k = 0; k < charges.length; k++) q2 += charges[k] * charges[k];
  q2 = Math.max(q2, 1e-30) * COULOMB_EV_A;
  // each of the two independent parts gets ΔF/√2 so that the combined RMS error meets the request
  const target = (accuracy * COULOMB_EV_A) / Math.SQRT2;

  const rcFor = (alpha: number): number => {
    let rc = Math.sqrt(-Math.log(accuracy)) / alpha;
    for (let it = 0; it < 30; it++) {
      const arg = (target * Math.sqrt(n * rc * V)) / (2 * q2);
      const next = arg >= 1 ? 1 / alpha : Math.sqrt(-Math.log(arg)) / alpha;
      if (Math.abs(next - rc) < 1e-10 * rc) break;
      rc = next;
    }
    return rc;
  };
  const kcFor = (alpha: number): number => {
    let kc = 0;
    for (const L of widths) {
      let m = 1;
      while (kError(q2, alpha, (2 * Math.PI * m) / L, L, n) > target && m < 100000) m++;
      kc = Math.max(kc, (2 * Math.PI * m) / L);
    }
    return kc * (1 + 1e-9);
  };

  let alpha: number, rc: number;
  if (method === 'ewald') {
    alpha = options.alpha ?? Math.sqrt(Math.PI) * Math.pow(n / (V * V), 1 / 6) * EWALD_BALANCE;
    rc = options.realCutoffA ?? rcFor(alpha);
  } else {
    const density = n / V;
    rc = options.realCutoffA ?? Math.min(12, Math.max(5, Math.cbrt((3 * REAL_NEIGHBOURS) / (4 * Math.PI * density))));
    if (options.alpha !== undefined) alpha = options.alpha;
    else {
      const arg = (target * Math.sqrt(n * rc * V)) / (2 * q2);
      alpha = arg >= 1 ? 1 / rc : Math.sqrt(-Math.log(arg)) / rc;
    }
  }
  const kc = options.kCutoff ?? kcFor(alpha);
  const out: TunedParameters = { method, accuracy, alpha, realCutoffA: rc, realErrorEvPerA: realError(q2, alpha, rc, n, V) };
  if (method === 'ewald') {
    out.kCutoff = kc;
    out.reciprocalErrorEvPerA = Math.max(...widths.map((L) => kError(q2, alpha, kc, L, n)));
  } else {
    const rho = q2 / COULOMB_EV_A / V;
    let order = options.order ?? DEFAULT_ORDER;
    const acc2 = accuracy / Math.SQRT2;
    let mesh = options.mesh ?? pmeMesh(widths, alpha, order, acc2, rho);
    if (options.order === undefined && options.mesh === undefined) {
      let best = Infinity;
      for (const p of [4, 6, 8]) {
        const m = pmeMesh(widths, alpha, p, acc2, rho);
        const M = m[0] * m[1] * m[2];
        const cost = n * p * p * p + 5 * M * Math.log2(M);
        if (cost < best) { best = cost; order = p; mesh = m; }
      }
    }
    out.order = order;
    out.mesh = mesh;
    const h = Math.max(...widths.map((L, d) => L / mesh[d]));
    out.reciprocalErrorEvPerA = COULOMB_EV_A * pmeErrorConstant(order) * alpha * (alpha * h) ** order * Math.sqrt(rho / 0.032);
  }
  return out;
}

/** One line per parameter, for CLI output. */
export function describeParameters(p: TunedParameters | SolverParameters): string {
  const parts = [`method ${p.method}`];
  if (p.alpha !== undefined) parts.push(`alpha ${p.alpha.toFixed(5)} Å⁻¹`);
  if (p.realCutoffA !== undefined) parts.push(`real cutoff ${p.realCutoffA.toFixed(4)} Å`);
  if (p.kCutoff !== undefined) parts.push(`k cutoff ${p.kCutoff.toFixed(4)} Å⁻¹`);
  if (p.mesh) parts.push(`mesh ${p.mesh.join('×')} order ${p.order}`);
  const t = p as TunedParameters;
  if (t.accuracy !== undefined) parts.push(`accuracy ${t.accuracy}`);
  if (t.realErrorEvPerA !== undefined) parts.push(`est. real error ${t.realErrorEvPerA.toExponential(2)} eV/Å`);
  if (t.reciprocalErrorEvPerA !== undefined) parts.push(`est. k-space error ${t.reciprocalErrorEvPerA.toExponential(2)} eV/Å`);
  return parts.join(', ');
}
