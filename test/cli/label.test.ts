/** `farfield label` through the CLI entry: a reference engine end to end, the engine list in --help, one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { loadStructures, saveStructures } from '../../src/api/index.js';
import { pointCharges } from '../../src/reference/index.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';

const run = runCli;

test('label --engine point-charges / fumi-tosi end to end; --help lists the engines; errors exit 1 with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-label-'));
  try {
    const s = makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 2.9, 0.1, 0.05], cell: [5.8, 0, 0, 0, 5.6, 0, 0, 0, 5.7], info: { tag: 'x' } });
    const src = join(dir, 'in.xyz'), dst = join(dir, 'out.xyz');
    saveStructures(src, [s]);
    const r = run(['label', '--engine', 'point-charges', '--charges', 'Na=1,Cl=-1', src, '-o', dst]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1\/1 frames labelled with point-charges → /);
    const out = loadStructures(dst).structures[0];
    assert.ok(Math.abs(out.labels.energyEv! - pointCharges({ Na: 1, Cl: -1 }).calculate(s).energyEv) < 1e-9);
    assert.equal(out.info.label_method, 'point-charges');
    assert.equal(out.info.tag, 'x');
    assert.equal(run(['label', '--engine', 'fumi-tosi', '--shift', src, '-o', join(dir, 'ft.xyz')]).code, 0);
    assert.equal(loadStructures(join(dir, 'ft.xyz')).structures[0].info.label_shift, true);

    const h = await runCliInProcess(['label', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /Engines:/);
    for (const e of ['cp2k', 'fumi-tosi', 'point-charges', 'buckingham-zro2']) assert.match(h.out, new RegExp(`\\n  ${e} `));

    const bad = await runCliInProcess(['label', '--engine', 'morse', src, '-o', join(dir, 'x.xyz')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: unknown labelling engine 'morse' \(known: cp2k, fumi-tosi, point-charges, buckingham-zro2\)\n$/);
    const noq = await runCliInProcess(['label', '--engine', 'point-charges', src, '-o', join(dir, 'y.xyz')]);
    assert.equal(noq.code, 1);
    assert.match(noq.err, /frame 0 has no per-atom charges/);
    assert.ok(!existsSync(join(dir, 'y.xyz')), 'no output on failure');
    const nom = await runCliInProcess(['label', src, '-o', join(dir, 'z.xyz')]);
    assert.equal(nom.code, 1);
    assert.match(nom.err, /--engine cp2k needs --method/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
