/**
 * Short-range descriptor cost: per-atom wall time of compute + backward for the 'sr' descriptor at VASP defaults
 * (radial R=8 Å, nmax 12; angular R=5 Å, nmax 8, lmax 3; σ = 0.5 Å), including the neighbour lists (fresh context
 * each run). Systems: liquid-like NaCl at 1.55 g/cm³ (64 and 1000 atoms, random positions, min separation 2.2 Å) and
 * a 3-species oxide (SrTiO3 composition, 135 atoms, 5.0 g/cm³, min separation 1.7 Å). Target: ≤ 100 µs/atom for NaCl.
 * The same NaCl 64 at angular lmax 7 (the size of the featomic SOAP-with-gradients anchor, ≈ 105 µs/atom in Rust;
 * issue 17 goal 5) is run as well: the angular block grows as (lmax+1)² per pair and (lmax+1) per channel pair.
 * Figures are medians of CPU time (process.cpuUsage, so other processes on a shared machine count less than in wall
 * time), fastest run in the note. A/B in one run: each repetition times the default descriptor (the angular block's
 * per-centre products and basis functions and the radial block's pair loops in wasm, kernels 'auto') and the same
 * descriptor on the TS loops (kernels 'ts', the pre-wasm path; results bitwise equal), interleaved. For the smaller
 * systems, a breakdown of the default descriptor's cost: neighbour lists (8 and 5 Å) and each block's passes.
 */
import { makeStructure, Rng, ATOMIC_MASSES_AMU, AVOGADRO, type Structure } from '../src/core/index.js';
import { AngularDescriptor, ComputeContext, RadialDescriptor, backwardOf, createShortRangeDescriptor, type Descriptor } from '../src/descriptors/index.js';
import type { BenchContext } from './harness.js';

