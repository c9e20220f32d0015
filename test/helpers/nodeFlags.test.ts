/**
 * The Node processes of the tests run without concurrent TurboFan recompilation (scripts/run-tests.mjs NODE_FLAGS,
 * test/helpers/cli.ts TEST_NODE_FLAGS): with it, a short process can deadlock at the end of its event loop
 * (nodejs/node#54918; gdb on a hung test batch: the main thread in NodePlatform::DrainTasks, a TurboFan job in
 * CollectionBarrier::AwaitCollectionBackground). These checks fail when the flag is dropped from the runner, from the
 * CLI the tests start, or from the command the executors' tasks start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI_NODE_ARGS, TEST_NODE_FLAGS } from './cli.js';
import { COMPILED } from './paths.js';

const FLAG = '--no-concurrent-recompilation';

test('node flags: the runner starts test processes without concurrent recompilation', {
  skip: COMPILED && process.env.FARFIELD_TEST === '1' ? false : 'not started by scripts/run-tests.mjs',
}, () => {
  assert.ok(process.execArgv.includes(FLAG), `execArgv ${JSON.stringify(process.execArgv)}`);
  const cli = JSON.parse(process.env.FARFIELD_CLI ?? '[]') as string[];
  assert.ok(cli.includes(FLAG), `FARFIELD_CLI ${process.env.FARFIELD_CLI}`);
});

test('node flags: the CLI the tests start has them, and Node accepts them', () => {
  assert.ok(TEST_NODE_FLAGS.includes(FLAG));
  assert.deepEqual(CLI_NODE_ARGS.slice(0, TEST_NODE_FLAGS.length), [...TEST_NODE_FLAGS]);
  // this Node knows the option (it refuses unknown ones: "bad option", exit 9)
  const r = spawnSync(process.execPath, [...TEST_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ok');
  assert.equal(r.stderr, '');
});
