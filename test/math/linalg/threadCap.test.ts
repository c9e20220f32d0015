/**
 * setLinalgThreadCap: caps the thread count getLinalg()/symmetricEigen use by default (explicit options still win),
 * returns the previous cap for restoring it, and rejects anything but 1, 2 or null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { getLinalg, linalgDefaultThreads, setLinalgThreadCap, wasmLinalgAvailable } from '../../../src/math/index.js';
import { FarfieldError } from '../../../src/core/index.js';

test('cap 1: the default linalg is single-threaded; the previous cap comes back; explicit threads are honoured', () => {
  const platform = availableParallelism() >= 2 ? 2 : 1;
  assert.equal(linalgDefaultThreads(), platform);
  const prev = setLinalgThreadCap(1);
  try {
    assert.equal(prev, null);
    assert.equal(linalgDefaultThreads(), 1);
    if (wasmLinalgAvailable()) {
      assert.equal((getLinalg() as unknown as { threads: number }).threads, 1);
      // an explicit request is not capped (it may still fall back to 1 when no helper can start)
      assert.ok([1, 2].includes((getLinalg('auto', { threads: 2 }) as unknown as { threads: number }).threads));
    }
    assert.equal(setLinalgThreadCap(2), 1);
    assert.equal(linalgDefaultThreads(), platform);
  } finally {
    setLinalgThreadCap(null);
  }
  assert.equal(linalgDefaultThreads(), platform);
  assert.throws(() => setLinalgThreadCap(3 as 1), FarfieldError);
});
