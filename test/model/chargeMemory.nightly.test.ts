/**
 * O(N) memory of the learned-charge models at N = 4096 (issue 18): child processes (chargeMemoryProbe.ts) run
 * sr+q and sr+qeq (descriptor forward + reverse, PME, and for sr+qeq the CG charge equilibration) and the QEq solve
 * alone on rattled rock-salt supercells of 512 and 4096 atoms and report the rise of their peak RSS. The QEq solve
 * must stay below 4 kB per atom at 4096 atoms (its N × N matrix alone would be 32 kB per atom = 134 MB); every
 * probe must grow by less than 16× for 8× the atoms (quadratic storage would grow 64×). Timing is not asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

function probe(reps: number, kind: string): { atoms: number; growthBytes: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/model/chargeMemoryProbe.ts'), String(reps), kind], { encoding: 'utf8', cwd: REPO_ROOT });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const [kind, perAtomLimit] of [['qeq', 4096], ['sr+q', Infinity], ['sr+qeq', Infinity]] as const)
  test(`${kind}: memory is O(N) (512 → 4096 atoms)${Number.isFinite(perAtomLimit) ? ', < 4 kB/atom' : ''}`, () => {
    const small = probe(4, kind), big = probe(8, kind);
    assert.equal(big.atoms, 4096);
    const perAtom = big.growthBytes / big.atoms;
    console.log(`${kind}: peak RSS rise ${(small.growthBytes / 2 ** 20).toFixed(1)} MB (512 atoms), ${(big.growthBytes / 2 ** 20).toFixed(1)} MB (4096 atoms) = ${(perAtom / 1024).toFixed(2)} kB/atom`);
    assert.ok(perAtom < perAtomLimit, `${perAtom.toFixed(0)} bytes per atom`);
    assert.ok(big.growthBytes < 16 * Math.max(small.growthBytes, 1 << 20), `growth ${small.growthBytes} → ${big.growthBytes}`);
  });
