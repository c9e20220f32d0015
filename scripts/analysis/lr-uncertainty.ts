/**
 * Predicted uncertainty against actual error, in and out of the training distribution (issue 13 item 3).
 *
 *   node --import tsx scripts/analysis/lr-uncertainty.ts <train.xyz> <nTrain> <refs> <name=file.xyz>...
 *
 * Fits sr and sr+lr (library defaults, `refs` references per species) on the first nTrain frames of train.xyz;
 * the remaining frames of train.xyz are the held-out in-distribution set. Every further `name=file.xyz` is an
 * evaluation set (out of distribution: e.g. rock salt for a liquid-trained model; `scaled:F` instead of a file
 * scales every held-out frame's cell and positions by F^{1/3} (volume × F) and relabels it with Fumi–Tosi, so
 * only use it with Fumi–Tosi-labelled training data). Per set and model: mean predicted energy σ per atom
 * (√(φᵀΣφ)/N, the parameter uncertainty the model stores; kernelModel.ts), RMS actual energy error per atom, RMS
 * force error, and on the held-out set the Spearman rank correlation of the predicted σ_E against the actual
 * per-structure force RMSE and against |energy error|. The model has no force uncertainty (it would need one reverse
 * pass per covariance column), so the force-error correlation is with the energy σ. Output: a table on stdout and
 * results/lr-uncertainty/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Structure } from '../../src/core/index.js';
import { loadStructures } from '../../src/api/io.js';
import { sortSpecies } from '../../src/api/describe.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { fitKernelModel, type KernelModel } from '../../src/model/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';

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

function ranks(v: number[]): number[] {
  const idx: [number, number][] = v.map((x, i): [number, number] => [x, i]).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let k = 0; k < idx.length;) {
    let e = k;
    while (e + 1 < idx.length && idx[e + 1][0] === idx[k][0]) e++;
    for (let q = k; q <= e; q++) r[idx[q][1]] = (k + e) / 2;
    k = e + 1;
  }
  return r;
}
function spearman(x: number[], y: number[]): number {
  const a = ranks(x), b = ranks(y), n = a.length;
  const ma = a.reduce((p, q) => p + q, 0) / n, mb = b.reduce((p, q) => p + q, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

function measure(model: KernelModel, set: Structure[]) {
  const sig: number[] = [], eErr: number[] = [], fErr: number[] = [];
  for (const s of set) {
    const n = s.species.length;
    const r = model.calculate(s, { forces: true, stress: false, uncertainty: true });
    sig.push(1000 * (r.uncertainty?.energyEv ?? NaN) / n);
    eErr.push(1000 * Math.abs(r.energyEv - s.labels.energyEv!) / n);
    let f2 = 0;
    for (let k = 0; k < 3 * n; k++) f2 += (r.forcesEvPerA![k] - s.labels.forcesEvPerA![k]) ** 2;
    fErr.push(1000 * Math.sqrt(f2 / (3 * n)));
  }
  const mean = (v: number[]): number => v.reduce((p, q) => p + q, 0) / v.length;
  const rms = (v: number[]): number => Math.sqrt(mean(v.map((x) => x * x)));
  return {
    frames: set.length, meanSigmaE: mean(sig), rmsErrE: rms(eErr), rmsErrF: rms(fErr),
    spearmanSigmaE_errF: spearman(sig, fErr), spearmanSigmaE_errE: spearman(sig, eErr),
  };
}

const species = sortSpecies(all.flatMap((s) => s.symbols));
const out: Record<string, unknown>[] = [];
console.log(`${basename(trainFile)}: ${train.length} training frames, ${held.length} held out; ${refs} references/species`);
console.log('model   set                          frames  mean σ_E (meV/atom)  RMS |ΔE| (meV/atom)  RMS ΔF (meV/Å)  ρ_s(σ_E, F err)  ρ_s(σ_E, |ΔE|)');
for (const preset of ['sr', 'sr+lr']) {
  const { model } = fitKernelModel(train, { descriptor: resolveDescriptor(preset, species), selection: { count: refs } });
  for (const [name, set] of sets) {
    const m = measure(model, set);
    out.push({ model: preset, set: name, ...m });
    console.log(`${preset.padEnd(7)} ${name.padEnd(28)} ${String(m.frames).padStart(6)}  ${m.meanSigmaE.toPrecision(4).padStart(19)}  ${m.rmsErrE.toPrecision(4).padStart(19)}  ${m.rmsErrF.toPrecision(4).padStart(14)}  ${m.spearmanSigmaE_errF.toFixed(2).padStart(15)}  ${m.spearmanSigmaE_errE.toFixed(2).padStart(14)}`);
  }
}
mkdirSync('results/lr-uncertainty', { recursive: true });
writeFileSync(`results/lr-uncertainty/${basename(trainFile, '.xyz')}-${nTrain}-${refs}.json`, JSON.stringify(out, null, 1));
