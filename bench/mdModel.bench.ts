/**
 * MD with fitted kernel models (issue 17 goal 3, issue 14 item 3): CPU ms per atom-step of velocity-Verlet NVE
 * (1 fs, 1200 K start) with an `sr` and an `sr+lr` model, and their ratio, on the last frame of
 * data/nacl-liquid-pbe.xyz repeated 2×2×2 (512 ions) and 3×3×3 (1728 ions). No uncertainty, no logging: one force
 * evaluation per step. Figures are medians of per-step CPU time (user + sys of this process) after warm-up steps.
 * Each model runs as `farfield md` runs it, with a trajectory workspace (neighbour lists with a skin reused from step
 * to step), interleaved step by step with a run without (a fresh context every step); and the neighbour lists of one step alone, built
 * fresh vs taken from a workspace along the trajectory (what the workspace saves per step, without the noise of the
 * whole step).
 *
 * Models: `FARFIELD_BENCH_MODELS=DIR` with DIR/sr.ffm and DIR/srlr.ffm (e.g. the 40-frame PBE NaCl models), else
 * fitted here on the first 40 frames of data/nacl-liquid-pbe.xyz with the fit defaults (FPS, 1000 references per
 * species; `--quick`: 200), cached in os.tmpdir() under a name that carries the settings.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import type { Structure } from '../src/core/index.js';
import { fitModel, loadModel, saveModel } from '../src/api/index.js';
import { readStructures } from '../src/host/index.js';
import { createIntegrator, stateToStructure } from '../src/md/index.js';
import { ComputeContext, ComputeWorkspace } from '../src/descriptors/index.js';
import { VerletPairList, buildNeighbourList, supercell } from '../src/geometry/index.js';
import { KernelModel } from '../src/model/index.js';
import type { BenchContext } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function model(kind: 'sr' | 'sr+lr', refs: number): Promise<KernelModel> {
  const dir = process.env.FARFIELD_BENCH_MODELS;
  const name = kind === 'sr' ? 'sr.ffm' : 'srlr.ffm';
  if (dir) return loadModel(join(dir, name)) as KernelModel;
  const cached = join(tmpdir(), `farfield-bench-md-${kind === 'sr' ? 'sr' : 'srlr'}-pbe40-${refs}.ffm`);
  if (!existsSync(cached)) {
    const frames = readStructures(join(root, 'data', 'nacl-liquid-pbe.xyz')).slice(0, 40);
    const fitted = await fitModel(frames, { descriptors: kind, selection: { count: refs } }, { onWarning: () => {} });
    saveModel(fitted.model, cached);
  }
  return loadModel(cached) as KernelModel;
}

/**
 * What the workspace saves per step, measured directly: CPU ms of the neighbour lists of one step (the model's
 * cutoffs) built fresh vs taken from a workspace, alternating along `steps` MD steps (median of each).
 */
function listsPerStep(m: KernelModel, s0: Structure, steps: number): { fresh: number; reused: number; cutoffs: number[] } {
  const integ = createIntegrator(m, { kind: 'verlet', timestepFs: 1 });
  const st = integ.init(s0, { temperatureK: 1200, seed: 1 });
  const probe = new ComputeWorkspace();
  m.descriptor.compute(s0, new ComputeContext(s0, probe)); // records the cutoffs the descriptor asks for
  // full lists (short-range blocks) and half pair lists (the FKK real space), as the descriptor asks for them
  const cutoffs = probe.cutoffsA, halves = probe.halfCutoffsA, ws = new ComputeWorkspace(), fresh: number[] = [], reused: number[] = [];
  for (let k = 0; k < steps; k++) {
    integ.step(st);
    const s = stateToStructure(st);
    let c0 = process.cpuUsage();
    for (const rc of cutoffs) buildNeighbourList(s, rc);
    for (const rc of halves) new VerletPairList(rc, 0).update(s.positions, s.cell);
    let c = process.cpuUsage(c0);
    fresh.push((c.user + c.system) / 1000);
    c0 = process.cpuUsage();
    for (const rc of cutoffs) ws.neighbours(s, rc);
    for (const rc of halves) ws.halfPairs(s, rc);
    c = process.cpuUsage(c0);
    if (k > 0) reused.push((c.user + c.system) / 1000); // step 0: the trajectory is not yet seen
  }
  const med = (t: number[]): number => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
  return { fresh: med(fresh), reused: med(reused), cutoffs: [...cutoffs, ...halves] };
}

