/**
 * Proves the one planner (src/electrostatics/planner.ts) that FKK, LODE, lode-ms and Coulomb tune now share:
 * - no behaviour change: for the bench's 64-atom NaCl melt and the tests' skewed 16-atom cell, every kernel picks
 *   exactly the plan the four separate planners picked before issue 14 (recorded in plans-before-issue14.json by
 *   scripts/analysis/plan-snapshot.ts at commit cad6bfd, the last commit with the old planners; the full family of
 *   161 cases incl. the 512- and 4096-atom melts was diffed the same way). Costs are model estimates whose
 *   formula now lives in one place: they may differ in the last bit (≤ 1e-12 relative accepted), nothing else may;
 * - descriptors' PME meshes are sized on the reduced basis (as Coulomb's since issue 13): the same lattice written
 *   with long rows gets the meshes of its short rows, and the mesh pass on it still equals the k-vector path;
 * - vacuum: the error estimates see the density around the atoms (planDensity) — N/V for bulk, about twice that
 *   for a slab filling a third of its cell — so the slab's G cutoffs meet the tail estimate at twice N/V.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { cellVolume } from '../../src/core/index.js';
import { ComputeContext, FkkDescriptor, planFkk, parseFkkHypers } from '../../src/descriptors/index.js';
import { kernelTailError, planDensity } from '../../src/electrostatics/index.js';
import { planCases, STRUCTURES } from './planCases.js';

// recorded before alpha and the k cutoff got their unit in their names (→ alphaPerA, kCutoffPerA; docs/conventions.md)
const recorded = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'electrostatics', 'plans-before-issue14.json'), 'utf8').replaceAll('"kCutoff":', '"kCutoffPerA":').replaceAll('"alpha":', '"alphaPerA":')) as { plans: Record<string, unknown> };

function same(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return null;
    return path.endsWith('costNs') && Math.abs(a - b) <= 1e-12 * Math.abs(a) ? null : `${path}: ${a} ≠ ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let k = 0; k < a.length; k++) { const d = same(a[k], b[k], `${path}[${k}]`); if (d) return d; }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) { const d = same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`); if (d) return d; }
    return null;
  }
  return a === b ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
}

test('every kernel picks the plan of the separate planners before issue 14 (melt 64, skewed 16-atom cell)', () => {
  let checked = 0;
  for (const c of planCases((s) => s === 'melt64' || s === 'ionic16')) {
    const before = recorded.plans[c.name];
    if (before === undefined) continue;
    const diff = same(before, c.plan(), c.name);
    assert.equal(diff, null, diff ?? '');
    checked++;
  }
  assert.equal(checked, Object.keys(recorded.plans).length);
});

test('descriptor PME meshes are sized on the reduced basis; the mesh pass on long rows equals the k-vector path', () => {
  const bulk = STRUCTURES.melt64(), sheared = STRUCTURES.sheared64();
  const h = { count: 4, reciprocalSolver: 'pme', accuracy: 1e-6 };
  const meshes = (s: typeof bulk) => new FkkDescriptor(['Na', 'Cl'], h).plan(s).channels.map((c) => c.mesh ?? null);
  // rows (a, a + b, c − a) of a cubic lattice: the long rows would need 1.4–1.7× more points per direction
  assert.deepEqual(meshes(sheared), meshes(bulk));
  const pme = new FkkDescriptor(['Na', 'Cl'], h), ewald = new FkkDescriptor(['Na', 'Cl'], { ...h, reciprocalSolver: 'ewald' });
  const Xp = pme.compute(sheared, new ComputeContext(sheared)).features.data, Xe = ewald.compute(sheared, new ComputeContext(sheared)).features.data;
  let worst = 0;
  for (let k = 0; k < Xp.length; k++) worst = Math.max(worst, Math.abs(Xp[k] - Xe[k]) / pme.prefactors[k % pme.hypers.count]);
  assert.ok(worst <= 1e-6, `PME on the reduced basis − k-vectors: ${worst.toExponential(2)}`);
});

test('vacuum: planDensity is N/V in bulk and ≈ 2× in a slab; the slab plan meets the G tail at twice N/V', () => {
  const bulk = STRUCTURES.melt64(), slab = STRUCTURES.slab64();
  const uBulk = bulk.species.length / cellVolume(bulk.cell), uSlab = slab.species.length / cellVolume(slab.cell);
  const db = planDensity(bulk.cell, bulk.positions), ds = planDensity(slab.cell, slab.positions);
  for (const scale of [0.5, 1, 2, 4, 8]) assert.equal(db(scale), uBulk, `bulk at ${scale} Å`);
  // the atoms fill a third of the slab's cell: 3 N/V inside it, less in windows reaching into the vacuum
  assert.ok(ds(2) > 1.8 * uSlab && ds(2) < 3.2 * uSlab, `slab at 2 Å: ${ds(2) / uSlab} × N/V`);
  const h = parseFkkHypers({});
  const geometry = { volumeA3: cellVolume(slab.cell), cell: slab.cell, atoms: slab.species.length, types: 2 };
  const aware = planFkk(h, { ...geometry, density: ds }), uniform = planFkk(h, geometry);
  const tailAt = (rho: number) => (c: (typeof aware.channels)[number]) => (c.kCutoffPerA ? kernelTailError(c.channel.fourier(c.kCutoffPerA ** 2), c.channel.sigmaLong, c.kCutoffPerA, rho) : 0);
  const eps = h.accuracy / 2;
  assert.ok(aware.channels.every((c) => tailAt(2 * uSlab)(c) <= eps), 'vacuum-aware plan meets ε/2 at 2 N/V');
  assert.ok(uniform.channels.some((c) => tailAt(2 * uSlab)(c) > eps), 'the N/V plan does not');
});
