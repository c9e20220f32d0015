/**
 * Model files: save → load → predict is bit-identical; corrupted, newer, foreign and malformed files are refused
 * with FarfieldError('MODEL'); SHA-256 and base64 agree with Node's implementations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Rng, isFarfieldError } from '../../src/core/index.js';
import { base64ToFloat64, fitKernelModel, float64ToBase64, isBinaryModel, modelFileLayout, parseModel, serializeModel, serializeModelBinary, sha256, MODEL_MAGIC } from '../../src/model/index.js';
import './helpers/pairDescriptor.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';

const DESC = { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 5 } };
const rng = new Rng(11);
const train = label(Array.from({ length: 6 }, () => randomStructure(rng, 8, 6.5)), morseCalculator());
const { model } = fitKernelModel(train, { descriptor: DESC, selection: { count: 12 } });
const text = serializeModel(model);

function refusedWith(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => isFarfieldError(e) && e.code === 'MODEL' && re.test(e.message));
}

test('save → load → predict is bit-identical (energy, forces, stress, per-atom energies, uncertainty)', () => {
  const back = parseModel(text, 'm.json');
  const s = randomStructure(new Rng(12), 8, 6.5);
  const a = model.calculate(s, { uncertainty: true }), b = back.calculate(s, { uncertainty: true });
  assert.equal(Object.is(a.energyEv, b.energyEv), true);
  assert.deepEqual(Array.from(a.forcesEvPerA!), Array.from(b.forcesEvPerA!));
  assert.deepEqual(Array.from(a.stressEvPerA3!), Array.from(b.stressEvPerA3!));
  assert.deepEqual(Array.from(a.energiesEv!), Array.from(b.energiesEv!));
  assert.deepEqual(Array.from(a.uncertainty!.energiesEv!), Array.from(b.uncertainty!.energiesEv!));
  assert.equal(serializeModel(back), text, 're-serialising reproduces the file');
  assert.equal(back.params.training!.structures, 6);
  // whitespace does not matter (checksum over the canonical body)
  const pretty = JSON.stringify(JSON.parse(text), null, 2);
  assert.equal(parseModel(pretty).calculate(s).energyEv, a.energyEv);
});

test('a corrupted file is refused (checksum), a newer version is refused, foreign/malformed files are refused', () => {
  // flip one character inside the weights' base64
  const k = text.indexOf('"weights":{"dtype":"float64le"');
  const p = text.indexOf('"base64":"', k) + 12;
  const flipped = text.slice(0, p) + (text[p] === 'A' ? 'B' : 'A') + text.slice(p + 1);
  refusedWith(() => parseModel(flipped, 'm.json'), /m\.json.*checksum mismatch/);
  const doc = JSON.parse(text);
  doc.version = 3;
  refusedWith(() => parseModel(JSON.stringify(doc)), /newer farfield \(format version 3/);
  doc.version = 2;
  refusedWith(() => parseModel(JSON.stringify(doc)), /version 2 is a binary format, but the file is JSON text/);
  refusedWith(() => parseModel(text.slice(0, text.length / 2)), /not valid JSON/);
  refusedWith(() => parseModel('{"format":"something-else","version":1}'), /not a farfield kernel model/);
  const noBody = JSON.parse(text);
  noBody.body.species[0].weights.base64 = 'AAAA'; // checksum also fixed below → content error
  noBody.checksum = 'sha256:' + sha256(JSON.stringify(noBody.body));
  refusedWith(() => parseModel(JSON.stringify(noBody)), /weights/);
  const unknownKind = JSON.parse(text);
  unknownKind.body.descriptor.kind = 'no-such-descriptor';
  unknownKind.checksum = 'sha256:' + sha256(JSON.stringify(unknownKind.body));
  refusedWith(() => parseModel(JSON.stringify(unknownKind)), /no-such-descriptor/);
});

test('sha256 and base64 agree with node:crypto / Buffer; float64 round trip is bit-exact', () => {
  for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'Ångström ζ=4 ✓'.repeat(20)])
    assert.equal(sha256(s), createHash('sha256').update(s, 'utf8').digest('hex'));
  const v = Float64Array.from([0, -0, 1.5, -Math.PI, Number.MIN_VALUE, Number.MAX_VALUE, Infinity, -Infinity, NaN, 1e-310]);
  const b64 = float64ToBase64(v);
  assert.equal(b64, Buffer.from(new Uint8Array(v.buffer)).toString('base64'));
  const back = base64ToFloat64(b64)!;
  assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(v.buffer));
  assert.equal(base64ToFloat64('abc'), null);
  assert.equal(base64ToFloat64('AAAA'), null); // 3 bytes: not a multiple of 8
});

// ---- version 2 (binary) ----
const nodeDigest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const bin = serializeModelBinary(model);

test('binary (version 2): save → load → predict is bit-identical, same content as the JSON file, any digest gives the same bytes', () => {
  assert.ok(isBinaryModel(bin) && !isBinaryModel(new TextEncoder().encode(text)));
  assert.deepEqual(Array.from(bin.subarray(0, 8)), Array.from(MODEL_MAGIC));
  assert.deepEqual(serializeModelBinary(model, { digest: nodeDigest }), bin, 'platform JS SHA-256 = node:crypto');
  const back = parseModel(bin, 'm.ffm', { digest: nodeDigest });
  const s = randomStructure(new Rng(12), 8, 6.5);
  const a = model.calculate(s, { uncertainty: true }), b = back.calculate(s, { uncertainty: true });
  assert.equal(Object.is(a.energyEv, b.energyEv), true);
  assert.deepEqual(Array.from(a.forcesEvPerA!), Array.from(b.forcesEvPerA!));
  assert.deepEqual(Array.from(a.stressEvPerA3!), Array.from(b.stressEvPerA3!));
  assert.deepEqual(Array.from(a.uncertainty!.energiesEv!), Array.from(b.uncertainty!.energiesEv!));
  assert.equal(serializeModel(back), text, 'binary → model → JSON reproduces the JSON file exactly');
  // the payload is 8-byte aligned and holds exactly the arrays (no hidden extra bytes)
  const layout = modelFileLayout(bin);
  assert.ok('payloadStart' in layout);
  if ('payloadStart' in layout) {
    assert.equal(layout.payloadStart % 8, 0);
    assert.equal(layout.totalBytes, bin.length);
    const floats = model.params.species.reduce((n, sp) => n + sp.features.length + sp.weights.length, 0) + model.params.covarianceFactor!.data.length;
    assert.equal(bin.length - layout.payloadStart, 8 * floats);
    assert.equal(bin.length - layout.bytesWithoutCovariance, 8 * model.params.covarianceFactor!.data.length, 'the covariance is last');
  }
});

test('binary: a file cut before the covariance loads without it (covariance: false); corruption and truncation are refused by field', () => {
  const layout = modelFileLayout(bin);
  assert.ok('payloadStart' in layout);
  if (!('payloadStart' in layout)) return;
  const cut = bin.subarray(0, layout.bytesWithoutCovariance);
  const m = parseModel(cut, 'm.ffm', { covariance: false });
  assert.equal(m.params.covarianceFactor, undefined);
  const s = randomStructure(new Rng(13), 8, 6.5);
  assert.equal(Object.is(m.calculate(s).energyEv, model.calculate(s).energyEv), true);
  refusedWith(() => parseModel(cut, 'm.ffm'), /m\.ffm.*truncated: field 'covarianceFactor\.data'/);
  refusedWith(() => parseModel(bin.subarray(0, 20), 'm.ffm'), /truncated: the header needs/);
  const flipped = bin.slice();
  flipped[layout.payloadStart + 3] ^= 0x10; // inside species[0].features
  refusedWith(() => parseModel(flipped, 'm.ffm'), /checksum mismatch in field 'species\[0\]\.features'/);
  const hdr = bin.slice();
  hdr[40] ^= 0x01; // inside the header JSON
  refusedWith(() => parseModel(hdr, 'm.ffm'), /m\.ffm.*(checksum mismatch|not valid JSON|format)/);
});
