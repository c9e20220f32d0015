/**
 * Real-space (short-range) part of a split kernel, summed over unordered pairs within r_c without storing a
 * neighbour list: a linked-cell sweep with a half stencil (the bin itself and 13 of its 26 neighbours).
 *
 * Bins: n_d = ⌊m_d w_d / r_c⌋ per direction in fractional coordinates (w_d = perpendicular width), so a pair within
 * r_c is at most m_d bins apart even in a triclinic cell (|Δs_d| ≤ r_c / w_d ≤ m_d/n_d); the stencil is
 * [−m_d, m_d] per direction (m_d = 2 where possible: bins of about r_c/2 test 3.7× the cutoff sphere's volume
 * instead of 6.4× for m = 1). With n_d ≥ 2 m_d + 1 each (pair, image) appears exactly once: offsets o and −o are
 * distinct modulo n_d and only one of them is in the half stencil (lexicographically positive, plus o = 0 with
 * j > i). Cells narrower than about 2.25 r_c (several images of one pair) use the geometry module's neighbour list.
 * Self images (j = i, n ≠ 0, one of ±n) are pairs like any other, at every N (a lone ion in a cell: its whole
 * real-space energy); the binned sweep only runs where they lie beyond r_c (|n·A| ≥ smallest width > r_c).
 * Per pair at distance d = r_j + n − r_i (see solve.ts): φ_i += w_j v, φ_j += w_i v; with probes
 *   s = Σ_c (u_i^c w_j^c + u_j^c w_i^c), L += s v, ∂L/∂r_j = s v' d/r = −∂L/∂r_i, ∂L/∂ε_αβ += s v' d_α d_β / r.
 * Tabulated kernel (`table`): v_sr on a uniform grid in r from r_lo = 0.5 Å to r_c (spacing Δ ≤ 0.002 Å) as cubic
 * Hermite pieces built from the exact v and v' at the nodes; the force uses the derivative of the same piece, so
 * forces are exact derivatives of the tabulated energy. Interpolation error ≲ Δ⁴|v''''|/384 in v and ≲ Δ³|v''''|/24
 * in v' — for erfc(αr)/r below 1e-10 and 1e-7 relative at r = 0.5 Å, and falling fast with r; pairs closer than
 * r_lo use the exact function. tune enables it for requested accuracies ≥ 1e-7.
 * Cost O(N ρ r_c³); memory O(N) (+ 4 doubles per table interval).
 * The table is kept in a `RealSpaceWorkspace` the caller owns (one per calculator); without one, each call builds it.
 * Over a workspace's pair list, one tabulated channel with probes runs in WebAssembly SIMD (pmeWasm.ts RealPairsWasm,
 * assembly/pme.ts realPairs: two pairs per step, equal to tabulatedPairs up to summation order) unless the workspace
 * was made with kernels 'ts'.
 */
import { cellWidths, makeStructure } from '../core/index.js';
import { VerletPairList, binAtoms, buildNeighbourList, gatherSlots, scatterAddSlots, withinDisplacement } from '../geometry/index.js';
import { RealPairsWasm } from './pmeWasm.js';

export interface RealSpaceTask {
  positions: Float64Array;
  cell: Float64Array;
  cutoffA: number;
  /** v_sr(r) into out[0], dv_sr/dr into out[1]. */
  shortRange: (r: number, out: Float64Array) => void;
  channels: number;
  sources: Float64Array;
  probes?: Float64Array;
  /** Accumulated into when given (N × C). */
  potentials?: Float64Array | null;
  /** ∂L/∂r accumulated into when given (3N; needs probes). */
  gradient?: Float64Array | null;
  /** ∂L/∂ε accumulated into when given (9, upper triangle then symmetrised by the caller; needs probes). */
  strain?: Float64Array | null;
  /** Use the geometry module's neighbour list even when binning is possible (tests). */
  forceList?: boolean;
  /** Interpolate v_sr from a cubic Hermite table (see the module doc) instead of calling shortRange per pair. */
  table?: boolean;
  /** Identifies shortRange across calls (kernel JSON and α) so that its table is reused; default: function identity. */
  tableKey?: string;
  /** Holds the table between calls (MD); a fresh one per call when omitted. */
  workspace?: RealSpaceWorkspace;
}

const TABLE_R_LO = 0.5;

