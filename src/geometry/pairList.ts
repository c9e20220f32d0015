/**
 * A skinned half pair list (Verlet list) in flat reusable buffers, for pair sums repeated along a trajectory
 * (the electrostatics real space, rigid-ion pair terms).
 *
 * `update(positions, cell)` keeps every unordered pair (i, j, n) with |r_j + n·A − r_i| < cutoff + skin at the
 * positions of the last rebuild, once, as (a, b, t): a and b are SLOTS of the list's atom order (atom `order[a]`;
 * atoms sorted by linked-cell bin, so that neighbours are close in memory — the caller gathers its per-atom arrays
 * into that order, sums, and scatters back), t the Cartesian image translation, so
 * r_ab = r_order[b] − r_order[a] + t for the positions as given (unwrapped). It stays a superset of the pairs within `cutoff` while no atom has moved more
 * than skin/2 since that rebuild (two atoms approach by at most the sum of their displacements) and the cell is
 * unchanged; otherwise `update` rebuilds. Callers loop over the list and drop pairs at |r_ij| ≥ cutoff themselves.
 *
 * Build: a linked-cell sweep with a half stencil over bins in fractional coordinates, n_d = ⌊m w_d / R⌋ bins of about
 * R/m (R = cutoff + skin, w_d the perpendicular width, reach m ∈ {2, 3, 4}, the first with n_d ≥ 2m + 1, so every
 * (pair, image) is visited once: offsets o and −o differ modulo n_d and only one is in the half stencil), swept as
 * rows along direction 3 — contiguous slot ranges, since atoms are sorted by bin — instead of bin by bin. Cells too
 * narrow for that (several images of one pair within R) or so sparse that bins outnumber atoms 8:1 use the geometry
 * module's `buildNeighbourList` (half; atom order unchanged) instead. Memory O(pairs) (4 + 4 + 24 bytes per pair), reused between rebuilds; no allocation per call once
 * the buffers have grown.
 *
 * `update(positions, cell, 0)` builds the exact list at the cutoff (skin 0: the same list, bit for bit, as a
 * `VerletPairList(cutoff, 0)` — valid for these positions only) in the same buffers, sized for the list at
 * cutoff + skin: a trajectory workspace serves the first structure of a run exactly and then builds its skinned list
 * without new buffers.
 */
import { cellWidths, makeStructure } from '../core/index.js';
import { binAtoms } from './binning.js';
import { buildNeighbourList } from './neighbours.js';

export class VerletPairList {
  /** Pairs stored (at cutoff + skin, as of the last rebuild). */
  count = 0;
  /** Atom of each slot (slots are the list's atom order). */
  order = new Int32Array(0);
  /** Slots a and b of each pair. */
  first = new Int32Array(0);
  second = new Int32Array(0);
  /** Cartesian image translation t of each pair (3 per pair): r_ij = r_j − r_i + t. */
  translation = new Float64Array(0);
  /** Builds so far (each changes the list: a version key for consumers that copy it), exact ones included. */
  rebuilds = 0;
  /** Of these, exact builds at the cutoff (`update(…, 0)` on a list with a skin). */
  exactBuilds = 0;
  /** Skin of the current list (skinA, or 0 after an exact build); -1 before the first build. */
  private builtSkinA = -1;
  /** Pairs come grouped by first slot: those of slot a are start[a] … start[a+1] − 1 (length atoms + 1). */
  start = new Int32Array(1);
  private refPositions = new Float64Array(0);
  private readonly refCell = new Float64Array(9);

  constructor(readonly cutoffA: number, readonly skinA: number) {}

