/**
 * Nightly (four fits on 40 frames of 64 ions): the FKK channels chosen from the training data (api/longRangeChannels.ts;
 * issue 13 item 3). Trained on one density without stress labels, an sr+lr model with the default FKK channels
 * predicted energies at ±3.4 % density 2–3.7× worse than the sr model (xTB NaCl MD; docs/RESULTS.md): the issue's
 * criterion is "no worse than 2× sr". The yardstick is independent of the long-range block: the sr model fitted on the
 * same frames and tested on the same GFN1-xTB frames of other densities (CP2K labels, data/README.md). The rule that
 * picks the channels is longRangeChannels.test.ts (default set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { volumeA3, type Structure } from '../../src/core/index.js';
import { readXyz } from '../../src/host/index.js';
import { fitModel } from '../../src/api/fit.js';
import { evaluateModel } from '../../src/api/evaluate.js';
import { SINGLE_DENSITY_WARNING_PREFIX } from '../../src/model/index.js';

const MD = 'data/nacl-liquid-xtb-md.xyz', XTB = 'data/nacl-liquid-xtb.xyz';
test('xTB NaCl, one density, no stress: sr+lr energy error at ±3.4 % density ≤ 2× the sr model\'s', { skip: !existsSync(MD) || !existsSync(XTB) }, async () => {
  const train = readXyz(MD).slice(0, 40);
  assert.ok(train.every((s) => s.labels?.stressEvPerA3 === undefined), 'the MD set has no stress labels');
  const byEdge = new Map<string, Structure[]>();
  for (const s of readXyz(XTB)) {
    const key = Math.cbrt(volumeA3(s)).toFixed(3);
    byEdge.set(key, [...(byEdge.get(key) ?? []), s]);
  }
  const tests = ['12.824', '12.537'].map((L) => byEdge.get(L)!.slice(0, 20)); // −3.4 % and +3.4 % density vs the MD's 12.677 Å
  const warnings: string[] = [];
  const err = async (preset: string): Promise<number[]> => {
    const r = await fitModel(train, { descriptors: preset, selection: { count: 50 }, threads: 2 }, { onWarning: (m) => warnings.push(m) });
    return tests.map((t) => evaluateModel(r.model, t).summary.energy!.rmse_meV_per_atom);
  };
  const sr = await err('sr');
  const srlr = await err('sr+lr');
  if (process.env.FARFIELD_TEST_VERBOSE) console.log({ sr, srlr });
  for (let k = 0; k < 2; k++) assert.ok(srlr[k] <= 2 * sr[k], `density ${k ? '+' : '−'}3.4 %: sr+lr ${srlr[k].toFixed(1)} vs sr ${sr[k].toFixed(1)} meV/atom`);
  assert.ok(warnings.some((w) => w.startsWith('one density')), 'the choice is reported');
  assert.ok(!warnings.some((w) => w.startsWith(SINGLE_DENSITY_WARNING_PREFIX)), 'the generic warning is replaced by the note');
});
