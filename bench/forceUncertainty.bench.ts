/**
 * Cost of the kernel model's uncertainty relative to one force call (issue 15 target: force σ ≤ 30 % extra at 512
 * atoms with 1000 references per species). Random NaCl-like frames (~0.03 atoms/Å³), `sr` descriptor, polynomial
 * kernel ζ = 4, references = environments of generated frames, a dense covariance factor of full rank
 * M = 2·refs + 2 (what the Bayesian solver stores; the values do not change the cost). Per size: a force call
 * (energy + forces + stress), the extra for the energy σ (per atom and total), and the extra for the force σ, exact
 * (J·C through the factored batched reverse pass) and sketched with p probes. Wall and process CPU time (the machine
 * is shared; CPU time counts both threads of the wasm GEMM). Sizes: FARFIELD_BENCH_ATOMS (default 64,512; quick 64),
 * FARFIELD_BENCH_REFS (default 1000; quick 200), FARFIELD_BENCH_PROBES (default 4,16), FARFIELD_BENCH_DIRECTIONS (the K of
 * the energy-σ bounds, energyBounds.ts; default 16,64), FARFIELD_BENCH_PAIRS (A/B pairs, default 5), FARFIELD_BENCH_SKIP_FORCE
 * (set: no force-σ variants). The total-energy σ alone (`totalOnly`, what the learn screen evaluates every step) and
 * the bounds are measured as the median over pairs of (force call + σ) / force call − 1, alternating.
 */
import { Rng, type Structure } from '../src/core/index.js';
import { ComputeContext, createDescriptor } from '../src/descriptors/index.js';
import { KernelModel } from '../src/model/index.js';
import { randomStructure } from '../test/model/helpers/data.js';
import type { BenchContext } from './harness.js';

function cost(fn: () => void, runs: number): { wallMs: number; cpuMs: number } {
  fn();
  const u0 = process.cpuUsage(), t0 = performance.now();
  for (let k = 0; k < runs; k++) fn();
  const u = process.cpuUsage(u0);
  return { wallMs: (performance.now() - t0) / runs, cpuMs: (u.user + u.system) / 1000 / runs };
}

export async function run(ctx: BenchContext): Promise<void> {
  const sizes = (process.env.FARFIELD_BENCH_ATOMS ?? (ctx.quick ? '64' : '64,512')).split(',').map(Number);
  const R = Number(process.env.FARFIELD_BENCH_REFS ?? (ctx.quick ? 200 : 1000));
  const probes = (process.env.FARFIELD_BENCH_PROBES ?? '4,16').split(',').map(Number);
  const rng = new Rng(1);
  const desc = { kind: 'sr', species: ['Na', 'Cl'], hypers: {} };
  const d = createDescriptor(desc);
  const env: number[][][] = [[], []];
  while (env[0].length < R || env[1].length < R) {
    const s = randomStructure(rng, 64, 12.6, ['Na', 'Cl'], 2.0);
    const X = d.compute(s, new ComputeContext(s)).features.data;
    for (let i = 0; i < 64; i++) env[s.symbols[s.species[i]] === 'Na' ? 0 : 1].push(Array.from(X.subarray(i * d.width, (i + 1) * d.width)));
  }
  const species = ['Na', 'Cl'].map((sp, t) => ({
    species: sp, features: Float64Array.from(env[t].slice(0, R).flat()), weights: Float64Array.from({ length: R }, () => rng.normal()), referenceEnergyEv: 0,
  }));
  const M = 2 * R + 2;
  const covarianceFactor = { rank: M, data: Float64Array.from({ length: M * M }, () => 0.01 * rng.normal()) };
  const model = new KernelModel({ descriptor: desc, kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, species, covarianceFactor });
  for (const n of sizes) {
    const s: Structure = randomStructure(rng, n, Math.cbrt(n / 0.0315), ['Na', 'Cl'], 2.0);
    const runs = n > 100 ? 1 : 3;
    const base = cost(() => model.calculate(s), runs);
    const tag = `${n} atoms, ${R} refs/species`;
    ctx.report(`force call, ${tag}`, base.wallMs, 'ms', `cpu ${base.cpuMs.toFixed(0)} ms`);
    const eU = cost(() => model.calculate(s, { uncertainty: true, forceUncertainty: false }), runs);
    ctx.report(`+ energy σ, ${tag}`, (eU.cpuMs - base.cpuMs) / base.cpuMs, '× force call (cpu)', `wall ${(eU.wallMs - base.wallMs).toFixed(0)} ms extra`);
    // energy-σ bounds: A/B pairs (force call, force call + bounds) alternating, median of the per-pair CPU ratio
    const pairs = Number(process.env.FARFIELD_BENCH_PAIRS ?? 5);
    const variantsE: [string, { directions?: number; totalOnly?: boolean }][] = [['total energy σ only (learn screen)', { totalOnly: true }]];
    for (const k of (process.env.FARFIELD_BENCH_DIRECTIONS ?? '16,64').split(',').filter((x) => x !== '').map(Number)) variantsE.push([`energy σ bounds K=${k}`, { directions: k }]);
    for (const [name, opts] of variantsE) {
      model.energyUncertaintyOptions = opts;
      const t0 = process.cpuUsage();
      model.energyBoundPlan();
      const setup = process.cpuUsage(t0);
      const ratios: number[] = [];
      model.calculate(s, { uncertainty: true, forceUncertainty: false });
      for (let q = 0; q < pairs; q++) {
        const once = (f: () => void): number => {
          const u0 = process.cpuUsage();
          f();
          const u = process.cpuUsage(u0);
          return u.user + u.system;
        };
        const a = once(() => model.calculate(s)), b = once(() => model.calculate(s, { uncertainty: true, forceUncertainty: false }));
        ratios.push((b - a) / a);
      }
      ratios.sort((x, y) => x - y);
      ctx.report(`+ ${name}, ${tag}`, ratios[Math.floor(pairs / 2)], '× force call (cpu, median of pairs)',
        `min ${ratios[0].toFixed(2)} max ${ratios[pairs - 1].toFixed(2)}; once per model ${((setup.user + setup.system) / 1000).toFixed(0)} ms cpu`);
      model.energyUncertaintyOptions = {};
    }
    const variants: [string, () => void][] = process.env.FARFIELD_BENCH_SKIP_FORCE ? [] : [['exact', () => { model.forceUncertaintyOptions = { method: 'exact' }; }]];
    if (!process.env.FARFIELD_BENCH_SKIP_FORCE) for (const p of probes) variants.push([`sketch p=${p}`, () => { model.forceUncertaintyOptions = { method: 'sketch', probes: p }; }]);
    for (const [name, set] of variants) {
      set();
      model.uncertaintyDirections();
      const fU = cost(() => model.calculate(s, { uncertainty: true }), 1);
      ctx.report(`+ force σ (${name}), ${tag}`, (fU.cpuMs - eU.cpuMs) / base.cpuMs, '× force call (cpu)', `wall ${(fU.wallMs - eU.wallMs).toFixed(0)} ms extra`);
    }
  }
}
