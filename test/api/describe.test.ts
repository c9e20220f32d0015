/** api/describe: presets, species universe (sorted by Z, union over a file's frames), frames, .json/.bin output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { writeStructures } from '../../src/host/index.js';
import { ComputeContext, createDescriptor } from '../../src/descriptors/index.js';
import {
  DESCRIPTOR_PRESETS, describeFile, describeStructure, readFeaturesBin, sortSpecies, writeFeatures,
} from '../../src/api/index.js';

const nacl = makeStructure({
  symbols: ['Cl', 'Na', 'Cl', 'Na'],
  positions: [[0, 0, 0], [2.8, 0, 0], [2.8, 2.8, 0.3], [0.1, 2.8, 0]],
  cell: [5.6, 0, 0, 0, 5.6, 0, 0, 0, 5.6],
});

test('sortSpecies orders by atomic number; describeStructure uses it and the sr preset', () => {
  assert.deepEqual(sortSpecies(['O', 'H', 'Zr', 'H', 'Y']), ['H', 'O', 'Y', 'Zr']);
  const r = describeStructure(nacl);
  assert.deepEqual(r.spec.species, ['Na', 'Cl']);
  assert.equal(r.spec.kind, 'sr');
  const d = createDescriptor({ kind: 'sr', species: ['Na', 'Cl'], hypers: {} });
  assert.deepEqual(r.features.data, d.compute(nacl, new ComputeContext(nacl)).features.data);
  assert.ok(DESCRIPTOR_PRESETS.sr.description.length > 0);
  assert.throws(() => describeStructure(nacl, { kind: 'nope' }), /unknown descriptor kind 'nope' \(known: sr/);
  const small = describeStructure(nacl, { hypers: { angular: { lmax: 1, nmax: 2 } } });
  assert.equal(small.features.cols, 24 + 10 * 2);
});

test('describeFile: species universe = all species in the file; frame selection; .json and .bin outputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-describe-'));
  try {
    const kcl = makeStructure({ symbols: ['K', 'Cl'], positions: [[0, 0, 0], [3.1, 0, 0]], cell: [6.2, 0, 0, 0, 6.2, 0, 0, 0, 6.2] });
    const file = join(dir, 'two.xyz');
    writeStructures(file, [nacl, kcl]);
    const r0 = await describeFile(file);
    assert.equal(r0.frame, 0);
    assert.equal(r0.frames, 2);
    assert.deepEqual(r0.spec.species, ['Na', 'Cl', 'K']);
    const r1 = await describeFile(file, { frame: -1 });
    assert.equal(r1.frame, 1);
    assert.equal(r1.features.rows, 2);
    assert.equal(r1.features.cols, r0.features.cols);
    await assert.rejects(() => describeFile(file, { frame: 2 }), /frame 2 does not exist \(file has 2 frames\)/);
    writeFeatures(join(dir, 'f.bin'), r0);
    const b = readFeaturesBin(readFileSync(join(dir, 'f.bin')));
    assert.equal(b.rows, 4);
    assert.equal(b.cols, r0.features.cols);
    assert.deepEqual(b.data, r0.features.data);
    writeFeatures(join(dir, 'f.json'), r0);
    const j = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8'));
    assert.equal(j.rows, 4);
    assert.equal(j.features[3][5], r0.features.data[3 * r0.features.cols + 5]);
    assert.equal(j.descriptor.kind, 'sr');
    assert.throws(() => writeFeatures(join(dir, 'f.txt'), r0), /must end in \.json or \.bin/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
