/**
 * Periodic neighbour lists.
 *
 * Contract (used by electrostatics, descriptors, reference potentials, md):
 * a *full* directed list — every pair appears as i→j and j→i — grouped by centre atom (CSR: pairs of centre i are
 * offsets[i] .. offsets[i+1]-1). For periodic directions all images within the cutoff are included, also images of
 * the centre itself (j = i with a non-zero shift) — needed when the cutoff exceeds the cell size.
 * r_ij = r_j + shift·A − r_i (shift = integer image vector, A = cell rows), distance |r_ij| < cutoff, and > 0.
 * Positions need not be wrapped; shifts are relative to the positions as given.
 * With `{half: true}` each unordered pair is kept once: (i, j, n) with j > i, or j = i and n lexicographically > 0
 * (its partner (j, i, −n) is dropped). Pairs at |r_ij| = cutoff to within rounding may or may not be listed.
 *
 * Algorithm (`buildNeighbourList`): a cell list (linked-cell binning), O(N) for fixed density and cutoff.
 *  - Binning basis B: the cell A if any direction is periodic, else the identity (Cartesian bounding box).
 *    Fractional coordinates f = r·B⁻¹; periodic directions are wrapped to [0, 1) (r' = r − k·A, k = ⌊f⌋).
 *  - Along direction d the planes f_d = const are w_d = 1/|column d of B⁻¹| apart (the perpendicular width,
 *    `cellWidths`), so |r_ij| < c implies |Δf_d| < c / w_d. Direction d gets n_d = max(1, ⌊extent_d / c⌋) bins of
 *    thickness h_d = extent_d / n_d (extent = w_d for periodic directions, the bounding-box extent otherwise), and
 *    every neighbour lies within m_d = ⌈c / h_d⌉ bins. When c > w_d (cutoff larger than the cell) n_d = 1 and
 *    m_d > 1: the stencil offsets −m_d..m_d then enumerate the periodic images directly.
 *  - A bin offset b + Δb along a periodic direction maps to bin (b + Δb) mod n_d with image ⌊(b + Δb)/n_d⌋;
 *    distinct Δb give distinct (bin, image) pairs, so no pair is found twice.
 *  - The total number of bins is capped at ~8N + 27 (sparse or huge boxes); thicker bins only raise m_d.
 * Cost: O(N · (2m+1)³ · atoms per bin) time, output-sized memory (buffers grow geometrically).
 * `buildNeighbourListInto` is the same build written into caller-owned buffers (a cache reusing them from call to
 * call); `buildPairIndex` keeps only offsets, neighbours and shifts (16 instead of 52 bytes per pair: a Verlet
 * cache's list at cutoff + skin, which recomputes vectors and distances at every refresh).
 *
 * `bruteForceNeighbourList` is the direct O(N²·images) reference used by the tests.
 */
import { FarfieldError, cellWidths, inv3, type Structure } from '../core/index.js';

export interface NeighbourList {
  cutoffA: number;
  /** Number of atoms. */
  atoms: number;
  /** Number of directed pairs. */
  count: number;
  /** CSR offsets by centre atom, length atoms+1. */
  offsets: Int32Array;
  /** Centre atom of each pair. */
  centres: Int32Array;
  /** Neighbour atom of each pair. */
  neighbours: Int32Array;
  /** Integer image shift of the neighbour, 3 per pair. */
  shifts: Int32Array;
  /** r_ij = r_j + shift·A − r_i, Å, 3 per pair. */
  vectors: Float64Array;
  /** |r_ij|, Å. */
  distances: Float64Array;
  /** True when each unordered pair appears once (see module doc); absent or false for the full list. */
  half?: boolean;
}

export interface NeighbourListOptions {
  /** Force the reference O(N²) algorithm (for tests). */
  bruteForce?: boolean;
  /** Keep each unordered pair once (j > i, or j = i with a lexicographically positive shift). */
  half?: boolean;
}

/** Number of images needed along each direction so that every image within `cutoff` is found (wrapped positions). */
export function imageRange(cell: ArrayLike<number>, pbc: readonly boolean[], cutoffA: number): [number, number, number] {
  const w = pbc.some((p) => p) ? cellWidths(cell) : [1, 1, 1];
  return [0, 1, 2].map((d) => (pbc[d] ? Math.ceil(cutoffA / w[d]) + 1 : 0)) as [number, number, number];
}

