/**
 * Sharded (map–reduce) fit through an executor: `farfield fit … --scheduler slurm|local --shards K`.
 *
 *   plan     the training set split into K contiguous shards of about equal atom count, written as extended XYZ
 *            (exact round trip: shortest decimal representation) with plan.json (fit configuration, plan id)
 *   map 1    task k: descriptors of shard k → features-k.bin (every environment is a selection candidate)
 *   select   here: block balancing, kernel data and reference selection over all shards' environments in structure
 *            order — model/fit.ts `selectFitReferences`, the same function and input as the in-process fit, so the
 *            same picks for the same seed; baseline and row scalings from the labels (`fitRowScaling`)
 *            → references.bin (descriptor and kernel specs, reference rows, scalings)
 *   map 2    task k: ΦᵀΦ_k, Φᵀy_k, yᵀy_k, row counts of shard k (`buildNormalEquations`, one thread) → normal-k.bin
 *   reduce   here: Σ_k in shard order (shardFile.ts), solve and model as the in-process fit (`finishFit`)
 * All binary files are checksummed (shardFile.ts) and carry the plan id. The result equals the in-process fit up to
 * the grouping of floating-point additions in ΦᵀΦ, and repeated sharded fits are identical bit for bit.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { FarfieldError, type Structure } from '../core/index.js';
import { readStructures, writeStructures } from '../host/index.js';
import {
  buildNormalEquations, computeFeatures, decodeNormalShard, decodeShardFile, encodeNormalShard, encodeShardFile,
  finishFit, fitRowScaling, normalEquationsJob, reduceNormalShards, selectFitReferences, setupFit, type FitConfig, type FitNormalEquations,
  type KernelSpec, type NormalEquationsJob,
} from '../model/index.js';
import { createDescriptor, type DescriptorSpec } from '../descriptors/index.js';
import { isChargeKind } from './modelKinds.js';
import { completeFitModel, prepareFitConfig, type FitModelConfig, type FitModelOptions, type FitModelResult } from './fit.js';
import { clusterWorkdir, logger, runTasks, stateCounts, taskCommand, type ClusterOptions } from './clusterRun.js';

export interface ShardedFitOptions extends ClusterOptions {
  /** Number of shards K (≥ 1). */
  shards: number;
  /** Output model path (names the default work directory). */
  output: string;
}

export interface ShardedFitResult extends FitModelResult {
  workdir: string;
  shards: number;
  /** CPU seconds of the map tasks per stage (features, normal), summed over the shards. */
  taskCpuS: Record<string, number>;
}

interface FitPlan {
  version: 1;
  plan: string;
  config: FitConfig;
  shards: { lo: number; hi: number }[];
}

const now = (): number => performance.now();

/** node:crypto's SHA-256 (same digest as the portable one, ~10× faster on the shard files). */
const digest = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

/** Contiguous shards [lo, hi) with about equal atom counts (every shard non-empty; K ≤ number of structures). */
export function shardRanges(structures: readonly Structure[], k: number): { lo: number; hi: number }[] {
  const n = structures.length;
  const K = Math.min(k, n);
  let total = 0;
  for (const s of structures) total += s.species.length;
  const out: { lo: number; hi: number }[] = [];
  let lo = 0, acc = 0;
  for (let j = 0; j < K; j++) {
    if (j === K - 1) {
      out.push({ lo, hi: n });
      break;
    }
    const target = (total * (j + 1)) / K;
    let hi = lo + 1;
    acc += structures[lo].species.length;
    while (hi < n - (K - 1 - j) && acc + structures[hi].species.length / 2 <= target) acc += structures[hi++].species.length;
    out.push({ lo, hi });
    lo = hi;
  }
  return out;
}

function shardFile(dir: string, kind: 'structures' | 'features' | 'normal', k: number): string {
  return join(dir, kind === 'structures' ? `shard-${k}.xyz` : `${kind}-${k}.bin`);
}

