/**
 * Issue 15 science table: a finished `farfield learn --reference cp2k --method gfn1-xtb` run vs offline fits on the
 * committed GFN1-xTB data (docs/RESULTS.md "On-the-fly learning with CP2K GFN1-xTB").
 *
 *   node --import tsx scripts/analysis/learn-xtb-science.ts --run DIR --data data/nacl-liquid-xtb.xyz --start-index 140
 *        [--pool 200] [--pool-refs N] [--seed 11] [--held FILE] [--json]
 *
 * Split of the data file (deterministic): the start frame of the run (--start-index) is dropped; the other frames are
 * shuffled with Rng(seed); the first `pool` are the offline training pool, the rest are held out — frames the run never
 * saw (it labelled its own MD configurations; only the start frame's positions came from the file).
 * Fits (same descriptor preset and hypers as the run, read from DIR/state.json; same references per species as the
 * run's final model, so the three models have the same size, unless --pool-refs sets (b)'s):
 *   (a) offline on as many random pool frames as the run labelled;  (b) offline on all `pool` frames.
 * --held FILE [--held-from K] evaluates on that file's frames K… instead (e.g. data/nacl-liquid-xtb-md.xyz --held-from 1:
 * CP2K xTB MD at the liquid run's state point; its frame 0 is the run's start configuration).
 * --md-pool FILE --md-pool-range A:B adds (c): offline on frames A…B−1 of FILE (xTB's own MD — the distribution the run
 * samples, here labelled for free) with the run's references per species, as many frames as given (keep them out
 * of the held-out range: with --held the same FILE, --held-from ≥ B).
 * A run that was stopped early is read at its last checkpoint (state.json: steps, calls up to that step) with the
 * model of its last refit (model.json).
 * --by-density: also the three models' errors on the held-out frames grouped by mass density (g/cm³, 3 decimals) —
 * the liquid set's frames sit on 4 densities (data/README.md), the axis a `--density A:B` run moves along.
 * Prints calls, training structures, references, and force / energy RMSE (and the mean signed energy error, "bias")
 * on the held-out frames for the run's final model (DIR/model.json) and (a), (b) [, (c)].
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMU_G, cellVolume, Rng, type Structure } from '../../src/core/index.js';
import { massesOf } from '../../src/md/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, fitModel, loadModel } from '../../src/api/index.js';
import { KernelModel } from '../../src/model/index.js';

const arg = (name: string, dflt?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0) return process.argv[i + 1];
  if (dflt === undefined) throw new Error(`--${name} is required`);
  return dflt;
};
const dir = arg('run');
const data = readStructures(arg('data'));
const startIndex = Number(arg('start-index'));
const poolSize = Number(arg('pool', '200'));
const idx = Array.from(data.keys()).filter((i) => i !== startIndex);
new Rng(Number(arg('seed', '11'))).shuffle(idx);
const pool = idx.slice(0, poolSize).map((i) => data[i]);
const heldFile = process.argv.includes('--held') ? arg('held') : '';
const heldFrom = Number(arg('held-from', '0'));
const held = heldFile ? readStructures(heldFile).slice(heldFrom) : idx.slice(poolSize).map((i) => data[i]);
const mdPoolFile = process.argv.includes('--md-pool') ? arg('md-pool') : '';
const [mdFrom, mdTo] = mdPoolFile ? arg('md-pool-range').split(':').map(Number) : [0, 0];
if (mdPoolFile && !(Number.isInteger(mdFrom) && Number.isInteger(mdTo) && mdTo > mdFrom)) throw new Error('--md-pool-range A:B with integers A < B');
if (mdPoolFile && mdPoolFile === heldFile && heldFrom < mdTo) throw new Error(`--held-from ${heldFrom} overlaps --md-pool-range ${mdFrom}:${mdTo}`);
const mdPool = mdPoolFile ? readStructures(mdPoolFile).slice(mdFrom, mdTo) : [];

const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
  step: number; run: { descriptors: string; descriptorHypers?: Record<string, unknown>; steps: number; timestepFs: number };
  counters: { calls: number; failedCalls: number; refits: number };
};
const log = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','))
  .filter((r) => Number(r[0]) <= state.step);
const training = readStructures(join(dir, 'training.xyz')).filter((f) => Number(f.info.learn_step) <= state.step);
const model = loadModel(join(dir, 'model.json'));
if (!(model instanceof KernelModel)) throw new Error(`${dir}/model.json is not a kernel model`);
const refsPerSpecies = Math.max(...model.refs.counts);
const { descriptors, descriptorHypers } = state.run;
const poolRefs = Number(arg('pool-refs', String(refsPerSpecies)));
const fitOn = async (frames: typeof data, count: number) => (await fitModel(frames, {
  descriptors, ...(descriptorHypers ? { descriptorHypers } : {}), species: ['Na', 'Cl'], selection: { count }, threads: 1,
}, { onWarning: () => {} })).model;
const a = await fitOn(pool.slice(0, training.length), refsPerSpecies);
const b = await fitOn(pool, poolRefs);
const c = mdPool.length ? await fitOn(mdPool, refsPerSpecies) : undefined;
const err = (m: Parameters<typeof evaluateModel>[0], frames: Structure[] = held) => {
  const { summary: s, predictions } = evaluateModel(m, frames);
  // Mean signed energy error (model − label), meV/atom: a shift common to all frames vs scatter.
  const bias = (1000 * frames.reduce((t, f, k) => t + (predictions[k].energyEv! - f.labels.energyEv!) / f.species.length, 0)) / frames.length;
  return { forces_meV_per_A: s.forces!.rmse_meV_per_A, forces_percent: s.forces!.rmspe_percent, energy_meV_per_atom: s.energy?.rmse_meV_per_atom ?? NaN,
    energy_bias_meV_per_atom: bias };
};
const calls = log.filter((r) => r[6] === '1').length;
const quarter = Math.floor(state.step / 4);
const lastQuarterCalls = log.filter((r) => r[6] === '1' && Number(r[0]) > state.step - quarter).length;
const out = {
  run: dir, descriptors, steps: state.step, ps: (state.step * state.run.timestepFs) / 1000, calls, failedCalls: state.counters.failedCalls,
  lastQuarterCalls, training: training.length, refsPerSpecies, poolRefs, heldOut: held.length, ...(heldFile ? { heldFile } : {}),
  onTheFly: err(model), offlineSameCount: err(a), offlinePool: err(b),
  ...(c ? { mdPool: { file: mdPoolFile, range: [mdFrom, mdTo], ...err(c) } } : {}),
};
const cErr = out.mdPool;
if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
else {
  const f = (e: ReturnType<typeof err>) => `${e.forces_meV_per_A.toFixed(1)} meV/Å (${e.forces_percent?.toFixed(1)} %), ${e.energy_meV_per_atom.toFixed(2)} meV/atom (bias ${e.energy_bias_meV_per_atom >= 0 ? '+' : ''}${e.energy_bias_meV_per_atom.toFixed(2)})`;
  console.log(`| ${descriptors} | ${out.ps.toFixed(2)} ps (${state.step} steps) | ${calls} (${lastQuarterCalls} in the last quarter) | ${refsPerSpecies} | ${f(out.onTheFly)} | ${f(out.offlineSameCount)} | ${f(out.offlinePool)} (${poolRefs} refs) |${cErr ? ` ${f(cErr)} (${mdPool.length} MD frames) |` : ''} ${held.length} |`);
}
if (process.argv.includes('--by-density')) {
  const rho = (f: Structure): number => (massesOf(f).reduce((x, m) => x + m, 0) * AMU_G) / (cellVolume(f.cell) * 1e-24);
  const groups = new Map<string, Structure[]>();
  for (const f of held) {
    const k = rho(f).toFixed(3);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const g = (e: ReturnType<typeof err>) => `${e.forces_meV_per_A.toFixed(1)}, ${e.energy_meV_per_atom.toFixed(2)}`;
  console.log('| ρ / g cm⁻³ | frames | on the fly: F meV/Å, E meV/atom | (a) | (b) |');
  for (const k of [...groups.keys()].sort()) {
    const fr = groups.get(k)!;
    console.log(`| ${k} | ${fr.length} | ${g(err(model, fr))} | ${g(err(a, fr))} | ${g(err(b, fr))} |`);
  }
}
