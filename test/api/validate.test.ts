/**
 * Up-front configuration checks (issue 13 item 7): misspelled keys are errors naming the closest known key, an
 * unknown solver/kernel/selection is refused before any work, valid configurations pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, compareModels, fitModel, levenshtein, validateFitConfig } from '../../src/api/index.js';

test('levenshtein: textbook distances', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3); // k→s, e→i, +g
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(levenshtein('abc', 'abc'), 0);
  assert.equal(levenshtein('flaw', 'lawn'), 2);
  assert.equal(levenshtein('selecton', 'selection'), 1);
  assert.equal(closestName('selecton', ['solver', 'selection', 'species']), 'selection');
  assert.equal(closestName('x', []), undefined);
});

test('validateFitConfig: unknown keys at every level name the closest known key', () => {
  const cases: [unknown, RegExp][] = [
    [{ selecton: { count: 4 } }, /unknown key 'selecton'; did you mean 'selection'\?/],
    [{ selection: { cout: 4 } }, /selection: unknown key 'cout'; did you mean 'count'\?/],
    [{ solver: { kind: 'bayesian' } }, /unknown solver kind 'bayesian'; did you mean 'bayes'\?/],
    [{ solver: { kind: 'ridge', lamda: 1e-6 } }, /unknown key 'lamda'; did you mean 'lambda'\?/],
    [{ solver: {} }, /'kind' is required/],
    [{ kernel: { kind: 'polynomal' } }, /unknown kernel kind 'polynomal'; did you mean 'polynomial'\?/],
    [{ selection: { method: 'fsp' } }, /unknown selection method 'fsp'; did you mean 'fps'\?/],
    [{ weights: { force: 1 } }, /unknown key 'force'; did you mean 'forces'\?/],
    [{ weights: { energy: -1 } }, /weights\.energy must be a number ≥ 0/],
    [{ uncertainty: 'yes' }, /'uncertainty' must be true or false/],
    [[], /must be a JSON object/],
  ];
  for (const [cfg, re] of cases) assert.throws(() => validateFitConfig(cfg), re, JSON.stringify(cfg));
  validateFitConfig({});
  validateFitConfig({
    descriptors: 'sr', descriptorHypers: {}, kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, balance: true,
    selection: { method: 'cur', count: { Na: 10, Cl: 12 }, seed: 3, epsCur: 1e-10, blockSize: 500 },
    weights: { energy: 1, forces: 0, stress: 0.1 }, solver: { kind: 'bayes', sigmaV0: 1, maxIterations: 10 }, uncertainty: false, batch: 16, threads: 1,
  });
});

test('fitModel and compareModels refuse a bad configuration before reading or computing anything', async () => {
  // fitModel with no structures would fail later with "no training structures"; the config error must come first
  await assert.rejects(() => fitModel([], { selecton: { count: 4 } } as never), /did you mean 'selection'/);
  await assert.rejects(() => fitModel([], { solver: { kind: 'bayesian' } as never }), /unknown solver kind 'bayesian'/);
  // compareModels on a file that does not exist: the config error comes before the read
  await assert.rejects(() => compareModels({ data: '/nonexistent/data.xyz', fit: { solver: { kind: 'svd', rcnd: 1 } as never } }), /unknown key 'rcnd'; did you mean 'rcond'/);
  await assert.rejects(() => compareModels({ data: '/nonexistent/data.xyz', descriptorHypers: { 'sr+lx': {} } }), /unknown model 'sr\+lx'; did you mean 'sr\+lr'/);
});