function readPlan(dir: string): FitPlan {
  const p = join(dir, 'plan.json');
  if (!existsSync(p)) throw new FarfieldError('IO', `${p}: no fit plan (is ${dir} the work directory of a sharded fit?)`);
  return JSON.parse(readFileSync(p, 'utf8')) as FitPlan;
}

function readBin(path: string): Uint8Array {
  if (!existsSync(path)) throw new FarfieldError('IO', `${path}: missing (the task that writes it did not finish)`);
  return new Uint8Array(readFileSync(path));
}

/** Task side (`farfield fit-shard DIR --stage features|normal --shard K`): one map task of a sharded fit. */
export function runFitShard(dir: string, stage: string, shard: number): void {
  const plan = readPlan(dir);
  if (!Number.isInteger(shard) || shard < 0 || shard >= plan.shards.length)
    throw new FarfieldError('INVALID_INPUT', `fit-shard: shard ${shard} out of range 0…${plan.shards.length - 1}`);
  const structures = readStructures(shardFile(dir, 'structures', shard));
  const { lo, hi } = plan.shards[shard];
  if (structures.length !== hi - lo) throw new FarfieldError('PARSE', `${shardFile(dir, 'structures', shard)}: ${structures.length} structures, the plan says ${hi - lo}`);
  if (stage === 'features') {
    const descriptor = createDescriptor(plan.config.descriptor);
    const features = computeFeatures(structures, descriptor);
    let len = 0;
    for (const f of features) len += f.length;
    const all = new Float64Array(len);
    let o = 0;
    for (const f of features) {
      all.set(f, o);
      o += f.length;
    }
    writeAtomic(shardFile(dir, 'features', shard), encodeShardFile({ kind: 'features', plan: plan.plan, shard, width: descriptor.width }, [all], digest));
    return;
  }
  if (stage === 'normal') {
    const job = { ...readReferences(dir, plan.plan), structures };
    const ne = buildNormalEquations(job, { threads: 1 });
    writeAtomic(shardFile(dir, 'normal', shard), encodeNormalShard(plan.plan, shard, ne, digest));
    return;
  }
  throw new FarfieldError('INVALID_INPUT', `fit-shard: unknown stage '${stage}' (known: features, normal)`);
}

/** Temporary file + rename (atomic on one file system): a reader sees no file or the whole file. */
function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function writeReferences(dir: string, plan: string, job: Omit<NormalEquationsJob, 'structures'>): void {
  const header = {
    kind: 'references', plan, descriptor: job.descriptor, kernel: job.kernel, species: job.species, width: job.width,
    scaling: { energy: job.scaling.energy, forces: job.scaling.forces, stress: job.scaling.stress }, opts: job.opts,
  };
  writeAtomic(join(dir, 'references.bin'), encodeShardFile(header, [job.scaling.baselineEv, ...job.refFeatures], digest));
}

function readReferences(dir: string, plan: string): Omit<NormalEquationsJob, 'structures'> {
  const path = join(dir, 'references.bin');
  const { header: h, arrays } = decodeShardFile(readBin(path), path, { kind: 'references', plan }, digest);
  const sc = h.scaling as { energy: number; forces: number; stress: number };
  return {
    descriptor: h.descriptor as DescriptorSpec, kernel: h.kernel as KernelSpec, species: h.species as string[], width: h.width as number,
    scaling: { ...sc, baselineEv: arrays[0] }, refFeatures: arrays.slice(1), opts: h.opts as NormalEquationsJob['opts'],
  };
}

