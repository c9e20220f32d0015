/**
 * Kernel-model fit, end to end on random NaCl-like frames (64 atoms, ~0.03 atoms/Å³, Morse-like labels), `sr`
 * descriptor, polynomial kernel, FPS selection, Bayesian solver: time of each phase (descriptors, selection, normal
 * equations, solve). The target size (300 frames × 64 atoms, 1000 references per species) is run only with
 * FARFIELD_BENCH_FULL=1; by default a reduced problem is run and the full size is extrapolated from the measured
 * unit costs: normal equations ∝ frames × references (one descriptor reverse pass per reference and frame, plus
 * syrk ∝ rows·M²), solve ∝ M³ (one eigendecomposition of M = 2·refs + 2).
 * Env: FARFIELD_BENCH_FRAMES, FARFIELD_BENCH_REFS override the reduced size.
 */
import { Rng } from '../src/core/index.js';
import { ComputeContext, createDescriptor } from '../src/descriptors/index.js';
import { getLinalg, symmetricEigen } from '../src/math/index.js';
import { fitKernelModel } from '../src/model/index.js';
import { label, morseCalculator, randomStructure } from '../test/model/helpers/data.js';
import { timeIt, type BenchContext } from './harness.js';

export async function run(ctx: BenchContext): Promise<void> {
  const full = process.env.FARFIELD_BENCH_FULL === '1';
  const frames = full ? 300 : Number(process.env.FARFIELD_BENCH_FRAMES ?? (ctx.quick ? 4 : 12));
  const refs = full ? 1000 : Number(process.env.FARFIELD_BENCH_REFS ?? (ctx.quick ? 20 : 100));
  const rng = new Rng(1);
  const structures = label(Array.from({ length: frames }, () => randomStructure(rng, 64, 12.6, ['Na', 'Cl'], 2.0)), morseCalculator());
  const desc = { kind: 'sr', species: ['Na', 'Cl'], hypers: {} };

  // unit costs of the sr descriptor on one 64-atom frame
  const d = createDescriptor(desc);
  const s0 = structures[0];
  const c0 = new ComputeContext(s0);
  const out = d.compute(s0, c0);
  const g = Float64Array.from({ length: 64 * d.width }, (_, k) => Math.sin(k));
  const tb = await timeIt(() => d.backward(s0, c0, out.saved, g), 5);
  const tc = await timeIt(() => d.compute(s0, new ComputeContext(s0)), 3);
  ctx.report('sr compute, 64 atoms', tc.medianMs, 'ms', `width ${d.width}`);
  ctx.report('sr backward, 64 atoms', tb.medianMs, 'ms', typeof (d as { backwardMany?: unknown }).backwardMany === 'function' ? 'has backwardMany' : 'no backwardMany: looped');

  const t0 = performance.now();
  const { metadata } = fitKernelModel(structures, { descriptor: desc, selection: { count: refs } });
  const total = (performance.now() - t0) / 1000;
  const tm = metadata.timingsS;
  const note = `${frames} frames × 64 atoms, ${refs} refs/species, M = ${metadata.solver.unknowns}`;
  for (const [k, v] of Object.entries(tm)) ctx.report(`fit phase: ${k}`, v, 's', note);
  ctx.report('fit total', total, 's', note);

  // unit costs at the target size: syrk of one 2000-row block with M = 2002, eigendecomposition of M = 2002
  const M = 2002, rows = ctx.quick ? 200 : 2000;
  const a = Float64Array.from({ length: rows * M }, (_, k) => Math.sin(0.37 * k));
  const cmat = new Float64Array(M * M);
  const ts = await timeIt(() => getLinalg().syrkAccumulate(a, rows, M, cmat), 1, 0);
  ctx.report(`syrk ${rows} × ${M}`, ts.medianMs, 'ms', `backend ${getLinalg().backend}`);
  let eigS = NaN;
  if (!ctx.quick) {
    const sym = new Float64Array(M * M);
    for (let i = 0; i < M; i++) for (let j = 0; j <= i; j++) sym[i * M + j] = sym[j * M + i] = Math.sin(i * 7 + j * 3) + (i === j ? M : 0);
    const te = performance.now();
    symmetricEigen(sym, M);
    eigS = (performance.now() - te) / 1000;
    ctx.report(`symmetricEigen n = ${M}`, eigS, 's');
  }

  if (!full) {
    // extrapolation to 300 frames × 1000 refs/species
    const F = 300, R = 2000, N = 64;
    const desc300 = (tm.descriptors / frames) * F * 2; // computed twice (selection pass, normal-equation pass)
    const perPass = tm.normalEquations / (frames * 2 * refs); // measured: reverse pass + upstream + design rows
    const reverse = perPass * F * R;
    const syrk = (ts.medianMs / 1000) * ((F * (1 + 3 * N + 6)) / rows);
    ctx.report('extrapolated 300×64, 1000 refs: descriptors', desc300, 's');
    ctx.report('extrapolated: reverse passes (normal equations)', reverse, 's', `${F}·${R} passes × ${(1000 * perPass).toFixed(2)} ms (measured in the fit)`);
    ctx.report('extrapolated: syrk (normal equations)', syrk, 's');
    if (Number.isFinite(eigS)) ctx.report('extrapolated: solve (one eigendecomposition)', eigS, 's');
  }
}