/** Cubic Hermite table of v_sr on [TABLE_R_LO, r_c]: coefficients a0 … a3 per interval (v = Σ a_k t^k). */
export interface PairTable {
  rLo: number;
  invDelta: number;
  intervals: number;
  coef: Float64Array;
}

export function buildPairTable(shortRange: (r: number, out: Float64Array) => void, cutoffA: number): PairTable {
  const span = Math.max(cutoffA - TABLE_R_LO, 1e-3);
  const intervals = Math.max(1000, Math.ceil(span / 0.002));
  const delta = span / intervals;
  const v = new Float64Array(intervals + 1), dv = new Float64Array(intervals + 1), tmp = new Float64Array(2);
  for (let k = 0; k <= intervals; k++) {
    shortRange(TABLE_R_LO + k * delta, tmp);
    v[k] = tmp[0];
    dv[k] = tmp[1] * delta;
  }
  const coef = new Float64Array(4 * intervals);
  for (let k = 0; k < intervals; k++) {
    const v0 = v[k], v1 = v[k + 1], d0 = dv[k], d1 = dv[k + 1];
    coef[4 * k] = v0;
    coef[4 * k + 1] = d0;
    coef[4 * k + 2] = 3 * (v1 - v0) - 2 * d0 - d1;
    coef[4 * k + 3] = 2 * (v0 - v1) + d0 + d1;
  }
  return { rLo: TABLE_R_LO, invDelta: 1 / delta, intervals, coef };
}

/** Default skin (Å) of the workspace's Verlet pair list. */
export const REAL_SPACE_SKIN_A = 1;

/**
 * Reusable real-space state owned by the caller: the pair table of the last (shortRange, cutoff), and a skinned
 * pair list (geometry/pairList.ts) at r_c + skin for calls along a trajectory. The list is only built once two
 * consecutive calls see the same cell and cutoff with no atom moved more than skin/2 (MD, optimisation); one-shot
 * calls on unrelated structures keep the binned sweep. Then each call checks the displacements (O(N)), rebuilds when
 * an atom has moved more than skin/2 since the last build, and sums over the stored pairs within r_c.
 * `skinA` 0 turns the list off.
 */
export class RealSpaceWorkspace {
  private last: { key: string; fn: unknown; table: PairTable } | null = null;
  private list: VerletPairList | null = null;
  private previous: { positions: Float64Array; cell: Float64Array; cutoffA: number } | null = null;
  /** The last call ran over the list. */
  private listed = false;

  /**
   * `kernels`: 'auto' (default) runs the one-channel tabulated pair loop over the list in WebAssembly SIMD
   * (assembly/pme.ts realPairs; equal to the TS loop up to summation order) where available; 'ts' keeps the TS loop.
   */
  constructor(readonly skinA: number = REAL_SPACE_SKIN_A, readonly kernels: 'auto' | 'ts' = 'auto') {}

  private wasmState: RealPairsWasm | null | undefined;

  /** The wasm pair kernel of this workspace (created on first use), or null ('ts', or no WebAssembly SIMD). */
  wasm(): RealPairsWasm | null {
    if (this.wasmState === undefined) this.wasmState = this.kernels === 'ts' ? null : RealPairsWasm.create();
    return this.wasmState;
  }

  private readonly slotArrays: Float64Array[] = [];

  /** Scratch array `k` of the given length in the pair list's slot order (contents undefined). */
  slots(k: number, length: number): Float64Array {
    if (!this.slotArrays[k] || this.slotArrays[k].length !== length) this.slotArrays[k] = new Float64Array(length);
    return this.slotArrays[k];
  }

  /** Full rebuilds of the pair list so far (0 while calls use the binned sweep). */
  get rebuilds(): number {
    return this.list?.rebuilds ?? 0;
  }

