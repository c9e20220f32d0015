/**
 * Stored Gaussian-projection tables (issue 17 goal 4, model load): a projection built from a stored table has the
 * spline of a fresh tabulation bit for bit and runs no quadrature; a table of another version, key or shape is not
 * used; the table written by version 1 (test/fixtures/projection-tables/table-v1.json) is reproduced bit for bit by
 * today's tabulation — if it is not, the tabulation changed and GAUSSIAN_PROJECTION_TABLE_VERSION must be bumped
 * (model files in the wild hold version-1 tables, and the bump makes them tabulate afresh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GAUSSIAN_PROJECTION_TABLE_VERSION, GaussianProjection, clearGaussianProjectionMemo, gaussianProjection, gaussianProjectionCounts,
  recordGaussianProjections, withGaussianProjectionTables, type GaussianProjectionTable,
} from '../../../src/descriptors/radial/index.js';
import { REPO_ROOT } from '../../helpers/paths.js';

function differing(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

function fixtureTable(): GaussianProjectionTable {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'projection-tables', 'table-v1.json'), 'utf8')) as Omit<GaussianProjectionTable, 'nodes'> & { nodes: string };
  const bytes = Buffer.from(doc.nodes, 'base64');
  const nodes = new Float64Array(bytes.length / 8);
  for (let i = 0; i < nodes.length; i++) nodes[i] = bytes.readDoubleLE(8 * i);
  return { ...doc, nodes };
}

test('a projection from its stored table has the fresh spline bit for bit and needs no quadrature; a perturbed node changes it', () => {
  for (const [R, s, n, l] of [[6, 0.5, 5, 0], [4.5, 0.6, 4, 3]]) {
    const fresh = new GaussianProjection(R, s, n, l);
    const t = fresh.table();
    assert.equal(t.version, GAUSSIAN_PROJECTION_TABLE_VERSION);
    assert.equal(t.nodes.length, 3 * (t.intervals + 1) * fresh.functions);
    const stored = new GaussianProjection(R, s, n, l, {}, { ...t, nodes: t.nodes.slice() });
    assert.equal((stored as unknown as { integ: unknown }).integ, null, 'no quadrature built');
    assert.equal(stored.splineError, fresh.splineError);
    assert.equal(differing(stored.spline.packed().coefficients, fresh.spline.packed().coefficients), 0);
    const out1 = new Float64Array(fresh.functions), out2 = new Float64Array(fresh.functions);
    fresh.evaluate(1.37, out1);
    stored.evaluate(1.37, out2);
    assert.equal(differing(out1, out2), 0);
    // the spline really is built from the stored nodes: one value one ulp off changes coefficients
    const bad = t.nodes.slice();
    const k = Math.floor(bad.length / 7);
    bad[k] = bad[k] + Math.abs(bad[k]) * Number.EPSILON + Number.MIN_VALUE;
    const perturbed = new GaussianProjection(R, s, n, l, {}, { ...t, nodes: bad });
    assert.ok(differing(perturbed.spline.packed().coefficients, fresh.spline.packed().coefficients) > 0);
  }
});

test('a stored table of another version, key, tolerance or shape, or with a non-finite node, is not used (tabulated afresh)', () => {
  const fresh = new GaussianProjection(5, 0.5, 4, 1);
  const t = fresh.table();
  const junk = t.nodes.map(() => 1); // would give a visibly wrong spline if taken
  const variants: [string, GaussianProjectionTable][] = [
    ['version', { ...t, nodes: junk, version: GAUSSIAN_PROJECTION_TABLE_VERSION + 1 }],
    ['key', { ...t, nodes: junk, nmax: 5 }],
    ['tolerance', { ...t, nodes: junk, tolerance: 1e-9 }],
    ['shape', { ...t, nodes: junk.subarray(1) }],
    ['intervals', { ...t, nodes: junk, intervals: t.intervals - 1 }],
    ['non-finite', { ...t, nodes: Float64Array.from(t.nodes, (x, i) => (i === 3 ? NaN : x)) }],
    ['error above tolerance', { ...t, nodes: junk, splineError: 2e-10 }],
  ];
  for (const [what, bad] of variants) {
    const p = new GaussianProjection(5, 0.5, 4, 1, {}, bad);
    assert.notEqual((p as unknown as { integ: unknown }).integ, null, `${what}: tabulated`);
    assert.equal(differing(p.spline.packed().coefficients, fresh.spline.packed().coefficients), 0, what);
  }
});

test('withGaussianProjectionTables: a request that is not memoised takes the offered table; recordGaussianProjections lists the requests', () => {
  const fresh = new GaussianProjection(4, 0.7, 3, 2);
  const t = fresh.table();
  clearGaussianProjectionMemo();
  const before = { ...gaussianProjectionCounts };
  const { result, projections } = recordGaussianProjections(() => withGaussianProjectionTables([t], () => [gaussianProjection(4, 0.7, 3, 2), gaussianProjection(4, 0.7, 3, 2), gaussianProjection(3, 0.7, 2, 0)]));
  assert.equal(gaussianProjectionCounts.fromTable - before.fromTable, 1);
  assert.equal(gaussianProjectionCounts.tabulated - before.tabulated, 1, 'the one without a table tabulates');
  assert.equal(result[0], result[1], 'memoised');
  assert.deepEqual(projections, [result[0], result[2]]);
  assert.equal(differing(result[0].spline.packed().coefficients, fresh.spline.packed().coefficients), 0);
  assert.equal(result[0].table().nodes, t.nodes, 'the stored nodes are kept (a re-save writes them back)');
  // outside the scope nothing is offered
  clearGaussianProjectionMemo();
  const c = gaussianProjectionCounts.tabulated;
  gaussianProjection(4, 0.7, 3, 2);
  assert.equal(gaussianProjectionCounts.tabulated, c + 1);
});

test('the version-1 table fixture: today\'s tabulation reproduces it bit for bit (else bump GAUSSIAN_PROJECTION_TABLE_VERSION), or the version moved on and it is refused', () => {
  const t = fixtureTable();
  assert.equal(t.version, 1);
  const fresh = new GaussianProjection(t.cutoffA, t.smearingA, t.nmax, t.lmax, { tolerance: t.tolerance });
  const stored = new GaussianProjection(t.cutoffA, t.smearingA, t.nmax, t.lmax, { tolerance: t.tolerance }, t);
  if (GAUSSIAN_PROJECTION_TABLE_VERSION === 1) {
    assert.equal(fresh.spline.intervals, t.intervals);
    assert.equal(differing(fresh.table().nodes, t.nodes), 0, 'the tabulation changed: bump GAUSSIAN_PROJECTION_TABLE_VERSION');
    assert.equal(fresh.splineError, t.splineError);
    assert.equal((stored as unknown as { integ: unknown }).integ, null);
  } else {
    assert.notEqual((stored as unknown as { integ: unknown }).integ, null, 'a version-1 table is refused by a newer tabulation');
  }
});