function checkInput(structure: Structure, cutoffA: number): void {
  if (!(cutoffA > 0) || !Number.isFinite(cutoffA))
    throw new FarfieldError('INVALID_INPUT', `neighbour list cutoff must be a positive finite number, got ${cutoffA}`);
  const n = structure.species.length;
  if (structure.positions.length !== 3 * n)
    throw new FarfieldError('INVALID_STRUCTURE', `neighbour list: ${structure.positions.length} position entries for ${n} atoms`);
  if (structure.cell.length !== 9)
    throw new FarfieldError('INVALID_STRUCTURE', `neighbour list: cell must have 9 entries, got ${structure.cell.length}`);
}

/** B⁻¹ of the binning basis (cell if any direction is periodic), with a clear error for a singular periodic cell. */
function periodicInverse(structure: Structure): Float64Array {
  try {
    return inv3(structure.cell);
  } catch {
    throw new FarfieldError('INVALID_STRUCTURE', 'neighbour list: the cell is singular but pbc is set; a periodic structure needs a 3-D cell');
  }
}

/** Build the neighbour list (cell list; `{bruteForce: true}` for the O(N²) reference). */
export function buildNeighbourList(structure: Structure, cutoffA: number, options: NeighbourListOptions = {}): NeighbourList {
  checkInput(structure, cutoffA);
  if (options.bruteForce) {
    const full = bruteForceNeighbourList(structure, cutoffA);
    return options.half ? toHalfList(full) : full;
  }
  return cellListNeighbourList(structure, cutoffA, options.half ?? false, true, null);
}

/** Output arrays of `buildNeighbourListInto` (capacity in pairs: the shortest of them). */
export type NeighbourListBuffers = Pick<NeighbourList, 'offsets' | 'centres' | 'neighbours' | 'shifts' | 'vectors' | 'distances'>;

/** Pairs a set of buffers has room for. */
export function bufferCapacity(b: NeighbourListBuffers): number {
  return Math.min(b.centres.length, b.neighbours.length, b.shifts.length / 3, b.vectors.length / 3, b.distances.length);
}

/**
 * `buildNeighbourList` (cell list) written into `buffers`: the same list bit for bit, its arrays views of the buffers;
 * buffers too small for it are replaced in `buffers` by larger ones (so the caller keeps what the build grew). The
 * list is valid until the buffers are written again.
 */
export function buildNeighbourListInto(structure: Structure, cutoffA: number, buffers: NeighbourListBuffers, options: { half?: boolean } = {}): NeighbourList {
  checkInput(structure, cutoffA);
  return cellListNeighbourList(structure, cutoffA, options.half ?? false, true, buffers);
}

/** Pairs of a neighbour list without their geometry (see `buildPairIndex`). */
export interface PairIndex {
  cutoffA: number;
  atoms: number;
  count: number;
  /** CSR offsets by centre atom, length atoms + 1. */
  offsets: Int32Array;
  neighbours: Int32Array;
  /** Integer image shifts, 3 per pair (as in NeighbourList). */
  shifts: Int32Array;
}

/** The pairs of `buildNeighbourList` (same order), without centres, vectors and distances. */
export function buildPairIndex(structure: Structure, cutoffA: number, options: { half?: boolean } = {}): PairIndex {
  checkInput(structure, cutoffA);
  const nl = cellListNeighbourList(structure, cutoffA, options.half ?? false, false, null);
  return { cutoffA, atoms: nl.atoms, count: nl.count, offsets: nl.offsets, neighbours: nl.neighbours, shifts: nl.shifts };
}

