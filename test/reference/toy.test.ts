/**
 * Toy point-charge dataset (science.md §4.8): reproducible from its seed, geometry constraints hold, labels are the
 * Ewald values of the charges, and the committed data/toy.xyz is what `farfield dataset toy --n 200 --atoms 64
 * --seed 1` makes (its first frames regenerated here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { pointCharges, toyDataset } from '../../src/reference/index.js';
import { generateToyDataset } from '../../src/api/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('same seed → same frames; different seed → different frames', () => {
  const a = toyDataset({ n: 2, atoms: 16, seed: 5 });
  const b = toyDataset({ n: 2, atoms: 16, seed: 5 });
  const c = toyDataset({ n: 2, atoms: 16, seed: 6 });
  assert.deepEqual(Array.from(a[1].positions), Array.from(b[1].positions));
  assert.equal(a[1].labels.energyEv, b[1].labels.energyEv);
  assert.notDeepEqual(Array.from(a[0].positions), Array.from(c[0].positions));
});

test('geometry: half +1 / half −1, minimum-image separation ≥ 2 Å, cubic edge in [11, 15] Å for 64 atoms', () => {
  for (const s of toyDataset({ n: 3, atoms: 64, seed: 2 })) {
    const L = s.cell[0];
    assert.ok(L >= 11 && L <= 15);
    assert.deepEqual([s.cell[1], s.cell[2], s.cell[3], s.cell[4], s.cell[5], s.cell[6], s.cell[7], s.cell[8]], [0, 0, 0, L, 0, 0, 0, L]);
    const q = s.labels.charges!;
    assert.equal(q.reduce((t, x) => t + x, 0), 0);
    assert.equal(q.filter((x) => x === 1).length, 32);
    let dmin = Infinity;
    for (let i = 0; i < 64; i++) for (let j = 0; j < i; j++) {
      let d2 = 0;
      for (let k = 0; k < 3; k++) { let d = s.positions[3 * i + k] - s.positions[3 * j + k]; d -= L * Math.round(d / L); d2 += d * d; }
      dmin = Math.min(dmin, Math.sqrt(d2));
    }
    assert.ok(dmin >= 2, `min separation ${dmin}`);
    const r = pointCharges({ Na: 1, Cl: -1 }, { electrostatics: { accuracy: 1e-12 } }).calculate(s);
    assert.ok(Math.abs(r.energyEv - s.labels.energyEv!) < 1e-8 * Math.max(1, Math.abs(r.energyEv)));
  }
});

test('invalid requests are refused with clear messages', () => {
  assert.throws(() => toyDataset({ n: 1, atoms: 7, seed: 1 }), /even/);
  assert.throws(() => toyDataset({ n: 0, atoms: 8, seed: 1 }), /positive integer/);
  assert.throws(() => toyDataset({ n: 1, atoms: 64, seed: 1, edgeMinA: 5, edgeMaxA: 5 }), /cannot place/);
});

test('data/toy.xyz is reproduced by the generator (seed 1, 64 atoms): first 3 frames', { skip: existsSync(join(REPO_ROOT, 'data', 'toy.xyz')) ? false : 'data/toy.xyz not present' }, () => {
  const committed = readStructures(join(REPO_ROOT, 'data', 'toy.xyz'));
  assert.equal(committed.length, 200);
  const dir = mkdtempSync(join(tmpdir(), 'farfield-toy-'));
  try {
    const out = join(dir, 'toy.xyz');
    generateToyDataset({ n: 3, atoms: 64, seed: 1, output: out });
    const fresh = readStructures(out);
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(Array.from(fresh[k].positions), Array.from(committed[k].positions));
      // Positions come from the seeded RNG alone: bit-identical. Labels are Ewald sums at relative force accuracy
      // 1e-10: compare them at that accuracy, so a change of summation order in the engine does not break the test.
      const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
        let scale = 0;
        for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
        for (let i = 0; i < b.length; i++)
          assert.ok(Math.abs(a[i] - b[i]) <= 1e-9 * scale, `${what}[${i}]: ${a[i]} vs committed ${b[i]}`);
      };
      close([fresh[k].labels.energyEv!], [committed[k].labels.energyEv!], `frame ${k} energy`);
      close(fresh[k].labels.forcesEvPerA!, committed[k].labels.forcesEvPerA!, `frame ${k} forces`);
      close(fresh[k].labels.stressEvPerA3!, committed[k].labels.stressEvPerA3!, `frame ${k} stress`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
