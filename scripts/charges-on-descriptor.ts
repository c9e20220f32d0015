/**
 * sr+q with another descriptor under ε and g (issue 18, round 6 NaCl diagnosis): e.g. the sr+lr composite, so that
 * ε has the FKK block's pair capacity and the charges carry the exact Coulomb tail. Same split as
 * `farfield compare DATA --train-sizes N --seed 1` without tuning (a seeded permutation; the first ceil(0.2·M) frames
 * are the test set, the next N the training set), R references per species.
 *   node --import tsx scripts/charges-on-descriptor.ts DATA PRESET N R [--config cfg.json]
 */
import { readFileSync } from 'node:fs';
import { evaluateModel, fitAnyModel, loadStructures, longRangeHypersFor, resolveDescriptor, sortSpecies } from '../src/api/index.js';
import { ChargeModel } from '../src/model/index.js';
import { Rng } from '../src/core/index.js';

const [data, preset, nStr, rStr, ...rest] = process.argv.slice(2);
const i = rest.indexOf('--config');
const cfg = i >= 0 ? JSON.parse(readFileSync(rest[i + 1], 'utf8')) : {};
const all = loadStructures(data).structures;
const perm = Array.from({ length: all.length }, (_, k) => k);
new Rng(1).shuffle(perm);
const nTest = Math.max(1, Math.ceil(0.2 * perm.length));
const test = perm.slice(0, nTest).map((k) => all[k]);
const train = perm.slice(nTest, nTest + Number(nStr)).map((k) => all[k]);
const species = sortSpecies(all.flatMap((s) => s.symbols));
const choice = longRangeHypersFor(preset, undefined, train, cfg.weights);
const descriptor = resolveDescriptor(preset, species, choice.hypers);
const t0 = performance.now();
const { model } = fitAnyModel('sr+q', train, { ...cfg, selection: { ...(cfg.selection ?? {}), count: Number(rStr) }, descriptor });
const fitS = (performance.now() - t0) / 1000;
const m = evaluateModel(model, test).summary;
console.log(`sr+q on ${preset}, ${train.length} train / ${test.length} test: E ${m.energy?.rmseMevPerAtom.toFixed(3)} meV/atom | F ${m.forces?.rmseMevPerA.toFixed(2)} meV/Å | S ${m.stress?.rmseMevPerA3.toFixed(4)} meV/Å³ | fit ${fitS.toFixed(0)} s${choice.note ? ` | ${choice.note}` : ''}`);
if (model instanceof ChargeModel) {
  const q = model.calculate(test[0], { forces: false, stress: false }).charges!;
  const na = Array.from(q).filter((_, k) => test[0].symbols[k] === 'Na');
  console.log(`charges on test frame 0: Na mean ${(na.reduce((a, b) => a + b, 0) / na.length).toFixed(4)} e`);
}