/** The cell-list build; `geometry` false leaves centres, vectors and distances empty; `into`: see buildNeighbourListInto. */
function cellListNeighbourList(structure: Structure, cutoffA: number, half: boolean, geometry: boolean, into: NeighbourListBuffers | null): NeighbourList {
  const { cell, pbc, positions } = structure;
  const n = structure.species.length;
  const periodic = pbc[0] || pbc[1] || pbc[2];
  const inv = periodic ? periodicInverse(structure) : Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const widths = periodic ? cellWidths(cell) : [1, 1, 1];

  // Fractional coordinates, wrap integers along periodic directions, wrapped Cartesian positions.
  const frac = new Float64Array(3 * n);
  const wrapK = new Int32Array(3 * n);
  const wrapped = new Float64Array(3 * n);
  const fmin = [Infinity, Infinity, Infinity], fmax = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    let wx = x, wy = y, wz = z;
    for (let d = 0; d < 3; d++) {
      let f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
      if (pbc[d]) {
        const k = Math.floor(f);
        f -= k;
        wrapK[3 * i + d] = k;
        wx -= k * cell[3 * d];
        wy -= k * cell[3 * d + 1];
        wz -= k * cell[3 * d + 2];
      }
      frac[3 * i + d] = f;
      if (f < fmin[d]) fmin[d] = f;
      if (f > fmax[d]) fmax[d] = f;
    }
    wrapped[3 * i] = wx;
    wrapped[3 * i + 1] = wy;
    wrapped[3 * i + 2] = wz;
  }

  // Bin grid: origin, fractional span and extent (Å, perpendicular) per direction.
  const origin = [0, 0, 0], span = [1, 1, 1], extent = [0, 0, 0];
  const nb = [1, 1, 1];
  for (let d = 0; d < 3; d++) {
    if (pbc[d]) {
      extent[d] = widths[d];
    } else if (n > 0) {
      origin[d] = fmin[d];
      span[d] = fmax[d] - fmin[d];
      extent[d] = span[d] * widths[d];
    }
    nb[d] = Math.max(1, Math.floor(extent[d] / cutoffA));
  }
  const maxBins = 8 * n + 27;
  while (nb[0] * nb[1] * nb[2] > maxBins) {
    const d = nb[0] >= nb[1] && nb[0] >= nb[2] ? 0 : nb[1] >= nb[2] ? 1 : 2;
    nb[d] = Math.ceil(nb[d] / 2);
  }
  const [n0, n1, n2] = nb;
  // Stencil half-widths m_d = ⌈c / h_d⌉; along non-periodic directions never more than the grid itself.
  const m = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const t = extent[d] > 0 ? Math.ceil((cutoffA * nb[d]) / extent[d]) : Infinity;
    m[d] = pbc[d] ? t : Math.min(nb[d] - 1, t);
  }

  // Counting sort of atoms by bin.
  const nBins = n0 * n1 * n2;
  const binOf = new Int32Array(n);
  const binCoord = new Int32Array(3 * n);
  const binStart = new Int32Array(nBins + 1);
  for (let i = 0; i < n; i++) {
    let flat = 0;
    for (let d = 0; d < 3; d++) {
      const s = span[d] > 0 ? (frac[3 * i + d] - origin[d]) / span[d] : 0;
      let b = Math.floor(s * nb[d]);
      if (b < 0) b = 0;
      else if (b >= nb[d]) b = nb[d] - 1;
      binCoord[3 * i + d] = b;
      flat = flat * nb[d] + b;
    }
    binOf[i] = flat;
    binStart[flat + 1]++;
  }
  for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
  const fill = binStart.slice(0, nBins);
  const sortedIdx = new Int32Array(n);
  const sx = new Float64Array(n), sy = new Float64Array(n), sz = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = fill[binOf[i]]++;
    sortedIdx[p] = i;
    sx[p] = wrapped[3 * i];
    sy[p] = wrapped[3 * i + 1];
    sz[p] = wrapped[3 * i + 2];
  }

  // Output buffers, initial capacity from the mean density (grown ×1.5 when exceeded).
  const c2 = cutoffA * cutoffA;
  let cap = 1024;
  if (n > 0) {
    const volume = periodic ? (extent[0] * extent[1] * extent[2]) : 0;
    const perAtom = volume > 0 ? ((4 / 3) * Math.PI * cutoffA ** 3 * n) / volume : 32;
    cap = Math.max(1024, Math.min(2 ** 28, Math.ceil(n * perAtom * (half ? 0.55 : 1.1))));
  }
  const gcap = (c: number): number => (geometry ? c : 0);
  let centres: Int32Array, neighbours: Int32Array, shifts: Int32Array, vectors: Float64Array, distances: Float64Array;
  if (into && bufferCapacity(into) >= cap) {
    cap = bufferCapacity(into);
    ({ centres, neighbours, shifts, vectors, distances } = into);
  } else {
    centres = new Int32Array(gcap(cap)); neighbours = new Int32Array(cap); shifts = new Int32Array(3 * cap);
    vectors = new Float64Array(gcap(3 * cap)); distances = new Float64Array(gcap(cap));
  }
  const [m0, m1, m2] = m;
  const [p0, p1, p2] = pbc;
  const offsets = into && into.offsets.length === n + 1 ? into.offsets : new Int32Array(n + 1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = count;
    const xi = wrapped[3 * i], yi = wrapped[3 * i + 1], zi = wrapped[3 * i + 2];
    const ki0 = wrapK[3 * i], ki1 = wrapK[3 * i + 1], ki2 = wrapK[3 * i + 2];
    const b0 = binCoord[3 * i], b1 = binCoord[3 * i + 1], b2 = binCoord[3 * i + 2];
    for (let d0 = -m0; d0 <= m0; d0++) {
      let c0 = b0 + d0, q0 = 0;
      if (p0) { q0 = Math.floor(c0 / n0); c0 -= q0 * n0; } else if (c0 < 0 || c0 >= n0) continue;
      for (let d1 = -m1; d1 <= m1; d1++) {
        let c1 = b1 + d1, q1 = 0;
        if (p1) { q1 = Math.floor(c1 / n1); c1 -= q1 * n1; } else if (c1 < 0 || c1 >= n1) continue;
        for (let d2 = -m2; d2 <= m2; d2++) {
          let c2b = b2 + d2, q2 = 0;
          if (p2) { q2 = Math.floor(c2b / n2); c2b -= q2 * n2; } else if (c2b < 0 || c2b >= n2) continue;
          const bin = (c0 * n1 + c1) * n2 + c2b;
          const start = binStart[bin], end = binStart[bin + 1];
          if (start === end) continue;
          // image translation q·A
          const tx = q0 * cell[0] + q1 * cell[3] + q2 * cell[6] - xi;
          const ty = q0 * cell[1] + q1 * cell[4] + q2 * cell[7] - yi;
          const tz = q0 * cell[2] + q1 * cell[5] + q2 * cell[8] - zi;
          const selfImage = q0 === 0 && q1 === 0 && q2 === 0;
          for (let p = start; p < end; p++) {
            const dx = sx[p] + tx, dy = sy[p] + ty, dz = sz[p] + tz;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 >= c2) continue;
            const j = sortedIdx[p];
            if (j === i) {
              if (selfImage) continue;
              if (half && !(q0 > 0 || (q0 === 0 && (q1 > 0 || (q1 === 0 && q2 > 0))))) continue;
            } else if (half && j < i) continue;
            if (count === cap) {
              // grow geometrically (no closure over the buffers: keeps them in registers in this hot loop)
              cap = Math.ceil(cap * 1.5) + 1024;
              centres = grownInt32(centres, gcap(cap), count);
              neighbours = grownInt32(neighbours, cap, count);
              shifts = grownInt32(shifts, 3 * cap, 3 * count);
              vectors = grownFloat64(vectors, gcap(3 * cap), gcap(3 * count));
              distances = grownFloat64(distances, gcap(cap), gcap(count));
            }
            neighbours[count] = j;
            shifts[3 * count] = q0 + ki0 - wrapK[3 * j];
            shifts[3 * count + 1] = q1 + ki1 - wrapK[3 * j + 1];
            shifts[3 * count + 2] = q2 + ki2 - wrapK[3 * j + 2];
            if (geometry) {
              centres[count] = i;
              vectors[3 * count] = dx;
              vectors[3 * count + 1] = dy;
              vectors[3 * count + 2] = dz;
              distances[count] = Math.sqrt(r2);
            }
            count++;
          }
        }
      }
    }
  }
  offsets[n] = count;
  if (into) Object.assign(into, { offsets, centres, neighbours, shifts, vectors, distances });
  // Trim: views when the buffers are well used (saves copying hundreds of MB) or the caller's, copies when mostly empty.
  const view = into !== null || count > 0.75 * cap;
  const trimI = (a: Int32Array, k: number): Int32Array => (view ? a.subarray(0, k) : a.slice(0, k));
  const trimF = (a: Float64Array, k: number): Float64Array => (view ? a.subarray(0, k) : a.slice(0, k));
  return {
    cutoffA,
    atoms: n,
    count,
    offsets,
    centres: trimI(centres, gcap(count)),
    neighbours: trimI(neighbours, count),
    shifts: trimI(shifts, 3 * count),
    vectors: trimF(vectors, gcap(3 * count)),
    distances: trimF(distances, gcap(count)),
    ...(half ? { half: true } : {}),
  };
}

