/**
 * Proves O(N) memory of the split LODE paths at N = 4096 (issue 5): child processes run 'lode' (split, k-vector long
 * part; 'lode-pme' is available in the probe) and 'lode-ms' (split, l ≤ 2) on rattled rock-salt supercells of 512 and 4096 atoms and report the
 * rise of their peak RSS across compute + backward (memoryProbe.ts). The rise must stay below the per-atom limit at
 * 4096 atoms (one N × N Float64Array alone is 32 kB per atom) and grow by less than 16× for 8× the atoms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';

function probe(reps: number, kind: string): { atoms: number; growthBytes: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/descriptors/lode/memoryProbe.ts'), String(reps), kind], { encoding: 'utf8', cwd: REPO_ROOT });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// (the PME long part goes through the same engine path as 'fkk-pme', whose memory test is in ../longRange)
for (const [kind, limit] of [['lode-split', 4096], ['lode-ms', 8192]] as const)
  test(`${kind}: forward + reverse pass memory is O(N) (512 → 4096 atoms)`, () => {
    const small = probe(4, kind), big = probe(8, kind);
    assert.equal(big.atoms, 4096);
    const perAtom = big.growthBytes / big.atoms;
    console.log(`${kind}: peak RSS rise ${(small.growthBytes / 2 ** 20).toFixed(1)} MB (512 atoms), ${(big.growthBytes / 2 ** 20).toFixed(1)} MB (4096 atoms) = ${(perAtom / 1024).toFixed(2)} kB/atom`);
    assert.ok(perAtom < limit, `${perAtom.toFixed(0)} bytes per atom`);
    assert.ok(big.growthBytes < 16 * Math.max(small.growthBytes, 1 << 20), `growth ${small.growthBytes} → ${big.growthBytes}`);
  });
