/**
 * Symmetry operations on whole structures, with their labels transformed consistently — the tools of every
 * invariance test: supercells, rotations, translations, permutations of atoms.
 *
 * Conventions: cell rows are lattice vectors; a rotation R (3×3 row-major, orthogonal) acts on column vectors,
 * r' = R r, on every position, lattice vector and force; stress (rank 2) becomes σ' = R σ Rᵀ; energies and
 * charges are invariant. Per-atom arrays are carried along unchanged except `momenta` and `velocities`
 * (width-3 real arrays), which rotate like forces. Nothing here mutates its input.
 */
import {
  FarfieldError, mul3, transpose3, type PerAtomArray, type Rng, type Structure, type StructureLabels,
} from '../core/index.js';

/** Per-atom array names that are Cartesian vectors and so rotate with the structure. */
const VECTOR_ARRAYS = new Set(['momenta', 'velocities']);

function copyInfo(s: Structure): Structure['info'] {
  const info: Structure['info'] = {};
  for (const [k, v] of Object.entries(s.info)) info[k] = Array.isArray(v) ? (v.slice() as typeof v) : v;
  return info;
}

function mapPerAtom(a: PerAtomArray, index: (k: number) => number, count: number): PerAtomArray {
  const w = a.width;
  const pick = <T extends { [i: number]: unknown }>(src: T, dst: T): T => {
    for (let k = 0; k < count; k++) {
      const from = index(k);
      for (let c = 0; c < w; c++) dst[k * w + c] = src[from * w + c];
    }
    return dst;
  };
  switch (a.type) {
    case 'R': return { type: 'R', width: w, data: pick(a.data, new Float64Array(count * w)) };
    case 'I': return { type: 'I', width: w, data: pick(a.data, new Int32Array(count * w)) };
    case 'L': return { type: 'L', width: w, data: pick(a.data, new Uint8Array(count * w)) };
    case 'S': return { type: 'S', width: w, data: pick(a.data, new Array<string>(count * w)) };
  }
}

/** A per-atom Float64Array of width w, gathered by `index` (new atom k ← old atom index(k)). */
function gather(src: Float64Array, w: number, index: (k: number) => number, count: number): Float64Array {
  const out = new Float64Array(count * w);
  for (let k = 0; k < count; k++) for (let c = 0; c < w; c++) out[k * w + c] = src[index(k) * w + c];
  return out;
}

/** Re-index every per-atom quantity of `s` (new atom k = old atom index(k)); positions supplied by the caller. */
function reindexed(s: Structure, index: (k: number) => number, count: number, positions: Float64Array, cell: Float64Array, energyFactor: number): Structure {
  const species = new Int32Array(count);
  for (let k = 0; k < count; k++) species[k] = s.species[index(k)];
  const arrays: Record<string, PerAtomArray> = {};
  for (const [name, a] of Object.entries(s.arrays)) arrays[name] = mapPerAtom(a, index, count);
  const L = s.labels;
  const labels: StructureLabels = {};
  if (L.energyEv !== undefined) labels.energyEv = L.energyEv * energyFactor;
  if (L.forcesEvPerA) labels.forcesEvPerA = gather(L.forcesEvPerA, 3, index, count);
  if (L.stressEvPerA3) labels.stressEvPerA3 = L.stressEvPerA3.slice();
  if (L.charges) labels.charges = gather(L.charges, 1, index, count);
  return { cell, pbc: [...s.pbc], positions, species, symbols: s.symbols.slice(), info: copyInfo(s), arrays, labels };
}

/**
 * Supercell n1 × n2 × n3 (as ASE's `atoms.repeat`): image-major order — for m1 in 0..n1−1, m2, m3 (innermost),
 * all atoms shifted by m·A. Cell rows a_d → n_d a_d. Labels: energy × n1n2n3 (extensive), forces, charges and
 * per-atom arrays tiled, stress unchanged (intensive). Replicating along a non-periodic direction is refused
 * (the copies would interact, so the labels would be wrong).
 */
export function supercell(s: Structure, reps: readonly [number, number, number] | readonly number[]): Structure {
  if (reps.length !== 3 || !reps.every((r) => Number.isInteger(r) && r >= 1))
    throw new FarfieldError('INVALID_INPUT', `supercell: repetitions must be three integers ≥ 1, got [${reps.join(', ')}]`);
  for (let d = 0; d < 3; d++)
    if (reps[d] > 1 && !s.pbc[d])
      throw new FarfieldError('INVALID_INPUT', `supercell: cannot repeat ${reps[d]}× along non-periodic direction a${d + 1}`);
  const n = s.species.length;
  const images = reps[0] * reps[1] * reps[2];
  const count = n * images;
  const A = s.cell;
  const positions = new Float64Array(3 * count);
  let k = 0;
  for (let m1 = 0; m1 < reps[0]; m1++)
    for (let m2 = 0; m2 < reps[1]; m2++)
      for (let m3 = 0; m3 < reps[2]; m3++) {
        const tx = m1 * A[0] + m2 * A[3] + m3 * A[6];
        const ty = m1 * A[1] + m2 * A[4] + m3 * A[7];
        const tz = m1 * A[2] + m2 * A[5] + m3 * A[8];
        for (let i = 0; i < n; i++, k++) {
          positions[3 * k] = s.positions[3 * i] + tx;
          positions[3 * k + 1] = s.positions[3 * i + 1] + ty;
          positions[3 * k + 2] = s.positions[3 * i + 2] + tz;
        }
      }
  const cell = new Float64Array(9);
  for (let d = 0; d < 3; d++) for (let c = 0; c < 3; c++) cell[3 * d + c] = A[3 * d + c] * reps[d];
  return reindexed(s, (q) => q % n, count, positions, cell, images);
}

