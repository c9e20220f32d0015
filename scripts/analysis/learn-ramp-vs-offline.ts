/**
 * On-the-fly learning vs offline along a heating ramp (issue 15: where frame selection should matter) — Fumi–Tosi
 * NaCl, 64 ions, rock salt at an expanded lattice heated from T0 to T1 (solid → onset of melting).
 *
 *   node --import tsx scripts/analysis/learn-ramp-vs-offline.ts [--steps 500] [--t0 600] [--t1 1800] [--lattice 6.1]
 *     [--seed 3] [--draws 5] [--descriptors sr+lr] [--config FILE] [--out DIR] [--reuse]
 *
 * 1. `runLearn` from the perfect rock-salt cell (2×2×2 conventional cells, lattice `--lattice` Å), Fumi–Tosi
 *    reference, Bussi 2 fs, thermostat ramped T0 → T1 over the run (md/ramp.ts), seed S; config default: every
 *    environment of a labelled frame a reference, refit after every call (the CI comparison's setting), overridable
 *    by `--config FILE` (merged).
 * 2. A reference MD along the same ramp (seed S, every step kept: the offline pool) and an independent one
 *    (seed 96 + S, every 20th frame from step 20: held out, spanning the ramp).
 * 3. The fair comparator (learn-vs-offline.ts): as many frames as the run labelled, drawn at random from the pool
 *    (seeds 2 + S + 100 k, k < draws), labelled by the same reference (energy, forces, stress), the same number of
 *    selected references per species, the same solver (one-batch incremental fit).
 * Prints per model: force RMSE on the held-out frames (all, and thirds of the ramp), energy RMSE, and the calibration of
 * the learned model's force σ: Spearman of |σ_F,i| vs |ΔF_i| over all atoms of the held-out frames (across the ramp)
 * and within each frame (median over frames).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure, Rng, type Structure } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, relabelStructures, runLearn, runMolecularDynamics, loadModel, type LearnConfig } from '../../src/api/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { IncrementalKernelFit, type KernelModel } from '../../src/model/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { perAtomForceCalibration, spearman } from '../../src/analysis/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '500')), t0 = Number(arg('t0', '600')), t1 = Number(arg('t1', '1800'));
const a = Number(arg('lattice', '6.1')), seed = Number(arg('seed', '3')), draws = Number(arg('draws', '5'));
const descriptors = arg('descriptors', 'sr+lr');
const extra = arg('config', '') ? (JSON.parse(readFileSync(arg('config', ''), 'utf8')) as LearnConfig) : {};
const SR = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const hypers = descriptors === 'sr' ? SR : { sr: SR };
const out = arg('out', '') || mkdtempSync(join(tmpdir(), 'ff-learn-ramp-'));
mkdirSync(out, { recursive: true });
const reuse = process.argv.includes('--reuse');

/** Perfect rock salt, 2×2×2 conventional cells (64 ions). */
export function rockSalt64(lattice: number): Structure {
  const pos: number[] = [], sym: string[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) {
    pos.push((i * lattice) / 2, (j * lattice) / 2, (k * lattice) / 2);
    sym.push((i + j + k) % 2 ? 'Cl' : 'Na');
  }
  return makeStructure({ symbols: sym, positions: pos, cell: [2 * lattice, 0, 0, 0, 2 * lattice, 0, 0, 0, 2 * lattice] });
}

const start = rockSalt64(a);
const dyn = { start, timestepFs: 2, temperatureK: t0, temperatureEndK: t1 };
const cpu0 = process.cpuUsage();
const r = reuse ? null : await runLearn({
  ...dyn, reference: { engine: 'fumi-tosi' }, steps, seed, out: join(out, 'learn'),
  config: {
    ...extra, threshold: { batch: 1, ...extra.threshold },
    fit: { maxNewReferences: 1000, rebuild: 'doubling', ...extra.fit, descriptors, descriptorHypers: hypers },
  },
});
const learnCpu = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
if (!reuse) {
  runMolecularDynamics({ ...dyn, calculator: fumiTosiNaCl(), steps, every: 1, output: join(out, 'pool.xyz'), seed });
  runMolecularDynamics({ ...dyn, calculator: fumiTosiNaCl(), steps, every: 20, output: join(out, 'held.xyz'), seed: 96 + seed });
}
const pool = readStructures(join(out, 'pool.xyz'));
const held = relabelStructures(readStructures(join(out, 'held.xyz')).slice(1), { engine: 'fumi-tosi' });
const model = r ? r.model : (loadModel(join(out, 'learn', 'model.json')) as KernelModel);
const training = readStructures(join(out, 'learn', 'training.xyz'));
const nFrames = training.length;
const nRef = r ? r.selectedReferences.Na : Number(arg('refs', '1000'));
const callSteps = training.map((s) => Number(s.info.learn_step));

