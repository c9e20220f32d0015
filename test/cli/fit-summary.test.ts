/**
 * `farfield fit` prints the kernel on its summary line without the fitted whitening arrays (an sr+lr model's
 * `center`/`transform` are thousands of numbers): they are replaced by their shape; everything else is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSummary } from '../../src/cli/commands/fit.js';

test('fit summary line: whitening center/transform shown as shapes, other hyperparameters kept', () => {
  const spec = {
    kind: 'block',
    hypers: { parts: [
      { kernel: { kind: 'polynomial', hypers: { zeta: 4 } } },
      { kernel: { kind: 'linear', hypers: { whiten: true, whitenShrink: 1e-4, center: [0.125, 0.25, 0.375], transform: [[1.5, 0, 0], [0, 2.5, 0]] } } },
    ] },
  };
  const s = kernelSummary(spec);
  assert.match(s, /"center":"\[3\]"/);
  assert.match(s, /"transform":"\[2×3\]"/);
  assert.match(s, /"zeta":4/);
  assert.match(s, /"whitenShrink":0\.0001/);
  assert.doesNotMatch(s, /0\.375|2\.5/);
});