  /** The pair list valid for this call (rebuilt if needed), or null when this call should use the binned sweep. */
  pairsFor(t: RealSpaceTask): VerletPairList | null {
    if (!(this.skinA > 0)) return null;
    let list = this.list;
    const listed = this.listed;
    this.listed = false;
    if (list && list.cutoffA === t.cutoffA) {
      if (list.valid(t.positions, t.cell)) return (this.listed = true), list;
      // the previous call used the list, the cell is the same and no atom has moved more than the skin since the
      // build: the trajectory goes on, rebuild now (a new frame of a data set moves atoms farther: binned sweep)
      if (listed && this.previous && sameCell(this.previous.cell, t.cell) && list.nearReference(t.positions, this.skinA)) {
        list.update(t.positions, t.cell);
        return (this.listed = true), list;
      }
    }
    const prev = this.previous;
    const trajectory = prev !== null && prev.cutoffA === t.cutoffA && sameCell(prev.cell, t.cell) && withinDisplacement(prev.positions, t.positions, this.skinA / 2);
    if (!trajectory) {
      if (prev && prev.positions.length === t.positions.length) prev.positions.set(t.positions);
      else this.previous = { positions: t.positions.slice(), cell: Float64Array.from(t.cell), cutoffA: t.cutoffA };
      this.previous!.cell.set(t.cell);
      this.previous!.cutoffA = t.cutoffA;
      return null;
    }
    if (!list || list.cutoffA !== t.cutoffA) list = this.list = new VerletPairList(t.cutoffA, this.skinA);
    list.update(t.positions, t.cell);
    this.listed = true;
    return list;
  }

  /** A table for (shortRange, cutoff); the last one is reused when the same function (or tableKey) comes again. */
  tableFor(t: RealSpaceTask): PairTable {
    const key = `${t.tableKey ?? ''}|${t.cutoffA}`;
    const c = this.last;
    if (c && (t.tableKey !== undefined || c.fn === t.shortRange) && c.key === key) return c.table;
    const table = buildPairTable(t.shortRange, t.cutoffA);
    this.last = { key, fn: t.shortRange, table };
    return table;
  }
}

/** Runs the pair sum; returns L_real = Σ_pairs s v (0 without probes). */
export function realSpaceSum(t: RealSpaceTask): number {
  const n = t.positions.length / 3;
  // N = 1 is not trivial: an atom interacts with its own periodic images (j = i, n ≠ 0), which the neighbour list
  // holds; the binned sweep needs widths ≥ 2.25 r_c, where no self image lies within r_c
  if (n === 0) return 0;
  if (t.forceList) return listSum(t, n);
  const pairs = t.workspace?.pairsFor(t);
  if (pairs) return verletSum(t, pairs, t.workspace!);
  const reach: number[] = [], nb: number[] = [];
  for (const w of cellWidths(t.cell)) {
    let m = 0;
    for (const cand of [2, 3, 4]) if (Math.floor((cand * w) / t.cutoffA) >= 2 * cand + 1) { m = cand; break; }
    if (m === 0) return listSum(t, n);
    reach.push(m);
    nb.push(Math.floor((m * w) / t.cutoffA));
  }
  if (nb[0] * nb[1] * nb[2] > 8 * n + 1000) return listSum(t, n); // sparse system: bins would outnumber atoms
  return binnedSum(t, n, nb, reach);
}

function listSum(t: RealSpaceTask, n: number): number {
  const s = makeStructure({ symbols: new Array<string>(n).fill('X'), positions: t.positions, cell: t.cell, pbc: [true, true, true] });
  const nl = buildNeighbourList(s, t.cutoffA, { half: true });
  const acc = new PairAccumulator(t);
  for (let p = 0; p < nl.count; p++)
    acc.pair(nl.centres[p], nl.neighbours[p], nl.distances[p], nl.vectors[3 * p], nl.vectors[3 * p + 1], nl.vectors[3 * p + 2]);
  return acc.L;
}