  /**
   * Makes the list valid for these positions and cell (rows, Å; 3-D periodic); true when it was rebuilt. `skinA` 0 on
   * a list with a skin: the exact list at the cutoff (see the module header), kept while the positions are these.
   */
  update(positions: Float64Array, cell: ArrayLike<number>, skinA: number = this.skinA): boolean {
    if (skinA !== this.skinA && skinA !== 0) throw new RangeError(`VerletPairList.update: skin ${skinA} Å is neither the list's ${this.skinA} Å nor 0`);
    if (this.builtSkinA === skinA && this.valid(positions, cell)) return false;
    this.builtSkinA = skinA;
    this.build(positions, cell);
    // offsets by first slot (both builds emit the pairs grouped by their first slot, in slot order)
    const n = positions.length / 3;
    if (this.start.length !== n + 1) this.start = new Int32Array(n + 1);
    this.start.fill(0);
    for (let p = 0; p < this.count; p++) this.start[this.first[p] + 1]++;
    for (let a = 0; a < n; a++) this.start[a + 1] += this.start[a];
    if (this.refPositions.length !== positions.length) this.refPositions = new Float64Array(positions.length);
    this.refPositions.set(positions);
    for (let k = 0; k < 9; k++) this.refCell[k] = cell[k];
    this.rebuilds++;
    if (skinA !== this.skinA) this.exactBuilds++;
    return true;
  }

  /** True when no atom lies farther than `limitA` from where it was at the last rebuild (same atom count). */
  nearReference(p: Float64Array, limitA: number): boolean {
    return this.builtSkinA >= 0 && withinDisplacement(this.refPositions, p, limitA);
  }

  /** True when the stored list still holds every pair within the cutoff at these positions and cell (no rebuild needed). */
  valid(p: Float64Array, cell: ArrayLike<number>): boolean {
    if (this.builtSkinA < 0 || p.length !== this.refPositions.length) return false;
    for (let k = 0; k < 9; k++) if (cell[k] !== this.refCell[k]) return false;
    return withinDisplacement(this.refPositions, p, this.builtSkinA / 2);
  }

  /** Room for `pairs` pairs: `headroom` × as many slots when the buffers must grow (1.25 when a build overflows). */
  private reserve(pairs: number, headroom = 1.25): void {
    if (pairs <= this.first.length) return;
    const cap = Math.ceil(pairs * headroom) + 64;
    const f = new Int32Array(cap), s = new Int32Array(cap), t = new Float64Array(3 * cap);
    f.set(this.first.subarray(0, this.count));
    s.set(this.second.subarray(0, this.count));
    t.set(this.translation.subarray(0, 3 * this.count));
    this.first = f; this.second = s; this.translation = t;
  }

  private push(i: number, j: number, tx: number, ty: number, tz: number): void {
    if (this.count === this.first.length) this.reserve(this.count + 1024);
    const c = this.count++;
    this.first[c] = i; this.second[c] = j;
    this.translation[3 * c] = tx; this.translation[3 * c + 1] = ty; this.translation[3 * c + 2] = tz;
  }