/** A larger copy of the first `used` values of a. */
function grownInt32(a: Int32Array, size: number, used: number): Int32Array {
  const out = new Int32Array(size);
  out.set(a.subarray(0, used));
  return out;
}

function grownFloat64(a: Float64Array, size: number, used: number): Float64Array {
  const out = new Float64Array(size);
  out.set(a.subarray(0, used));
  return out;
}

/** Keep each unordered pair of a full list once: j > i, or j = i with a lexicographically positive shift. */
export function toHalfList(full: NeighbourList): NeighbourList {
  const keep: number[] = [];
  const offsets = new Int32Array(full.atoms + 1);
  for (let i = 0; i < full.atoms; i++) {
    offsets[i] = keep.length;
    for (let p = full.offsets[i]; p < full.offsets[i + 1]; p++) {
      const j = full.neighbours[p];
      const a = full.shifts[3 * p], b = full.shifts[3 * p + 1], c = full.shifts[3 * p + 2];
      if (j > i || (j === i && (a > 0 || (a === 0 && (b > 0 || (b === 0 && c > 0)))))) keep.push(p);
    }
  }
  offsets[full.atoms] = keep.length;
  const k = keep.length;
  const out: NeighbourList = {
    cutoffA: full.cutoffA, atoms: full.atoms, count: k, offsets,
    centres: new Int32Array(k), neighbours: new Int32Array(k), shifts: new Int32Array(3 * k),
    vectors: new Float64Array(3 * k), distances: new Float64Array(k), half: true,
  };
  keep.forEach((p, q) => {
    out.centres[q] = full.centres[p];
    out.neighbours[q] = full.neighbours[p];
    out.distances[q] = full.distances[p];
    for (let d = 0; d < 3; d++) {
      out.shifts[3 * q + d] = full.shifts[3 * p + d];
      out.vectors[3 * q + d] = full.vectors[3 * p + d];
    }
  });
  return out;
}

