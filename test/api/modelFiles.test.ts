/**
 * Model files on disk (api/modelFiles.ts): `.json` names get version-1 JSON text, other names the binary version 2;
 * both load to the same model; `covariance: false` reads a binary file only up to the covariance factor (checked by
 * truncating the file there: a full read would fail) and the model then predicts identically without uncertainty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitModel, loadModel, loadStructures, saveModel } from '../../src/api/index.js';
import { isBinaryModel, modelFileLayout, type KernelModel } from '../../src/model/index.js';
import { NACL_PBE, TINY_HYPERS } from '../helpers/tinyModel.js';

test('saveModel/loadModel: JSON for .json names, binary otherwise, same predictions; covariance skipped on request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-modelfiles-'));
  try {
    const data = loadStructures(NACL_PBE).structures;
    const { model } = await fitModel(data.slice(0, 2), { selection: { count: 4 }, threads: 1, descriptorHypers: TINY_HYPERS }, { onWarning: () => {} });
    const pj = join(dir, 'm.json'), pb = join(dir, 'm.ffm');
    saveModel(model, pj);
    saveModel(model, pb);
    assert.equal(readFileSync(pj, 'utf8')[0], '{');
    const bytes = new Uint8Array(readFileSync(pb));
    assert.ok(isBinaryModel(bytes));
    const s = data[3];
    const ref = model.calculate(s, { uncertainty: true });
    for (const p of [pj, pb]) {
      const r = loadModel(p).calculate(s, { uncertainty: true });
      assert.equal(Object.is(r.energyEv, ref.energyEv), true, p);
      assert.equal(r.uncertainty!.energyEv, ref.uncertainty!.energyEv, p);
    }
    const layout = modelFileLayout(bytes);
    assert.ok('payloadStart' in layout && layout.bytesWithoutCovariance < bytes.length);
    if ('payloadStart' in layout) truncateSync(pb, layout.bytesWithoutCovariance); // the covariance bytes are gone
    assert.throws(() => loadModel(pb), /truncated: field 'covarianceFactor\.data'/);
    const m = loadModel(pb, { covariance: false }) as KernelModel;
    assert.equal(m.params.covarianceFactor, undefined);
    assert.equal(Object.is(m.calculate(s).energyEv, ref.energyEv), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadModel of a binary file: the arrays are views of the one file buffer (no second copy), predictions unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-modelviews-'));
  try {
    const data = loadStructures(NACL_PBE).structures;
    const { model } = await fitModel(data.slice(0, 2), { selection: { count: 4 }, threads: 1, descriptorHypers: TINY_HYPERS }, { onWarning: () => {} });
    const pb = join(dir, 'm.ffm');
    saveModel(model, pb);
    const size = readFileSync(pb).length;
    for (const covariance of [true, false]) {
      const m = loadModel(pb, { covariance }) as KernelModel;
      const arrays = [...m.params.species.flatMap((s) => [s.features, s.weights]), ...(covariance ? [m.params.covarianceFactor!.data] : [])];
      const buf = arrays[0].buffer;
      // one buffer for all arrays, the size of what was read (the whole file, or the file up to the covariance)
      assert.ok(arrays.every((a) => a.buffer === buf), `covariance ${covariance}: arrays in separate buffers (copied)`);
      assert.ok(buf.byteLength <= size && buf.byteLength >= 8 * arrays.reduce((n, a) => n + a.length, 0));
      const s = data[3];
      assert.equal(Object.is(m.calculate(s).energyEv, model.calculate(s).energyEv), true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
