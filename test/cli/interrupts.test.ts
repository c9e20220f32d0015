/**
 * Interrupted writes (issue 13 item 5): SIGINT/SIGTERM during `convert` of a large file must not leave the hidden
 * temporary file (`.NAME.tmp-PID-…`) behind, and the next run removes temporary files of processes that are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_ARGS } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { writeSmallSet } from '../helpers/tinyModel.js';

const temps = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tmp-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ~`mb` MB extxyz file made of copies of a few real frames. */
function bigFile(dir: string, mb: number): string {
  const text = readFileSync(writeSmallSet(dir, 3), 'utf8');
  const p = join(dir, 'big.xyz');
  writeFileSync(p, text.repeat(Math.ceil((mb * 1e6) / text.length)));
  return p;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during convert: the temporary file is removed, the previous output kept, the process ends by the signal`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-signal-'));
    try {
      const big = bigFile(dir, 40);
      const out = join(dir, 'out.xyz');
      writeFileSync(out, 'previous\n');
      const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'convert', big, out], { cwd: REPO_ROOT, stdio: 'ignore' });
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, sig) => r({ code, signal: sig })));
      const t0 = Date.now();
      while (temps(dir).length === 0 && Date.now() - t0 < 30000 && child.exitCode === null) await sleep(5);
      assert.equal(temps(dir).length, 1, 'the temporary file should exist while converting');
      child.kill(signal);
      const r = await done;
      assert.equal(r.signal, signal, `exit ${JSON.stringify(r)}`);
      assert.deepEqual(temps(dir), []);
      assert.equal(readFileSync(out, 'utf8'), 'previous\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('stale temporary files of dead processes next to the target are removed on the next write; live ones are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-stale-'));
  try {
    const small = writeSmallSet(dir, 1);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const staleName = `.out.xyz.tmp-${dead}-abcdefgh`;
    const liveName = `.out.xyz.tmp-${process.pid}-abcdefgh`;
    const otherName = `.other.xyz.tmp-${dead}-abcdefgh`;
    for (const n of [staleName, liveName, otherName]) writeFileSync(join(dir, n), 'partial');
    const r = runCli(['convert', small, join(dir, 'out.xyz')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(existsSync(join(dir, staleName)), false, 'stale temp file of a dead PID must be removed');
    assert.equal(existsSync(join(dir, liveName)), true, 'temp file of a live process must be kept');
    assert.equal(existsSync(join(dir, otherName)), true, 'temp files of other targets are not touched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
