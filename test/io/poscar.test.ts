/** POSCAR/CONTCAR: scaling factor (positive, negative = volume, three factors), Direct/Cartesian, selective dynamics,
 *  VASP 6 species suffixes, round trip, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, cellVolume, makeStructure } from '../../src/core/index.js';
import { parsePoscar } from '../../src/io/index.js';
import { readStructures, writeStructures } from '../../src/host/index.js';

const BASE = (scale: string, mode: string, extra = '') => `rocksalt
${scale}
  2.0 0.0 0.0
  0.0 2.0 0.0
  0.0 0.0 2.0
Na_pv Cl/abc123
1 1
${extra}${mode}
  0.0 0.0 0.0${extra ? ' T T T' : ''}
  0.5 0.25 0.5${extra ? ' F T F' : ''}
`;

test('Direct and Cartesian with scale 2 give the same structure; symbols lose POTCAR suffixes', () => {
  const d = parsePoscar(BASE('2.0', 'Direct'), 'POSCAR');
  const c = parsePoscar(BASE('2.0', 'Cartesian').replace('0.5 0.25 0.5', '1 0.5 1'), 'POSCAR');
  assert.deepEqual(d.symbols, ['Na', 'Cl']);
  assert.deepEqual(Array.from(d.cell), [4, 0, 0, 0, 4, 0, 0, 0, 4]);
  assert.deepEqual(Array.from(d.positions), [0, 0, 0, 2, 1, 2]);
  assert.deepEqual(Array.from(c.positions), Array.from(d.positions)); // Cartesian × scale
  assert.equal(d.info.comment, 'rocksalt');
});

test('negative scale is the target volume; three scale factors scale the axes', () => {
  const v = parsePoscar(BASE('-125', 'direct'), 'POSCAR');
  assert.ok(Math.abs(cellVolume(v.cell) - 125) < 1e-12);
  assert.ok(Math.abs(v.positions[3] - 2.5) < 1e-15); // 0.5 × 5 Å
  const t = parsePoscar(BASE('1 2 3', 'Direct'), 'POSCAR');
  assert.deepEqual(Array.from(t.cell), [2, 0, 0, 0, 4, 0, 0, 0, 6]);
});

test('selective dynamics flags become the per-atom L:3 array and survive a round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-poscar-'));
  try {
    const s = parsePoscar(BASE('1.0', 'Direct', 'Selective dynamics\n'), 'POSCAR');
    assert.deepEqual(Array.from(s.arrays.selective_dynamics.data as Uint8Array), [1, 1, 1, 0, 1, 0]);
    const f = join(dir, 'CONTCAR');
    writeStructures(f, [s]);
    const [b] = readStructures(f);
    assert.deepEqual(b.positions, s.positions);
    assert.deepEqual(b.cell, s.cell);
    assert.deepEqual(b.arrays, s.arrays);
    // unsorted species are written as runs, keeping atom order
    const u = makeStructure({ symbols: ['O', 'H', 'O'], positions: [0, 0, 0.1, 1 / 3, 0, 0, 0, 2 / 3, 0], cell: [3, 0, 0, 0.5, 3, 0, 0, 0.2, 3] });
    const g = join(dir, 'x.vasp');
    writeStructures(g, [u]);
    const [ub] = readStructures(g);
    assert.deepEqual(Array.from(ub.species, (k) => ub.symbols[k]), ['O', 'H', 'O']);
    assert.deepEqual(ub.positions, u.positions);
    assert.throws(() => writeStructures(g, [u, u]), /exactly one structure/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('POSCAR errors carry line and field', () => {
  const err = (text: string, re: RegExp) =>
    assert.throws(() => parsePoscar(text, 'POSCAR'), (e: unknown) => e instanceof FarfieldError && e.code === 'PARSE' && re.test(e.message));
  err(BASE('abc', 'Direct'), /^POSCAR:2 \(scale\): expected a scaling factor, got 'abc'/);
  err(BASE('1.0', 'Direct').replace('  0.0 2.0 0.0', '  0.0 0.0 0.0'), /singular/);
  err(BASE('1.0', 'Direct').replace('1 1\n', '1 x\n'), /^POSCAR:7 \(counts\): expected an atom count, got 'x'/);
  err(BASE('1.0', 'Direct').replace('1 1\n', '1 1 1\n'), /2 species names but 3 counts/);
  err(BASE('1.0', 'Direct').split('\n').slice(0, 9).join('\n'), /POSCAR:10 \(positions\): file ends after 1 of 2 atom positions/);
  err(BASE('1.0', 'Direct', 'Selective dynamics\n').replace('F T F', 'F T'), /expected x y z and three T\/F flags/);
  err(BASE('1.0', 'Direct').replace('0.25', 'nan'), /\(positions\): expected a finite real number, got 'nan'/);
  err('x\n1\n', /file ends early: expected the lattice vector 1 line/);
});

test('VASP 4 POSCAR (no species line): species from the comment as ASE takes them, formulas included', () => {
  const V4 = (comment: string) => `${comment}\n5.64\n1 0 0\n0 1 0\n0 0 1\n 1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n`;
  assert.deepEqual(parsePoscar(V4('Na Cl'), 'POSCAR').symbols, ['Na', 'Cl']);
  assert.deepEqual(parsePoscar(V4('NaCl'), 'POSCAR').symbols, ['Na', 'Cl']);
  assert.deepEqual(parsePoscar(V4('Na4Cl4 rocksalt, relaxed'), 'POSCAR').symbols, ['Na', 'Cl']);
  assert.deepEqual(parsePoscar(V4('Na_pv Cl'), 'POSCAR').symbols, ['Na', 'Cl']);
  assert.throws(() => parsePoscar(V4('rocksalt'), 'POSCAR'), /POSCAR:6 \(species\): VASP 4 POSCAR \(no species line\) whose comment line 'rocksalt' does not name 2 species/);
  assert.throws(() => parsePoscar(V4('Xx Cl'), 'POSCAR'), /does not name 2 species/);
});
