/**
 * The command a task starts (host/executor `farfieldCommand`): FARFIELD_CLI when set, else this installation's CLI —
 * from the TypeScript sources (as here) `node --import <tsx> src/cli/main.ts`, which must start from any directory.
 * scripts/run-tests.mjs sets FARFIELD_CLI to the compiled CLI for the other tests, so the default is checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { farfieldCommand } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('farfieldCommand: the sources through tsx by default (runs from another directory), FARFIELD_CLI when set, a bad FARFIELD_CLI refused', () => {
  const saved = process.env.FARFIELD_CLI;
  try {
    delete process.env.FARFIELD_CLI;
    const cmd = farfieldCommand();
    assert.deepEqual([cmd[0], cmd[1], cmd[cmd.length - 1]], [process.execPath, '--import', join(REPO_ROOT, 'src', 'cli', 'main.ts')]);
    const r = spawnSync(cmd[0], [...cmd.slice(1), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0.1.0');
    process.env.FARFIELD_CLI = JSON.stringify(['node', '/opt/farfield/bin/farfield.js']);
    assert.deepEqual(farfieldCommand(), ['node', '/opt/farfield/bin/farfield.js']);
    process.env.FARFIELD_CLI = 'node farfield';
    assert.throws(() => farfieldCommand(), /FARFIELD_CLI must be a JSON array of strings/);
  } finally {
    if (saved === undefined) delete process.env.FARFIELD_CLI;
    else process.env.FARFIELD_CLI = saved;
  }
});
