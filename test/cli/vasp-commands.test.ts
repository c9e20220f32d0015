/** The VASP readers through the CLI: convert/info/fit on OUTCARs given as a quoted glob or as many arguments, info on
 *  vasprun.xml, and the warning for an OUTCAR whose run is still going. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStructures } from '../../src/api/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { ALIASES, ALIAS_KEYS, checkAliases, checkSummaryAliases, offScheme, oneObject } from './jsonChecks.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures-own', 'vasp');

test('farfield convert / info / fit on OUTCARs (quoted glob and expanded list), info on vasprun.xml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-vasp-'));
  try {
    const out = join(dir, 'OUT');
    mkdirSync(out);
    for (const k of [1, 2, 3]) copyFileSync(join(FIX, 'OUTCAR_nacl3'), join(out, `OUTCAR.${k}`));
    const c = runCli(['convert', join(out, 'OUTCAR.*'), join(dir, 'all.xyz')]);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /wrote 9 structures \(outcar → extxyz\)/);
    assert.equal(loadStructures(join(dir, 'all.xyz')).structures.length, 9);
    const i = runCli(['info', ...[1, 2, 3].map((k) => join(out, `OUTCAR.${k}`))]);
    assert.equal(i.code, 0, i.err);
    assert.match(i.out, /frames: +9\n/);
    assert.match(i.out, /labels: +cell 9\/9, energy 9\/9, forces 9\/9, stress 9\/9/);
    const v = runCli(['info', join(FIX, 'vasprun_relax3.xml')]);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, /\(vasprun\)\nframes: +3\n/);
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ selection: { count: 4 } }));
    const f = runCli(['fit', join(out, 'OUTCAR.*'), '-o', join(dir, 'm.json'), '--config', join(dir, 'cfg.json'), '--json']);
    assert.equal(f.code, 0, f.err);
    // --json: one object on stdout, the pre-0.2 aliases equal their new keys, no key off docs/conventions.md
    const fit = oneObject(f.out, 'fit');
    assert.ok('solver' in fit, `fit: key 'solver' missing in ${Object.keys(fit).join(', ')}`);
    const train = (fit.errors as Record<string, Record<string, unknown>>).train;
    assert.equal(train.n_structures, 9);
    checkSummaryAliases(train, 'fit errors.train');
    checkAliases(fit, ALIASES.fit, 'fit');
    assert.deepEqual(offScheme(fit, ALIAS_KEYS), [], 'fit: keys off the naming scheme of docs/conventions.md');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an OUTCAR whose run is still going: the complete steps are converted, a warning names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-vasp-'));
  try {
    const lines = readFileSync(join(FIX, 'OUTCAR_nacl3'), 'utf8').split('\n');
    writeFileSync(join(dir, 'OUTCAR'), lines.slice(0, 230).join('\n'));
    const c = runCli(['convert', join(dir, 'OUTCAR'), join(dir, 'out.xyz')]);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /wrote 2 structures/);
    assert.match(c.err, /farfield: warning: .*OUTCAR: the run did not finish: the last ionic step \(from line \d+\) is incomplete/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
