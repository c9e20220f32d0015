/**
 * The kernel evaluation of a fitted model alone (issue 17 goal 3 lever c): KernelModel.calculate with the descriptor
 * forward and reverse passes replaced by their cached results, so only the kernel part runs (per species, blocks of
 * `kernelBlockAtoms` atoms). CPU ms per call, medians, the matrix/gradient path (`weightedKernelPath = false`, the
 * code before the weighted path), the weighted path with the references packed per GEMM call (`packedReferences =
 * false`) and with references pre-packed once, interleaved call by call, at several block sizes; and the
 * GEMMs the polynomial part needs (S = X̂ X̂_bᵀ and P X̂_b per species and block) timed alone in the same shapes:
 * "GEMM share" = that isolated GEMM time / the path's time (1 = the kernel costs no more than its two GEMMs; the
 * isolated GEMMs pack their B per call, so a pre-packed path can exceed 1).
 *
 * Models: `FARFIELD_BENCH_MODELS=DIR` with DIR/sr.ffm and DIR/srlr.ffm (required; skipped otherwise); structure: the
 * last frame of data/nacl-liquid-pbe.xyz repeated 3×3×3 (1728 ions; `--quick`: 2×2×2).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { loadavg as osLoad } from 'node:os';
import type { Structure } from '../src/core/index.js';
import { supercell } from '../src/geometry/index.js';
import { loadModel } from '../src/api/index.js';
import { readStructures } from '../src/host/index.js';
import { ComputeContext } from '../src/descriptors/index.js';
import { getLinalg } from '../src/math/index.js';
import type { KernelModel } from '../src/model/index.js';
import type { BenchContext } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cpuMs = (f: () => void): number => {
  const c0 = cpuUsage();
  f();
  const c = cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/** The model with its descriptor passes replaced by the results for s (computed once). */
function kernelOnly(m: KernelModel, s: Structure): void {
  const ctx = new ComputeContext(s, null);
  const out = m.descriptor.compute(s, ctx);
  const d = m.descriptor as { compute: unknown; vjp: unknown };
  const g = { positions: new Float64Array(3 * s.species.length), strain: new Float64Array(9) };
  d.compute = () => out;
  d.vjp = () => g;
}

/** Isolated GEMMs of the polynomial part's shapes for `block` atoms per call: per species S (nt×mt×dk) and P X̂_b. */
function gemmMs(m: KernelModel, s: Structure, block: number, dk: number, reps: number): number {
  const la = getLinalg();
  const shapes: [number, number][] = [];
  for (let t = 0; t < m.refs.species.length; t++) {
    const nAll = s.species.filter((x) => s.symbols[x] === m.refs.species[t]).length, mt = m.refs.counts[t];
    for (let a0 = 0; a0 < nAll; a0 += block) shapes.push([Math.min(block, nAll - a0), mt]);
  }
  const bigM = Math.max(...shapes.map(([n, mt]) => n * mt));
  const A = Float64Array.from({ length: block * dk }, (_, k) => Math.sin(k)), B = Float64Array.from({ length: 1100 * dk }, (_, k) => Math.cos(k));
  const S = new Float64Array(bigM), G = new Float64Array(block * dk);
  const ts: number[] = [];
  for (let r = 0; r < reps; r++)
    ts.push(cpuMs(() => {
      for (const [n, mt] of shapes) {
        la.gemm(n, mt, dk, A, B, S, { transB: true });
        la.gemm(n, dk, mt, S, B, G);
      }
    }));
  return med(ts);
}

export async function run(ctx: BenchContext): Promise<void> {
  const dir = process.env.FARFIELD_BENCH_MODELS;
  if (!dir || !existsSync(join(dir, 'srlr.ffm'))) {
    console.log('  (skipped: set FARFIELD_BENCH_MODELS to a directory with sr.ffm and srlr.ffm)');
    return;
  }
  const frames = readStructures(join(root, 'data', 'nacl-liquid-pbe.xyz'));
  const rep = ctx.quick ? 2 : 3;
  const s = supercell(frames[frames.length - 1], [rep, rep, rep]), n = s.species.length;
  const reps = ctx.quick ? 5 : 11;
  for (const name of ['sr.ffm', 'srlr.ffm']) {
    const m = loadModel(join(dir, name)) as KernelModel;
    kernelOnly(m, s);
    const spec = m.params.kernel;
    const parts = spec.kind === 'block' ? (spec.hypers.parts as { kernel: { kind: string }; columns: [number, number][] }[]) : null;
    const dk = parts ? parts.filter((p) => p.kernel.kind !== 'linear').reduce((a, p) => a + p.columns.reduce((b, [x, y]) => b + y - x, 0), 0) : m.descriptor.width;
    const load = osLoad()[0].toFixed(1);
    for (const block of [128, 256, 512]) {
      m.kernelBlockAtoms = block;
      // interleaved call by call: matrix path, weighted path packing the references per call (before issue 17's
      // pre-packed references), weighted path with references packed once (referencePacks.ts)
      const old: number[] = [], unp: number[] = [], neu: number[] = [];
      for (let r = 0; r < reps + 2; r++) {
        m.weightedKernelPath = false;
        const a = cpuMs(() => m.calculate(s));
        m.weightedKernelPath = true;
        m.packedReferences = false;
        const u = cpuMs(() => m.calculate(s));
        m.packedReferences = true;
        const b = cpuMs(() => m.calculate(s));
        if (r >= 2) {
          old.push(a);
          unp.push(u);
          neu.push(b);
        }
      }
      const gm = gemmMs(m, s, block, dk, reps);
      const o = med(old), u = med(unp), w = med(neu);
      ctx.report(`${name} ${n} ions block ${block}: matrix path`, o, 'ms/call', `GEMM share ${(gm / o).toFixed(2)} (GEMMs alone ${gm.toFixed(0)} ms), load ${load}`);
      ctx.report(`${name} ${n} ions block ${block}: weighted, packed per call`, u, 'ms/call', `GEMM share ${(gm / u).toFixed(2)}`);
      ctx.report(`${name} ${n} ions block ${block}: weighted, pre-packed refs`, w, 'ms/call', `GEMM share ${(gm / w).toFixed(2)}, ×${(u / w).toFixed(2)} vs packed per call`);
    }
  }
}
