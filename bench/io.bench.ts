/**
 * Extended-XYZ throughput: streaming read, whole-file read and write of a ~100 MB file (10 MB with --quick).
 * The input is generated once with our writer and cached in os.tmpdir() (ff-bench-io-<MB>.xyz).
 * Frames: 192 atoms, Lattice, energy, stress, forces (like the DFT training sets). Positions and forces are rounded to
 * 8 decimals, as ASE writes them (%16.8f) and as the datasets in ../shared/data hold them; a second figure reads a
 * file of full-precision (17-digit) doubles, the worst case for number parsing.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng, makeStructure, type Structure } from '../src/core/index.js';
import { readFrames, readStructures, writeStructures } from '../src/host/index.js';
import type { BenchContext } from './harness.js';

const r8 = (x: number) => Math.round(x * 1e8) / 1e8;

function frames(count: number, rng: Rng, full: boolean): Structure[] {
  const n = 192, L = 12.4;
  return Array.from({ length: count }, (_, k) => {
    const stress = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) stress[3 * i + j] = stress[3 * j + i] = rng.normal() * 0.01;
    return makeStructure({
      symbols: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'O' : 'H')),
      positions: Float64Array.from({ length: 3 * n }, () => (full ? rng.range(0, L) : r8(rng.range(0, L)))),
      cell: [L, 0, 0, 0, L, 0, 0, 0, L],
      info: { config_type: 'bench', index: k },
      labels: { energyEv: -36000 + rng.normal(), forcesEvPerA: Float64Array.from({ length: 3 * n }, () => (full ? rng.normal() : r8(rng.normal()))), stressEvPerA3: stress },
    });
  });
}

export async function run(ctx: BenchContext): Promise<void> {
  const targetMB = ctx.quick ? 10 : 100;
  await one(ctx, targetMB, false);
  await one(ctx, targetMB, true);
}

async function one(ctx: BenchContext, targetMB: number, full: boolean): Promise<void> {
  const tag = full ? '17-digit' : '8-decimal';
  const path = join(tmpdir(), `ff-bench-io-${targetMB}-${full ? 'full' : 'r8'}.xyz`);
  const rng = new Rng(1);
  const batch = frames(50, rng, full); // reused: the cost does not depend on the values
  const bytesPerBatch = (() => {
    const probe = join(tmpdir(), `ff-bench-io-probe-${process.pid}.xyz`);
    writeStructures(probe, batch);
    const b = statSync(probe).size;
    rmSync(probe);
    return b;
  })();
  const batches = Math.max(1, Math.round((targetMB * 1e6) / bytesPerBatch));
  const all: Structure[] = [];
  for (let b = 0; b < batches; b++) all.push(...batch);

  // write (always measured; the result becomes the cache if there is none)
  const tmp = join(tmpdir(), `ff-bench-io-write-${process.pid}.xyz`);
  const t0 = performance.now();
  writeStructures(tmp, all);
  const tw = (performance.now() - t0) / 1000;
  const size = statSync(tmp).size;
  ctx.report(`extxyz write, ${tag} (${all.length} frames)`, size / 1e6 / tw, 'MB/s', `${(size / 1e6).toFixed(1)} MB in ${tw.toFixed(2)} s`);
  if (!existsSync(path)) renameSync(tmp, path);
  else rmSync(tmp);

  const mb = statSync(path).size / 1e6;
  let best = Infinity, bestCpu = Infinity, count = 0;
  for (let r = 0; r < 2; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    count = 0;
    for await (const s of readFrames(path)) count += s.species.length > 0 ? 1 : 0;
    best = Math.min(best, (performance.now() - t) / 1000);
    const u = process.cpuUsage(c);
    bestCpu = Math.min(bestCpu, (u.user + u.system) / 1e6);
  }
  // CPU time (user + system, all threads incl. GC) is reported too: wall time is meaningless on a loaded machine
  ctx.report(`extxyz streaming read, ${tag} (${count} frames)`, mb / best, 'MB/s', `${mb.toFixed(1)} MB in ${best.toFixed(2)} s wall (best of 2); per CPU-second ${(mb / bestCpu).toFixed(1)} MB/s`);
  const t2 = performance.now();
  const whole = readStructures(path).length;
  const tr = (performance.now() - t2) / 1000;
  ctx.report(`extxyz whole-file read, ${tag} (${whole} frames)`, mb / tr, 'MB/s', `${mb.toFixed(1)} MB in ${tr.toFixed(2)} s`);
}
