/**
 * Issue 15 diagnosis (offline, no CP2K): is the gap between an on-the-fly xTB model and offline fits on random data
 * frames the learner's *frames* or its incremental *reference choice*? And how does the offline fit depend on the
 * number of random frames (can 60 random frames match 200)?
 *
 *   node --import tsx scripts/analysis/learn-xtb-diagnose.ts --data data/nacl-liquid-xtb.xyz --start-index 140
 *        [--run DIR ...] [--counts 25,40,60,100,200] [--draws 1] [--refs 200] [--run-refs N] [--seed 11]
 *
 * Same split as learn-xtb-science.ts (start frame dropped, Rng(seed) shuffle, first 200 = pool, the rest held out).
 * For each --run DIR (descriptor preset and hypers from DIR/state.json): the run's model (DIR/model.json) and an
 * offline fit (one batch, FPS over all environments, --run-refs references per species, default the run model's
 * count) on exactly its training.xyz — the learner's frames with the offline reference choice.
 * Learning curve: offline fits on `count` random pool frames (draw 0 = the first `count` of the pool, as (a)/(b) of
 * learn-xtb-science.ts; draws 1… reshuffle the pool with Rng(seed + draw)) with --refs references per species.
 * --held FILE [--held-from K]: evaluate on that file's frames K… instead (data/nacl-liquid-xtb-md.xyz --held-from 1:
 * configurations sampled by CP2K GFN1-xTB MD itself, where the data file's were sampled with Fumi–Tosi).
 * --structure: per frame set (pool, held out, each run's training frames) the mean Na–Cl nearest-neighbour distance,
 * the Na–Cl coordination number within 3.9 Å and the mean |F| of the labels — do the sets sample the same liquid?
 * Prints force RMSE (meV/Å) and energy RMSE (meV/atom) on the held-out frames; --json for a machine-readable list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, type Structure } from '../../src/core/index.js';
import { buildNeighbourList } from '../../src/geometry/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, fitModel, loadModel } from '../../src/api/index.js';
import { KernelModel } from '../../src/model/index.js';

const argv = process.argv;
const arg = (name: string, dflt?: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i > 0) return argv[i + 1];
  if (dflt === undefined) throw new Error(`--${name} is required`);
  return dflt;
};
const args = (name: string): string[] => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
const data = readStructures(arg('data'));
const startIndex = Number(arg('start-index'));
const seed = Number(arg('seed', '11'));
const idx = Array.from(data.keys()).filter((i) => i !== startIndex);
new Rng(seed).shuffle(idx);
const pool = idx.slice(0, 200).map((i) => data[i]);
const heldFile = argv.includes('--held') ? arg('held') : '';
const held = heldFile ? readStructures(heldFile).slice(Number(arg('held-from', '0'))) : idx.slice(200).map((i) => data[i]);
const runs = args('run');
const counts = arg('counts', '25,40,60,100,200').split(',').filter((s) => s).map(Number);
const draws = Number(arg('draws', '1'));
const refs = Number(arg('refs', '200'));
const rows: Record<string, unknown>[] = [];

const err = (m: Parameters<typeof evaluateModel>[0]) => {
  const s = evaluateModel(m, held).summary;
  return { F: s.forces!.rmse_meV_per_A, E: s.energy?.rmse_meV_per_atom ?? NaN };
};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const report = (row: Record<string, unknown> & { F: number; E: number }) => {
  rows.push(row);
  if (!argv.includes('--json')) {
    const { F, E, ...rest } = row;
    console.log(`${JSON.stringify(rest)}  F ${F.toFixed(1)} meV/Å  E ${E.toFixed(2)} meV/atom`);
  }
};

/** Mean nearest unlike-neighbour distance (Å), unlike coordination within 3.9 Å, mean |F| (eV/Å) over the frames. */
const structureOf = (frames: readonly Structure[]) => {
  let nn = 0, cn = 0, fAbs = 0, atoms = 0;
  for (const f of frames) {
    const nl = buildNeighbourList(f, 3.9);
    const nearest = new Float64Array(f.species.length).fill(Infinity);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p];
      if (f.species[i] === f.species[j]) continue;
      cn++;
      if (nl.distances[p] < nearest[i]) nearest[i] = nl.distances[p];
    }
    for (let i = 0; i < nearest.length; i++) nn += Number.isFinite(nearest[i]) ? nearest[i] : 3.9;
    const F = f.labels.forcesEvPerA;
    if (F) for (let i = 0; i < f.species.length; i++) fAbs += Math.hypot(F[3 * i], F[3 * i + 1], F[3 * i + 2]);
    atoms += f.species.length;
  }
  return { nearestA: +(nn / atoms).toFixed(4), coordination: +(cn / atoms).toFixed(3), meanAbsForce: +(fAbs / atoms).toFixed(3) };
};
if (argv.includes('--structure')) {
  const sets: [string, readonly Structure[]][] = [['pool', pool], ['held out', held], ...runs.map((d): [string, Structure[]] => [d, readStructures(join(d, 'training.xyz'))])];
  for (const [name, frames] of sets) console.log(JSON.stringify({ set: name, frames: frames.length, ...structureOf(frames) }));
}

let hypers: { descriptors: string; descriptorHypers?: Record<string, unknown> } | undefined;
for (const dir of runs) {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { run: { descriptors: string; descriptorHypers?: Record<string, unknown> } };
  hypers = { descriptors: state.run.descriptors, ...(state.run.descriptorHypers ? { descriptorHypers: state.run.descriptorHypers } : {}) };
  const model = loadModel(join(dir, 'model.json'));
  if (!(model instanceof KernelModel)) throw new Error(`${dir}/model.json is not a kernel model`);
  const runRefs = Number(arg('run-refs', String(Math.max(...model.refs.counts))));
  const training = readStructures(join(dir, 'training.xyz'));
  report({ what: 'on-the-fly model', run: dir, frames: training.length, refs: Math.max(...model.refs.counts), ...err(model) });
  const t0 = cpu();
  const m = (await fitModel(training, { ...hypers, species: ['Na', 'Cl'], selection: { count: runRefs }, threads: 1 }, { onWarning: () => {} })).model;
  report({ what: 'offline refit on the run frames', run: dir, frames: training.length, refs: runRefs, cpuS: +(cpu() - t0).toFixed(1), ...err(m) });
}
if (!hypers) {
  hypers = { descriptors: 'sr+lr', descriptorHypers: { sr: { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } } } };
}
for (let d = 0; d < draws; d++) {
  const order = pool.slice();
  if (d > 0) new Rng(seed + d).shuffle(order);
  for (const n of counts) {
    const t0 = cpu();
    const m = (await fitModel(order.slice(0, n), { ...hypers, species: ['Na', 'Cl'], selection: { count: refs }, threads: 1 }, { onWarning: () => {} })).model;
    report({ what: 'offline random frames', draw: d, frames: n, refs, cpuS: +(cpu() - t0).toFixed(1), ...err(m) });
  }
}
if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
