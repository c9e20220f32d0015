/**
 * Long-range descriptors on NaCl melt-like structures (rock salt expanded to the melt density 0.032 atoms/Å³ and
 * rattled by ±0.6 Å) of 64, 512 and 4096 atoms: FKK (default hypers: ζ_max = 2, s = 2, N = 8, σ = 0.5, accuracy
 * 1e-6, per-channel plan) and LODE (defaults), forward + reverse pass wall time, the measured cost exponent, the
 * process's peak RSS, and — to see whether the Ewald-like split pays — FKK with every channel in reciprocal space
 * (64 atoms only: at 512 atoms it already needs ~2·10⁵ k-vectors per channel); LODE with its Ewald-like split (split.ts). First: the batched reverse pass
 * backwardMany(64) against a loop of 64 backward calls on the 64-atom melt (FKK and LODE).
 */
import { ComputeContext, backwardManyOf, backwardOf, FkkDescriptor, LodeDescriptor, LodeMsDescriptor, type Descriptor } from '../src/descriptors/index.js';
import { linalgThreadsReady } from '../src/math/index.js';
import { melt } from '../test/electrostatics/planCases.js';
import { Rng, type Structure } from '../src/core/index.js';
import { costExponent, timeIt, type BenchContext } from './harness.js';


function pass(d: Descriptor, s: Structure): void {
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  backwardOf(d, s, ctx, out.saved, new Float64Array(out.features.data.length).fill(1e-3));
}

/** backwardMany(count) vs a loop of `count` backward calls on one structure (the model's design rows). */
async function batched(ctx: BenchContext, d: Descriptor, s: Structure, count: number): Promise<void> {
  const c = new ComputeContext(s);
  const out = d.compute(s, c);
  const size = out.features.data.length;
  const rng = new Rng(2);
  const g = Float64Array.from({ length: count * size }, () => rng.range(-1, 1));
  backwardManyOf(d, s, c, out.saved, g.subarray(0, size), 1); // fills the gradient-independent store
  const tm = await timeIt(() => backwardManyOf(d, s, c, out.saved, g, count), 3, 1);
  const tl = await timeIt(() => { for (let k = 0; k < count; k++) backwardOf(d, s, c, out.saved, g.subarray(k * size, (k + 1) * size)); }, 1, 0);
  ctx.report(`${d.kind} backwardMany(${count}), ${s.species.length} atoms`, tm.medianMs, 'ms', `loop of backward ${tl.medianMs.toFixed(0)} ms: ×${(tl.medianMs / tm.medianMs).toFixed(1)}`);
}

export async function run(ctx: BenchContext): Promise<void> {
  await linalgThreadsReady();
  {
    const s = melt(2);
    await batched(ctx, new FkkDescriptor(['Na', 'Cl'], {}), s, 64);
    await batched(ctx, new LodeDescriptor(['Na', 'Cl'], {}), s, 64);
  }
  const reps = ctx.quick ? [2, 4] : [2, 4, 8];
  const fkk = new FkkDescriptor(['Na', 'Cl'], {});
  const fkkRecip = new FkkDescriptor(['Na', 'Cl'], { method: 'reciprocal' });
  const lode = new LodeDescriptor(['Na', 'Cl'], {});
  const lodeMs = new LodeMsDescriptor(['Na', 'Cl'], {});
  const sizes: number[] = [], tF: number[] = [], tL: number[] = [], tM: number[] = [];
  for (const r of reps) {
    const s = melt(r);
    const n = s.species.length;
    sizes.push(n);
    const plan = fkk.plan(s);
    const solver = (c: (typeof plan.channels)[number]) => (c.solver === 'pme' ? `,pme ${c.mesh?.join('×')}` : '');
    const modes = plan.channels.map((c) => (c.mode === 'split' ? `split(a=${c.splitA.toFixed(1)},R=${c.realCutoffA.toFixed(1)},G=${c.kCutoffPerA.toFixed(1)}${solver(c)})` : c.mode === 'real' ? `real(R=${c.realCutoffA.toFixed(1)})` : `recip(G=${c.kCutoffPerA.toFixed(1)}${solver(c)})`));
    const runs = n >= 512 ? 1 : 3;
    const t = await timeIt(() => pass(fkk, s), runs, n >= 512 ? 0 : 1);
    tF.push(t.medianMs);
    ctx.report(`fkk forward+reverse, ${n} atoms`, t.medianMs, 'ms', `plan ${[...new Set(modes)].slice(0, 3).join(' ')}…`);
    if (n <= 64) {
      const tr = await timeIt(() => pass(fkkRecip, s), runs, 1);
      ctx.report(`fkk all-reciprocal, ${n} atoms`, tr.medianMs, 'ms', `G_c = ${fkkRecip.plan(s).channels[0].kCutoffPerA.toFixed(1)} Å⁻¹; split speed-up ×${(tr.medianMs / t.medianMs).toFixed(1)}`);
    }
    {
      // LODE: per-cell plan (Ewald-like split: σ′, real cutoff, long part by k-vectors or PME); the spline tables
      // are built once per σ′ by a warm-up pass (they are per descriptor, not per structure).
      const lp = lode.plan(s);
      const lsolver = lp.channels.map((c) => (c.solver === 'pme' ? `pme ${c.mesh?.join('×')}` : `G=${c.kCutoffPerA.toFixed(1)}`));
      pass(lode, s);
      const tl = await timeIt(() => pass(lode, s), runs, 0);
      tL.push(tl.medianMs);
      ctx.report(`lode forward+reverse, ${n} atoms`, tl.medianMs, 'ms', `${lp.mode} σ′=${lp.sigmaLong} R=${lp.realCutoffA.toFixed(1)} ${[...new Set(lsolver)].slice(0, 2).join(' ')}…`);
    }
    {
      // multi-scale SOAP–LODE (defaults: lmax 2, 4 × 4 radial functions): split potential part with l ≤ 2
      const mp = lodeMs.plan(s);
      pass(lodeMs, s);
      const tm = await timeIt(() => pass(lodeMs, s), runs, 0);
      tM.push(tm.medianMs);
      ctx.report(`lode-ms forward+reverse, ${n} atoms`, tm.medianMs, 'ms', `${mp.mode} σ′=${mp.sigmaLong} R=${mp.realCutoffA.toFixed(1)} G=${mp.kCutoffPerA.toFixed(1)}`);
    }
    ctx.report(`peak RSS after ${n} atoms`, process.resourceUsage().maxRSS / 1024, 'MB');
  }
  ctx.report('fkk cost exponent', costExponent(sizes, tF), '', `sizes ${sizes.join(', ')}`);
  ctx.report('lode cost exponent', costExponent(sizes.slice(0, tL.length), tL), '', `sizes ${sizes.slice(0, tL.length).join(', ')}`);
  ctx.report('lode-ms cost exponent', costExponent(sizes, tM), '', `sizes ${sizes.join(', ')}`);
}
