/**
 * A fixed family of planning cases (FKK, LODE, lode-ms descriptors and Coulomb tune over structures and hypers) for
 * the no-behaviour-change checks of the planner (test/electrostatics/planner.test.ts, scripts/analysis/plan-snapshot.ts).
 */
import { makeStructure, Rng, type Structure } from '../../src/core/index.js';
import { FkkDescriptor, LodeDescriptor, LodeMsDescriptor } from '../../src/descriptors/index.js';
import { tuneElectrostatics, type Method } from '../../src/electrostatics/index.js';
import { supercell } from '../../src/geometry/index.js';

/** A disordered NaCl rock-salt melt of reps³ conventional cells (8·reps³ ions), seeded (also used by bench/longrange). */
export function melt(reps: number, seed = 1): Structure {
  const a = 6.3, rng = new Rng(seed);
  const base = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  const pos: number[] = [], sym: string[] = [];
  for (const b of base) {
    pos.push(...b.map((x) => x * a)); sym.push('Na');
    pos.push(...[b[0] + 0.5, b[1], b[2]].map((x) => x * a)); sym.push('Cl');
  }
  const s = supercell(makeStructure({ symbols: sym, positions: pos, cell: [a, 0, 0, 0, a, 0, 0, 0, a] }), [reps, reps, reps]);
  const p = s.positions.slice();
  for (let k = 0; k < p.length; k++) p[k] += rng.range(-0.6, 0.6);
  return { ...s, positions: p };
}

function randomIonic(seed: number, n: number, edgeA: number, skew: number): Structure {
  const rng = new Rng(seed);
  const cell = [edgeA, 0, 0, 0, edgeA, 0, 0, 0, edgeA];
  for (const k of [1, 2, 3, 5, 6, 7]) cell[k] = rng.range(-skew, skew) * edgeA;
  const frac: number[][] = [];
  const cart = (f: number[]) => [0, 1, 2].map((d) => f[0] * cell[d] + f[1] * cell[3 + d] + f[2] * cell[6 + d]);
  while (frac.length < n) {
    const f = [rng.uniform(), rng.uniform(), rng.uniform()];
    let ok = true;
    for (const g of frac) {
      const v = cart(f.map((x, d) => x - g[d] - Math.round(x - g[d])));
      if (Math.hypot(v[0], v[1], v[2]) < 1.6) { ok = false; break; }
    }
    if (ok) frac.push(f);
  }
  return makeStructure({ symbols: frac.map((_, i) => (i % 2 ? 'Cl' : 'Na')), positions: frac.flatMap(cart), cell });
}

/** A slab: the melt(2) atoms in a cell three times as long along z (two thirds vacuum). */
function slab(): Structure {
  const s = melt(2);
  const cell = Float64Array.from(s.cell);
  for (let d = 0; d < 3; d++) cell[6 + d] *= 3;
  return { ...s, cell };
}

/** A sheared cell: melt(1)'s lattice written with long rows (a, a+b, c−a). */
function sheared(): Structure {
  const s = melt(2);
  const a = s.cell;
  const cell = Float64Array.from([a[0], a[1], a[2], a[0] + a[3], a[1] + a[4], a[2] + a[5], a[6] - a[0], a[7] - a[1], a[8] - a[2]]);
  return { ...s, cell };
}

/** The structures: the bench's NaCl melts (64, 512, 4096 atoms), the tests' random skewed cells, a slab, a sheared cell. */
export const STRUCTURES: Record<string, () => Structure> = {
  melt64: () => melt(2), melt512: () => melt(4), melt4096: () => melt(8),
  ionic16: () => randomIonic(41, 16, 9, 0.2), ionic8: () => randomIonic(5, 8, 6.5, 0.2), slab64: slab, sheared64: sheared,
};
const FKK: Record<string, Record<string, unknown>> = {
  default: {}, pme: { reciprocalSolver: 'pme' }, ewald: { reciprocalSolver: 'ewald' }, acc4: { accuracy: 1e-4 }, acc8: { accuracy: 1e-8 },
  split: { method: 'split' }, reciprocal: { method: 'reciprocal' },
};
const LODE: Record<string, Record<string, unknown>> = {
  default: {}, pme: { method: 'split', reciprocalSolver: 'pme' }, ewald: { reciprocalSolver: 'ewald' }, reciprocal: { method: 'reciprocal' },
  small: { cutoffA: 3, count: 3, sigmaA: 0.5 }, acc8: { accuracy: 1e-8 },
};
const MS: Record<string, Record<string, unknown>> = { default: {}, reciprocal: { method: 'reciprocal' }, split: { method: 'split' }, acc8: { accuracy: 1e-8 } };

export function strip(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'channel' ? undefined : v)));
}


export interface PlanCase { name: string; plan: () => unknown }

/**
 * Every (kernel, hypers, structure) case, structures filtered by name; `fkkExtra`: hypers added to every FKK case
 * (e.g. `{ planner: 1 }`, the planner the recorded plans were made with).
 */
export function* planCases(structures: (name: string) => boolean = () => true, fkkExtra: Record<string, unknown> = {}): Generator<PlanCase> {
  for (const [sn, make] of Object.entries(STRUCTURES)) {
    if (!structures(sn)) continue;
    const s = make();
    const fkk = (h: Record<string, unknown>): FkkDescriptor => new FkkDescriptor(['Na', 'Cl'], { ...h, ...fkkExtra });
    for (const [hn, h] of Object.entries(FKK)) yield { name: `fkk/${hn}/${sn}`, plan: () => strip(fkk(h).plan(s)) };
    for (const [hn, h] of Object.entries(LODE)) yield { name: `lode/${hn}/${sn}`, plan: () => strip(new LodeDescriptor(['Na', 'Cl'], h).plan(s)) };
    for (const [hn, h] of Object.entries(MS)) yield { name: `lode-ms/${hn}/${sn}`, plan: () => strip(new LodeMsDescriptor(['Na', 'Cl'], h).plan(s)) };
    const q = Float64Array.from(s.species, (_, i) => (s.symbols[s.species[i]] === 'Na' ? 1 : -1));
    for (const method of ['auto', 'ewald', 'pme'] as (Method | 'auto')[])
      for (const accuracy of [1e-4, 1e-6])
        yield { name: `coulomb/${method}/${accuracy}/${sn}`, plan: () => strip(tuneElectrostatics(s, q, { method, accuracy })) };
  }
}
