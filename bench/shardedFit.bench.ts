/**
 * Sharded (map–reduce) fit through an executor vs the in-process fit, same data and settings (random NaCl-like
 * frames of 64 atoms with Morse-like labels as in model.bench.ts, `sr` descriptor, FPS, Bayesian solver):
 * wall time of each, the overhead of the scheduler path in % of the in-process wall time, and the sharded fit's
 * stages (map 1 descriptors, selection, map 2 normal equations, reduce, solve; the map times include task start-up
 * and polling). 4 shards through local processes, and through SLURM as well when a controller answers.
 * The target size (300 frames × 64 atoms, 1000 references per species) runs with FARFIELD_BENCH_FULL=1 (minutes);
 * by default 40 frames, 200 references. The machine is shared: the 1-minute load average is in the notes.
 * Per-structure costs for the cluster estimate in docs/cluster.md: the map tasks' CPU seconds divided by the frames.
 * CPU time is reported beside wall time (process CPU of all threads; the tasks' CPU from the wrapper's `times`),
 * since the wall time of a shared machine depends on its load. FARFIELD_CLI='["node","dist/src/cli/main.js"]'
 * runs the tasks from the compiled CLI (as an installed farfield does) instead of the sources through tsx.
 * Env: FARFIELD_BENCH_FRAMES, FARFIELD_BENCH_REFS override the default size.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/core/index.js';
import { fitModel, fitModelSharded, type FitModelConfig } from '../src/api/index.js';
import { slurmAvailable } from '../src/host/index.js';
import { label, morseCalculator, randomStructure } from '../test/model/helpers/data.js';
import type { BenchContext } from './harness.js';

function cpuSince(u0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1e6;
}

export async function run(ctx: BenchContext): Promise<void> {
  const full = process.env.FARFIELD_BENCH_FULL === '1';
  const frames = full ? 300 : Number(process.env.FARFIELD_BENCH_FRAMES ?? (ctx.quick ? 8 : 40));
  const refs = full ? 1000 : Number(process.env.FARFIELD_BENCH_REFS ?? (ctx.quick ? 30 : 200));
  const shards = 4;
  const rng = new Rng(1);
  const structures = label(Array.from({ length: frames }, () => randomStructure(rng, 64, 12.6, ['Na', 'Cl'], 2.0)), morseCalculator());
  const config: FitModelConfig = { descriptors: { kind: 'sr', species: ['Na', 'Cl'], hypers: {} }, selection: { count: refs } };
  const quiet = { onWarning: () => {} };
  const size = `${frames} frames × 64 atoms, ${refs} refs/species, ${shards} shards`;

  const load0 = loadavg()[0];
  let t0 = performance.now();
  let u0 = process.cpuUsage();
  const local = await fitModel(structures, config, quiet);
  const tLocal = (performance.now() - t0) / 1000;
  const cLocal = cpuSince(u0);
  ctx.report('in-process fit (wall)', tLocal, 's', `${size}; load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
  ctx.report('in-process fit (CPU, all threads)', cLocal, 's');
  const tm = local.metadata.timingsS;
  ctx.report('per structure: descriptors', tm.descriptors / frames, 's', 'in-process, one thread');
  ctx.report('solve (M = unknowns)', tm.solve, 's', `M = ${local.metadata.solver.unknowns}`);

  const schedulers: ('local' | 'slurm')[] = slurmAvailable() ? ['local', 'slurm'] : ['local'];
  for (const scheduler of schedulers) {
    const dir = mkdtempSync(join(tmpdir(), 'ff-bench-shard-'));
    try {
      const l0 = loadavg()[0];
      t0 = performance.now();
      u0 = process.cpuUsage();
      const r = await fitModelSharded(structures, config, { scheduler, shards, output: join(dir, 'model.json'), onLog: () => {} }, quiet);
      const t = (performance.now() - t0) / 1000;
      const cTasks = (r.taskCpuS.features ?? 0) + (r.taskCpuS.normal ?? 0);
      const c = cpuSince(u0) + cTasks;
      const note = `${size}; load ${l0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
      ctx.report(`sharded fit, ${scheduler} (wall)`, t, 's', note);
      ctx.report(`sharded fit, ${scheduler} (CPU: this process + tasks)`, c, 's', `tasks: map 1 ${r.taskCpuS.features.toFixed(1)} s, map 2 ${r.taskCpuS.normal.toFixed(1)} s`);
      ctx.report(`sharded fit, ${scheduler}: wall overhead vs in-process`, (100 * (t - tLocal)) / tLocal, '%', 'target ≤ 20 % (wall on a shared machine: see the load)');
      ctx.report(`sharded fit, ${scheduler}: CPU overhead vs in-process`, (100 * (c - cLocal)) / cLocal, '%');
      ctx.report(`per structure (map 1 task CPU / frames): descriptors`, r.taskCpuS.features / frames, 's', 'incl. task start-up, file I/O');
      ctx.report(`per structure (map 2 task CPU / frames): normal equations`, r.taskCpuS.normal / frames, 's', 'descriptor + design rows + syrk, incl. start-up');
      for (const [k, v] of Object.entries(r.metadata.timingsS)) ctx.report(`sharded fit, ${scheduler}: ${k}`, v, 's');
      let dw = 0, sw = 0;
      local.model.params.species.forEach((s, sp) => s.weights.forEach((w, i) => {
        dw = Math.max(dw, Math.abs(w - r.model.params.species[sp].weights[i]));
        sw = Math.max(sw, Math.abs(w));
      }));
      ctx.report(`sharded fit, ${scheduler}: max |Δw| / max |w|`, dw / sw, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
