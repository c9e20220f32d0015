/** `farfield convert` and `farfield info` through the CLI entry: output, --json, --help, one-line errors with exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { saveStructures, loadStructures } from '../../src/api/index.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';

const run = runCli;

test('convert and info on a small file; errors are one line with exit code 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-io-'));
  try {
    const s = makeStructure({ symbols: ['Si', 'Si'], positions: [0, 0, 0, 1.3, 1.3, 1.3], cell: [0, 2.7, 2.7, 2.7, 0, 2.7, 2.7, 2.7, 0], labels: { energyEv: -10.8 } });
    const src = join(dir, 'si.xyz');
    saveStructures(src, [s]);
    const c = run(['convert', src, join(dir, 'POSCAR')]);
    assert.equal(c.code, 0);
    assert.match(c.out, /wrote 1 structure \(extxyz → poscar\)/);
    assert.deepEqual(loadStructures(join(dir, 'POSCAR')).structures[0].positions, s.positions);
    const i = run(['info', src]);
    assert.equal(i.code, 0);
    assert.match(i.out, /frames: +1\n/);
    assert.match(i.out, /energy per atom: +mean -5\.4 eV/);
    const j = run(['info', src, '--json']);
    assert.equal(JSON.parse(j.out).frames, 1);
    const bad = await runCliInProcess(['info', join(dir, 'missing.xyz')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: .*missing\.xyz.*\n$/);
    const fmt = await runCliInProcess(['convert', src, join(dir, 'out.bin')]);
    assert.equal(fmt.code, 1);
    assert.match(fmt.err, /cannot tell the output format/);
    const h = await runCliInProcess(['convert', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /--from <format>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
