/** VASP ML_AB: a hand-made file with known values, round trips (≥ 4 species, lists over several lines, with/without
 *  CTIFOR), header preservation, unit/sign conversion of the stress, and clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, makeStructure, FarfieldError, type Structure } from '../../src/core/index.js';
import { parseMlab, formatMlab } from '../../src/io/index.js';
import { readMlab, writeMlab, readStructures, writeStructures, readStructuresWithMeta } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures-own', 'ML_AB_nacl');

function close(a: number, b: number, tol = 1e-15): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

test('hand-made ML_AB: header, CTIFOR present/absent, grouped types, stress kbar (pressure-like) → eV/Å³ (tensile)', () => {
  const { header, structures } = readMlab(FIXTURE);
  assert.deepEqual(header.types, ['Na', 'Cl']);
  assert.deepEqual(header.referenceEnergiesEv, [-1.25, 0]);
  assert.deepEqual(header.massesAmu, [22.98976928, 35.45]);
  assert.deepEqual(Array.from(header.basisSets[0]), [1, 1, 2, 2]);
  assert.deepEqual(Array.from(header.basisSets[1]), [1, 3]);
  assert.equal(structures.length, 2);
  const [a, b] = structures;
  assert.equal(a.info.system_name, 'NaCl_rocksalt');
  assert.equal(a.info.ctifor, 1e-16);
  assert.equal(b.info.ctifor, undefined);
  assert.deepEqual(Array.from(a.species, (k) => a.symbols[k]), ['Na', 'Na', 'Cl']);
  assert.deepEqual(Array.from(a.positions.slice(3, 6)), [2.82, 2.82, 0]);
  assert.equal(a.labels.energyEv, -10.5);
  assert.deepEqual(Array.from(a.labels.forcesEvPerA!.slice(0, 3)), [0.001, -0.002, 0.003]);
  // file: XX YY ZZ = 16.021766208, −32.043532416, 0; XY YZ ZX = 1.6021766208, 0, −4.8065298624 kbar
  // 1 eV/Å³ = 1602.1766208 kbar and VASP's sign is opposite: σ = [[−0.01, −0.001, 0.003], [−0.001, 0.02, 0], [0.003, 0, 0]]
  const want = [-0.01, -0.001, 0.003, -0.001, 0.02, 0, 0.003, 0, 0];
  a.labels.stressEvPerA3!.forEach((v, i) => assert.ok(close(v, want[i], 1e-14), `stress[${i}] = ${v}, want ${want[i]}`));
  assert.deepEqual(Array.from(b.cell), [5.7, 0.1, 0, 0, 5.6, 0, -0.2, 0, 5.5]);
  assert.deepEqual(b.labels.stressEvPerA3!.slice(0, 1)[0] > 0, true); // XX = −1 kbar (tensile) → positive
});

test('ML_AB read → write → read keeps header, names, CTIFOR and all numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-mlab-'));
  try {
    const first = readMlab(FIXTURE);
    const out = join(dir, 'ML_AB');
    writeMlab(out, first.structures, first.header);
    const again = readMlab(out);
    assert.deepEqual(again.header.types, first.header.types);
    assert.deepEqual(again.header.referenceEnergiesEv, first.header.referenceEnergiesEv);
    assert.deepEqual(again.header.massesAmu, first.header.massesAmu);
    assert.deepEqual(again.header.basisSets.map((b) => Array.from(b)), first.header.basisSets.map((b) => Array.from(b)));
    again.structures.forEach((s, i) => {
      const t = first.structures[i];
      assert.deepEqual(s.info, t.info);
      assert.deepEqual(s.positions, t.positions);
      assert.deepEqual(s.cell, t.cell);
      assert.equal(s.labels.energyEv, t.labels.energyEv);
      assert.deepEqual(s.labels.forcesEvPerA, t.labels.forcesEvPerA);
      // kbar ↔ eV/Å³ is a multiplication by an inexact constant: equal to the last bit or two
      s.labels.stressEvPerA3!.forEach((v, k) => assert.ok(close(v, t.labels.stressEvPerA3![k], 4e-16)));
    });
    // the registry finds it by name and by content
    assert.equal(readStructuresWithMeta(out).format, 'ml_ab');
    const renamed = join(dir, 'training.dat');
    writeFileSync(renamed, readFileSync(out));
    assert.equal(readStructuresWithMeta(renamed).format, 'ml_ab');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function randomLabelled(rng: Rng, symbols: string[]): Structure {
  const n = symbols.length;
  const stress = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) stress[3 * i + j] = stress[3 * j + i] = rng.normal() * 0.01;
  return makeStructure({
    symbols,
    positions: Array.from({ length: 3 * n }, () => rng.range(0, 8)),
    cell: Array.from({ length: 9 }, (_, j) => (j % 4 === 0 ? rng.range(7, 9) : rng.range(-0.5, 0.5))),
    labels: { energyEv: rng.normal() * 50, forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.normal()), stressEvPerA3: stress },
  });
}

test('ML_AB round trip with 5 species (lists over two lines), ungrouped atoms, with and without CTIFOR', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-mlab-'));
  try {
    const rng = new Rng(4);
    const pool = ['Zr', 'O', 'Y', 'Na', 'Cl'];
    const frames = Array.from({ length: 4 }, (_, k) => {
      const syms = Array.from({ length: 5 + rng.int(6) }, (_, i) => pool[(i * (k + 1) + rng.int(5)) % 5]);
      const s = randomLabelled(rng, syms);
      if (k % 2 === 0) s.info.ctifor = rng.uniform();
      s.info.system_name = `frame ${k}`;
      return s;
    });
    const out = join(dir, 'ML_ABN');
    writeStructures(out, frames);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /The atom types in the data file\n-+\n\s+\S+\s+\S+\s+\S+\n\s+\S+\s+\S+\n/); // 3 per line
    const back = readStructures(out);
    assert.equal(back.length, 4);
    back.forEach((s, k) => {
      const t = frames[k];
      assert.equal(s.info.ctifor, t.info.ctifor);
      assert.equal(s.info.system_name, `frame ${k}`);
      assert.equal(s.labels.energyEv, t.labels.energyEv);
      // ML_AB groups atoms by type: compare as a multiset keyed by (symbol, position)
      const key = (x: Structure, a: number) => `${x.symbols[x.species[a]]} ${x.positions.slice(3 * a, 3 * a + 3).join(' ')} ${x.labels.forcesEvPerA!.slice(3 * a, 3 * a + 3).join(' ')}`;
      const A = Array.from(s.species, (_, a) => key(s, a)).sort();
      const B = Array.from(t.species, (_, a) => key(t, a)).sort();
      assert.deepEqual(A, B);
      // grouped: once a type ends it never reappears
      const seq = Array.from(s.species);
      for (let a = 1; a < seq.length; a++) if (seq[a] !== seq[a - 1]) assert.ok(!seq.slice(0, a).includes(seq[a]));
      s.labels.stressEvPerA3!.forEach((v, i) => assert.ok(close(v, t.labels.stressEvPerA3![i], 4e-16)));
    });
    // written again: identical text (the grouped order is a fixed point)
    const out2 = join(dir, 'ML_AB2');
    writeStructures(out2, back, { format: 'ml_ab' });
    const again = readStructures(out2, { format: 'ml_ab' });
    again.forEach((s, k) => assert.deepEqual(s.positions, back[k].positions));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function expectParse(text: string, re: RegExp): void {
  assert.throws(() => parseMlab(text, 'ML_AB'), (e: unknown) => e instanceof FarfieldError && e.code === 'PARSE' && re.test(e.message));
}

test('ML_AB errors: duplicate species, wrong counts, truncation, bad numbers', () => {
  const good = readFileSync(FIXTURE, 'utf8');
  expectParse(good.replace('     Na Cl', '     Na Na'), /ML_AB:\d+ \(atom types\): species 'Na' appears twice/);
  expectParse(good.replace(/ {10}2\n\*{50}\n {5}The maximum number of atom type/, '          3\n' + '*'.repeat(50) + '\n     The maximum number of atom type'), /expected 'Configuration num\. 3'/);
  expectParse(good.slice(0, good.indexOf('Total energy (eV)', 3000)), /file ends|expected/);
  expectParse(good.replace('  -10.5000000000000', '  -10.5OOO'), /ML_AB:\d+ \(configuration 1: energy\): expected a finite real number, got '-10.5OOO'/);
  expectParse(good.replace('     Na      2', '     Na      3'), /type counts add up to more than/);
  expectParse('hello\n', /not an ML_AB file/);
  assert.throws(() => formatMlab([makeStructure({ symbols: ['H'], positions: [0, 0, 0], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3] })]), /missing energy, forces, stress/);
});
