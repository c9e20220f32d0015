/**
 * A misspelled hyperparameter of a descriptor or kernel is refused with the closest known name (issue 13 item 7:
 * configs fail early and say what was meant), for the short-range, FKK and LODE descriptors and the linear kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDescriptor } from '../../src/descriptors/index.js';
import { createKernel } from '../../src/model/index.js';
import { closestName, levenshtein } from '../../src/core/index.js';

test('descriptor and kernel hyperparameters: unknown names suggest the closest known one', () => {
  const species = ['Na', 'Cl'];
  assert.throws(() => createDescriptor({ kind: 'radial', species, hypers: { cutofA: 4 } }), /unknown hyperparameter\(s\) cutofA; did you mean 'cutoffA'\?/);
  assert.throws(() => createDescriptor({ kind: 'fkk', species, hypers: { cout: 4 } }), /unknown hyperparameter 'cout'; did you mean 'count'\?/);
  assert.throws(() => createKernel({ kind: 'linear', hypers: { whitenShrnk: 1e-4 } }), /unknown hyperparameter 'whitenShrnk'; did you mean 'whitenShrink'\?/);
  // the distance itself: textbook values
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(closestName('selecton', ['solver', 'selection', 'kernel']), 'selection');
});
