/**
 * A/B of the sr+lr MD step's long-range levers (issue 17 goal 3) in one process: CPU ms per atom-step of
 * velocity-Verlet NVE (1 fs, 1200 K start, trajectory workspace as `farfield md` runs it) of the `sr` model and of
 * the `sr+lr` model in variants that differ in one lever only, on the last frame of data/nacl-liquid-pbe.xyz repeated
 * 2×2×2 (512 ions) and 3×3×3 (1728 ions). The runs advance in turn step by step (sr, A, B, … sr, A, B, …) so they
 * see the same machine load and JIT state; figures are medians of per-step CPU time (user + sys) after warm-up
 * steps, and each variant's ratio to sr.
 * Variants (one lever each, composable with '+': 'ts+strain+channelwise' is the state before issue 17 goal 3's
 * session-9 levers): 'wasm' — FKK channel meshes in WebAssembly SIMD (the default); 'ts' — the same on the TS loops
 * (FkkDescriptor.meshKernels); 'strain' — the stress asked at every step (what a barostat run pays: the strain
 * derivatives that NVE skips); 'channelwise' — the real-space reverse pass channel by channel
 * (FkkDescriptor.combineSpeciesConstant false); 'planner3' / 'planner2' — the FKK block planned by planner version
 * 3 / 2 (the model file's own version otherwise: /tmp/fkk6's files carry 2; timing only, the features then differ from
 * the fitted ones within the accuracy target). `FARFIELD_BENCH_LR_VARIANTS=ts+strain+channelwise,strain+channelwise,
 * channelwise,wasm,planner3` (default) runs the levers cumulatively.
 *
 * Models: `FARFIELD_BENCH_MODELS=DIR` with DIR/sr.ffm and DIR/srlr.ffm (required; bench/mdModel.bench.ts fits them).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { supercell } from '../src/geometry/index.js';
import { loadModel } from '../src/api/index.js';
import { readStructures } from '../src/host/index.js';
import { ComputeWorkspace } from '../src/descriptors/index.js';
import type { KernelModel } from '../src/model/index.js';
import type { BenchContext } from './harness.js';
import { findFkk, interleavedStepMedians } from './modelBlocks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Sets one lever of an sr+lr model. */
const VARIANTS: Record<string, (m: KernelModel) => void> = {
  wasm: () => {},
  ts: (m) => { findFkk(m.descriptor)!.meshKernels = 'ts'; },
  planner2: (m) => { (findFkk(m.descriptor)!.hypers as { planner: number }).planner = 2; },
  planner3: (m) => { (findFkk(m.descriptor)!.hypers as { planner: number }).planner = 3; },
  channelwise: (m) => { findFkk(m.descriptor)!.combineSpeciesConstant = false; },
  strain: (m) => {
    const calculate = m.calculate.bind(m);
    m.calculate = (s, o = {}) => calculate(s, { ...o, stress: true });
  },
};

export async function run(ctx: BenchContext): Promise<void> {
  const dir = process.env.FARFIELD_BENCH_MODELS;
  if (!dir) { console.log('  (skipped: set FARFIELD_BENCH_MODELS=DIR with DIR/sr.ffm and DIR/srlr.ffm)'); return; }
  const names = (process.env.FARFIELD_BENCH_LR_VARIANTS ?? 'ts+strain+channelwise,strain+channelwise,channelwise,wasm,planner3').split(',').filter(Boolean);
  for (const v of names)
    for (const part of v.split('+')) if (!VARIANTS[part]) throw new Error(`mdLr: unknown variant '${part}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  const sr = loadModel(join(dir, 'sr.ffm')) as KernelModel;
  const models: [string, KernelModel][] = [['sr', sr]];
  for (const v of names) {
    const m = loadModel(join(dir, 'srlr.ffm')) as KernelModel;
    for (const part of v.split('+')) VARIANTS[part](m);
    models.push([`sr+lr ${v}`, m]);
  }
  const frames = readStructures(join(root, 'data', 'nacl-liquid-pbe.xyz'));
  for (const rep of ctx.quick ? [2] : [2, 3]) {
    const s0 = supercell(frames[frames.length - 1], [rep, rep, rep]), n = s0.species.length;
    const warm = 3, timed = n > 1000 ? 7 : 11, load = loadavg()[0].toFixed(1);
    for (const [, m] of models) m.workspace = new ComputeWorkspace();
    const med = interleavedStepMedians(models.map(([, m]) => m), s0, warm, timed);
    for (const [v, [name]] of models.entries())
      ctx.report(`md ${name}, ${n} ions`, med[v] / n, 'ms/atom-step', v === 0 ? `load ${load}` : `${(med[v] / med[0]).toFixed(3)}× sr`);
  }
}
