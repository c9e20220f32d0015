/**
 * The learning part of `farfield demo` on a few bundled frames (the real demo uses 40 frames and sizes 8, 16):
 * both models fitted on the same split of every available dataset, tables printed, one report per dataset. The run
 * here reads a data folder holding only toy.xyz (the liquid NaCl set takes the same path through the loop over the
 * datasets, at twice the cost).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledDataDir, runModelDemo } from '../../src/api/index.js';

test('runModelDemo: sr and sr+lr on the bundled toy set (the datasets present in the data folder), tables and reports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-demo-'));
  try {
    const bundled = bundledDataDir();
    assert.ok(bundled, 'data/ with toy.xyz is found from the module location');
    const data = join(dir, 'data');
    mkdirSync(data);
    copyFileSync(join(bundled, 'toy.xyz'), join(data, 'toy.xyz'));
    const r = await runModelDemo({ out: join(dir, 'out'), dataDir: data, frames: 8, trainSizes: [3], references: 6 });
    assert.equal(r.datasets.length, 1, 'only the datasets present');
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
