/**
 * Files shared by both executors in a task array's directory:
 *   .farfield-marker     a random token written by the submitting process; a task whose copy of the directory
 *                        lacks it (the directory is not on a shared file system) exits 97 without running
 *   run-task.sh          wrapper: `run-task.sh I` (local) or the array index from SLURM_ARRAY_TASK_ID (slurm)
 *   task-I.argv          the task's argv, NUL-separated (no shell quoting involved)
 *   task-I.out/.err      the task's stdout and stderr
 *   task-I.exit          its exit code, written (atomically, by rename) when it ends
 *   task-I.times         bash's `times` after the task: CPU seconds (user + system) of the task's processes
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FarfieldError } from '../../core/index.js';
import type { TaskArray, TaskResult, TaskStatus } from './types.js';

export const MARKER = '.farfield-marker';
/** Exit code of a task that found no (or a different) marker. */
export const MARKER_EXIT = 97;

const SCRIPT = `#!/usr/bin/env bash
# farfield task wrapper (host/executor/script.ts): runs task I of this directory's array
# (sbatch runs a copy of this script from its spool: the directory comes from the environment)
dir=\${FARFIELD_TASK_DIR:?no task directory}
i=\${1:-\${SLURM_ARRAY_TASK_ID:?no task index}}
if [ "$(cat "$dir/${MARKER}" 2>/dev/null)" != "$FARFIELD_MARKER" ]; then
  echo "farfield: work directory $dir is not the submitter's on $(hostname) (marker missing): it must be on a file system all nodes see (--workdir)" >&2
  exit ${MARKER_EXIT}
fi
mapfile -d '' argv < "$dir/task-$i.argv"
"\${argv[@]}" > "$dir/task-$i.out" 2> "$dir/task-$i.err"
rc=$?
times > "$dir/task-$i.times"
echo "$rc" > "$dir/task-$i.exit.tmp" && mv -f "$dir/task-$i.exit.tmp" "$dir/task-$i.exit"
exit "$rc"
`;

/** Write the marker, wrapper and argv files of an array; clears earlier outputs of these tasks. Returns the token. */
export function prepareArray(array: TaskArray): { token: string; script: string; env: NodeJS.ProcessEnv } {
  if (array.tasks.length === 0) throw new FarfieldError('INVALID_INPUT', `${array.name}: no tasks to run`);
  mkdirSync(array.dir, { recursive: true });
  const token = randomBytes(12).toString('hex');
  writeFileSync(join(array.dir, MARKER), token);
  const script = join(array.dir, 'run-task.sh');
  writeFileSync(script, SCRIPT, { mode: 0o755 });
  for (const t of array.tasks) {
    if (!Number.isInteger(t.index) || t.index < 0) throw new FarfieldError('INVALID_INPUT', `${array.name}: task index ${t.index} is not a non-negative integer`);
    if (t.argv.length === 0) throw new FarfieldError('INVALID_INPUT', `${array.name}: task ${t.index} has no command`);
    for (const ext of ['exit', 'out', 'err', 'times'] as const) rmSync(taskFile(array.dir, t.index, ext), { force: true });
    writeFileSync(taskFile(array.dir, t.index, 'argv'), t.argv.map((a) => `${a}\0`).join(''));
  }
  return { token, script, env: { ...process.env, ...array.env, FARFIELD_MARKER: token, FARFIELD_TASK_DIR: resolve(array.dir) } };
}

export function taskFile(dir: string, index: number, ext: 'argv' | 'out' | 'err' | 'exit' | 'times'): string {
  return join(dir, `task-${index}.${ext}`);
}

/** The recorded exit code of a task, or null while it has none. */
export function readExitCode(dir: string, index: number): number | null {
  const p = taskFile(dir, index, 'exit');
  if (!existsSync(p)) return null;
  const v = Number.parseInt(readFileSync(p, 'utf8').trim(), 10);
  return Number.isInteger(v) ? v : null;
}

/** Last `lines` lines (at most 4 kB) of a file; '' when absent. */
export function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return '';
  const size = statSync(path).size;
  const text = readFileSync(path).subarray(Math.max(0, size - 4096)).toString('utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * CPU seconds of a finished task from `task-I.times` (bash `times`: line 2 = children's user and system time,
 * e.g. "0m1.234s 0m0.056s"); null when absent.
 */
export function readCpuSeconds(dir: string, index: number): number | null {
  const p = taskFile(dir, index, 'times');
  if (!existsSync(p)) return null;
  const line = readFileSync(p, 'utf8').trim().split('\n')[1] ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) return null;
  return parts.reduce((acc, m) => acc + 60 * Number(m[1]) + Number(m[2]), 0);
}

export function toResult(dir: string, s: TaskStatus): TaskResult {
  const stdout = taskFile(dir, s.index, 'out'), stderr = taskFile(dir, s.index, 'err');
  return { ...s, stdout, stderr, stderrTail: s.state === 'failed' ? tail(stderr) : '', cpuSeconds: readCpuSeconds(dir, s.index) };
}

/** Run `body` with SIGINT/SIGTERM routed to `onSignal` (which should stop the tasks); handlers removed afterwards. */
export async function withInterrupts<T>(onSignal: (signal: NodeJS.Signals) => void, body: (interrupted: () => NodeJS.Signals | null) => Promise<T>): Promise<T> {
  let got: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    if (got) return;
    got = sig;
    onSignal(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await body(() => got);
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Atomic small-file write used by the executors' callers (temporary file + rename in the same folder). */
export function writeSmallFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