  private build(x: Float64Array, cell: ArrayLike<number>): void {
    // R: the search radius of this build; room is reserved for the list at cutoff + skin either way
    const n = x.length / 3, R = this.cutoffA + this.builtSkinA, Rroom = this.cutoffA + this.skinA;
    this.count = 0;
    if (n === 0) { this.order = new Int32Array(0); return; }
    const reach: number[] = [], nb: number[] = [];
    for (const w of cellWidths(cell)) {
      let m = 0;
      for (const cand of [2, 3, 4]) if (Math.floor((cand * w) / R) >= 2 * cand + 1) { m = cand; break; }
      if (m === 0) return this.buildFromList(x, cell);
      reach.push(m);
      nb.push(Math.floor((m * w) / R));
    }
    if (nb[0] * nb[1] * nb[2] > 8 * n + 1000) return this.buildFromList(x, cell);
    // about ρ (2π/3) R³ pairs per atom: room for 5 % more (the list lives on along a trajectory, so no 1.5× slack);
    // the buffers grow by 1.25× when a denser structure brings more
    const V = Math.abs(cell[0] * (cell[4] * cell[8] - cell[5] * cell[7]) - cell[1] * (cell[3] * cell[8] - cell[5] * cell[6]) + cell[2] * (cell[3] * cell[7] - cell[4] * cell[6]));
    this.reserve(Math.ceil(1.05 * n * (n / V) * ((2 * Math.PI) / 3) * Rroom * Rroom * Rroom), 1);
    const [n1, n2, n3] = nb;
    // wrapped positions (w = x − k·A) and bins (binning.ts); the translation of a pair found between wrapped positions
    // is converted back to the positions as given: t = shift + (x_i − w_i) − (x_j − w_j)
    const { wx, wy, wz, start, order } = binAtoms(x, cell, nb, this.order);
    this.order = order;
    const sx = new Float64Array(n), sy = new Float64Array(n), sz = new Float64Array(n);
    for (let k = 0; k < n; k++) { const i = order[k]; sx[k] = wx[i]; sy[k] = wy[i]; sz[k] = wz[i]; }
    const R2 = R * R;
    // the half stencil as rows along direction 3: atoms are sorted by bin, so the bins (c1, c2, c3 … c3 + 2m3) of one
    // row are one contiguous range of slots (two when the row wraps around direction 3, with different image
    // shifts). Rows: (0, 0) over c3 = b3 … b3 + m3 (the bin itself first, pairs kb > ka), then every (o1, o2)
    // lexicographically positive over c3 = b3 − m3 … b3 + m3 — the same (pair, image) set as the half stencil of bins.
    const [m1, m2, m3] = reach;
    const rows: number[][] = [[0, 0]];
    for (let a = -m1; a <= m1; a++) for (let b = -m2; b <= m2; b++) if (a > 0 || (a === 0 && b > 0)) rows.push([a, b]);
    const maxSeg = 2 * rows.length;
    const segLo = new Int32Array(maxSeg), segHi = new Int32Array(maxSeg), segSh = new Float64Array(3 * maxSeg);
    for (let b1 = 0; b1 < n1; b1++) for (let b2 = 0; b2 < n2; b2++) for (let b3 = 0; b3 < n3; b3++) {
      const A = (b1 * n2 + b2) * n3 + b3;
      const a0 = start[A], a1 = start[A + 1];
      if (a0 === a1) continue;
      let nSeg = 0;
      for (let r = 0; r < rows.length; r++) {
        let c1 = b1 + rows[r][0], c2 = b2 + rows[r][1];
        let k1 = 0, k2 = 0;
        if (c1 < 0) { c1 += n1; k1 = -1; } else if (c1 >= n1) { c1 -= n1; k1 = 1; }
        if (c2 < 0) { c2 += n2; k2 = -1; } else if (c2 >= n2) { c2 -= n2; k2 = 1; }
        const row = (c1 * n2 + c2) * n3;
        const lo = r === 0 ? b3 : b3 - m3, hi = b3 + m3;
        // up to three pieces of the c3 range: wrapped below (k3 = −1), inside, wrapped above (k3 = +1)
        for (let k3 = -1; k3 <= 1; k3++) {
          const from = Math.max(lo - k3 * n3, 0), to = Math.min(hi - k3 * n3, n3 - 1);
          if (from > to) continue;
          segLo[nSeg] = start[row + from];
          segHi[nSeg] = start[row + to + 1];
          segSh[3 * nSeg] = k1 * cell[0] + k2 * cell[3] + k3 * cell[6];
          segSh[3 * nSeg + 1] = k1 * cell[1] + k2 * cell[4] + k3 * cell[7];
          segSh[3 * nSeg + 2] = k1 * cell[2] + k2 * cell[5] + k3 * cell[8];
          nSeg++;
        }
      }
      let stencil = 0;
      for (let g = 0; g < nSeg; g++) stencil += segHi[g] - segLo[g];
      for (let ka = a0; ka < a1; ka++) {
        const i = order[ka];
        // room for every atom of the stencil's bins (the pushes below are inline: a call would box its doubles)
        if (this.count + stencil > this.first.length) this.reserve(this.count + stencil);
        const F = this.first, S = this.second, Tr = this.translation;
        let c = this.count;
        for (let g = 0; g < nSeg; g++) {
          // segment 0 starts with the bin itself: pairs kb > ka
          const xi = sx[ka] - segSh[3 * g], yi = sy[ka] - segSh[3 * g + 1], zi = sz[ka] - segSh[3 * g + 2];
          const end = segHi[g];
          for (let kb = g === 0 ? ka + 1 : segLo[g]; kb < end; kb++) {
            const dx = sx[kb] - xi, dy = sy[kb] - yi, dz = sz[kb] - zi;
            if (dx * dx + dy * dy + dz * dz >= R2) continue;
            const j = order[kb];
            // r_ij = w_j − w_i + sh = x_j − x_i + t
            F[c] = ka; S[c] = kb;
            Tr[3 * c] = dx - (x[3 * j] - x[3 * i]); Tr[3 * c + 1] = dy - (x[3 * j + 1] - x[3 * i + 1]); Tr[3 * c + 2] = dz - (x[3 * j + 2] - x[3 * i + 2]);
            c++;
          }
        }
        this.count = c;
      }
    }
  }

