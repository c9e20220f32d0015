/**
 * Input resolution (src/api/inputs.ts): several files, a folder or a quoted glob wherever structures are read;
 * natural order; a folder mixing formats is refused with a glob hint; frames of several files concatenate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError } from '../../src/core/index.js';
import { convertInputs, loadInputs, loadStructures, resolveInputs, summarizeDataset } from '../../src/api/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const OUTCAR = join(REPO_ROOT, 'test', 'fixtures-own', 'vasp', 'OUTCAR_nacl3');

async function inTmp(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-inputs-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function outDir(dir: string): string {
  const out = join(dir, 'OUT');
  mkdirSync(out);
  for (const k of [10, 2, 1]) copyFileSync(OUTCAR, join(out, `OUTCAR.${k}`));
  writeFileSync(join(out, '.hidden'), 'x');
  return out;
}

test('a quoted glob expands in natural order; ?, [..] and globbed folders work; no match is an error', () => inTmp((dir) => {
  const out = outDir(dir);
  assert.deepEqual(resolveInputs(join(out, 'OUTCAR.*')), [1, 2, 10].map((k) => join(out, `OUTCAR.${k}`)));
  assert.deepEqual(resolveInputs(join(out, 'OUTCAR.?')), [1, 2].map((k) => join(out, `OUTCAR.${k}`)));
  assert.deepEqual(resolveInputs(join(out, 'OUTCAR.[!2]*')), [1, 10].map((k) => join(out, `OUTCAR.${k}`)));
  for (const r of ['run1', 'run2']) {
    mkdirSync(join(dir, r));
    copyFileSync(OUTCAR, join(dir, r, 'OUTCAR'));
  }
  assert.deepEqual(resolveInputs(join(dir, 'run*', 'OUTCAR')), [join(dir, 'run1', 'OUTCAR'), join(dir, 'run2', 'OUTCAR')]);
  assert.throws(() => resolveInputs(join(out, 'OUTCAR.x*')), (e: unknown) => e instanceof FarfieldError && e.code === 'IO' && /no file matches the pattern/.test(e.message));
  assert.throws(() => resolveInputs(join(dir, '**', 'OUTCAR')), /'\*\*' \(recursive glob\) is not supported/);
  assert.throws(() => resolveInputs(join(dir, 'nothing')), /nothing: cannot read: no such file/);
}));

test('a folder gives its structure files (hidden and unknown files skipped); a mix of formats is refused with a hint', () => inTmp((dir) => {
  const out = outDir(dir);
  writeFileSync(join(out, 'README.md'), '# notes\n');
  assert.deepEqual(resolveInputs(out), [1, 2, 10].map((k) => join(out, `OUTCAR.${k}`)));
  writeFileSync(join(out, 'XDATCAR'), 'Si\n1\n5 0 0\n0 5 0\n0 0 5\nSi\n1\nDirect configuration=     1\n0 0 0\n');
  assert.throws(() => resolveInputs(out), (e: unknown) => e instanceof FarfieldError && /several formats \(outcar: OUTCAR\.1, OUTCAR\.2, OUTCAR\.10; xdatcar: XDATCAR\).*e\.g\. '.*OUT\/OUTCAR\.\*'/.test(e.message));
}));

test('several files read as one dataset: load, summarise, convert with an index over the whole', () => inTmp(async (dir) => {
  const out = outDir(dir);
  const one = loadStructures(OUTCAR).structures;
  const r = loadInputs(join(out, 'OUTCAR.*'));
  assert.equal(r.structures.length, 9);
  assert.equal(r.format, 'outcar');
  assert.deepEqual(r.structures.slice(3, 6), one);
  const s = await summarizeDataset(r.files);
  assert.equal(s.frames, 9);
  assert.match(s.file, /^3 files/);
  const c = await convertInputs([join(out, 'OUTCAR.1'), join(out, 'OUTCAR.2')], join(dir, 'last.xyz'), { index: '-1' });
  assert.equal(c.frames, 1);
  assert.deepEqual(loadStructures(join(dir, 'last.xyz')).structures[0].positions, one[2].positions);
  await assert.rejects(convertInputs([join(out, 'OUTCAR.1'), join(dir, 'last.xyz')], join(dir, 'last.xyz')), /the output .* is one of the inputs/);
}));
