/**
 * The learning hook `labelStructuresOnCluster`: in-memory frames labelled through an executor (local processes)
 * come back in input order with the labels an in-process relabel gives, while the event loop stays free (a timer
 * set by the caller keeps firing during the run — MD could continue meanwhile).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { chunkRanges, labelStructuresOnCluster, relabelStructures } from '../../src/api/index.js';
import { randomStructure } from '../model/helpers/data.js';

test('chunks are contiguous with sizes differing by at most one', () => {
  assert.deepEqual(chunkRanges(7, 3), [{ lo: 0, hi: 2 }, { lo: 2, hi: 4 }, { lo: 4, hi: 7 }]);
  assert.deepEqual(chunkRanges(2, 5), [{ lo: 0, hi: 1 }, { lo: 1, hi: 2 }]);
});

test('labelStructuresOnCluster: labelled frames in input order, equal to an in-process relabel; the event loop stays free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-batch-'));
  try {
    const rng = new Rng(4);
    const frames = Array.from({ length: 4 }, () => randomStructure(rng, 16, 8.5, ['Na', 'Cl'], 2.2));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const r = await labelStructuresOnCluster(frames, { name: 'b1', workdir: dir, engine: 'fumi-tosi', chunks: 2, cluster: { scheduler: 'local', onLog: () => {} } });
    clearInterval(timer);
    assert.ok(ticks >= 3, `the caller's timer fired ${ticks} times during the run`);
    const expected = relabelStructures(frames, { engine: 'fumi-tosi' });
    assert.equal(r.structures.length, 4);
    r.structures.forEach((s, k) => {
      assert.deepEqual(Array.from(s.positions), Array.from(frames[k].positions));
      assert.equal(s.labels.energyEv, expected[k].labels.energyEv);
      assert.deepEqual(Array.from(s.labels.forcesEvPerA!), Array.from(expected[k].labels.forcesEvPerA!));
    });
    assert.deepEqual(r.summary.submitted, [0, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
