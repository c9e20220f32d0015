/** math/worker.ts: the shared worker-thread primitive (a source string on a Node worker, data by structured clone). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canBlock, spawnNodeWorker } from '../../src/math/index.js';

test('a spawned worker receives workerData and reports through shared memory; Node main thread can block', () => {
  assert.equal(canBlock(), true);
  const control = new SharedArrayBuffer(8);
  const source = `const { workerData } = process.getBuiltinModule('node:worker_threads');
const i32 = new Int32Array(workerData.control);
Atomics.store(i32, 1, workerData.value * 2);
Atomics.store(i32, 0, 1);
Atomics.notify(i32, 0);`;
  const w = spawnNodeWorker(source, { control, value: 21 }, { execArgv: [] });
  assert.ok(w);
  const i32 = new Int32Array(control);
  const t0 = Date.now();
  while (Atomics.load(i32, 0) === 0 && Date.now() - t0 < 20000) Atomics.wait(i32, 0, 0, 100);
  w.terminate();
  assert.equal(Atomics.load(i32, 1), 42);
});

test('a worker whose source throws does not crash the caller (its error event is swallowed)', async () => {
  const w = spawnNodeWorker(`throw new Error('boom')`, null, { execArgv: [] });
  assert.ok(w);
  await new Promise((r) => setTimeout(r, 300));
  w.terminate();
});