function sameCell(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let k = 0; k < 9; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Sum over a skinned pair list (pairs beyond r_c skipped). One charge channel with probes and a table (energy,
 * forces, potentials along MD) runs in WebAssembly (wasmPairs) or inline (tabulatedPairs, kernels 'ts'); everything
 * else through the PairAccumulator.
 */
function verletSum(t: RealSpaceTask, list: VerletPairList, ws: RealSpaceWorkspace): number {
  const n = t.positions.length / 3, C = t.channels, order = list.order;
  const I = list.first, J = list.second, T = list.translation, m = list.count;
  const rc2 = t.cutoffA * t.cutoffA;
  if (C === 1 && t.table && t.probes && t.gradient) {
    const k = ws.wasm();
    const r = k ? wasmPairs(t, list, k, ws.tableFor(t), order) : null;
    if (r !== null) return r;
  }
  // per-atom arrays in the list's slot order (neighbours close in memory), scattered back at the end
  const x = gatherSlots(order, t.positions, 3, ws.slots(0, 3 * n));
  const w = gatherSlots(order, t.sources, C, ws.slots(1, n * C));
  const u = t.probes ? gatherSlots(order, t.probes, C, ws.slots(2, n * C)) : undefined;
  const phi = t.potentials ? ws.slots(3, n * C).fill(0) : null;
  const grad = t.gradient ? ws.slots(4, 3 * n).fill(0) : null;
  const acc = new PairAccumulator({ ...t, sources: w, probes: u, potentials: phi, gradient: grad }, ws);
  const table = acc.table;
  let L = 0;
  if (C !== 1 || !table || !u || !grad) {
    for (let p = 0; p < m; p++) {
      const i = I[p], j = J[p];
      const dx = x[3 * j] - x[3 * i] + T[3 * p], dy = x[3 * j + 1] - x[3 * i + 1] + T[3 * p + 1], dz = x[3 * j + 2] - x[3 * i + 2] + T[3 * p + 2];
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 >= rc2) continue;
      acc.pair(i, j, Math.sqrt(r2), dx, dy, dz);
    }
    L = acc.L;
  } else {
    L = tabulatedPairs(t, list, x, w, u, phi, grad, table);
  }
  if (phi && t.potentials) scatterAddSlots(order, phi, C, t.potentials);
  if (grad && t.gradient) scatterAddSlots(order, grad, 3, t.gradient);
  return L;
}

/**
 * tabulatedPairs in WebAssembly (pmeWasm.ts RealPairsWasm; the list and table are copied in when they change).
 * Pairs closer than the table's r_lo come back by index and get the exact kernel here. Returns L, or null when more
 * of them than the kernel records (then the caller runs the TS loop; nothing has been accumulated yet).
 */
function wasmPairs(t: RealSpaceTask, list: VerletPairList, k: RealPairsWasm, table: PairTable, order: Int32Array): number | null {
  const n = t.positions.length / 3, m = list.count;
  k.layout(n, m, table.intervals);
  k.setList(list, list.rebuilds, m, list.second, list.translation, list.start);
  k.setTable(table);
  gatherSlots(order, t.positions, 3, k.x);
  gatherSlots(order, t.sources, 1, k.w);
  gatherSlots(order, t.probes!, 1, k.u);
  k.grad.fill(0);
  const wantPhi = !!t.potentials, dS = t.strain;
  if (wantPhi) k.phi.fill(0);
  if (dS) k.st.fill(0);
  let { L, skipped } = k.run(n, table, t.cutoffA * t.cutoffA, wantPhi, !!dS);
  if (skipped > k.skip.length) return null;
  if (skipped > 0) {
    const I = list.first, J = list.second, T = list.translation, x = k.x, w = k.w, u = k.u, phi = k.phi, grad = k.grad, st = k.st;
    const tmp = new Float64Array(2);
    for (let s = 0; s < skipped; s++) {
      const p = k.skip[s], i = I[p], j = J[p];
      const dx = x[3 * j] - x[3 * i] + T[3 * p], dy = x[3 * j + 1] - x[3 * i + 1] + T[3 * p + 1], dz = x[3 * j + 2] - x[3 * i + 2] + T[3 * p + 2];
      const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
      t.shortRange(r, tmp);
      const v = tmp[0];
      if (wantPhi) { phi[i] += w[j] * v; phi[j] += w[i] * v; }
      const sw = u[i] * w[j] + u[j] * w[i];
      L += sw * v;
      const g = (sw * tmp[1]) / r;
      grad[3 * j] += g * dx; grad[3 * j + 1] += g * dy; grad[3 * j + 2] += g * dz;
      grad[3 * i] -= g * dx; grad[3 * i + 1] -= g * dy; grad[3 * i + 2] -= g * dz;
      if (dS) { st[0] += g * dx * dx; st[1] += g * dx * dy; st[2] += g * dx * dz; st[3] += g * dy * dy; st[4] += g * dy * dz; st[5] += g * dz * dz; }
    }
  }
  if (wantPhi) scatterAddSlots(order, k.phi, 1, t.potentials!);
  if (t.gradient) scatterAddSlots(order, k.grad, 3, t.gradient);
  if (dS) { dS[0] += k.st[0]; dS[1] += k.st[1]; dS[2] += k.st[2]; dS[4] += k.st[3]; dS[5] += k.st[4]; dS[8] += k.st[5]; }
  return L;
}

