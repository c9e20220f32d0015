/**
 * Writes that the OS cuts short (issue 13 items 4 and 6): under a file-size limit (`ulimit -f`, so write(2) returns
 * a short count and then EFBIG) every writing command must exit non-zero with a message naming the file, the bytes
 * written and the errno, keep a previous file of the same name byte for byte, and leave no temporary file; the live
 * MD trajectory must end on a complete frame (readable), not on half a frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStructures } from '../../src/api/index.js';
import { runCliLimited } from '../helpers/cli.js';
import { TINY_HYPERS, writeSmallSet, writeTinyModel } from '../helpers/tinyModel.js';

const PREVIOUS = 'previous content: must survive a failed write\n';

function temps(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.tmp-'));
}

test('short writes: convert, fit -o, predict -o, label -o fail clearly, keep the previous file, leave no temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-short-'));
  try {
    const small = writeSmallSet(dir, 3);
    const model = await writeTinyModel(dir);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 }, descriptorHypers: TINY_HYPERS }));
    const cases: [string, string[]][] = [
      ['out.xyz', ['convert', small, join(dir, 'out.xyz')]],
      ['m.json', ['fit', small, '-o', join(dir, 'm.json'), '--config', cfg]],
      ['pred.xyz', ['predict', model, small, '-o', join(dir, 'pred.xyz')]],
      ['lab.xyz', ['label', '--engine', 'fumi-tosi', small, '-o', join(dir, 'lab.xyz')]],
    ];
    for (const [name, args] of cases) {
      const target = join(dir, name);
      writeFileSync(target, PREVIOUS);
      const r = runCliLimited(args, 8);
      assert.notEqual(r.code, 0, `${args[0]}: exit code must be non-zero (stdout: ${r.out})`);
      assert.match(r.err, new RegExp(`${name}.*EFBIG.*after \\d+ bytes.*previous file is unchanged`), `${args[0]}: ${r.err}`);
      assert.equal(readFileSync(target, 'utf8'), PREVIOUS, `${args[0]}: previous file replaced`);
      assert.deepEqual(temps(dir), [], `${args[0]}: temporary file left`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('md -o under a file-size limit: non-zero exit, the trajectory is truncated to whole frames and stays readable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-short-md-'));
  try {
    const small = writeSmallSet(dir, 1);
    const traj = join(dir, 'traj.xyz');
    const r = runCliLimited(['md', '--calculator', 'fumi-tosi', small, '--steps', '20', '--dt', '1', '--every', '1', '-o', traj], 16);
    assert.notEqual(r.code, 0);
    const m = /EFBIG.*truncated back to its (\d+) complete frames? \((\d+) bytes\)/.exec(r.err);
    assert.ok(m, r.err);
    const kept = Number(m[1]);
    assert.ok(kept >= 1);
    assert.equal(statSync(traj).size, Number(m[2]));
    const frames = loadStructures(traj).structures;
    assert.equal(frames.length, kept);
    for (const f of frames) assert.equal(f.species.length, 64);
    assert.deepEqual(temps(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
