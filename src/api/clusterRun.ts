/**
 * Shared pieces of the commands that fan out through an executor (label, fit): the cluster work directory and its
 * marker, running one task array with progress, and the error for failed tasks (their stderr tails).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FarfieldError, type ProgressCallback } from '../core/index.js';
import { createExecutor, farfieldCommand, type SchedulerOptions, type TaskResult, type TaskSpec, type TaskStatus } from '../host/index.js';

export interface ClusterOptions extends SchedulerOptions {
  /** Work directory on a file system every node sees (default: next to the output, `<output>.cluster`). */
  workdir?: string;
  /** The farfield command the tasks run (default: this installation's CLI, host/executor `farfieldCommand`). */
  command?: readonly string[];
  onProgress?: ProgressCallback;
  /** Messages for the user (submitted job ids, failed tasks' stderr tails); default: stderr. */
  onLog?: (message: string) => void;
}

export const SCHEDULERS = ['local', 'slurm'] as const;

export function clusterWorkdir(options: ClusterOptions, output: string): string {
  const dir = resolve(options.workdir ?? `${output}.cluster`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function logger(options: ClusterOptions): (m: string) => void {
  return options.onLog ?? ((m: string) => process.stderr.write(`${m}\n`));
}

/** The farfield argv prefix for tasks. */
export function taskCommand(options: ClusterOptions): string[] {
  return options.command ? [...options.command] : farfieldCommand();
}

/**
 * Run one task array; `onPoll` may turn the states into progress. Resolves with the results; throws an EXTERNAL
 * error naming the failed tasks (with their stderr tails, also logged in full) when `throwOnFailure`.
 */
export async function runTasks(options: ClusterOptions, name: string, dir: string, tasks: readonly TaskSpec[],
  onPoll?: (s: readonly TaskStatus[]) => void, throwOnFailure = true): Promise<TaskResult[]> {
  const log = logger(options);
  const executor = createExecutor(options);
  const results = await executor.run({ name, dir, tasks }, {
    onSubmit: (id) => log(id === 'local' ? `${name}: ${tasks.length} local task(s) in ${dir}` : `${name}: SLURM job ${id}, ${tasks.length} array task(s), logs in ${dir}`),
    ...(onPoll ? { onPoll } : {}),
  });
  const failed = results.filter((r) => r.state !== 'done');
  if (failed.length && throwOnFailure) throw tasksFailed(name, failed, log);
  return results;
}

export function tasksFailed(name: string, failed: readonly TaskResult[], log: (m: string) => void, hint = ''): FarfieldError {
  for (const f of failed)
    log(`${name}: task ${f.index} failed (${f.exitCode === null ? f.reason ?? 'no exit code' : `exit ${f.exitCode}`}); stderr (${f.stderr}):\n${indent(f.stderrTail || '(empty)')}`);
  const first = failed[0];
  const why = first.stderrTail.split('\n').filter((l) => l.trim()).pop() ?? first.reason ?? `exit ${first.exitCode}`;
  return new FarfieldError('EXTERNAL', `${name}: ${failed.length} task(s) failed (${failed.map((f) => f.index).join(', ')}); task ${first.index}: ${why}${hint}`);
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

/** Counts of task states for progress messages. */
export function stateCounts(s: readonly TaskStatus[]): { done: number; failed: number; running: number; pending: number } {
  const c = { done: 0, failed: 0, running: 0, pending: 0 };
  for (const t of s) c[t.state]++;
  return c;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 1));
}
