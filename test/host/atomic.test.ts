/**
 * host/atomic.ts in process: a failing producer keeps the previous file and leaves no temporary file; signal hooks
 * exist only while a temporary file does; stale temporary files of dead PIDs are removed; output checks name the
 * problem. (Short writes under a real file-size limit, and signals, are tested through the CLI in test/cli.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFile, checkOutputDir, checkOutputFile, liveTempFileCount, removeStaleTempFiles, writeAtomically, writeFileAtomic } from '../../src/host/index.js';

test('atomic writes: success replaces, failure keeps the previous file; signal hooks only while a temp file exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-atomic-'));
  try {
    const p = join(dir, 'a.txt');
    const base = process.listenerCount('SIGINT');
    writeFileAtomic(p, 'one\n');
    assert.equal(readFileSync(p, 'utf8'), 'one\n');
    assert.throws(() => writeAtomically(p, (f) => {
      f.write('two');
      assert.equal(liveTempFileCount(), 1);
      assert.equal(process.listenerCount('SIGINT'), base + 1);
      throw new Error('producer failed');
    }), /producer failed/);
    assert.equal(readFileSync(p, 'utf8'), 'one\n');
    assert.equal(liveTempFileCount(), 0);
    assert.equal(process.listenerCount('SIGINT'), base);
    const f = new AtomicFile(p);
    f.writeBytes(Uint8Array.from([104, 105]));
    f.write('!');
    f.commit();
    assert.equal(readFileSync(p, 'utf8'), 'hi!');
    assert.equal(f.bytesWritten, 3);
    assert.deepEqual(readdirSync(dir), ['a.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('removeStaleTempFiles removes temp files of dead PIDs of this target only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-atomic-stale-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const names = [`.t.xyz.tmp-${dead}-x`, `.t.xyz.tmp-${process.pid}-y`, `.u.xyz.tmp-${dead}-z`, 't.xyz'];
    for (const n of names) writeFileSync(join(dir, n), '');
    assert.deepEqual(removeStaleTempFiles(join(dir, 't.xyz')), [`.t.xyz.tmp-${dead}-x`]);
    assert.deepEqual(readdirSync(dir).sort(), names.slice(1).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkOutputFile / checkOutputDir: missing directory, a file in the way, a directory as output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-atomic-check-'));
  try {
    writeFileSync(join(dir, 'file'), '');
    mkdirSync(join(dir, 'sub'));
    checkOutputFile(join(dir, 'ok.xyz'));
    assert.throws(() => checkOutputFile(join(dir, 'nope', 'x.xyz')), /directory .*nope does not exist/);
    assert.throws(() => checkOutputFile(join(dir, 'file', 'x.xyz')), /file is not a directory/);
    assert.throws(() => checkOutputFile(join(dir, 'sub')), /sub is a directory/);
    checkOutputDir(join(dir, 'new', 'deeper'));
    assert.throws(() => checkOutputDir(join(dir, 'file', 'rep')), /file is not a directory/);
    assert.equal(existsSync(join(dir, 'new')), false, 'checks create nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
