/**
 * Gaussian-projection tables in model files (issue 17 goal 4, model load): both encodings carry the descriptor's
 * tables; a load with an empty memo takes them (no quadrature) and predicts bit for bit what the in-memory model and a
 * load that tabulates afresh predict; a flipped table byte fails the array checksum; a table of another version is
 * ignored (tabulated afresh, same predictions); a skipped covariance still reads the tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, isFarfieldError, type Structure } from '../../src/core/index.js';
import { ComputeContext, clearGaussianProjectionMemo, gaussianProjectionCounts, recordGaussianProjections, createDescriptor } from '../../src/descriptors/index.js';
import { fitKernelModel, modelFileLayout, parseModel, serializeModel, serializeModelBinary, sha256, type KernelModel } from '../../src/model/index.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';

const SR = { kind: 'sr', species: ['Na', 'Cl'], hypers: { radial: { cutoffA: 4.5, nmax: 4 }, angular: { cutoffA: 3.8, nmax: 3, lmax: 2 } } };
const rng = new Rng(17);
const train = label(Array.from({ length: 4 }, () => randomStructure(rng, 8, 6.5)), morseCalculator());
const { model } = fitKernelModel(train, { descriptor: SR, selection: { count: 10 }, threads: 1 });
const probe = randomStructure(new Rng(18), 8, 6.5);

function same(a: KernelModel, b: KernelModel, s: Structure, what: string): void {
  const x = a.calculate(s, { uncertainty: true }), y = b.calculate(s, { uncertainty: true });
  assert.ok(Object.is(x.energyEv, y.energyEv), `${what}: energy ${x.energyEv} vs ${y.energyEv}`);
  assert.deepEqual(Array.from(y.forcesEvPerA!), Array.from(x.forcesEvPerA!), `${what}: forces`);
  assert.deepEqual(Array.from(y.stressEvPerA3!), Array.from(x.stressEvPerA3!), `${what}: stress`);
  assert.deepEqual(Array.from(y.uncertainty!.energiesEv!), Array.from(x.uncertainty!.energiesEv!), `${what}: uncertainty`);
}

/** Parse with an empty memo; returns the model and how many projections were tabulated / taken from tables. */
function loadFresh(input: string | Uint8Array, options = {}): { m: KernelModel; tabulated: number; fromTable: number } {
  clearGaussianProjectionMemo();
  const t0 = gaussianProjectionCounts.tabulated, f0 = gaussianProjectionCounts.fromTable;
  const m = parseModel(input, 'm', options);
  return { m, tabulated: gaussianProjectionCounts.tabulated - t0, fromTable: gaussianProjectionCounts.fromTable - f0 };
}

function features(m: KernelModel): Float64Array {
  return m.descriptor.compute(probe, new ComputeContext(probe)).features.data;
}

test('both encodings store the tables; a load takes them (no quadrature) and predicts bit for bit what the in-memory model predicts', () => {
  const bin = serializeModelBinary(model), text = serializeModel(model);
  const doc = JSON.parse(text) as { body: { tables?: { gaussianProjection: { nmax: number; lmax: number; version: number }[] } } };
  assert.deepEqual(doc.body.tables?.gaussianProjection.map((t) => [t.nmax, t.lmax, t.version]), [[4, 0, 1], [3, 2, 1]]);
  for (const [what, input] of [['binary', bin], ['JSON', text]] as const) {
    const { m, tabulated, fromTable } = loadFresh(input);
    assert.equal(tabulated, 0, `${what}: nothing tabulated`);
    assert.equal(fromTable, 2, `${what}: radial and angular tables taken`);
    same(model, m, probe, what);
    assert.deepEqual(serializeModelBinary(m), bin, `${what}: re-saving reproduces the binary file`);
  }
  // without the covariance the tables (before it in the payload) are still read
  const layout = modelFileLayout(bin);
  assert.ok('bytesWithoutCovariance' in layout);
  const { tabulated } = loadFresh(bin.subarray(0, layout.bytesWithoutCovariance), { covariance: false });
  assert.equal(tabulated, 0);
});

