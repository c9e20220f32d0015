/**
 * How well the cheap energy-σ bounds (model/energyBounds.ts) screen the exact force σ, and how the force σ ranks the
 * actual force error (issue 15 goals 1 and 4). Fumi–Tosi NaCl, 64 ions.
 *
 *   node --import tsx scripts/analysis/screen-quality.ts [--train 20] [--refs 60] [--directions 32] [--descriptors sr+lr]
 *
 * Training: `--train` frames of a 1200 K Fumi–Tosi MD from the shared melt frame (seed 1, every 10th step),
 * `--refs` FPS references per species, the learn hypers of learn-vs-offline.ts, Bayesian solver. Sets: held-out
 * frames of an independent MD (seed 2, every 10th step: in distribution), the same frames with the volume scaled by
 * 0.94 and 1.06 and relabelled (density change), and frames with atoms displaced by 0–0.4 Å (strongly varying
 * error). Per set: the exact σ(E)/N and its K-direction upper bound; the learn screen's ratio κ = σ_F,max / (σ(E)/N)
 * per frame and the Spearman of the two over frames; the K-direction bounds against the exact per-atom energy σ
 * (median upper/exact and lower/exact), the same ratio and Spearman with ε = largest per-atom upper bound, per atom
 * ε_i vs |σ_F,i|; and the calibration of goal 4 per atom: |σ_F,i| vs |ΔF_i| with the "bound" a perfectly
 * calibrated σ of the same shape reaches (ΔF drawn from N(0, σ²), mean of 20 draws), |F_i| vs |ΔF_i|, and
 * √(σ_F,i² + r²|F_i|²) vs |ΔF_i| with r the relative force noise of the training frames.
 */
import { Rng, type Structure } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { runMolecularDynamics } from '../../src/api/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { fitKernelModel } from '../../src/model/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spearman } from '../../src/analysis/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const nTrain = Number(arg('train', '20')), refs = Number(arg('refs', '60')), K = Number(arg('directions', '32'));
const preset = arg('descriptors', 'sr+lr');
const SR = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const ft = fumiTosiNaCl();
const start = readStructures(new URL('../../../shared/fixtures/nacl-melt-64.xyz', import.meta.url).pathname)[0];
const dir = mkdtempSync(join(tmpdir(), 'ff-screen-'));
runMolecularDynamics({ calculator: ft, start, steps: 10 * nTrain + 50, timestepFs: 2, temperatureK: 1200, every: 10, output: join(dir, 'a.xyz'), seed: 1 });
runMolecularDynamics({ calculator: ft, start, steps: 250, timestepFs: 2, temperatureK: 1200, every: 10, output: join(dir, 'b.xyz'), seed: 2 });
const relabel = (s: Structure): Structure => {
  const r = ft.calculate(s, { forces: true, stress: true });
  return { ...s, labels: { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 } };
};
const train = readStructures(join(dir, 'a.xyz')).slice(5, 5 + nTrain).map(relabel);
const held = readStructures(join(dir, 'b.xyz')).slice(5).map(relabel);
rmSync(dir, { recursive: true, force: true });
const scaled = (f: number): Structure[] => held.map((s) => {
  const a = Math.cbrt(f);
  return relabel({ ...s, positions: Float64Array.from(s.positions, (x) => x * a), cell: Float64Array.from(s.cell, (x) => x * a) });
});
const rng = new Rng(4);
const displaced = held.map((s) => relabel({ ...s, positions: Float64Array.from(s.positions, (x, j) => x + (0.4 * (Math.floor(j / 3) % 8) / 7) * (2 * rng.uniform() - 1)) }));

const hypers = preset === 'sr' ? SR : { sr: SR };
const descriptor = resolveDescriptor(preset, ['Na', 'Cl'], hypers);
const model = fitKernelModel(train, { descriptor, selection: { method: 'fps', count: refs }, threads: 1 }).model;
// relative force noise r from the training residuals (no held-out data): r² = Σ|ΔF|² / Σ|F|²
let rNum = 0, rDen = 0;
for (const s of train) {
  const f = model.calculate(s).forcesEvPerA!, ref = s.labels.forcesEvPerA!;
  for (let k = 0; k < f.length; k++) { rNum += (f[k] - ref[k]) ** 2; rDen += ref[k] ** 2; }
}
const relNoise = Math.sqrt(rNum / rDen);
console.log(`relative force noise on the training frames r = ${relNoise.toFixed(3)}`);

