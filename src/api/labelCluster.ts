/**
 * `farfield label … --scheduler slurm|local [--array-size K] [--resume]`: the frames split into K contiguous chunks,
 * one array task per chunk running `farfield label` on it (any engine), merged in input order into the same
 * output a local run writes.
 *
 * Work directory (`--workdir`, default `<output>.cluster`; on a file system all nodes see):
 *   chunk-k.xyz, chunk-k.key   the chunk's frames and its key (SHA-256 of the chunk file + the labelling options)
 *   out-k.xyz, summary-k.json  the task's labelled frames and its LabelSummary
 *   cp2k-k/                    CP2K's own per-frame work directory (cp2k engine; resumable inside the chunk too)
 *   tasks/                     the executor's wrapper, task logs and exit codes
 * `--resume` re-submits only the chunks without a finished output for the same key: a failed chunk, or one whose
 * frames changed since (e.g. a bad frame fixed in the input). Progress on stderr: frames done / failed / pending,
 * from the chunks' outputs (CP2K rewrites its chunk output after every frame). A failed task's stderr tail is shown.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FarfieldError, type Structure } from '../core/index.js';
import { checkOutputFile, readStructures, writeStructures } from '../host/index.js';
import { sha256 } from '../model/index.js';
import type { RejectedFrame } from '../reference/index.js';
import type { TaskStatus } from '../host/index.js';
import { LABEL_ENGINES, type LabelRequest, type LabelSummary } from './label.js';
import { clusterWorkdir, logger, runTasks, taskCommand, tasksFailed, type ClusterOptions } from './clusterRun.js';

export interface ClusterLabelRequest extends Omit<LabelRequest, 'workdir' | 'onProgress'> {
  cluster: ClusterOptions;
  /** Number of chunks (array tasks); default min(frames, 4). */
  chunks?: number;
  /** Re-submit only missing or failed chunks of an earlier run in the same work directory. */
  resume?: boolean;
}

export interface ClusterLabelSummary extends LabelSummary {
  chunks: number;
  /** Chunks submitted in this run (the others were finished already, --resume). */
  submitted: number[];
  workdir: string;
}

/** Contiguous chunks [lo, hi) of n frames, sizes differing by at most one. */
export function chunkRanges(n: number, k: number): { lo: number; hi: number }[] {
  const K = Math.max(1, Math.min(k, n));
  return Array.from({ length: K }, (_, j) => ({ lo: Math.floor((j * n) / K), hi: Math.floor(((j + 1) * n) / K) }));
}

/** The `farfield label` arguments of a chunk task (everything but input, output and work directory). */
function labelArgs(req: ClusterLabelRequest): string[] {
  const a = ['--engine', req.engine];
  if (req.method !== undefined) a.push('--method', req.method);
  if (req.charges !== undefined) a.push('--charges', Object.entries(req.charges).map(([k, v]) => `${k}=${v}`).join(','));
  if (req.shift) a.push('--shift');
  if (req.np !== undefined) a.push('--np', String(req.np));
  if (req.nice !== undefined) a.push('--nice', String(req.nice));
  if (req.maxNetForcePerAtom !== undefined) a.push('--max-net-force', String(req.maxNetForcePerAtom));
  return a;
}

function countFrames(path: string): number {
  try {
    return existsSync(path) ? readStructures(path, { format: 'extxyz' }).length : 0;
  } catch {
    return 0; // being rewritten
  }
}

