/**
 * sr+lr MD under FKK's planner versions (issue 17 goal 3): CPU ms per atom-step of velocity-Verlet NVE (1 fs, 1200 K
 * start, trajectory workspace as `farfield md` runs it) of the `sr+lr` model with its FKK descriptor planned by
 * (a) planner version 1 (each channel alone, analytic pair prices: the plans of model files written before) and
 * (b) version 2 (joint real cutoff with the neighbour list, table prices: longRange/plan.ts), plus version 2 under
 * any pair prices listed in FARFIELD_BENCH_PAIR_NS (comma-separated, ns), on the last frame of data/nacl-liquid-pbe.xyz repeated
 * 2×2×2 (512 ions) and 3×3×3 (1728 ions). The variants advance in turn step by step (A B … A B …) so they see the
 * same machine load; figures are medians of per-step CPU time after warm-up steps, and the planner's own estimate.
 *
 * Model: `FARFIELD_BENCH_MODELS=DIR` with DIR/srlr.ffm (the file bench/mdModel.bench.ts fits otherwise; required).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import type { Structure } from '../src/core/index.js';
import { supercell } from '../src/geometry/index.js';
import { loadModel } from '../src/api/index.js';
import { readStructures } from '../src/host/index.js';
import { ComputeWorkspace, FKK_PLAN_COSTS } from '../src/descriptors/index.js';
import type { PlanCostTable } from '../src/electrostatics/index.js';
import type { KernelModel } from '../src/model/index.js';
import type { BenchContext } from './harness.js';
import { findFkk, interleavedStepMedians } from './modelBlocks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const withPair = (ns: number): PlanCostTable => ({ ...FKK_PLAN_COSTS, pair: { ...FKK_PLAN_COSTS.pair, slater: ns, slaterSplit: ns } });

export async function run(ctx: BenchContext): Promise<void> {
  const dir = process.env.FARFIELD_BENCH_MODELS;
  if (!dir) { console.log('  (skipped: set FARFIELD_BENCH_MODELS=DIR with DIR/srlr.ffm)'); return; }
  const variants: [string, 1 | 2 | 3, PlanCostTable | undefined][] = [['version 1', 1, undefined], ['version 2', 2, undefined], ['version 3', 3, undefined]];
  for (const x of (process.env.FARFIELD_BENCH_PAIR_NS ?? '').split(',').filter(Boolean)) variants.push([`version 2, pair ${x} ns`, 2, withPair(Number(x))]);
  const models = variants.map(([, planner, costs]) => {
    const m = loadModel(join(dir, 'srlr.ffm')) as KernelModel;
    const f = findFkk(m.descriptor)!;
    (f.hypers as { planner: 1 | 2 | 3 }).planner = planner;
    f.planCosts = costs;
    m.workspace = new ComputeWorkspace();
    return m;
  });
  const frames = readStructures(join(root, 'data', 'nacl-liquid-pbe.xyz'));
  for (const rep of ctx.quick ? [2] : [2, 3]) {
    const s0 = supercell(frames[frames.length - 1], [rep, rep, rep]), n = s0.species.length;
    const warm = 3, timed = n > 1000 ? 7 : 11, load = loadavg()[0].toFixed(1);
    const meds = interleavedStepMedians(models, s0, warm, timed);
    for (const [v, med] of meds.entries()) {
      const plan = findFkk(models[v].descriptor)!.plan(s0);
      const est = plan.channels.reduce((a, c) => a + c.costNs, 0) / 1000;
      ctx.report(`md sr+lr, ${n} ions, FKK planner ${variants[v][0]}`, med / n, 'ms/atom-step', `plan est ${est.toFixed(0)} µs/atom, r_c ${plan.realCutoffA.toFixed(2)} Å, load ${load}`);
    }
  }
}