const median = (v: number[]): number => { const s = v.slice().sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

console.log(`${preset}: ${nTrain} training frames, ${refs} references/species, M = ${model.refs.nColumns}, rank ${model.params.covarianceFactor!.rank}, K = ${K}`);
console.log('set          frames  upper/exact lower/exact (median per atom)  κ=σF,max/ε min/med/max  ρ frames(ε, σF,max)  ρ atoms(ε_i, |σF_i|)  ρ atoms(|σF_i|, |ΔF_i|) bound  ρ atoms(ε_i, |ΔF_i|)  mean ε (meV)');
for (const [name, set] of [['held-out', held], ['volume 0.94', scaled(0.94)], ['volume 1.06', scaled(1.06)], ['displaced', displaced]] as const) {
  const up: number[] = [], lo: number[] = [], kappa: number[] = [], epsF: number[] = [], sigF: number[] = [], tot: number[] = [], totUp: number[] = [], kappaT: number[] = [];
  const aEps: number[] = [], aSig: number[] = [], aErr: number[] = [], aSigVec: number[][] = [], aF: number[] = [], aPred: number[] = [];
  for (const s of set) {
    const n = s.species.length;
    model.energyUncertaintyOptions = {};
    const ex = model.calculate(s, { uncertainty: true });
    model.energyUncertaintyOptions = { directions: K };
    const bu = model.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!;
    const b = bu.energiesBoundsEv!;
    tot.push(ex.uncertainty!.energyEv! / n);
    totUp.push(b.totalUpper / n);
    kappaT.push(ex.uncertainty!.maxForceEvPerA! / (ex.uncertainty!.energyEv! / n));
    const u = ex.uncertainty!, f = ex.forcesEvPerA!, ref = s.labels.forcesEvPerA!;
    let eps = 0;
    for (let i = 0; i < n; i++) {
      const e = u.energiesEv![i];
      up.push(b.upper[i] / e);
      lo.push(b.lower[i] / e);
      eps = Math.max(eps, b.upper[i]);
      const sx = u.forcesEvPerA![3 * i], sy = u.forcesEvPerA![3 * i + 1], sz = u.forcesEvPerA![3 * i + 2];
      aEps.push(b.upper[i]);
      aSig.push(Math.hypot(sx, sy, sz));
      aSigVec.push([sx, sy, sz]);
      aErr.push(Math.hypot(f[3 * i] - ref[3 * i], f[3 * i + 1] - ref[3 * i + 1], f[3 * i + 2] - ref[3 * i + 2]));
      const fm = Math.hypot(f[3 * i], f[3 * i + 1], f[3 * i + 2]);
      aF.push(fm);
      aPred.push(Math.sqrt(aSig[aSig.length - 1] ** 2 + (relNoise * fm) ** 2));
    }
    kappa.push(u.maxForceEvPerA! / eps);
    epsF.push(eps);
    sigF.push(u.maxForceEvPerA!);
  }
  const g = new Rng(7);
  let bound = 0;
  for (let d = 0; d < 20; d++) bound += spearman(aSig, aSigVec.map((v) => Math.hypot(...v.map((x) => x * g.normal())))) / 20;
  console.log(`  calibration per atom: ρ(|F_i| model, |ΔF_i|) ${spearman(aF, aErr).toFixed(2)}; ρ(√(σF_i² + r²|F_i|²), |ΔF_i|) ${spearman(aPred, aErr).toFixed(2)}`);
  const ks = kappa.slice().sort((p, q) => p - q), kt = kappaT.slice().sort((p, q) => p - q);
  const mean = (v: number[]): number => v.reduce((p, q) => p + q, 0) / v.length;
  console.log(`  total: σ(E)/N exact ${(1000 * mean(tot)).toFixed(3)} meV/atom, upper ${(1000 * mean(totUp)).toFixed(3)}; κ = σF,max/(σ(E)/N) (the learn screen's ratio) min/med/max ${kt[0].toFixed(1)}/${median(kappaT).toFixed(1)}/${kt[kt.length - 1].toFixed(1)} Å⁻¹; ρ frames(σ(E)/N, σF,max) ${spearman(tot, sigF).toFixed(2)}; σF,max mean ${(1000 * mean(sigF)).toFixed(1)} meV/Å`);
  console.log(`${name.padEnd(12)} ${String(set.length).padStart(6)}  ${median(up).toFixed(2).padStart(11)} ${median(lo).toFixed(2).padStart(11)}  ${ks[0].toFixed(3)}/${median(kappa).toFixed(3)}/${ks[ks.length - 1].toFixed(3)}  ${spearman(epsF, sigF).toFixed(2)}  ${spearman(aEps, aSig).toFixed(2)}  ${spearman(aSig, aErr).toFixed(2)} ${bound.toFixed(2)}  ${spearman(aEps, aErr).toFixed(2)}  ${(1000 * epsF.reduce((p, q) => p + q, 0) / epsF.length).toFixed(3)}`);
}
