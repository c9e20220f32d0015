import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, cloneStructure, strained, FarfieldError, reciprocalCell, cellWidths, Rng } from '../../src/core/index.js';

test('makeStructure builds a species table in order of first appearance', () => {
  const s = makeStructure({ symbols: ['Cl', 'Na', 'Cl'], positions: [[0, 0, 0], [1, 0, 0], [2, 0, 0]], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5] });
  assert.deepEqual(s.symbols, ['Cl', 'Na']);
  assert.deepEqual([...s.species], [0, 1, 0]);
  assert.deepEqual(s.pbc, [true, true, true]);
});

test('singular cell and bad counts are refused with FarfieldError', () => {
  assert.throws(() => makeStructure({ symbols: ['H'], positions: [0, 0, 0], cell: [1, 0, 0, 2, 0, 0, 0, 0, 1] }), FarfieldError);
  assert.throws(() => makeStructure({ symbols: ['H', 'H'], positions: [0, 0, 0] }), FarfieldError);
  assert.throws(() => makeStructure({ symbols: ['H'], positions: [0, NaN, 0] }), FarfieldError);
});

test('cloneStructure is deep, strained maps cell and positions', () => {
  const s = makeStructure({ symbols: ['H'], positions: [1, 2, 3], cell: [4, 0, 0, 0, 4, 0, 0, 0, 4] });
  const c = cloneStructure(s);
  c.positions[0] = 9;
  assert.equal(s.positions[0], 1);
  const e = strained(s, [0.01, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.ok(Math.abs(e.positions[0] - 1.01) < 1e-15);
  assert.ok(Math.abs(e.cell[0] - 4.04) < 1e-15);
});

test('reciprocal cell satisfies a_i·b_j = 2π δ_ij; widths of a triclinic cell', () => {
  const rng = new Rng(3);
  const a = Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? 5 : 0) + rng.range(-1, 1));
  const b = reciprocalCell(a);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      const d = a[3 * i] * b[3 * j] + a[3 * i + 1] * b[3 * j + 1] + a[3 * i + 2] * b[3 * j + 2];
      assert.ok(Math.abs(d - (i === j ? 2 * Math.PI : 0)) < 1e-12);
    }
  const w = cellWidths([4, 0, 0, 0, 5, 0, 1, 1, 6]);
  // a2×a3 = (30, 0, −5): width along a1 = V/|a2×a3| = 120/√925; a1×a2 = (0,0,20): width along a3 = 6
  assert.ok(Math.abs(w[2] - 6) < 1e-12 && Math.abs(w[0] - 120 / Math.sqrt(925)) < 1e-12);
});

test('Rng is reproducible and roughly uniform/normal', () => {
  const a = new Rng(42), b = new Rng(42);
  let sum = 0, sq = 0;
  for (let i = 0; i < 20000; i++) {
    const x = a.normal();
    assert.equal(x, b.normal());
    sum += x;
    sq += x * x;
  }
  assert.ok(Math.abs(sum / 20000) < 0.03 && Math.abs(sq / 20000 - 1) < 0.05);
});

test('Rng state round-trips: a restored generator continues the same stream (uniforms and the cached normal)', () => {
  const a = new Rng(12345);
  for (let k = 0; k < 1001; k++) a.normal(); // odd count: a cached normal deviate is pending
  const saved = JSON.parse(JSON.stringify(a.getState())) as ReturnType<Rng['getState']>;
  assert.ok(saved.words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32));
  const b = new Rng(1);
  b.setState(saved);
  for (let k = 0; k < 100; k++) assert.equal(b.normal(), a.normal());
  assert.throws(() => b.setState({ words: [0, 0, 0, 0], spare: null }), /not all zero/);
});