/**
 * Median CPU ms per step over `timed` steps after `warm` steps from `s0`, with a trajectory workspace and without,
 * interleaved: two integrators from the same start advance in turn (A B A B …), the model's workspace set for A's
 * steps only, so both see the same machine load and JIT state.
 */
function msPerStep(m: KernelModel, s0: Structure, warm: number, timed: number): { withWs: number; without: number } {
  const ia = createIntegrator(m, { kind: 'verlet', timestepFs: 1 }), ib = createIntegrator(m, { kind: 'verlet', timestepFs: 1 });
  const ws = new ComputeWorkspace();
  m.workspace = ws;
  const sa = ia.init(s0, { temperatureK: 1200, seed: 1 });
  m.workspace = null;
  const sb = ib.init(s0, { temperatureK: 1200, seed: 1 });
  const ta: number[] = [], tb: number[] = [];
  for (let k = 0; k < warm + timed; k++) {
    m.workspace = ws;
    let c0 = process.cpuUsage();
    ia.step(sa);
    let c = process.cpuUsage(c0);
    if (k >= warm) ta.push((c.user + c.system) / 1000);
    m.workspace = null;
    c0 = process.cpuUsage();
    ib.step(sb);
    c = process.cpuUsage(c0);
    if (k >= warm) tb.push((c.user + c.system) / 1000);
  }
  const med = (t: number[]): number => t.sort((x, y) => x - y)[Math.floor(t.length / 2)];
  return { withWs: med(ta), without: med(tb) };
}

export async function run(ctx: BenchContext): Promise<void> {
  const refs = ctx.quick ? 200 : 1000;
  const sr = await model('sr', refs), srlr = await model('sr+lr', refs);
  const frames = readStructures(join(root, 'data', 'nacl-liquid-pbe.xyz'));
  const base = frames[frames.length - 1];
  for (const m of ctx.quick ? [2] : [2, 3]) {
    const s = supercell(base, [m, m, m]), n = s.species.length;
    const warm = 3, timed = n > 1000 ? 5 : 9;
    const load = loadavg()[0].toFixed(1);
    // with a trajectory workspace as `farfield md` runs them, and without (a fresh context every step), interleaved
    const a = msPerStep(sr, s, warm, timed), b = msPerStep(srlr, s, warm, timed);
    ctx.report(`md sr, ${n} ions`, a.withWs / n, 'ms/atom-step', `load ${load}`);
    ctx.report(`md sr+lr, ${n} ions`, b.withWs / n, 'ms/atom-step', `load ${load}`);
    ctx.report(`md sr+lr / sr, ${n} ions`, b.withWs / a.withWs, '×');
    ctx.report(`md sr, ${n} ions, no workspace`, a.without / n, 'ms/atom-step', `workspace saves ${(a.without - a.withWs).toFixed(1)} ms/step`);
    ctx.report(`md sr+lr, ${n} ions, no workspace`, b.without / n, 'ms/atom-step', `workspace saves ${(b.without - b.withWs).toFixed(1)} ms/step`);
    const nl = listsPerStep(srlr, s, 12);
    ctx.report(`sr+lr neighbour lists, ${n} ions, fresh`, nl.fresh, 'ms/step', `cutoffs ${nl.cutoffs.map((c) => c.toFixed(2)).join(', ')} Å`);
    ctx.report(`sr+lr neighbour lists, ${n} ions, workspace`, nl.reused, 'ms/step', `saves ${(nl.fresh - nl.reused).toFixed(1)} ms/step`);
  }
}
