/**
 * Cost of one neighbour pair per real-space channel of FKK (issue 17 goal 3: the pair prices of FKK's planner,
 * longRange/plan.ts FKK_PLAN_COSTS for version 2, PLAN_COST_NS for version 1), tabulated (pairTable.ts, the default) against analytic, in CPU time: the 512-atom NaCl melt,
 * forward + one reverse pass (as bench/longrange and the planner's other constants), every channel in real space
 * ('real': 𝒮_ζ,σ) or split with a tiny G cutoff (0.3 Å⁻¹: the k-vector part is a few vectors), r_c = 8 Å, N = 4 and
 * 8 channels (incl. the neighbour list and the per-pair gradient scatter). Figures: ns per (pair, channel) = CPU time
 * per pass / (pairs of the full list · channels), median of 5 rounds of 10 passes (the four variants in turn, after
 * a warm-up), and the marginal cost per added channel ((t₈ − t₄) / (pairs · 4), noisy at these few ms). The planner's
 * price is the table/analytic ratio times the analytic price (planner.ts PLAN_COST_NS), which keeps the scale the
 * other constants were measured on.
 */
import { ComputeContext, backwardOf, FkkDescriptor } from '../src/descriptors/index.js';
import { melt } from '../test/electrostatics/planCases.js';
import type { Structure } from '../src/core/index.js';
import type { BenchContext } from './harness.js';

/** CPU ms of one call of each of `fns`, median over `runs` rounds (each round calls every fn `reps` times, in turn). */
function cpuMsAlternating(fns: (() => void)[], runs: number, reps: number): number[] {
  for (const f of fns) f();
  const t: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++)
    for (const [k, f] of fns.entries()) {
      const c0 = process.cpuUsage();
      for (let q = 0; q < reps; q++) f();
      const c = process.cpuUsage(c0);
      t[k].push((c.user + c.system) / 1000 / reps);
    }
  return t.map((x) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)]);
}

function pass(d: FkkDescriptor, s: Structure): void {
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  backwardOf(d, s, ctx, out.saved, new Float64Array(out.features.data.length).fill(1e-3));
}

export async function run(ctx: BenchContext): Promise<void> {
  const s = melt(ctx.quick ? 2 : 4), rc = 8, runs = ctx.quick ? 2 : 5;
  const pairs = new ComputeContext(s).neighbours(rc).count;
  for (const method of ['real', 'split'] as const) {
    const base = { method, realCutoffA: rc, ...(method === 'split' ? { splitWidthA: 1, kCutoffPerA: 0.3, reciprocalSolver: 'ewald' } : {}) };
    const cases = [true, false].flatMap((tabulate) => [4, 8].map((count) => ({ tabulate, count })));
    const fns = cases.map(({ tabulate, count }) => {
      const d = new FkkDescriptor(['Na', 'Cl'], { ...base, count });
      d.tabulate = tabulate;
      return () => pass(d, s);
    });
    const t = cpuMsAlternating(fns, runs, ctx.quick ? 2 : 10);
    for (const [k, { tabulate, count }] of cases.entries())
      ctx.report(`fkk ${method} ${tabulate ? 'table' : 'analytic'} N=${count}, ${s.species.length} atoms`, (t[k] * 1e6) / (pairs * count), 'ns/pair/ch', `${t[k].toFixed(1)} ms CPU per pass, ${pairs} pairs`);
    for (const k of [0, 2]) ctx.report(`fkk ${method} ${cases[k].tabulate ? 'table' : 'analytic'} marginal channel`, ((t[k + 1] - t[k]) * 1e6) / (pairs * 4), 'ns/pair/ch');
  }
}
