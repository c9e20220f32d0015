/**
 * One name per concept in descriptor hypers (docs/conventions.md): `smearingA` (was `sigmaA` in fkk, lode, lode-ms)
 * and `splitWidthA` (was `splitSigmaA` in lode, lode-ms). The old spellings are read as the new ones for one release,
 * with a warning; both spellings at once are refused; the hypers written back (toJSON) use the new names only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDescriptor, DEPRECATED_HYPERS, renameDeprecatedHypers } from '../../src/descriptors/index.js';

test('old hyperparameter spellings give the same descriptor as the new ones; toJSON writes the new names', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['fkk', { sigmaA: 0.4, count: 2 }, { smearingA: 0.4, count: 2 }],
    ['lode', { sigmaA: 0.4, method: 'split', splitSigmaA: 1.2 }, { smearingA: 0.4, method: 'split', splitWidthA: 1.2 }],
    ['lode-ms', { sigmaA: 0.4, method: 'split', splitSigmaA: 1.2 }, { smearingA: 0.4, method: 'split', splitWidthA: 1.2 }],
  ];
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (const [kind, old, now] of cases) {
      const a = createDescriptor({ kind, species: ['Na', 'Cl'], hypers: old }).toJSON();
      const b = createDescriptor({ kind, species: ['Na', 'Cl'], hypers: now }).toJSON();
      assert.deepEqual(a, b, kind);
      assert.doesNotMatch(JSON.stringify(a), /sigmaA|splitSigmaA/, kind);
    }
  } finally {
    console.warn = warn;
  }
});

test('renameDeprecatedHypers: warns for each renamed key, copies, refuses old and new together', () => {
  assert.deepEqual(DEPRECATED_HYPERS, { sigmaA: 'smearingA', splitSigmaA: 'splitWidthA', kCutoff: 'kCutoffPerA' });
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void seen.push(a.join(' '));
  try {
    const h = { sigmaA: 0.3, count: 2 };
    assert.deepEqual(renameDeprecatedHypers(h, 'test descriptor A'), { smearingA: 0.3, count: 2 });
    assert.deepEqual(h, { sigmaA: 0.3, count: 2 }, 'the caller\'s object is not changed');
    assert.equal(seen.length, 1, seen.join('\n'));
    assert.match(seen[0], /test descriptor A: hyperparameter 'sigmaA' is deprecated, read as 'smearingA'/);
    const plain = { smearingA: 0.3 };
    assert.equal(renameDeprecatedHypers(plain, 'x'), plain);
    assert.equal(seen.length, 1, 'no warning without an old name');
    assert.throws(() => renameDeprecatedHypers({ sigmaA: 0.3, smearingA: 0.3 }, 'test descriptor B'), /'sigmaA' and 'smearingA' are the same hyperparameter/);
  } finally {
    console.warn = warn;
  }
});
