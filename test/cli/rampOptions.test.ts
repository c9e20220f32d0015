/**
 * `--temperature A:B` / `--pressure A:B` (cli/options.ts numOrRamp): a number or a ramp of two numbers; a malformed ramp
 * names the whole value and the ramp form, not just the bad half.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numOrRamp } from '../../src/cli/options.js';

test('numOrRamp: a number, a ramp A:B, and malformed ramps named whole', () => {
  assert.deepEqual(numOrRamp('300', 'temperature'), [300, undefined]);
  assert.deepEqual(numOrRamp('300:1800', 'temperature'), [300, 1800]);
  assert.deepEqual(numOrRamp('-1:2.5e0', 'pressure'), [-1, 2.5]);
  for (const v of ['300:x', ':5', '300:', '1:2:3'])
    assert.throws(() => numOrRamp(v, 'temperature'), (e: Error) => e.message.includes(`--temperature expects a number or a ramp A:B`) && e.message.includes(`'${v}'`), v);
  assert.throws(() => numOrRamp('abc', 'temperature'), /--temperature expects a number, got 'abc'/);
});
