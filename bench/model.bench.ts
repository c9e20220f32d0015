/**
 * Kernel-model fit, end to end on random NaCl-like frames (64 atoms, ~0.03 atoms/Å³, Morse-like labels), `sr`
 * descriptor, polynomial kernel, FPS selection, Bayesian solver: time of each phase (descriptors, selection, normal
 * equations, solve). The target size (300 frames × 64 atoms, 1000 references per species) is run only with
 * FARFIELD_BENCH_FULL=1 (several minutes); by default a reduced fit is run, and the design rows of one frame are
 * timed at the target reference count (2 × 1000 references taken from 32 generated frames), so the normal equations
 * at the target are extrapolated as 300 × (design rows of one frame) + syrk of 300·199 rows with M = 2002, and the
 * solve as one eigendecomposition of M = 2002. CPU times (main + helper thread) are reported next to wall times
 * because the benchmark machine is shared; the 1-minute load average before → after the fit is in the notes. The
 * normal equations run on two threads (this one + a worker, parallelNormal.ts); CPU time counts the whole process.
 * Env: FARFIELD_BENCH_FRAMES, FARFIELD_BENCH_REFS override the reduced size.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Rng } from '../src/core/index.js';
import { ComputeContext, backwardOf, createDescriptor } from '../src/descriptors/index.js';
import { getLinalg, symmetricEigen } from '../src/math/index.js';
import { DesignWorkspace, ReferenceSet, createKernel, designBlock, fitKernelModel } from '../src/model/index.js';
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
  const tb = await timeIt(() => backwardOf(d, s0, c0, out.saved, g), 5);
  const tc = await timeIt(() => d.compute(s0, new ComputeContext(s0)), 3);
  ctx.report('sr compute, 64 atoms', tc.medianMs, 'ms', `width ${d.width}`);
  ctx.report('sr backward, 64 atoms', tb.medianMs, 'ms', 'single dense vjp');

  // design rows of one 64-atom frame at the target reference count (2 species × R references)
  const R = ctx.quick ? 200 : 1000;
  const poolRng = new Rng(7);
  const env: number[][][] = [[], []];
  for (let f = 0; env[0].length < R || env[1].length < R; f++) {
    const s = randomStructure(poolRng, 64, 12.6, ['Na', 'Cl'], 2.0);
    const X = d.compute(s, new ComputeContext(s)).features.data;
    for (let i = 0; i < 64; i++) env[s.symbols[s.species[i]] === 'Na' ? 0 : 1].push(Array.from(X.subarray(i * d.width, (i + 1) * d.width)));
  }
  const refSet = new ReferenceSet(createKernel({ kind: 'polynomial', hypers: { zeta: 4 } }), ['Na', 'Cl'],
    env.map((e) => Float64Array.from(e.slice(0, R).flat())), d.width);
  const ws = new DesignWorkspace();
  const scaling = { energy: 1, forces: 1, stress: 1, baselineEv: new Float64Array(2) };
  const designFrame = (materialise: boolean): { wall: number; cpu: number } => {
    const frames = structures.slice(0, ctx.quick ? 1 : 3);
    const u0 = process.cpuUsage(), t0 = performance.now();
    for (const s of frames) {
      const c = new ComputeContext(s);
      const o = d.compute(s, c);
      designBlock(s, d, c, o.features.data, o.saved, refSet, scaling, { useEnergy: true, useForces: true, useStress: true, materialise }, ws);
    }
    const u = process.cpuUsage(u0);
    return { wall: (performance.now() - t0) / 1000 / frames.length, cpu: (u.user + u.system) / 1e6 / frames.length };
  };
  designFrame(false);
  const dfac = designFrame(false), dmat = designFrame(true);
  ctx.report(`design rows of one frame, ${R} refs/species (factored)`, dfac.wall, 's', `cpu ${dfac.cpu.toFixed(3)} s`);
  ctx.report(`design rows of one frame, ${R} refs/species (materialised)`, dmat.wall, 's', `cpu ${dmat.cpu.toFixed(3)} s`);

  const load0 = loadavg()[0];
  const t0 = performance.now(), u0 = process.cpuUsage();
  // process CPU time (all threads) per phase, from the phase changes of the progress events
  const phaseCpu: Record<string, number> = {};
  let phase = '', uPhase = process.cpuUsage();
  const mark = (next: string): void => {
    const u = process.cpuUsage(uPhase);
    if (phase) phaseCpu[phase] = (phaseCpu[phase] ?? 0) + (u.user + u.system) / 1e6;
    phase = next;
    uPhase = process.cpuUsage();
  };
  const { metadata } = fitKernelModel(structures, { descriptor: desc, selection: { count: refs } }, (e) => {
    if (e.phase !== phase) mark(e.phase);
  });
  mark('');
  const total = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(u0);
  const tm = metadata.timingsS;
  const note = `${frames} frames × 64 atoms, ${refs} refs/species, M = ${metadata.solver.unknowns}; load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
  const cpuOf: Record<string, string> = { descriptors: 'descriptors', selection: 'selection', normalEquations: 'normal equations', solve: 'solve' };
  for (const [k, v] of Object.entries(tm)) {
    const c = phaseCpu[cpuOf[k] ?? k];
    ctx.report(`fit phase: ${k}`, v, 's', `${c !== undefined ? `cpu ${c.toFixed(1)} s; ` : ''}${note}`);
  }
  ctx.report('fit total', total, 's', `${note}; cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);

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
    const F = 300, N = 64;
    const desc300 = (tm.descriptors / frames) * F * 2; // computed twice (selection pass, normal-equation pass)
    ctx.report('extrapolated 300×64, 1000 refs: descriptors', desc300, 's');
    // FPS: O(candidates × count) kernel rows per species
    ctx.report('extrapolated: selection (FPS)', tm.selection * ((F * 1000) / (frames * refs)), 's', 'candidates × count scaling');
    const syrk = (ts.medianMs / 1000) * ((F * (1 + 3 * N + 6)) / rows);
    const design = dfac.wall * F * (1000 / R); // R references per species were timed
    ctx.report('extrapolated: design rows (normal equations)', design, 's', `${F} frames × ${dfac.wall.toFixed(3)} s (cpu ${(dfac.cpu * F * (1000 / R)).toFixed(0)} s)`);
    ctx.report('extrapolated: syrk (normal equations)', syrk, 's');
    if (Number.isFinite(eigS)) ctx.report('extrapolated: solve (one eigendecomposition)', eigS, 's');
  }
}
