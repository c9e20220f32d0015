/**
 * Proves the one planner (src/electrostatics/planner.ts) that FKK, LODE, lode-ms and Coulomb tune now share:
 * - no behaviour change: for the bench's 64-atom NaCl melt and the tests' skewed 16-atom cell, every kernel picks
 *   exactly the plan the four separate planners picked before issue 14 (recorded in plans-before-issue14.json by
 *   scripts/analysis/plan-snapshot.ts at commit cad6bfd, the last commit with the old planners; the full family of
 *   161 cases incl. the 512- and 4096-atom melts was diffed the same way). Costs are model estimates whose
 *   formula now lives in one place: they may differ in the last bit (≤ 1e-12 relative accepted), nothing else may;
 * - FKK's planner versions: the recorded plans are version 1's (hypers.planner 1: each channel alone, analytic pair
 *   prices); version 2 (the default since issue 17) prices the channels jointly at one real cutoff with the
 *   neighbour list — its plan on the 512-ion melt keeps each error ≤ ε/2 and, under its own cost model, costs no
 *   more than the per-channel optimum at the same prices (a feasible point of its search);
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
import { ComputeContext, FKK_LIST_NS, FKK_PLAN_COSTS, FkkDescriptor, planFkk, parseFkkHypers } from '../../src/descriptors/index.js';
import { kernelTailError, pairsPerAtom, planDensity } from '../../src/electrostatics/index.js';
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

test('every kernel picks the plan of the separate planners before issue 14 (FKK planner version 1; melt 64, skewed 16-atom cell)', () => {
  let checked = 0;
  for (const c of planCases((s) => s === 'melt64' || s === 'ionic16', { planner: 1 })) {
    const before = recorded.plans[c.name];
    if (before === undefined) continue;
    const diff = same(before, c.plan(), c.name);
    assert.equal(diff, null, diff ?? '');
    checked++;
  }
  assert.equal(checked, Object.keys(recorded.plans).length);
});

test('FKK planner version 2: errors within ε/2, one real cutoff, no costlier under its model than the per-channel optimum (melt 512)', () => {
  const s = STRUCTURES.melt512(), h = parseFkkHypers({ planner: 2 });
  const geometry = { volumeA3: cellVolume(s.cell), cell: s.cell, atoms: s.species.length, types: 2 };
  const rho = s.species.length / cellVolume(s.cell);
  const joint = planFkk(h, geometry), alone = planFkk({ ...h, planner: 1 }, geometry, FKK_PLAN_COSTS);
  // version 2's model: reciprocal parts + every real channel at pairs(R_max) + the list at R_max once
  const model = (p: typeof joint): number => {
    const pairs = p.realCutoffA > 0 ? pairsPerAtom(rho, p.realCutoffA) : 0;
    let total = p.realCutoffA > 0 ? pairs * FKK_LIST_NS : 0;
    for (const c of p.channels) {
      const own = c.realCutoffA > 0 ? pairsPerAtom(rho, c.realCutoffA) * FKK_PLAN_COSTS.pair.slaterSplit : 0;
      const recip = p === joint ? c.costNs - (c.realCutoffA > 0 ? pairs * FKK_PLAN_COSTS.pair.slaterSplit : 0) : c.costNs - own;
      total += recip + (c.realCutoffA > 0 ? pairs * FKK_PLAN_COSTS.pair.slaterSplit : 0);
    }
    return total;
  };
  assert.ok(model(joint) <= model(alone) * (1 + 1e-12), `joint ${model(joint)} ns vs per-channel ${model(alone)} ns`);
  assert.equal(joint.realCutoffA, Math.max(...joint.channels.map((c) => c.realCutoffA)));
  for (const c of joint.channels) assert.ok(c.errorReal <= h.accuracy / 2 && c.errorReciprocal <= h.accuracy / 2, `ζ ${c.zeta}: ${c.errorReal}, ${c.errorReciprocal}`);
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
  // planner version 1 (the splits' widths s ≤ 2 Å: windows √2 s inside the slab, where ρ ≈ 2–3 N/V)
  const h1 = { ...h, planner: 1 as const };
  const aware = planFkk(h1, { ...geometry, density: ds }), uniform = planFkk(h1, geometry);
  const tailAt = (rho: number) => (c: (typeof aware.channels)[number]) => (c.kCutoffPerA ? kernelTailError(c.channel.fourier(c.kCutoffPerA ** 2), c.channel.sigmaLong, c.kCutoffPerA, rho) : 0);
  const eps = h.accuracy / 2;
  assert.ok(aware.channels.every((c) => tailAt(2 * uSlab)(c) <= eps), 'vacuum-aware plan meets ε/2 at 2 N/V');
  assert.ok(uniform.channels.some((c) => tailAt(2 * uSlab)(c) > eps), 'the N/V plan does not');
  // version 2 (wider splits, windows reaching into the vacuum): each channel at its own window's density
  const aware2 = planFkk(h, { ...geometry, density: ds }), uniform2 = planFkk(h, geometry);
  const own = (c: (typeof aware.channels)[number]) => tailAt(ds(Math.SQRT2 * c.channel.sigmaLong))(c);
  assert.ok(aware2.channels.every((c) => own(c) <= eps * (1 + 1e-9)), 'vacuum-aware plan meets ε/2 at the local density');
  assert.ok(uniform2.channels.some((c) => own(c) > eps), 'the N/V plan does not');
});

test('FKK planner version 3: channels share meshes (fewer groups than version 2, each no coarser than its own), errors within ε/2; features = converged k-vector sums within the accuracy (melt 512)', () => {
  const s = STRUCTURES.melt512(), h3 = parseFkkHypers({}), h2 = { ...h3, planner: 2 as const };
  assert.equal(h3.planner, 3);
  const groups = (p: ReturnType<typeof planFkk>) => new Set(p.channels.filter((c) => c.solver === 'pme').map((c) => `${c.mesh!.join('x')}|${c.order}`)).size;
  for (const scale of [1, 1.5]) {
    const cell = Float64Array.from(s.cell, (x) => x * scale), atoms = Math.round(s.species.length * scale ** 3);
    const geometry = { volumeA3: cellVolume(cell), cell, atoms, types: 2 };
    const p2 = planFkk(h2, geometry), p3 = planFkk(h3, geometry);
    assert.ok(groups(p3) < groups(p2), `scale ${scale}: ${groups(p3)} mesh groups vs version 2's ${groups(p2)}`);
    // a channel's own mesh: version 3 planned alone (no other channel to share with)
    for (const [n, c] of p3.channels.entries()) {
      assert.ok(c.errorReal <= h3.accuracy / 2 && c.errorReciprocal <= h3.accuracy / 2, `ζ ${c.zeta}: ${c.errorReal}, ${c.errorReciprocal}`);
      if (c.solver !== 'pme' || c.mode !== 'split') continue;
      const alone = planFkk({ ...h3, count: 1, zetaMaxPerA: c.zeta, method: 'split', splitWidthA: c.splitA, realCutoffA: c.realCutoffA, reciprocalSolver: 'pme' }, geometry).channels[0];
      assert.ok(alone.mesh && alone.mesh.every((K, d) => K <= c.mesh![d]), `channel ${n}: shared mesh ${c.mesh} coarser than its own ${alone.mesh}`);
    }
  }
  const pme = new FkkDescriptor(['Na', 'Cl'], {}), ref = new FkkDescriptor(['Na', 'Cl'], { reciprocalSolver: 'ewald', accuracy: 1e-9 });
  assert.ok(groups(pme.plan(s)) < pme.plan(s).channels.filter((c) => c.solver === 'pme').length, 'the 512-ion plan shares meshes');
  const Xp = pme.compute(s, new ComputeContext(s)).features.data, Xr = ref.compute(s, new ComputeContext(s)).features.data;
  let worst = 0;
  for (let k = 0; k < Xp.length; k++) worst = Math.max(worst, Math.abs(Xp[k] - Xr[k]) / pme.prefactors[k % pme.hypers.count]);
  assert.ok(worst <= h3.accuracy, `version 3 features − converged: ${worst.toExponential(2)} (accuracy ${h3.accuracy})`);
});