/** Cubic box of `symbols` at density ρ (g/cm³), random sequential placement with a minimum distance (seeded). */
function randomLiquid(symbols: string[], densityGPerCm3: number, minDistA: number, seed: number): Structure {
  const massG = symbols.reduce((m, s) => m + ATOMIC_MASSES_AMU[s], 0) / AVOGADRO;
  const L = Math.cbrt((massG / densityGPerCm3) * 1e24);
  const rng = new Rng(seed);
  const pos = new Float64Array(3 * symbols.length);
  const m2 = minDistA * minDistA;
  for (let i = 0; i < symbols.length; i++) {
    for (let tries = 0; ; tries++) {
      if (tries > 100000) throw new Error('randomLiquid: could not place atom');
      const x = rng.uniform() * L, y = rng.uniform() * L, z = rng.uniform() * L;
      let ok = true;
      for (let j = 0; j < i && ok; j++) {
        let dx = x - pos[3 * j], dy = y - pos[3 * j + 1], dz = z - pos[3 * j + 2];
        dx -= L * Math.round(dx / L); dy -= L * Math.round(dy / L); dz -= L * Math.round(dz / L);
        if (dx * dx + dy * dy + dz * dz < m2) ok = false;
      }
      if (ok) { pos[3 * i] = x; pos[3 * i + 1] = y; pos[3 * i + 2] = z; break; }
    }
  }
  return makeStructure({ symbols, positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
}

export async function run(ctx: BenchContext): Promise<void> {
  const nacl64 = randomLiquid(Array.from({ length: 64 }, (_, k) => (k % 2 ? 'Cl' : 'Na')), 1.55, 2.2, 1);
  const cases: [string, Structure, Record<string, unknown>][] = [
    ['NaCl liquid 64', nacl64, {}],
    ['NaCl liquid 64, lmax 7 (featomic anchor size)', nacl64, { angular: { lmax: 7 } }],
    ['SrTiO3 liquid 135', randomLiquid(Array.from({ length: 135 }, (_, k) => ['Sr', 'Ti', 'O', 'O', 'O'][k % 5]), 5.0, 1.7, 3), {}],
  ];
  if (!ctx.quick) cases.push(['NaCl liquid 1000', randomLiquid(Array.from({ length: 1000 }, (_, k) => (k % 2 ? 'Cl' : 'Na')), 1.55, 2.2, 2), {}]);
  const cpuMs = (f: () => void): number => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const median = (t: number[]): number => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
  for (const [name, s, hypers] of cases) {
    const species = [...new Set(s.symbols)];
    const variants: [string, Descriptor][] = [
      ['default', createShortRangeDescriptor(species, hypers)],
      ['ts', createShortRangeDescriptor(species, hypers, { kernels: 'ts' })],
    ];
    const n = s.species.length;
    const g = new Float64Array(n * variants[0][1].width).fill(1e-3);
    const runs = n > 500 ? 7 : 31;
    const t: Record<string, { both: number[]; fwd: number[]; bwd: number[] }> = {};
    for (const [k] of variants) t[k] = { both: [], fwd: [], bwd: [] };
    // warm-up: 5 rounds (JIT and the wasm tier-up from the baseline compiler, which is slow on a loaded machine)
    for (let r = -5; r < runs; r++)
      for (const [k, d] of variants) {
        const c = new ComputeContext(s);
        let out: ReturnType<Descriptor['compute']> | null = null;
        const fwd = cpuMs(() => { out = d.compute(s, c); });
        const bwd = cpuMs(() => { backwardOf(d, s, c, (out as unknown as ReturnType<Descriptor['compute']>).saved, g); });
        if (r < 0) continue; // warm-up
        t[k].fwd.push(fwd); t[k].bwd.push(bwd); t[k].both.push(fwd + bwd);
      }
    const c = new ComputeContext(s);
    const nl8 = c.neighbours(8).count / n, nl5 = c.neighbours(5).count / n;
    const us = (ms: number): number => (1000 * ms) / n;
    const a = t.default, b = t.ts;
    ctx.report(`sr compute+backward, ${name}`, us(median(a.both)), 'µs/atom CPU',
      `min ${us(Math.min(...a.both)).toFixed(1)}; ${nl8.toFixed(0)} nbrs <8 Å, ${nl5.toFixed(0)} <5 Å, D=${variants[0][1].width}`);
    ctx.report(`  compute only (incl. neighbour lists)`, us(median(a.fwd)), 'µs/atom CPU');
    ctx.report(`  backward only`, us(median(a.bwd)), 'µs/atom CPU');
    ctx.report(`  A/B: same on the TS loops (kernels 'ts')`, us(median(b.both)), 'µs/atom CPU',
      `default/ts ${(median(a.both) / median(b.both)).toFixed(2)}; fwd ${us(median(b.fwd)).toFixed(1)}, bwd ${us(median(b.bwd)).toFixed(1)}`);
    if (n <= 500) {
      // where the time goes (default kernels): neighbour lists, then each block's forward and single reverse pass
      const h = { ...hypers } as { angular?: Record<string, unknown> };
      const rad = new RadialDescriptor(species), ang = new AngularDescriptor(species, h.angular ?? {});
      const gr = new Float64Array(n * rad.width).fill(1e-3), ga = new Float64Array(n * ang.width).fill(1e-3);
      const part: Record<string, number[]> = { 'lists 8 Å': [], 'lists 5 Å': [], 'radial fwd': [], 'radial bwd': [], 'angular fwd': [], 'angular bwd': [] };
      for (let r = -1; r < runs; r++) {
        const c = new ComputeContext(s);
        if (r < 0) { backwardOf(ang, s, c, ang.compute(s, c).saved, ga); backwardOf(rad, s, c, rad.compute(s, c).saved, gr); continue; } // warm-up
        part['lists 8 Å'].push(cpuMs(() => c.neighbours(8)));
        part['lists 5 Å'].push(cpuMs(() => c.neighbours(5)));
        let ro: ReturnType<RadialDescriptor['compute']> | null = null, ao: ReturnType<AngularDescriptor['compute']> | null = null;
        part['radial fwd'].push(cpuMs(() => { ro = rad.compute(s, c); }));
        part['radial bwd'].push(cpuMs(() => { backwardOf(rad, s, c, (ro as unknown as ReturnType<RadialDescriptor['compute']>).saved, gr); }));
        part['angular fwd'].push(cpuMs(() => { ao = ang.compute(s, c); }));
        part['angular bwd'].push(cpuMs(() => { backwardOf(ang, s, c, (ao as unknown as ReturnType<AngularDescriptor['compute']>).saved, ga); }));
      }
      ctx.report(`  parts (medians, µs/atom CPU)`, us(Object.values(part).reduce((t, v) => t + median(v), 0)), 'µs/atom CPU',
        Object.entries(part).map(([k, v]) => `${k} ${us(median(v)).toFixed(1)}`).join(', '));
    }
  }
}
