/**
 * The learning part of `farfield demo` on a few bundled frames (the real demo uses 40 frames and sizes 8, 16):
 * both models fitted on the same split of every available dataset, tables printed, one report per dataset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledDataDir, runModelDemo } from '../../src/api/index.js';

test('runModelDemo: sr and sr+lr on bundled toy (and liquid NaCl if present), tables and reports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-demo-'));
  try {
    assert.ok(bundledDataDir(), 'data/ with toy.xyz is found from the module location');
    const r = await runModelDemo({ out: dir, frames: 8, trainSizes: [3], references: 6 });
    assert.ok(r.datasets.length >= 1);
    assert.equal(r.datasets[0].name, 'toy');
    for (const d of r.datasets) {
      assert.deepEqual(d.results.models, ['sr', 'sr+lr']);
      assert.equal(d.results.runs.length, 2);
      assert.ok(existsSync(d.report));
    }
    assert.match(r.text, /toy: 8 frames of .*toy\.xyz, 2 held out for testing, 6 references per species/);
    assert.match(r.text, /\n3\s+sr\+lr\s/);
    assert.match(r.text, /report: .*toy\/index\.html/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
