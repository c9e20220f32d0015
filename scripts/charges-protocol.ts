/**
 * A learned-charge kind against its descriptor model on the RESULTS table's split (issue 18, round 7): the same
 * seeded permutation as `farfield compare DATA --seed 1` (first ⌈0.2·M⌉ frames = test, the rest = training pool, so
 * the N-frame training set is the table's), settings chosen on validation frames only, the test set touched once.
 *  1. grid: for every charge width s × force weight W_F, fit KIND on pool[0, T) and score it on the validation
 *     frames pool[P − V, P) (the last V of the pool; disjoint from pool[0, T) and from the test set) by compare's
 *     score (energy RMSPE + force RMSPE, %);
 *  2. refit KIND with the best (s, W_F) on pool[0, N) (N may include the validation frames: they chose settings,
 *     they are training data of the final model) and BASE on the same frames with BASE's defaults;
 *  3. one evaluation of both on the test set; the learned charges per species on the test frames (mean ± spread).
 *   node --import tsx scripts/charges-protocol.ts DATA KIND BASE N REFS --tune T,V --widths 0.5,1 --force-weights 1 [--config cfg.json]
 */
import { readFileSync } from 'node:fs';
import { chargeStatistics, evaluateModel, fitAny, loadStructures, type FitModelConfig } from '../src/api/index.js';
import { Rng, type Structure } from '../src/core/index.js';

const [data, kind, base, nStr, rStr, ...rest] = process.argv.slice(2);
const opt = (k: string) => { const i = rest.indexOf(k); return i >= 0 ? rest[i + 1] : undefined; };
const list = (k: string) => (opt(k) ?? '').split(',').filter((x) => x !== '').map(Number);
const cfg = (opt('--config') ? JSON.parse(readFileSync(opt('--config')!, 'utf8')) : {}) as FitModelConfig;
const [nTune, nVal] = (opt('--tune') ?? '16,8').split(',').map(Number);
const widths = list('--widths'), forceWeights = list('--force-weights');
const all = loadStructures(data).structures;
const perm = Array.from({ length: all.length }, (_, k) => k);
new Rng(1).shuffle(perm);
const nTest = Math.max(1, Math.ceil(0.2 * perm.length));
const test = perm.slice(0, nTest).map((k) => all[k]);
const pool = perm.slice(nTest).map((k) => all[k]);
const N = Number(nStr);
if (N > pool.length || nTune + nVal > pool.length) throw new Error(`pool has ${pool.length} frames`);
const val = pool.slice(pool.length - nVal);
const t0 = performance.now();
const clock = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
const config = (s?: number, wf?: number): FitModelConfig => ({
  ...cfg, selection: { ...(cfg.selection ?? {}), count: Number(rStr) },
  ...(s !== undefined ? { charges: { ...(cfg.charges ?? {}), sigmaA: s } } : {}),
  ...(wf !== undefined ? { weights: { ...(cfg.weights ?? {}), forces: wf } } : {}),
});
const fit = async (k: string, train: readonly Structure[], c: FitModelConfig) => (await fitAny(train, { ...c, descriptors: k }, { onWarning: () => {} })).model;
const score = (d: ReturnType<typeof evaluateModel>['details']) => (d.energy?.rmspe ?? 0) + (d.forces?.rmspe ?? 0);

let best = { s: widths[0] as number | undefined, wf: forceWeights[0] as number | undefined, score: Infinity };
const grid = (widths.length ? widths : [undefined]).flatMap((s) => (forceWeights.length ? forceWeights : [undefined]).map((wf) => ({ s, wf })));
if (grid.length > 1)
  for (const g of grid) {
    const m = await fit(kind, pool.slice(0, nTune), config(g.s, g.wf));
    const d = evaluateModel(m, val).details;
    const sc = score(d);
    console.log(`validation ${kind} s ${g.s ?? 'cfg'} W_F ${g.wf ?? 'cfg'} (${nTune} train / ${nVal} val): score ${sc.toFixed(3)} (E ${d.energy?.rmspe.toFixed(3)} %, F ${d.forces?.rmspe.toFixed(3)} %) [${clock()}]`);
    if (sc < best.score) best = { ...g, score: sc };
  }
console.log(`chosen on validation: s ${best.s ?? 'cfg'} W_F ${best.wf ?? 'cfg'}`);
const train = pool.slice(0, N);
for (const [k, c] of [[base, config()], [kind, config(best.s, best.wf)]] as const) {
  const t1 = performance.now();
  const m = await fit(k, train, c);
  const fitS = (performance.now() - t1) / 1000;
  const e = evaluateModel(m, test).summary;
  console.log(`${k} ${N} train / ${test.length} test: E ${e.energy?.rmseMevPerAtom.toFixed(3)} meV/atom | F ${e.forces?.rmseMevPerA.toFixed(2)} meV/Å | S ${e.stress?.rmseMevPerA3.toFixed(4)} meV/Å³ | fit ${fitS.toFixed(0)} s [${clock()}]`);
  const q = chargeStatistics(m, test);
  if (q) console.log(`  charges on the test frames: ${Object.entries(q).map(([sp, x]) => `${sp} ${x.mean.toFixed(3)} ± ${x.std.toFixed(3)} e`).join(', ')}`);
}