/**
 * The inline pair loop of verletSum: one channel, probes, tabulated kernel (slot-ordered arrays). Pairs come grouped
 * by their first slot, whose position, weights and accumulated gradient stay in locals over its group.
 */
function tabulatedPairs(t: RealSpaceTask, list: VerletPairList, x: Float64Array, w: Float64Array, u: Float64Array, phi: Float64Array | null, grad: Float64Array, table: PairTable): number {
  const J = list.second, T = list.translation, start = list.start, n = start.length - 1, dS = t.strain;
  const rc2 = t.cutoffA * t.cutoffA;
  const c = table.coef, rLo = table.rLo, inv = table.invDelta, last = table.intervals - 1, tmp = new Float64Array(2);
  let L = 0, s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0;
  for (let i = 0; i < n; i++) {
    const p0 = start[i], p1 = start[i + 1];
    if (p0 === p1) continue;
    const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2], wi = w[i], ui = u[i];
    let gxi = 0, gyi = 0, gzi = 0, phii = 0;
    for (let p = p0; p < p1; p++) {
      const j = J[p];
      const dx = x[3 * j] - xi + T[3 * p], dy = x[3 * j + 1] - yi + T[3 * p + 1], dz = x[3 * j + 2] - zi + T[3 * p + 2];
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 >= rc2) continue;
      const r = Math.sqrt(r2);
      // initialised: an uninitialised `let` is tagged and would box a heap number per pair
      let v = 0, dv = 0;
      if (r >= rLo) {
        const f0 = (r - rLo) * inv;
        let k = Math.floor(f0);
        if (k > last) k = last;
        const f = f0 - k, o = 4 * k;
        const c1 = c[o + 1], c2 = c[o + 2], c3 = c[o + 3];
        v = c[o] + f * (c1 + f * (c2 + f * c3));
        dv = (c1 + f * (2 * c2 + 3 * f * c3)) * inv;
      } else {
        t.shortRange(r, tmp);
        v = tmp[0]; dv = tmp[1];
      }
      const wj = w[j];
      phii += wj * v;
      if (phi) phi[j] += wi * v;
      const sw = ui * wj + u[j] * wi;
      L += sw * v;
      const g = (sw * dv) / r;
      const gx = g * dx, gy = g * dy, gz = g * dz;
      grad[3 * j] += gx; grad[3 * j + 1] += gy; grad[3 * j + 2] += gz;
      gxi -= gx; gyi -= gy; gzi -= gz;
      if (dS) {
        s00 += gx * dx; s01 += gx * dy; s02 += gx * dz;
        s11 += gy * dy; s12 += gy * dz; s22 += gz * dz;
      }
    }
    grad[3 * i] += gxi; grad[3 * i + 1] += gyi; grad[3 * i + 2] += gzi;
    if (phi) phi[i] += phii;
  }
  if (dS) { dS[0] += s00; dS[1] += s01; dS[2] += s02; dS[4] += s11; dS[5] += s12; dS[8] += s22; }
  return L;
}

