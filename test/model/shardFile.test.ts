/**
 * Shard files of the map–reduce fit: exact round trip, refusal of corrupted / truncated / foreign files, and the
 * reduction as a fixed-order sum (the same bits as adding the shards one after another by hand).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Rng } from '../../src/core/index.js';
import { decodeNormalShard, decodeShardFile, encodeNormalShard, encodeShardFile, reduceNormalShards, type FitNormalEquations } from '../../src/model/index.js';

function randomNormal(rng: Rng, m: number): FitNormalEquations {
  const ata = new Float64Array(m * m), atb = new Float64Array(m);
  for (let k = 0; k < ata.length; k++) ata[k] = rng.normal() * 10 ** (3 * rng.normal());
  for (let k = 0; k < m; k++) atb[k] = rng.normal();
  return { ata, atb, yy: rng.uniform() * 7, rows: 123, rowCount: { energy: 3, forces: 114, stress: 6 } };
}

test('normal-equation shard files round-trip bit for bit and carry plan and shard', () => {
  const ne = randomNormal(new Rng(3), 7);
  const bytes = encodeNormalShard('p1', 2, ne);
  const back = decodeNormalShard(bytes, 'normal-2.bin', 'p1', 2);
  assert.deepEqual(Array.from(back.ata), Array.from(ne.ata));
  assert.deepEqual(Array.from(back.atb), Array.from(ne.atb));
  assert.equal(back.yy, ne.yy);
  assert.deepEqual(back.rowCount, ne.rowCount);
  assert.throws(() => decodeNormalShard(bytes, 'normal-2.bin', 'p2', 2), /normal-2\.bin: .*belongs to plan p1, not p2/);
  assert.throws(() => decodeNormalShard(bytes, 'normal-2.bin', 'p1', 1), /holds shard 2, expected 1/);
  assert.throws(() => decodeShardFile(bytes, 'normal-2.bin', { kind: 'features', plan: 'p1' }), /holds 'normal'/);
});

test('a flipped bit or a truncated file is refused by the checksum', () => {
  const bytes = encodeShardFile({ kind: 'features', plan: 'p' }, [Float64Array.from([1, 2, 3]), new Float64Array(0), Float64Array.from([4])]);
  assert.deepEqual(decodeShardFile(bytes, 'f.bin', { kind: 'features', plan: 'p' }).arrays.map((a) => Array.from(a)), [[1, 2, 3], [], [4]]);
  for (const pos of [3, 20, bytes.length - 40, bytes.length - 1]) {
    const bad = bytes.slice();
    bad[pos] ^= 1;
    assert.throws(() => decodeShardFile(bad, 'f.bin', { kind: 'features', plan: 'p' }), /f\.bin: not a valid features shard file/);
  }
  assert.throws(() => decodeShardFile(bytes.subarray(0, bytes.length - 8), 'f.bin', { kind: 'features', plan: 'p' }), /checksum mismatch/);
});

test('the reduction is the sum in shard order (same bits as sequential addition), independent of nothing else', () => {
  const rng = new Rng(11);
  const parts = [randomNormal(rng, 5), randomNormal(rng, 5), randomNormal(rng, 5)];
  const r = reduceNormalShards(parts);
  for (let k = 0; k < 25; k++) assert.equal(r.ata[k], (parts[0].ata[k] + parts[1].ata[k]) + parts[2].ata[k]);
  assert.equal(r.yy, (parts[0].yy + parts[1].yy) + parts[2].yy);
  assert.deepEqual(r.rowCount, { energy: 9, forces: 342, stress: 18 });
  assert.equal(r.rows, 369);
  assert.throws(() => reduceNormalShards([parts[0], randomNormal(rng, 4)]), /shard 1 has 4 unknowns, shard 0 has 5/);
});

test('the digest is plain SHA-256: files written with node:crypto decode with the portable digest and back', () => {
  const nodeDigest = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
  const arrays = [Float64Array.from({ length: 1000 }, (_, k) => Math.sin(k))];
  const a = encodeShardFile({ kind: 'features', plan: 'p' }, arrays, nodeDigest);
  assert.deepEqual(a, encodeShardFile({ kind: 'features', plan: 'p' }, arrays));
  assert.deepEqual(Array.from(decodeShardFile(a, 'f.bin', { kind: 'features', plan: 'p' }).arrays[0]), Array.from(arrays[0]));
  assert.deepEqual(Array.from(decodeShardFile(a, 'f.bin', { kind: 'features', plan: 'p' }, nodeDigest).arrays[0]), Array.from(arrays[0]));
});