/**
 * Uniformly distributed (Haar) random rotation, det = +1, from a uniform unit quaternion (Shoemake, Graphics
 * Gems III, 1992: q = (√(1−u₁) sin 2πu₂, √(1−u₁) cos 2πu₂, √u₁ sin 2πu₃, √u₁ cos 2πu₃)). Row-major Float64Array(9).
 */
export function randomRotation(rng: Rng): Float64Array {
  const u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  const x = a * Math.sin(2 * Math.PI * u2), y = a * Math.cos(2 * Math.PI * u2);
  const z = b * Math.sin(2 * Math.PI * u3), w = b * Math.cos(2 * Math.PI * u3);
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  );
}

/** Rotation by `angle` (radians) about `axis` (any non-zero 3-vector), right-handed (Rodrigues). */
export function rotationAboutAxis(axis: ArrayLike<number>, angle: number): Float64Array {
  const len = Math.hypot(axis[0], axis[1], axis[2]);
  if (!(len > 0)) throw new FarfieldError('INVALID_INPUT', 'rotationAboutAxis: the axis must be a non-zero vector');
  const x = axis[0] / len, y = axis[1] / len, z = axis[2] / len;
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
  return Float64Array.of(
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  );
}

/** v' = R v for every 3-vector in a flat 3N array. */
function rotateRows(R: ArrayLike<number>, src: ArrayLike<number>): Float64Array {
  const out = new Float64Array(src.length);
  for (let k = 0; k < src.length; k += 3) {
    const x = src[k], y = src[k + 1], z = src[k + 2];
    out[k] = R[0] * x + R[1] * y + R[2] * z;
    out[k + 1] = R[3] * x + R[4] * y + R[5] * z;
    out[k + 2] = R[6] * x + R[7] * y + R[8] * z;
  }
  return out;
}

/**
 * Rotate (or reflect) a structure by an orthogonal R (checked: |RRᵀ − I| < 1e-10): positions, cell rows,
 * forces, `momenta`/`velocities` arrays rotate as r' = R r; stress σ' = R σ Rᵀ; energy and charges unchanged.
 */
export function rotateStructure(s: Structure, R: ArrayLike<number>): Structure {
  if (R.length !== 9) throw new FarfieldError('INVALID_INPUT', `rotateStructure: R must have 9 entries, got ${R.length}`);
  const rrt = mul3(R, transpose3(R));
  for (let k = 0; k < 9; k++)
    if (!(Math.abs(rrt[k] - (k % 4 === 0 ? 1 : 0)) < 1e-10))
      throw new FarfieldError('INVALID_INPUT', 'rotateStructure: R is not orthogonal (R·Rᵀ ≠ I to 1e-10)');
  const n = s.species.length;
  const out = reindexed(s, (k) => k, n, rotateRows(R, s.positions), rotateRows(R, s.cell), 1);
  for (const name of VECTOR_ARRAYS) {
    const a = out.arrays[name];
    if (a && a.type === 'R' && a.width === 3) out.arrays[name] = { type: 'R', width: 3, data: rotateRows(R, a.data) };
  }
  if (out.labels.forcesEvPerA) out.labels.forcesEvPerA = rotateRows(R, out.labels.forcesEvPerA);
  if (out.labels.stressEvPerA3) out.labels.stressEvPerA3 = mul3(mul3(R, out.labels.stressEvPerA3), transpose3(R));
  return out;
}

/** Translate every atom by t (Å); labels unchanged. */
export function translateStructure(s: Structure, t: ArrayLike<number>): Structure {
  if (t.length !== 3 || ![0, 1, 2].every((d) => Number.isFinite(t[d])))
    throw new FarfieldError('INVALID_INPUT', 'translateStructure: t must be a finite 3-vector');
  const n = s.species.length;
  const positions = s.positions.slice();
  for (let k = 0; k < 3 * n; k++) positions[k] += t[k % 3];
  return reindexed(s, (k) => k, n, positions, s.cell.slice(), 1);
}

/** Reorder atoms: new atom k = old atom order[k] (`order` must be a permutation of 0..N−1); labels follow. */
export function permuteAtoms(s: Structure, order: ArrayLike<number>): Structure {
  const n = s.species.length;
  const seen = new Uint8Array(n);
  if (order.length !== n) throw new FarfieldError('INVALID_INPUT', `permuteAtoms: order has ${order.length} entries, expected ${n}`);
  for (let k = 0; k < n; k++) {
    const o = order[k];
    if (!(Number.isInteger(o) && o >= 0 && o < n) || seen[o])
      throw new FarfieldError('INVALID_INPUT', `permuteAtoms: order is not a permutation of 0..${n - 1} (entry ${k} = ${o})`);
    seen[o] = 1;
  }
  return reindexed(s, (k) => order[k], n, gather(s.positions, 3, (k) => order[k], n), s.cell.slice(), 1);
}