function errors(m: KernelModel): { f: number; thirds: number[]; e: number } {
  const perFrame = held.map((s) => {
    const p = m.calculate(s, { forces: true, stress: false }), ref = s.labels.forcesEvPerA!;
    let se = 0;
    for (let k = 0; k < ref.length; k++) se += (p.forcesEvPerA![k] - ref[k]) ** 2;
    return { se, n: ref.length, de: (p.energyEv - s.labels.energyEv!) / s.species.length };
  });
  const rms = (fr: typeof perFrame): number => 1000 * Math.sqrt(fr.reduce((x, q) => x + q.se, 0) / fr.reduce((x, q) => x + q.n, 0));
  const k = Math.ceil(perFrame.length / 3);
  return {
    f: rms(perFrame), thirds: [rms(perFrame.slice(0, k)), rms(perFrame.slice(k, 2 * k)), rms(perFrame.slice(2 * k))],
    e: 1000 * Math.sqrt(perFrame.reduce((x, q) => x + q.de ** 2, 0) / perFrame.length),
  };
}

function calibration(m: KernelModel): { pooled: number; perFrameMedian: number } {
  const sig: number[] = [], err: number[] = [], per: number[] = [];
  for (const s of held) {
    const p = m.calculate(s, { forces: true, stress: false, uncertainty: true, forceUncertainty: true });
    const { sigma: fs, error: fe } = perAtomForceCalibration(p.uncertainty!.forcesEvPerA!, p.forcesEvPerA!, s.labels.forcesEvPerA!);
    sig.push(...fs);
    err.push(...fe);
    per.push(spearman(fs, fe));
  }
  per.sort((x, y) => x - y);
  return { pooled: spearman(sig, err), perFrameMedian: per[Math.floor(per.length / 2)] };
}

const fmt = (x: { f: number; thirds: number[]; e: number }): string =>
  `forces ${x.f.toFixed(1)} meV/Å (thirds ${x.thirds.map((v) => v.toFixed(1)).join(' / ')}), energy ${x.e.toFixed(2)} meV/atom`;
if (r) console.log(`${descriptors}, seed ${seed}, ${steps} steps ${t0}→${t1} K, lattice ${a} Å: ${r.calls} calls, ${nFrames} frames, selected refs ${JSON.stringify(r.selectedReferences)}, learn CPU ${learnCpu.toFixed(0)} s`);
console.log(`  call steps: ${callSteps.join(' ')}`);
const learned = errors(model);
console.log(`  learned: ${fmt(learned)}`);
const cal = calibration(model);
console.log(`  calibration of the learned σ on ${held.length} held-out ramp frames: Spearman pooled ${cal.pooled.toFixed(3)}, per-frame median ${cal.perFrameMedian.toFixed(3)}`);
const off: number[] = [];
const offE: number[] = [];
for (let d = 0; d < draws; d++) {
  const idx = Array.from(pool.keys()).slice(1); // step 0 is the perfect lattice (zero forces): the learner labels it anyway
  new Rng(2 + seed + 100 * d).shuffle(idx);
  const pick = relabelStructures(idx.slice(0, nFrames).map((i) => pool[i]), { engine: 'fumi-tosi' });
  const inc = IncrementalKernelFit.create(pick, { descriptor: resolveDescriptor(descriptors, ['Na', 'Cl'], hypers), maxNewReferences: nRef, maxReferences: 1000, minDistance: 1e-3 });
  const e = errors(inc.solve());
  off.push(e.f);
  offE.push(e.e);
  console.log(`  offline draw ${d} (${pick.length} random frames, refs ${inc.selectedReferenceCounts().join('/')}): ${fmt(e)}`);
}
const med = (v: number[]): number => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];
console.log(`  SUMMARY seed ${seed}: learned ${learned.f.toFixed(1)} meV/Å ${learned.e.toFixed(2)} meV/atom; offline median ${med(off).toFixed(1)} meV/Å ${med(offE).toFixed(2)} meV/atom (${off.map((v) => v.toFixed(1)).join(' ')}); ratio ${(learned.f / med(off)).toFixed(3)}`);
if (arg('out', '') === '') rmSync(out, { recursive: true, force: true });