test('features from stored tables = features from a fresh tabulation, bit for bit (file without tables: tabulated)', () => {
  const doc = JSON.parse(serializeModel(model)) as { checksum: string; body: Record<string, unknown> };
  const stored = loadFresh(JSON.stringify(doc));
  delete doc.body.tables;
  doc.checksum = 'sha256:' + sha256(JSON.stringify(doc.body));
  const fresh = loadFresh(JSON.stringify(doc));
  assert.equal(fresh.tabulated, 2);
  assert.equal(fresh.fromTable, 0);
  const a = features(stored.m), b = features(fresh.m);
  assert.equal(a.length, b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  assert.equal(diff, 0, `${diff} of ${a.length} features differ`);
  same(fresh.m, stored.m, probe, 'stored vs fresh tables');
});

test('a flipped byte in a stored table fails its checksum; a table of another version is ignored and tabulated afresh', () => {
  const bin = serializeModelBinary(model);
  const h = new DataView(bin.buffer, bin.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bin.subarray(16, 16 + h))) as { body: { tables: { gaussianProjection: { nodes: { offset: number; bytes: number } }[] } } };
  const slot = header.body.tables.gaussianProjection[1].nodes;
  const bad = bin.slice();
  bad[Math.ceil((16 + h) / 8) * 8 + slot.offset + Math.floor(slot.bytes / 2)] ^= 1;
  assert.throws(() => parseModel(bad, 'm.ffm'), (e: unknown) => isFarfieldError(e) && e.code === 'MODEL' && /checksum mismatch in field 'tables\.gaussianProjection\[1\]\.nodes'/.test(e.message));
  // re-signed with a version this code does not know: ignored, not an error
  const doc = JSON.parse(serializeModel(model)) as { checksum: string; body: { tables: { gaussianProjection: { version: number }[] } } };
  doc.body.tables.gaussianProjection[0].version = 99;
  doc.checksum = 'sha256:' + sha256(JSON.stringify(doc.body));
  const r = loadFresh(JSON.stringify(doc));
  assert.equal(r.tabulated, 1);
  assert.equal(r.fromTable, 1);
  same(model, r.m, probe, 'version-99 table ignored');
  // a malformed entry is refused naming the field
  const mal = JSON.parse(serializeModel(model)) as { checksum: string; body: { tables: { gaussianProjection: Record<string, unknown>[] } } };
  delete mal.body.tables.gaussianProjection[1].intervals;
  mal.checksum = 'sha256:' + sha256(JSON.stringify(mal.body));
  assert.throws(() => parseModel(JSON.stringify(mal), 'm.json'), (e: unknown) => isFarfieldError(e) && /m\.json.*tables\.gaussianProjection\[1\] needs a number 'intervals'/.test(e.message));
});

test('the tables a file stores are those the descriptor requests', () => {
  const { projections } = recordGaussianProjections(() => createDescriptor(SR));
  const doc = JSON.parse(serializeModel(model)) as { body: { tables: { gaussianProjection: { cutoffA: number; smearingA: number; nmax: number; lmax: number; intervals: number }[] } } };
  assert.deepEqual(doc.body.tables.gaussianProjection.map((t) => [t.cutoffA, t.smearingA, t.nmax, t.lmax, t.intervals]),
    projections.map((p) => [p.cutoffA, p.smearingA, p.nmax, p.lmax, p.spline.intervals]));
});

test('sr+lr (block kernel: polynomial part packed from the rows, whitened linear part): file → load with empty memo → bit for bit the in-memory model', async () => {
  const { resolveDescriptor } = await import('../../src/api/fit.js');
  const base = resolveDescriptor('sr+lr', ['Na', 'Cl']) as unknown as { hypers: { blocks: { spec: { kind: string; hypers: Record<string, unknown> } }[] } };
  base.hypers.blocks[0].spec.hypers = { ...base.hypers.blocks[0].spec.hypers, radial: { cutoffA: 4.5, nmax: 4 }, angular: { cutoffA: 3.8, nmax: 3, lmax: 2 } };
  const lr = fitKernelModel(train.slice(0, 2), { descriptor: base as never, selection: { count: 6 }, threads: 1 }).model;
  assert.equal(lr.params.kernel.kind, 'block');
  const { m, tabulated, fromTable } = loadFresh(serializeModelBinary(lr));
  assert.equal(tabulated, 0);
  assert.equal(fromTable, 2);
  same(lr, m, probe, 'sr+lr');
});

test('a KernelModel\'s file takes the tables its descriptor was built with (no second descriptor), its params\' file the same tables', () => {
  const { projections } = recordGaussianProjections(() => serializeModelBinary(model));
  assert.equal(projections.length, 0, 'no descriptor built to find the tables');
  assert.deepEqual(serializeModelBinary(model.params), serializeModelBinary(model));
});