/** Fit through an executor in K shards (see the file comment); same result type as `fitModel`. */
export async function fitModelSharded(train: readonly Structure[], config: FitModelConfig, options: ShardedFitOptions,
  fitOptions: FitModelOptions = {}): Promise<ShardedFitResult> {
  if (!Number.isInteger(options.shards) || options.shards < 1) throw new FarfieldError('INVALID_INPUT', `--shards expects a positive integer, got ${options.shards}`);
  const { fitConfig: fc, note, kind } = prepareFitConfig(train, config, fitOptions.validation);
  if (isChargeKind(kind)) throw new FarfieldError('UNSUPPORTED', `fit --shards: '${kind}' is a learned-charge model; the sharded fit builds kernel models only (fit it without --scheduler/--shards)`);
  const setup = setupFit(train, fc);
  const onProgress = fitOptions.onProgress ?? options.onProgress ?? (() => {});
  const log = logger(options);
  const dir = clusterWorkdir(options, options.output);
  const ranges = shardRanges(train, options.shards);
  const K = ranges.length;
  const plan: FitPlan = { version: 1, plan: randomBytes(8).toString('hex'), config: fc, shards: ranges };
  ranges.forEach((r, k) => writeStructures(shardFile(dir, 'structures', k), train.slice(r.lo, r.hi), { format: 'extxyz' }));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  const cmd = taskCommand(options);
  const timings: Record<string, number> = {};
  const taskCpu: Record<string, number> = {};
  const stage = async (name: 'features' | 'normal', phase: string): Promise<void> => {
    const t0 = now();
    const res = await runTasks(options, `farfield-fit-${name}`, join(dir, `tasks-${name}`),
      ranges.map((_, k) => ({ index: k, argv: [...cmd, 'fit-shard', dir, '--stage', name, '--shard', String(k)] })),
      (s) => {
        const c = stateCounts(s);
        onProgress({ phase, done: c.done, total: K, message: `${c.running} running, ${c.pending} pending${c.failed ? `, ${c.failed} failed` : ''}` });
      });
    timings[name === 'features' ? 'descriptors' : 'normalEquations'] = (now() - t0) / 1000;
    taskCpu[name] = res.reduce((a, r) => a + (r.cpuSeconds ?? 0), 0);
  };
  log(`fit: ${train.length} structures in ${K} shard(s) through the ${options.scheduler} executor, work directory ${dir}`);

  // map 1: features per shard, gathered in structure order
  await stage('features', 'descriptors (shards)');
  const features: Float64Array[] = [];
  ranges.forEach((r, k) => {
    const path = shardFile(dir, 'features', k);
    const { header, arrays } = decodeShardFile(readBin(path), path, { kind: 'features', plan: plan.plan }, digest);
    if (header.width !== setup.width) throw new FarfieldError('PARSE', `${path}: width ${String(header.width)}, expected ${setup.width}`);
    let o = 0;
    for (let s = r.lo; s < r.hi; s++) {
      const len = train[s].species.length * setup.width;
      features.push(arrays[0].slice(o, o + len));
      o += len;
    }
    if (o !== arrays[0].length) throw new FarfieldError('PARSE', `${path}: ${arrays[0].length} feature values, expected ${o}`);
  });

  // global selection, scalings
  let t0 = now();
  const refs = selectFitReferences(train, features, setup, fc, onProgress);
  timings.selection = (now() - t0) / 1000;
  const targets = fitRowScaling(train, setup);
  const { structures: _x, ...job } = normalEquationsJob([], setup, refs, targets, fc);
  writeReferences(dir, plan.plan, job);

  // map 2 and reduce
  await stage('normal', 'normal equations (shards)');
  t0 = now();
  const parts: FitNormalEquations[] = ranges.map((_, k) => decodeNormalShard(readBin(shardFile(dir, 'normal', k)), shardFile(dir, 'normal', k), plan.plan, k, digest));
  const normal = reduceNormalShards(parts);
  timings.reduce = (now() - t0) / 1000;
  const { model, metadata } = finishFit(train, setup, refs, targets, normal, fc, timings, onProgress);
  const done = completeFitModel(model, metadata, train, note, { ...fitOptions, onProgress });
  return { ...done, workdir: dir, shards: K, taskCpuS: taskCpu };
}