  /** Narrow or sparse cells: the geometry module's neighbour list (half), images as Cartesian translations. */
  private buildFromList(x: Float64Array, cell: ArrayLike<number>): void {
    const n = x.length / 3;
    const s = makeStructure({ symbols: new Array<string>(n).fill('X'), positions: x, cell: Array.from(cell), pbc: [true, true, true] });
    const nl = buildNeighbourList(s, this.cutoffA + this.builtSkinA, { half: true });
    if (this.order.length !== n) this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    // an exact build: room for the list with the skin too (about (R + skin)³/R³ as many pairs)
    const room = this.builtSkinA === this.skinA ? nl.count : Math.ceil(1.05 * nl.count * ((this.cutoffA + this.skinA) / this.cutoffA) ** 3);
    this.reserve(room, 1);
    for (let p = 0; p < nl.count; p++) {
      const a = nl.shifts[3 * p], b = nl.shifts[3 * p + 1], c = nl.shifts[3 * p + 2];
      this.push(nl.centres[p], nl.neighbours[p], a * cell[0] + b * cell[3] + c * cell[6], a * cell[1] + b * cell[4] + c * cell[7], a * cell[2] + b * cell[5] + c * cell[8]);
    }
  }
}

/** Gathers per-atom rows (width values each) into slot order: out[a] = v[order[a]]. */
export function gatherSlots(order: Int32Array, v: ArrayLike<number>, width: number, out: Float64Array): Float64Array {
  const n = order.length;
  if (width === 1) for (let a = 0; a < n; a++) out[a] = v[order[a]];
  else if (width === 3)
    for (let a = 0; a < n; a++) { const i = 3 * order[a]; out[3 * a] = v[i]; out[3 * a + 1] = v[i + 1]; out[3 * a + 2] = v[i + 2]; }
  else for (let a = 0; a < n; a++) for (let c = 0; c < width; c++) out[a * width + c] = v[order[a] * width + c];
  return out;
}

/** Adds slot-ordered rows back onto per-atom rows: v[order[a]] += s[a]. */
export function scatterAddSlots(order: Int32Array, s: Float64Array, width: number, v: Float64Array): void {
  const n = order.length;
  for (let a = 0; a < n; a++) for (let c = 0; c < width; c++) v[order[a] * width + c] += s[a * width + c];
}

/** True when no atom of `p` lies farther than `limitA` from its position in `ref` (same length). */
export function withinDisplacement(ref: Float64Array, p: Float64Array, limitA: number): boolean {
  if (ref.length !== p.length) return false;
  const limit2 = limitA * limitA;
  for (let k = 0; k < p.length; k += 3) {
    const dx = p[k] - ref[k], dy = p[k + 1] - ref[k + 1], dz = p[k + 2] - ref[k + 2];
    if (dx * dx + dy * dy + dz * dz > limit2) return false;
  }
  return true;
}
