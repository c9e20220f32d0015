/**
 * `compare` plus the learned charges (issue 18, docs/RESULTS.md § Learned charges): runs the same comparison as
 * `farfield compare DATA --models … --train-sizes … --references R --seed 1 --out OUT` and, for every fitted
 * charge model (sr+q, sr+qeq), prints the predicted charges per species over all frames of DATA (and --test):
 * mean ± standard deviation, min, max; with `--bec KEY` (per-atom 3×3 Born effective charges in the frames) also
 * the per-species mean of the BEC trace/3 and the Pearson correlation of q_i with trace(Z*_i)/3 over atoms; for sr+qeq
 * also the fitted hardness per species.
 *   node --import tsx scripts/charge-compare.ts DATA MODELS SIZES REFS OUT [--test FILE] [--config cfg.json] [--bec KEY]
 */
import { readFileSync } from 'node:fs';
import { compareModels, loadStructures } from '../src/api/index.js';
import { ChargeModel, QeqModel } from '../src/model/index.js';
import type { Structure } from '../src/core/index.js';

const [data, models, sizes, refs, out, ...rest] = process.argv.slice(2);
const opt = (k: string) => { const i = rest.indexOf(k); return i >= 0 ? rest[i + 1] : undefined; };
const testFile = opt('--test'), configFile = opt('--config'), becKey = opt('--bec');
const cfg = configFile ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
const fitted: { model: string; n: number; m: ChargeModel }[] = [];
const t0 = performance.now();
const r = await compareModels({
  data, ...(testFile ? { test: testFile } : {}), models: models.split(','), trainSizes: sizes.split(',').map(Number), seed: 1, out,
  fit: { ...cfg, selection: { ...(cfg.selection ?? {}), count: Number(refs) } },
  onModel: (model, n, f) => { if (f instanceof ChargeModel) fitted.push({ model, n, m: f }); },
  onStage: (s) => process.stderr.write(`${s} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`),
});
for (const run of r.results.runs)
  console.log(`${run.model.padEnd(7)} ${String(run.trainSize).padStart(3)} train | E ${run.energy?.rmseMevPerAtom?.toFixed(3)} meV/atom | F ${run.forces?.rmseMevPerA?.toFixed(2)} meV/Å | S ${run.stress?.rmseMevPerA3?.toFixed(4)} meV/Å³ | fit ${run.fitTimeS.toFixed(0)} s`);
const frames: Structure[] = [...loadStructures(data).structures, ...(testFile ? loadStructures(testFile).structures : [])];
const stats = (x: number[]) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return { mean: m, std: Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length), min: Math.min(...x), max: Math.max(...x) };
};
for (const { model, n, m } of fitted) {
  const bySp: Record<string, number[]> = {}, becBySp: Record<string, number[]> = {};
  const qAll: number[] = [], zAll: number[] = [];
  for (const s of frames) {
    const q = m.calculate(s, { forces: false, stress: false }).charges!;
    const arr = becKey ? s.arrays[becKey] : undefined;
    const z = arr?.type === 'R' && arr.width === 9 ? arr.data : undefined;
    for (let i = 0; i < q.length; i++) {
      const sym = s.symbols[s.species[i]];
      (bySp[sym] ??= []).push(q[i]);
      if (z) {
        const tr = (z[9 * i] + z[9 * i + 4] + z[9 * i + 8]) / 3;
        (becBySp[sym] ??= []).push(tr);
        qAll.push(q[i]); zAll.push(tr);
      }
    }
  }
  console.log(`${model} (${n} train) learned charges over ${frames.length} frames:`);
  if (m instanceof QeqModel) console.log(`  fitted hardness J: ${m.species.map((sp, t) => `${sp} ${m.hardness[t].toFixed(3)}`).join(', ')} eV/e²`);
  for (const [sym, x] of Object.entries(bySp)) {
    const st = stats(x);
    const b = becBySp[sym] ? stats(becBySp[sym]) : null;
    console.log(`  ${sym}: ${st.mean.toFixed(4)} ± ${st.std.toFixed(4)} e (min ${st.min.toFixed(4)}, max ${st.max.toFixed(4)}, ${x.length} atoms)` + (b ? ` | BEC trace/3 ${b.mean.toFixed(3)} ± ${b.std.toFixed(3)}` : ''));
  }
  if (qAll.length) {
    const a = stats(qAll), b = stats(zAll);
    let c = 0;
    for (let k = 0; k < qAll.length; k++) c += (qAll[k] - a.mean) * (zAll[k] - b.mean);
    console.log(`  Pearson r(q, BEC trace/3) over ${qAll.length} atoms: ${(c / qAll.length / (a.std * b.std)).toFixed(3)}`);
    for (const sym of Object.keys(becBySp)) {
      const qs = bySp[sym], zs = becBySp[sym], sa = stats(qs), sb = stats(zs);
      let cc = 0;
      for (let k = 0; k < qs.length; k++) cc += (qs[k] - sa.mean) * (zs[k] - sb.mean);
      console.log(`  within ${sym}: r = ${(cc / qs.length / (sa.std * sb.std)).toFixed(3)}`);
    }
  }
}
