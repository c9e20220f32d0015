/**
 * The executor contract: run an array of independent tasks (one argv each) and report how each one ended.
 * Two implementations: `local` (child processes on this machine, local.ts) and `slurm` (one sbatch job array,
 * slurm.ts). Both start every task through the same wrapper script (script.ts), which checks the work-directory
 * marker, sends the task's stdout/stderr to `task-<i>.out` / `task-<i>.err` and records its exit code in
 * `task-<i>.exit`, so the caller reads results the same way whichever executor ran them.
 */

export type SchedulerKind = 'local' | 'slurm';

/** Options of `--scheduler …` on the commands that use an executor. */
export interface SchedulerOptions {
  scheduler: SchedulerKind;
  /** slurm: partition (`sbatch --partition`). */
  partition?: string;
  /** slurm: wall-time limit per task, HH:MM:SS or D-HH:MM:SS (`sbatch --time`). */
  time?: string;
  /** CPUs per task (slurm: `--cpus-per-task`; local: informational). */
  cpusPerTask?: number;
  /** Extra sbatch arguments, passed through unchanged (e.g. `--account=abc`, `--qos=short`). */
  sbatchArgs?: readonly string[];
  /** local: tasks at once (default: the machine's available parallelism). */
  parallel?: number;
  /** Poll interval, ms (default 1000 for slurm, 200 for local). */
  pollMs?: number;
}

export interface TaskSpec {
  /** Task index (array index; file names use it). */
  index: number;
  /** Program and arguments, run without a shell. */
  argv: readonly string[];
}

export interface TaskArray {
  /** Short job name (`sbatch --job-name`). */
  name: string;
  /** Directory of this array's wrapper script, task logs and exit codes; must be visible to every node (slurm). */
  dir: string;
  tasks: readonly TaskSpec[];
  /** Extra environment for the tasks (added to the caller's). */
  env?: Readonly<Record<string, string>>;
}

export type TaskState = 'pending' | 'running' | 'done' | 'failed';

export interface TaskStatus {
  index: number;
  state: TaskState;
  /** Exit code from `task-<i>.exit`; null when the task ended without one (cancelled, timed out, node failure). */
  exitCode: number | null;
  /** Why a task without an exit code is counted as failed (scheduler state when known). */
  reason?: string;
}

export interface TaskResult extends TaskStatus {
  /** Last lines of the task's stderr (failed tasks; empty otherwise). */
  stderrTail: string;
  /** CPU seconds (user + system) of the task's processes, from bash `times`; null when it did not finish. */
  cpuSeconds: number | null;
  /** Paths of the task's stdout and stderr files. */
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Called after every poll with every task's state. */
  onPoll?: (status: readonly TaskStatus[]) => void;
  /** Called once the tasks are submitted (slurm: the job id; local: 'local'). */
  onSubmit?: (jobId: string) => void;
}

export interface Executor {
  readonly kind: SchedulerKind;
  /**
   * Run the tasks; resolves when all have ended (successfully or not) with one result per task in input order.
   * SIGINT/SIGTERM while it runs cancel the tasks (slurm: `scancel`; local: the child processes are killed) and
   * reject with a CANCELLED FarfieldError.
   */
  run(array: TaskArray, options?: RunOptions): Promise<TaskResult[]>;
}
