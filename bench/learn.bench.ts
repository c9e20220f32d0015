/**
 * Incremental refit (model/incremental.ts) vs training-set size: 64-ion NaCl structures (the shared melt frame with
 * seeded Gaussian displacements, σ = 0.15 Å, labelled by Fumi–Tosi), sr descriptor with reduced hypers
 * (radial nmax 8 / 6 Å, angular nmax 4 / lmax 2 / 4.5 Å), references capped at 64 per species (M = 130 unknowns).
 * For S = 10, 50, 200 stored structures: the wall time of adding one structure without new references + solve,
 * adding one structure that brings 4 new references per species (the kept structures get the new columns) + solve,
 * and a full offline `fitKernelModel` on the S + 1 structures with the same reference count, for comparison.
 */
import { Rng, cloneStructure, type Structure } from '../src/core/index.js';
import { readStructures } from '../src/host/index.js';
import { relabelStructures } from '../src/api/relabel.js';
import { IncrementalKernelFit, fitKernelModel } from '../src/model/index.js';
import type { BenchContext } from './harness.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const SPEC = { kind: 'sr', species: ['Na', 'Cl'], hypers: H };

function frames(count: number, seed: number): Structure[] {
  const base = readStructures(new URL('../../shared/fixtures/nacl-melt-64.xyz', import.meta.url).pathname)[0];
  const rng = new Rng(seed);
  const out = Array.from({ length: count }, () => {
    const s = cloneStructure(base);
    for (let k = 0; k < s.positions.length; k++) s.positions[k] += 0.15 * rng.normal();
    return s;
  });
  return relabelStructures(out, { engine: 'fumi-tosi' });
}

export async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [10] : [10, 50, 200];
  const pool = frames(Math.max(...sizes) + 2, 7);
  for (const S of sizes) {
    const fit = IncrementalKernelFit.create(pool.slice(0, Math.min(S, 10)), { descriptor: SPEC, maxNewReferences: 64, maxReferences: 60 });
    for (let k = 10; k < S; k += 10) fit.add(pool.slice(k, k + 10));
    fit.solve();
    const t0 = performance.now();
    fit.add([pool[S]]); // cap reached: no new references
    fit.solve();
    const plain = performance.now() - t0;
    const fit2 = IncrementalKernelFit.create(pool.slice(0, Math.min(S, 10)), { descriptor: SPEC, maxNewReferences: 64, maxReferences: 60 });
    for (let k = 10; k < S; k += 10) fit2.add(pool.slice(k, k + 10));
    (fit2 as unknown as { config: { maxReferences: number; maxNewReferences: number } }).config.maxReferences = 64;
    (fit2 as unknown as { config: { maxNewReferences: number } }).config.maxNewReferences = 4;
    const t1 = performance.now();
    const res = fit2.add([pool[S + 1]]);
    fit2.solve();
    const extend = performance.now() - t1;
    const t2 = performance.now();
    fitKernelModel(pool.slice(0, S + 1), { descriptor: SPEC, selection: { count: 64 }, threads: 1 });
    const offline = performance.now() - t2;
    ctx.report(`refit +1 structure, S=${S}`, plain / 1000, 's', `M = ${fit.nColumns}`);
    ctx.report(`refit +1 structure +${res.newReferences.join('/')} refs, S=${S}`, extend / 1000, 's', `M = ${fit2.nColumns}`);
    ctx.report(`offline fit of S+1, S=${S}`, offline / 1000, 's', '64 refs per species, 1 thread');
  }
}
