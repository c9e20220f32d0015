/**
 * The point-charge toy model (science.md §4.8, a reconstruction of the target paper's toy set): N/2 charges +1 and N/2
 * charges −1 (species Na and Cl, so that every tool reads the files) at uniformly random positions with a minimum
 * (minimum-image) separation, in cubic cells whose edge is drawn uniformly from [edgeMin, edgeMax] Å (default
 * [11, 15] Å for 64 ions, scaled by (N/64)^(1/3) otherwise). Labels: Ewald energy, forces and stress of the point
 * charges (tin-foil boundary, relative force accuracy 1e-10), and the charges themselves.
 * Positions: random sequential addition, each atom retried up to 10 000 times; a cell that cannot be filled is redrawn.
 */
import { FarfieldError, Rng, makeStructure, type ProgressCallback, type Structure } from '../core/index.js';
import { pointCharges } from './potentials.js';

export interface ToyOptions {
  /** Number of configurations. */
  n: number;
  /** Atoms per configuration (even). */
  atoms: number;
  seed: number;
  /** Minimum separation, Å (default 2). */
  minSeparationA?: number;
  /** Cell-edge range, Å (default [11, 15]·(atoms/64)^(1/3)). */
  edgeMinA?: number;
  edgeMaxA?: number;
  /** Ewald relative force accuracy (default 1e-10). */
  accuracy?: number;
  onProgress?: ProgressCallback;
}

function place(rng: Rng, atoms: number, L: number, dmin: number): Float64Array | null {
  const pos = new Float64Array(3 * atoms);
  const d2 = dmin * dmin;
  for (let i = 0; i < atoms; i++) {
    let ok = false;
    for (let attempt = 0; attempt < 10000 && !ok; attempt++) {
      const x = rng.uniform() * L, y = rng.uniform() * L, z = rng.uniform() * L;
      ok = true;
      for (let j = 0; j < i && ok; j++) {
        let dx = x - pos[3 * j], dy = y - pos[3 * j + 1], dz = z - pos[3 * j + 2];
        dx -= L * Math.round(dx / L); dy -= L * Math.round(dy / L); dz -= L * Math.round(dz / L);
        if (dx * dx + dy * dy + dz * dz < d2) ok = false;
      }
      if (ok) { pos[3 * i] = x; pos[3 * i + 1] = y; pos[3 * i + 2] = z; }
    }
    if (!ok) return null;
  }
  return pos;
}

/** Generate the labelled toy configurations. Same options → identical frames. */
export function toyDataset(o: ToyOptions): Structure[] {
  if (!Number.isInteger(o.n) || o.n < 1) throw new FarfieldError('INVALID_INPUT', `toy dataset: n must be a positive integer, got ${o.n}`);
  if (!Number.isInteger(o.atoms) || o.atoms < 2 || o.atoms % 2 !== 0) throw new FarfieldError('INVALID_INPUT', `toy dataset: atoms must be an even integer ≥ 2, got ${o.atoms}`);
  const scale = Math.cbrt(o.atoms / 64);
  const lo = o.edgeMinA ?? 11 * scale, hi = o.edgeMaxA ?? 15 * scale;
  const dmin = o.minSeparationA ?? 2;
  if (!(lo > 0 && hi >= lo)) throw new FarfieldError('INVALID_INPUT', `toy dataset: need 0 < edgeMin ≤ edgeMax, got ${lo}, ${hi}`);
  if (!(dmin >= 0)) throw new FarfieldError('INVALID_INPUT', `toy dataset: minimum separation must be ≥ 0, got ${dmin}`);
  const rng = new Rng(o.seed);
  const calc = pointCharges({ Na: 1, Cl: -1 }, { electrostatics: { accuracy: o.accuracy ?? 1e-10 } });
  const symbols = Array.from({ length: o.atoms }, (_, i) => (i < o.atoms / 2 ? 'Na' : 'Cl'));
  const charges = Float64Array.from(symbols, (s) => (s === 'Na' ? 1 : -1));
  const out: Structure[] = [];
  for (let k = 0; k < o.n; k++) {
    let pos: Float64Array | null = null, L = 0;
    for (let tries = 0; tries < 100 && !pos; tries++) {
      L = lo + (hi - lo) * rng.uniform();
      pos = place(rng, o.atoms, L, dmin);
    }
    if (!pos) throw new FarfieldError('INVALID_INPUT', `toy dataset: cannot place ${o.atoms} atoms ${dmin} Å apart in cells of ${lo}–${hi} Å`);
    const s = makeStructure({ symbols, positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L], pbc: true,
      info: { config_type: 'toy-point-charges', seed: o.seed, frame: k, edge_A: L } });
    const r = calc.calculate(s, { forces: true, stress: true });
    s.labels = { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA!, stressEvPerA3: r.stressEvPerA3!, charges: charges.slice() };
    out.push(s);
    o.onProgress?.({ phase: 'toy dataset', done: k + 1, total: o.n });
  }
  return out;
}
