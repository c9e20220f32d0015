/**
 * Proves O(N) memory of the long-range forward + reverse passes at N = 4096 (issue 5): child processes run FKK and
 * LODE on rattled rock-salt supercells of 512 and 4096 atoms and report the rise of their peak RSS across compute +
 * backward. The rise must stay below 4 kB per atom at 4096 atoms (one N × N Float64Array alone would be 32 kB per
 * atom = 134 MB, per-(centre, atom) position derivatives three times that), and must grow by less than 16× for 8×
 * the atoms (quadratic storage would grow 64×). Timing is not asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';

function probe(reps: number, kind: string, extra: string[] = []): { atoms: number; growthBytes: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/descriptors/longRange/memoryProbe.ts'), String(reps), kind, ...extra], { encoding: 'utf8', cwd: REPO_ROOT });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// The PME path holds a few real meshes and half spectra of M ∝ V points (the engine's PME; 63 MB at 4096 atoms and
// accuracy 1e-6): O(N) — the growth check proves it — but more per atom than the k-vector path.
for (const [kind, limit] of [['fkk', 4096], ['lode', 4096], ['fkk-pme', 24576]] as const)
  test(`${kind}: forward + reverse pass memory is O(N) (512 → 4096 atoms)`, () => {
    const small = probe(4, kind), big = probe(8, kind);
    assert.equal(big.atoms, 4096);
    const perAtom = big.growthBytes / big.atoms;
    console.log(`${kind}: peak RSS rise ${(small.growthBytes / 2 ** 20).toFixed(1)} MB (512 atoms), ${(big.growthBytes / 2 ** 20).toFixed(1)} MB (4096 atoms) = ${(perAtom / 1024).toFixed(2)} kB/atom`);
    assert.ok(perAtom < limit, `${perAtom.toFixed(0)} bytes per atom`);
    assert.ok(big.growthBytes < 16 * Math.max(small.growthBytes, 1 << 20), `growth ${small.growthBytes} → ${big.growthBytes}`);
  });

test('meta: the probe detects one N × N array at N = 4096', () => {
  const dense = probe(8, 'fkk', ['dense']);
  assert.ok(dense.growthBytes / dense.atoms > 4096, `dense storage went unnoticed: ${dense.growthBytes} bytes`);
});