class PairAccumulator {
  L = 0;
  private readonly tmp = new Float64Array(2);
  readonly table: PairTable | null;
  constructor(private readonly t: RealSpaceTask, ws: RealSpaceWorkspace = t.workspace ?? new RealSpaceWorkspace()) {
    this.table = t.table ? ws.tableFor(t) : null;
  }
  pair(i: number, j: number, r: number, dx: number, dy: number, dz: number): void {
    const { t, tmp, table } = this;
    const C = t.channels, w = t.sources, u = t.probes, phi = t.potentials, grad = t.gradient, dS = t.strain;
    if (table && r >= table.rLo) {
      const x = (r - table.rLo) * table.invDelta;
      let k = Math.floor(x);
      if (k >= table.intervals) k = table.intervals - 1;
      const f = x - k, c = table.coef, o = 4 * k;
      tmp[0] = c[o] + f * (c[o + 1] + f * (c[o + 2] + f * c[o + 3]));
      tmp[1] = (c[o + 1] + f * (2 * c[o + 2] + 3 * f * c[o + 3])) * table.invDelta;
    } else t.shortRange(r, tmp);
    const v = tmp[0];
    if (phi) for (let c = 0; c < C; c++) {
      phi[i * C + c] += w[j * C + c] * v;
      phi[j * C + c] += w[i * C + c] * v;
    }
    if (u) {
      let sw = 0;
      for (let c = 0; c < C; c++) sw += u[i * C + c] * w[j * C + c] + u[j * C + c] * w[i * C + c];
      this.L += sw * v;
      if (grad) {
        const g = (sw * tmp[1]) / r;
        grad[3 * j] += g * dx; grad[3 * j + 1] += g * dy; grad[3 * j + 2] += g * dz;
        grad[3 * i] -= g * dx; grad[3 * i + 1] -= g * dy; grad[3 * i + 2] -= g * dz;
        if (dS) {
          dS[0] += g * dx * dx; dS[1] += g * dx * dy; dS[2] += g * dx * dz;
          dS[4] += g * dy * dy; dS[5] += g * dy * dz; dS[8] += g * dz * dz;
        }
      }
    }
  }
}

function binnedSum(t: RealSpaceTask, n: number, nb: number[], reach: number[]): number {
  const { positions: x, cell } = t;
  const [n1, n2, n3] = nb;
  // wrapped positions, bins, and atoms counting-sorted by bin: atoms of bin b are order[start[b] … start[b+1])
  const { wx, wy, wz, start, order } = binAtoms(x, cell, nb);
  const sx = new Float64Array(n), sy = new Float64Array(n), sz = new Float64Array(n);
  for (let k = 0; k < n; k++) { const i = order[k]; sx[k] = wx[i]; sy[k] = wy[i]; sz[k] = wz[i]; }

  const rc2 = t.cutoffA * t.cutoffA;
  const acc = new PairAccumulator(t);
  const offsets: number[][] = [];
  const [m1, m2, m3] = reach;
  for (let a = -m1; a <= m1; a++) for (let b = -m2; b <= m2; b++) for (let c = -m3; c <= m3; c++)
    if (a > 0 || (a === 0 && (b > 0 || (b === 0 && c >= 0)))) offsets.push([a, b, c]);
  for (let b1 = 0; b1 < n1; b1++) for (let b2 = 0; b2 < n2; b2++) for (let b3 = 0; b3 < n3; b3++) {
    const A = (b1 * n2 + b2) * n3 + b3;
    const a0 = start[A], a1 = start[A + 1];
    if (a0 === a1) continue;
    for (const [o1, o2, o3] of offsets) {
      let c1 = b1 + o1, c2 = b2 + o2, c3 = b3 + o3;
      // image shift (cell rows) when the neighbour bin wraps
      let k1 = 0, k2 = 0, k3 = 0;
      if (c1 < 0) { c1 += n1; k1 = -1; } else if (c1 >= n1) { c1 -= n1; k1 = 1; }
      if (c2 < 0) { c2 += n2; k2 = -1; } else if (c2 >= n2) { c2 -= n2; k2 = 1; }
      if (c3 < 0) { c3 += n3; k3 = -1; } else if (c3 >= n3) { c3 -= n3; k3 = 1; }
      const shx = k1 * cell[0] + k2 * cell[3] + k3 * cell[6];
      const shy = k1 * cell[1] + k2 * cell[4] + k3 * cell[7];
      const shz = k1 * cell[2] + k2 * cell[5] + k3 * cell[8];
      const Bn = (c1 * n2 + c2) * n3 + c3;
      const same = o1 === 0 && o2 === 0 && o3 === 0;
      const bEnd = start[Bn + 1];
      for (let ka = a0; ka < a1; ka++) {
        const xi = sx[ka] - shx, yi = sy[ka] - shy, zi = sz[ka] - shz;
        for (let kb = same ? ka + 1 : start[Bn]; kb < bEnd; kb++) {
          const dx = sx[kb] - xi, dy = sy[kb] - yi, dz = sz[kb] - zi;
          const r2 = dx * dx + dy * dy + dz * dz;
          if (r2 >= rc2) continue;
          acc.pair(order[ka], order[kb], Math.sqrt(r2), dx, dy, dz);
        }
      }
    }
  }
  return acc.L;
}
