/**
 * Predicted uncertainty against actual error, in and out of the training distribution (issue 13 item 3, issue 15).
 *
 *   node --import tsx scripts/analysis/lr-uncertainty.ts <train.xyz> <nTrain> <refs> <name=file.xyz>...
 *
 * Fits sr and sr+lr (library defaults, `refs` references per species) on the first nTrain frames of train.xyz;
 * the remaining frames of train.xyz are the held-out in-distribution set. Every further `name=file.xyz` is an
 * evaluation set (out of distribution: e.g. rock salt for a liquid-trained model; `scaled:F` instead of a file
 * scales every held-out frame's cell and positions by F^{1/3} (volume × F) and relabels it with Fumi–Tosi, so
 * only use it with Fumi–Tosi-labelled training data). Per set and model: mean predicted energy σ per atom
 * (√(φᵀΣφ)/N, the parameter uncertainty the model stores; kernelModel.ts), RMS actual energy error per atom, RMS
 * force error, the predicted force σ as an RMS over components (√⟨σ²(F_cα)⟩, exact, model/forceUncertainty.ts; to
 * compare with the force RMSE), and Spearman rank correlations: per structure (predicted RMS force σ vs force
 * RMSE; σ_E vs force RMSE and vs |ΔE|) and per atom (|σ_c| = √(σ²_cx + σ²_cy + σ²_cz) vs |ΔF_c|). "per-atom bound" is
 * the Spearman a perfectly calibrated σ would reach on the same atoms (ΔF_c drawn from N(0, σ²_cα), seeded, mean of
 * 20 draws): per-atom |ΔF| is one draw from a distribution, so the rank correlation is capped by how much σ varies.
 * Output: a table on stdout and results/lr-uncertainty/<name>.json. `FARFIELD_PRESETS=sr` limits the models;
 * `FARFIELD_FORCE_PROBES=p` uses the sketched force σ with p probes instead of the exact one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Rng, type Structure } from '../../src/core/index.js';
import { loadStructures } from '../../src/api/io.js';
import { sortSpecies } from '../../src/api/describe.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { fitKernelModel, type KernelModel } from '../../src/model/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { spearman } from '../../src/analysis/index.js';

const [trainFile, nArg, refArg, ...setArgs] = process.argv.slice(2);
if (!trainFile) {
  console.error('usage: lr-uncertainty.ts <train.xyz> <nTrain> <refs> <name=file.xyz|name=scaled:F>...');
  process.exit(2);
}
const nTrain = Number(nArg ?? 40), refs = Number(refArg ?? 200);
const all = loadStructures(trainFile).structures;
const train = all.slice(0, nTrain), held = all.slice(nTrain);
const ft = fumiTosiNaCl();
const scaled = (set: Structure[], f: number): Structure[] => set.map((s) => {
  const a = Math.cbrt(f);
  const t = { ...s, positions: Float64Array.from(s.positions, (x) => x * a), cell: Float64Array.from(s.cell, (x) => x * a) };
  const r = ft.calculate(t, { forces: true, stress: true });
  return { ...t, labels: { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 } };
});
const sets: [string, Structure[]][] = [['held-out (in distribution)', held]];
for (const a of setArgs) {
  const [name, src] = a.split('=');
  sets.push([name, src.startsWith('scaled:') ? scaled(held, Number(src.slice(7))) : loadStructures(src).structures]);
}


function measure(model: KernelModel, set: Structure[], ranked: boolean) {
  const sig: number[] = [], eErr: number[] = [], fErr: number[] = [], sigF: number[] = [];
  const atomSig: number[] = [], atomErr: number[] = [], atomSigComp: number[] = [];
  for (const s of set) {
    const n = s.species.length;
    const r = model.calculate(s, { forces: true, stress: false, uncertainty: true });
    sig.push(1000 * (r.uncertainty?.energyEv ?? NaN) / n);
    eErr.push(1000 * Math.abs(r.energyEv - s.labels.energyEv!) / n);
    const fs = r.uncertainty!.forcesEvPerA!, f = r.forcesEvPerA!, ref = s.labels.forcesEvPerA!;
    let f2 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      let a2 = 0, p2 = 0;
      for (let k = 3 * i; k < 3 * i + 3; k++) {
        a2 += (f[k] - ref[k]) ** 2;
        p2 += fs[k] ** 2;
        atomSigComp.push(fs[k]);
      }
      atomSig.push(Math.sqrt(p2));
      atomErr.push(Math.sqrt(a2));
      f2 += a2;
      s2 += p2;
    }
    fErr.push(1000 * Math.sqrt(f2 / (3 * n)));
    sigF.push(1000 * Math.sqrt(s2 / (3 * n)));
  }
  const mean = (v: number[]): number => v.reduce((p, q) => p + q, 0) / v.length;
  const rms = (v: number[]): number => Math.sqrt(mean(v.map((x) => x * x)));
  const out: Record<string, number> = {
    frames: set.length, meanSigmaE: mean(sig), rmsErrE: rms(eErr), rmsErrF: rms(fErr), rmsSigmaF: rms(sigF),
  };
  if (ranked) {
    // what a perfectly calibrated σ would reach: |ΔF_c| drawn from N(0, σ²_cα)
    const rng = new Rng(1);
    let bound = 0;
    for (let k = 0; k < 20; k++) {
      const draw = atomSig.map((_, i) => Math.hypot(atomSigComp[3 * i] * rng.normal(), atomSigComp[3 * i + 1] * rng.normal(), atomSigComp[3 * i + 2] * rng.normal()));
      bound += spearman(atomSig, draw) / 20;
    }
    Object.assign(out, {
      spearmanSigmaF_errF: spearman(sigF, fErr), spearmanSigmaE_errF: spearman(sig, fErr), spearmanSigmaE_errE: spearman(sig, eErr),
      spearmanAtomSigmaF_errF: spearman(atomSig, atomErr), spearmanAtomBound: bound,
    });
  }
  return out;
}

const species = sortSpecies(all.flatMap((s) => s.symbols));
const out: Record<string, unknown>[] = [];
console.log(`${basename(trainFile)}: ${train.length} training frames, ${held.length} held out; ${refs} references/species`);
const fmt = (x: number | undefined, d = 2): string => (x === undefined ? '' : x.toFixed(d));
console.log('model   set                          frames  σ_E (meV/atom)  RMS |ΔE| (meV/atom)  RMS σ_F (meV/Å)  RMS ΔF (meV/Å)  ρ_s frames (σ_F, ΔF) (σ_E, ΔF) (σ_E, |ΔE|)  ρ_s atoms (|σ_c|, |ΔF_c|) bound');
for (const preset of (process.env.FARFIELD_PRESETS ?? 'sr,sr+lr').split(',')) {
  const { model } = fitKernelModel(train, { descriptor: resolveDescriptor(preset, species), selection: { count: refs } });
  if (process.env.FARFIELD_FORCE_PROBES) model.forceUncertaintyOptions = { method: 'sketch', probes: Number(process.env.FARFIELD_FORCE_PROBES) };
  for (const [k, [name, set]] of sets.entries()) {
    const m = measure(model, set, k === 0);
    out.push({ model: preset, set: name, ...m });
    console.log(`${preset.padEnd(7)} ${name.padEnd(28)} ${String(m.frames).padStart(6)}  ${m.meanSigmaE.toPrecision(4).padStart(14)}  ${m.rmsErrE.toPrecision(4).padStart(19)}  ${m.rmsSigmaF.toPrecision(4).padStart(15)}  ${m.rmsErrF.toPrecision(4).padStart(14)}  ${fmt(m.spearmanSigmaF_errF).padStart(20)} ${fmt(m.spearmanSigmaE_errF).padStart(9)} ${fmt(m.spearmanSigmaE_errE).padStart(11)}  ${fmt(m.spearmanAtomSigmaF_errF).padStart(25)} ${fmt(m.spearmanAtomBound).padStart(5)}`);
  }
}
mkdirSync('results/lr-uncertainty', { recursive: true });
writeFileSync(`results/lr-uncertainty/${basename(trainFile, '.xyz')}-${nTrain}-${refs}${process.env.FARFIELD_FORCE_PROBES ? `-p${process.env.FARFIELD_FORCE_PROBES}` : ''}.json`, JSON.stringify(out, null, 1));
