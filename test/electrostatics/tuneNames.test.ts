// The pre-0.2 option names `alpha` and `kCutoff` (no unit in the name) are read as `alphaPerA` / `kCutoffPerA` for one
// release, with a warning; both spellings together are refused (docs/conventions.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tuneElectrostatics, type TuneOptions } from '../../src/electrostatics/index.js';

const sys = { cell: Float64Array.from([5.6, 0, 0, 0, 5.6, 0, 0, 0, 5.6]), pbc: [true, true, true] as [boolean, boolean, boolean], positions: Float64Array.from([0, 0, 0, 2.8, 2.8, 2.8]) };
const q = Float64Array.from([1, -1]);

test('tune: old option names alpha / kCutoff are read as alphaPerA / kCutoffPerA (warned); both together refused', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const now = tuneElectrostatics(sys, q, { method: 'ewald', alphaPerA: 0.4, realCutoffA: 7, kCutoffPerA: 3 });
  const old = tuneElectrostatics(sys, q, { method: 'ewald', alpha: 0.4, realCutoffA: 7, kCutoff: 3 } as TuneOptions);
  assert.equal(now.alphaPerA, 0.4);
  assert.equal(now.kCutoffPerA, 3);
  assert.deepEqual(old, now);
  assert.equal(warn.mock.callCount(), 2);
  assert.throws(() => tuneElectrostatics(sys, q, { method: 'ewald', alpha: 0.4, alphaPerA: 0.4 } as TuneOptions), /'alpha' and 'alphaPerA' are the same parameter/);
});