/** Reference implementation: all pairs × all images in range. O(N²·images). */
export function bruteForceNeighbourList(structure: Structure, cutoffA: number): NeighbourList {
  checkInput(structure, cutoffA);
  const { cell, pbc, positions } = structure;
  const n = structure.species.length;
  const periodic = pbc[0] || pbc[1] || pbc[2];
  // Wrap fractional coordinates along periodic directions so image ranges stay small; remember the wrap offsets.
  const wrapped = positions.slice();
  const wrapShift = new Int32Array(3 * n);
  if (periodic) {
    const inv = periodicInverse(structure);
    for (let i = 0; i < n; i++) {
      const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
      for (let d = 0; d < 3; d++) {
        if (!pbc[d]) continue;
        const f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
        const k = Math.floor(f);
        wrapShift[3 * i + d] = k;
        wrapped[3 * i] -= k * cell[3 * d];
        wrapped[3 * i + 1] -= k * cell[3 * d + 1];
        wrapped[3 * i + 2] -= k * cell[3 * d + 2];
      }
    }
  }
  const [n0, n1, n2] = imageRange(cell, pbc, cutoffA);
  const c2 = cutoffA * cutoffA;
  const cen: number[] = [], nb: number[] = [], sh: number[] = [], vec: number[] = [], dist: number[] = [];
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    offsets[i] = cen.length;
    for (let j = 0; j < n; j++) {
      for (let a = -n0; a <= n0; a++)
        for (let b = -n1; b <= n1; b++)
          for (let c = -n2; c <= n2; c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const dx = wrapped[3 * j] - wrapped[3 * i] + a * cell[0] + b * cell[3] + c * cell[6];
            const dy = wrapped[3 * j + 1] - wrapped[3 * i + 1] + a * cell[1] + b * cell[4] + c * cell[7];
            const dz = wrapped[3 * j + 2] - wrapped[3 * i + 2] + a * cell[2] + b * cell[5] + c * cell[8];
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 >= c2) continue;
            cen.push(i);
            nb.push(j);
            // shift relative to the unwrapped input positions
            sh.push(a + wrapShift[3 * i] - wrapShift[3 * j], b + wrapShift[3 * i + 1] - wrapShift[3 * j + 1], c + wrapShift[3 * i + 2] - wrapShift[3 * j + 2]);
            vec.push(dx, dy, dz);
            dist.push(Math.sqrt(r2));
          }
    }
  }
  offsets[n] = cen.length;
  return {
    cutoffA,
    atoms: n,
    count: cen.length,
    offsets,
    centres: Int32Array.from(cen),
    neighbours: Int32Array.from(nb),
    shifts: Int32Array.from(sh),
    vectors: Float64Array.from(vec),
    distances: Float64Array.from(dist),
  };
}
