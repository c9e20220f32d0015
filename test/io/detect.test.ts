// Format detection rules (src/io/detect.ts): names first, then content; the same answers for the file-system
// registry (detectFormat on a path) and for text held in memory (the web page's detectTextFormat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormatName } from '../../src/io/index.js';
import { detectFormat } from '../../src/host/index.js';
import { detectTextFormat } from '../../src/api/web.js';

const EXT = '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"\nNa 0 0 0\nCl 2.5 0 0\n';
const PLAIN = '2\nwater dimer\nO 0 0 0\nH 1 0 0\n';
const POSCAR = 'NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\nNa Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';
const MLAB = ' 1.0 Version\n**************************************************\n     The number of configurations\n--------------------------------------------------\n          1\n';

const cases: [string, string, string][] = [
  ['a.xyz', EXT, 'extxyz'], ['a.xyz', PLAIN, 'xyz'], ['a.extxyz', PLAIN, 'extxyz'],
  ['POSCAR', 'anything', 'poscar'], ['CONTCAR_5', 'anything', 'poscar'], ['x.vasp', 'anything', 'poscar'],
  ['ML_ABN', 'anything', 'ml_ab'], ['data', EXT, 'extxyz'], ['data', PLAIN, 'xyz'], ['data', POSCAR, 'poscar'],
  ['data', MLAB, 'ml_ab'], ['data', EXT.replace(/\n/g, '\r\n'), 'extxyz'],
  // ASE reads any key=value comment of a .xyz (energy=… without Lattice/Properties); a comment that does not parse
  // as key=value pairs (an unterminated quote) stays plain text; a byte-order mark is skipped; .gz is looked through
  ['a.xyz', '1\nenergy=-3.5\nNa 0 0 0\n', 'extxyz'], ['data', '1\nenergy = -3.5 eV\nNa 0 0 0\n', 'extxyz'],
  ['a.xyz', "1\nit's x=1\nNa 0 0 0\n", 'xyz'], ['data', "1\nit's x=1\nNa 0 0 0\n", 'xyz'],
  ['a.xyz', '\ufeff' + EXT, 'extxyz'], ['a.xyz.gz', PLAIN, 'xyz'], ['POSCAR.gz', 'anything', 'poscar'],
];

test('name rules win over content, content decides otherwise', () => {
  for (const [name, text, want] of cases) assert.equal(detectFormatName(name, () => text), want, `${name}: ${JSON.stringify(text.slice(0, 20))}`);
});

test('content is read only when the name decides nothing', () => {
  let reads = 0;
  assert.equal(detectFormatName('dir/POSCAR', () => { reads++; return ''; }), 'poscar');
  assert.equal(reads, 0);
  detectFormatName('x', () => { reads++; return PLAIN; });
  assert.equal(reads, 1);
});

test('file-system and in-memory detection agree on every case', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-detect-'));
  cases.forEach(([name, text, want], i) => {
    const path = join(dir, String(i), name);
    mkdirSync(join(dir, String(i)));
    writeFileSync(path, text);
    assert.equal(detectFormat(path).name, want, path);
    assert.equal(detectTextFormat(name, text), want, name);
  });
});

test('unknown content is refused with the file name', () => {
  assert.throws(() => detectFormatName('blob.bin', () => 'garbage'), /blob\.bin.*cannot tell|cannot tell.*blob\.bin/);
});
