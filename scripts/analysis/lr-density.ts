/**
 * Density transfer of the sr+lr model (issue 13 item 3): fit sr and sr+lr on frames of one density (or two) and
 * evaluate at other densities, between and outside the training ones. Library API, no files written except the
 * JSON summary.
 *
 *   node --import tsx scripts/analysis/lr-density.ts <file> <trainL[,trainL2]> [nTrainPerDensity] [refs] [models]
 *
 * <file>: extended XYZ with cubic cells of a few distinct edge lengths (e.g. data/nacl-liquid-xtb.xyz, or its
 * Fumi–Tosi relabel `farfield label --engine fumi-tosi data/nacl-liquid-xtb.xyz -o results/ft-liquid.xyz`).
 * Frames are grouped by cell edge L (rounded to 1e-3 Å); training frames are the first n of each training edge in
 * file order, every frame of the other edges is a test frame, and the last 20 % of each training edge is a
 * same-density test set. A second file can be given with FARFIELD_TRAIN=<file> (all its frames train, e.g.
 * data/nacl-liquid-xtb-md.xyz); then <trainL> is only used to name the run. FARFIELD_KERNEL=<json> replaces the
 * default kernel, FARFIELD_DESCRIPTOR_HYPERS=<json> is passed as preset hypers to every model but 'sr' (e.g.
 * '{"lr": {"zetaMaxPerA": 0.5, "count": 6}}').
 * Output: a table per model and test density (energy meV/atom, force meV/Å, stress meV/Å³ RMSE) on stdout and
 * results/lr-density/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Structure } from '../../src/core/index.js';
import { loadStructures } from '../../src/api/io.js';
import { sortSpecies } from '../../src/api/describe.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { longRangeHypersFor, withLongRangeNote } from '../../src/api/longRangeChannels.js';
import { evaluateModel } from '../../src/api/evaluate.js';
import { fitKernelModel, type FitConfig } from '../../src/model/index.js';

const [file, trainArg, nArg, refArg, modelArg] = process.argv.slice(2);
if (!file || !trainArg) {
  console.error('usage: lr-density.ts <file> <trainL[,trainL2]> [nTrainPerDensity=40] [refs=100] [models=sr,sr+lr]');
  process.exit(2);
}
const nTrain = Number(nArg ?? 40), refs = Number(refArg ?? 100);
const models = (modelArg ?? 'sr,sr+lr').split(',');
const all = loadStructures(file).structures;
const edge = (s: Structure): number => Math.round(Math.cbrt(Math.abs(s.cell[0] * (s.cell[4] * s.cell[8] - s.cell[5] * s.cell[7]) - s.cell[1] * (s.cell[3] * s.cell[8] - s.cell[5] * s.cell[6]) + s.cell[2] * (s.cell[3] * s.cell[7] - s.cell[4] * s.cell[6]))) * 1000) / 1000;
const groups = new Map<number, Structure[]>();
for (const s of all) {
  const L = edge(s);
  if (!groups.has(L)) groups.set(L, []);
  groups.get(L)!.push(s);
}
const trainL = trainArg.split(',').map(Number);
const near = (L: number): number => [...groups.keys()].reduce((b, k) => (Math.abs(k - L) < Math.abs(b - L) ? k : b), Infinity);
const train: Structure[] = [];
const tests: { name: string; L: number; set: Structure[] }[] = [];
const extra = process.env.FARFIELD_TRAIN;
if (extra) train.push(...loadStructures(extra).structures.slice(0, nTrain));
for (const [L, g] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
  const isTrain = !extra && trainL.some((t) => near(t) === L);
  if (isTrain) {
    const nt = Math.min(nTrain, Math.floor(0.8 * g.length));
    train.push(...g.slice(0, nt));
    tests.push({ name: `L=${L} (train density)`, L, set: g.slice(Math.floor(0.8 * g.length)) });
  } else tests.push({ name: `L=${L}`, L, set: g });
}
const species = sortSpecies(all.flatMap((s) => s.symbols));
const out: Record<string, unknown>[] = [];
console.log(`${basename(file)}: ${train.length} training frames; references ${refs}/species`);
for (const preset of models) {
  const dh = process.env.FARFIELD_DESCRIPTOR_HYPERS && preset !== 'sr' ? JSON.parse(process.env.FARFIELD_DESCRIPTOR_HYPERS) : undefined;
  const choice = longRangeHypersFor(preset, dh, train); // the library default for these data (slow FKK channels at one density without stress)
  const cfg: FitConfig = { descriptor: resolveDescriptor(preset, species, choice.hypers), selection: { count: refs } };
  if (process.env.FARFIELD_KERNEL) cfg.kernel = JSON.parse(process.env.FARFIELD_KERNEL);
  const t0 = performance.now();
  const { model, metadata } = fitKernelModel(train, cfg);
  const fitS = (performance.now() - t0) / 1000;
  console.log(`${preset}: fit ${fitS.toFixed(1)} s, γ ${metadata.solver.effectiveParameters.toFixed(1)} of ${metadata.solver.unknowns}, σ_v ${metadata.solver.sigmaV?.toPrecision(3)} ${(withLongRangeNote(metadata.solver.warnings, choice.note) ?? []).join("; ")}`);
  for (const t of tests) {
    const ev = evaluateModel(model, t.set);
    const s = ev.summary;
    const row = {
      model: preset, test: t.name, L: t.L, frames: t.set.length, fitS,
      E: s.energy?.rmse_meV_per_atom, F: s.forces?.rmse_meV_per_A, S: s.stress?.rmse_meV_per_A3,
      gamma: metadata.solver.effectiveParameters,
    };
    out.push(row);
    console.log(`${preset.padEnd(8)} ${t.name.padEnd(24)} n=${String(t.set.length).padEnd(4)} E ${row.E?.toPrecision(4)} meV/atom  F ${row.F?.toPrecision(4)} meV/Å  S ${row.S?.toPrecision(4)} meV/Å³`);
  }
}
mkdirSync('results/lr-density', { recursive: true });
writeFileSync(`results/lr-density/${basename(file, '.xyz')}-${trainArg}-${nTrain}.json`, JSON.stringify(out, null, 1));
