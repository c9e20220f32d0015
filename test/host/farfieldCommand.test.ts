/**
 * The command a task starts (host/executor `farfieldCommand`): FARFIELD_CLI when set (a bad value refused), else this
 * installation's CLI — from the TypeScript sources `node --import <tsx> src/cli/main.ts`, from compiled JavaScript
 * `node …/cli/main.js` beside it — which must start from any directory. scripts/run-tests.mjs compiles the tests and
 * sets FARFIELD_CLI for the other tests, so the source default is checked here in a child run through tsx.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { farfieldCommand, CLI_NODE_OPTIONS } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('farfieldCommand from the sources: node --import tsx src/cli/main.ts, and it runs from another directory', () => {
  const host = pathToFileURL(join(REPO_ROOT, 'src', 'host', 'index.ts')).href;
  const script = `import { farfieldCommand } from ${JSON.stringify(host)}; console.log(JSON.stringify(farfieldCommand()));`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FARFIELD_CLI;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const cmd = JSON.parse(r.stdout) as string[];
  assert.deepEqual([cmd[0], cmd[2], cmd[cmd.length - 1]], [process.execPath, '--import', join(REPO_ROOT, 'src', 'cli', 'main.ts')]);
  assert.equal(cmd[1], '--no-concurrent-recompilation');
  const v = spawnSync(cmd[0], [...cmd.slice(1), '--version'], { cwd: tmpdir(), env, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), '0.1.0');
});

test('farfieldCommand: FARFIELD_CLI when set, a bad FARFIELD_CLI refused', () => {
  const saved = process.env.FARFIELD_CLI;
  try {
    process.env.FARFIELD_CLI = JSON.stringify(['node', '/opt/farfield/bin/farfield.js']);
    assert.deepEqual(farfieldCommand(), ['node', '/opt/farfield/bin/farfield.js']);
    process.env.FARFIELD_CLI = 'node farfield';
    assert.throws(() => farfieldCommand(), /FARFIELD_CLI must be a JSON array of strings/);
    delete process.env.FARFIELD_CLI;
    const cmd = farfieldCommand(); // this module's own kind: main.ts through tsx, or the compiled main.js
    const v = spawnSync(cmd[0], [...cmd.slice(1), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), '0.1.0');
  } finally {
    if (saved === undefined) delete process.env.FARFIELD_CLI;
    else process.env.FARFIELD_CLI = saved;
  }
});

test('every CLI process runs without concurrent recompilation: the tasks\' command and bin/farfield.js\'s shebang', () => {
  // nodejs/node#54918: with concurrent TurboFan jobs a short Node 20 process can deadlock at exit (CLI_NODE_OPTIONS)
  assert.deepEqual([...CLI_NODE_OPTIONS], ['--no-concurrent-recompilation']);
  const saved = process.env.FARFIELD_CLI;
  try {
    delete process.env.FARFIELD_CLI;
    const cmd = farfieldCommand();
    assert.deepEqual(cmd.slice(1, 1 + CLI_NODE_OPTIONS.length), [...CLI_NODE_OPTIONS]);
  } finally {
    if (saved !== undefined) process.env.FARFIELD_CLI = saved;
  }
  const bin = join(REPO_ROOT, 'bin', 'farfield.js');
  const shebang = readFileSync(bin, 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${CLI_NODE_OPTIONS.join(' ')}`);
  // the shebang works: the file runs as an executable (env -S splits the options)
  const v = spawnSync(bin, ['--version'], { cwd: tmpdir(), encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), '0.1.0');
});
