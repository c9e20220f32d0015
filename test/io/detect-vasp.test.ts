// Format detection of the VASP outputs (src/io/detect.ts): OUTCAR, vasprun.xml and XDATCAR by name and by content,
// the same answers for files and for text in memory (the web page); names with an XYZ extension stay XYZ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormatName } from '../../src/io/index.js';
import { detectFormat } from '../../src/host/index.js';
import { detectTextFormat } from '../../src/api/web.js';

const OUTCAR = ' vasp.6.1.0 28Jan20 (build Oct 04 2020 12:36:30) complex\n\n POTCAR:    PAW_PBE Zr_sv 04Jan2005\n';
const VASPRUN = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<modeling>\n <generator>\n';
const XDATCAR = 'Si\n1\n5.43 0 0\n0 5.43 0\n0 0 5.43\nSi\n2\nDirect configuration=     1\n0 0 0\n0.25 0.25 0.25\n';
const POSCAR = 'Si\n1\n5.43 0 0\n0 5.43 0\n0 0 5.43\nSi\n2\nDirect\n0 0 0\n0.25 0.25 0.25\n';
const EXT = '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"\nNa 0 0 0\nCl 2.5 0 0\n';

const cases: [string, string, string][] = [
  ['OUTCAR', 'x', 'outcar'], ['OUTCAR.119', 'x', 'outcar'], ['OUTCAR_relax', 'x', 'outcar'], ['run1.OUTCAR', 'x', 'outcar'],
  ['vasprun.xml', 'x', 'vasprun'], ['vasprun_3.xml', 'x', 'vasprun'], ['XDATCAR', 'x', 'xdatcar'], ['XDATCAR.npt', 'x', 'xdatcar'],
  ['data', OUTCAR, 'outcar'], ['run.xml', VASPRUN, 'vasprun'], ['data', XDATCAR, 'xdatcar'], ['data', POSCAR, 'poscar'],
  ['OUTCAR.xyz', EXT, 'extxyz'], ['xdatcar_frames.xyz', EXT, 'extxyz'],
];

test('VASP outputs: name rules, then content; an XDATCAR is not taken for a POSCAR', () => {
  for (const [name, text, want] of cases) assert.equal(detectFormatName(name, () => text), want, name);
});

test('file-system and in-memory detection agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-detect-vasp-'));
  try {
    cases.forEach(([name, text, want], i) => {
      mkdirSync(join(dir, String(i)));
      const path = join(dir, String(i), name);
      writeFileSync(path, text);
      assert.equal(detectFormat(path).name, want, path);
      assert.equal(detectTextFormat(name, text), want, name);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ASE's format names are accepted as aliases", () => {
  assert.equal(detectFormat('whatever', 'vasp-out').name, 'outcar');
  assert.equal(detectFormat('whatever', 'vasp-xml').name, 'vasprun');
  assert.equal(detectFormat('whatever', 'vasp-xdatcar').name, 'xdatcar');
});