export async function labelFileOnCluster(req: ClusterLabelRequest): Promise<ClusterLabelSummary> {
  if (!(LABEL_ENGINES as readonly string[]).includes(req.engine))
    throw new FarfieldError('INVALID_INPUT', `unknown labelling engine '${req.engine}' (known: ${LABEL_ENGINES.join(', ')})`);
  checkOutputFile(req.output, 'labelled frames');
  const frames = readStructures(req.input);
  if (frames.length === 0) throw new FarfieldError('INVALID_INPUT', `${req.input}: no structures to label`);
  const opts = req.cluster;
  const log = logger(opts);
  const onProgress = opts.onProgress ?? (() => {});
  const dir = clusterWorkdir(opts, req.output);
  const ranges = chunkRanges(frames.length, req.chunks ?? 4);
  const args = labelArgs(req);
  const cmd = taskCommand(opts);
  const f = (k: number, what: string): string => join(dir, `${what}-${k}.${what === 'chunk' || what === 'out' ? 'xyz' : what === 'summary' ? 'json' : 'key'}`);

  const todo: number[] = [];
  ranges.forEach((r, k) => {
    const chunk = f(k, 'chunk');
    writeStructures(chunk, frames.slice(r.lo, r.hi), { format: 'extxyz' });
    const key = sha256(`${readFileSync(chunk, 'utf8')}\n${JSON.stringify(args)}`);
    const old = existsSync(f(k, 'key')) ? readFileSync(f(k, 'key'), 'utf8') : '';
    const finished = old === key && existsSync(f(k, 'out')) && existsSync(f(k, 'summary'));
    if (req.resume && finished) return;
    for (const w of ['out', 'summary']) rmSync(f(k, w), { force: true });
    if (req.engine === 'cp2k' && !req.resume) rmSync(join(dir, `cp2k-${k}`), { recursive: true, force: true });
    writeFileSync(f(k, 'key'), key);
    todo.push(k);
  });
  const sizes = ranges.map((r) => r.hi - r.lo);
  if (todo.length === 0) log(`label: all ${ranges.length} chunks finished already (--resume); merging`);
  else {
    if (req.resume) log(`label: resuming: ${todo.length} of ${ranges.length} chunk(s) to run (${todo.join(', ')})`);
    const progress = (s: readonly TaskStatus[]): void => {
      let done = 0, failed = 0;
      ranges.forEach((_, k) => {
        if (!todo.includes(k)) done += sizes[k];
      });
      for (const t of s) {
        if (t.state === 'done') done += sizes[t.index];
        else if (t.state === 'failed') failed += sizes[t.index];
        else if (t.state === 'running' && req.engine === 'cp2k') done += countFrames(f(t.index, 'out'));
      }
      onProgress({ phase: 'label', done, total: frames.length, message: `${failed} failed, ${frames.length - done - failed} pending` });
    };
    const results = await runTasks(opts, 'farfield-label', join(dir, 'tasks'), todo.map((k) => ({
      index: k,
      argv: [...cmd, 'label', f(k, 'chunk'), '-o', f(k, 'out'), ...args, ...(req.engine === 'cp2k' ? ['--workdir', join(dir, `cp2k-${k}`)] : []),
        '--summary-json', f(k, 'summary')],
    })), progress, false);
    const failed = results.filter((r) => r.state !== 'done');
    if (failed.length) {
      const framesOf = failed.map((r) => `chunk ${r.index}: frames ${ranges[r.index].lo}–${ranges[r.index].hi - 1}`).join('; ');
      throw tasksFailed('label', failed, log, ` [${framesOf}]; fix the cause and rerun with --resume (only these chunks are re-submitted; ${req.output} is not written until all chunks succeed)`);
    }
  }

  // merge in input order
  const labelled: Structure[] = [];
  const rejected: RejectedFrame[] = [];
  let computed = 0, reused = 0, seconds = 0;
  ranges.forEach((r, k) => {
    const out = readStructures(f(k, 'out'), { format: 'extxyz' });
    const s = JSON.parse(readFileSync(f(k, 'summary'), 'utf8')) as LabelSummary;
    labelled.push(...out);
    for (const x of s.rejected) rejected.push({ index: x.index + r.lo, reason: x.reason });
    computed += s.computed;
    reused += s.reused;
    seconds += s.secondsPerFrame * s.computed;
  });
  writeStructures(req.output, labelled, { format: 'extxyz' });
  return {
    engine: req.engine, frames: frames.length, accepted: labelled.length, rejected, computed, reused,
    secondsPerFrame: computed ? seconds / computed : 0, workdir: dir, chunks: ranges.length, submitted: todo,
  };
}

/**
 * Hook for on-the-fly learning (issue 19 item 4): label a batch of in-memory frames through an executor and resolve
 * with the labelled frames in input order (rejected CP2K frames are left out; see `summary.rejected`). The executor
 * polls with timers, so the caller's event loop stays free: a learning loop can keep running MD with the current
 * model while the batch is labelled, and await this promise between MD chunks. Files: `<workdir>/batch-<name>/`.
 */
export async function labelStructuresOnCluster(frames: readonly Structure[], req: Omit<ClusterLabelRequest, 'input' | 'output'> & { name: string; workdir: string }):
  Promise<{ structures: Structure[]; summary: ClusterLabelSummary }> {
  const dir = join(req.workdir, `batch-${req.name}`);
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'input.xyz'), output = join(dir, 'labelled.xyz');
  writeStructures(input, frames, { format: 'extxyz' });
  const { name: _n, workdir: _w, ...rest } = req;
  const summary = await labelFileOnCluster({ ...rest, input, output, cluster: { ...req.cluster, workdir: join(dir, 'work') } });
  return { structures: readStructures(output, { format: 'extxyz' }), summary };
}
