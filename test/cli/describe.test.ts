/** `farfield describe` through the CLI entry: --json prints exactly one object; --out; errors are one line, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { writeStructures } from '../../src/host/index.js';
import { describeStructure } from '../../src/api/index.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';

const run = runCli;

test('describe --json, --hypers, --out; an unknown kind is a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-describe-'));
  try {
    const s = makeStructure({ symbols: ['O', 'H', 'H'], positions: [[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]] });
    const file = join(dir, 'w.xyz');
    writeStructures(file, [s]);
    const hyp = join(dir, 'h.json');
    writeFileSync(hyp, JSON.stringify({ angular: { nmax: 2, lmax: 2 }, radial: { nmax: 3 } }));
    const r = run(['describe', file, '--kind', 'sr', '--hypers', hyp, '--json', '--out', join(dir, 'f.bin')]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['rows', 'cols', 'labels', 'features']);
    const ref = describeStructure(s, { hypers: { angular: { nmax: 2, lmax: 2 }, radial: { nmax: 3 } } }).features;
    assert.equal(j.rows, 3);
    assert.equal(j.cols, ref.cols);
    assert.equal(j.labels.length, ref.cols);
    assert.deepEqual(j.features.flat(), [...ref.data]);
    assert.ok(existsSync(join(dir, 'f.bin')));
    const plain = run(['describe', file]);
    assert.equal(plain.code, 0);
    assert.match(plain.out, /features: +3 atoms × \d+ columns/);
    const bad = await runCliInProcess(['describe', file, '--kind', 'nope']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: unknown descriptor kind 'nope'.*\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
