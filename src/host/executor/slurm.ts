/**
 * SLURM executor: one `sbatch --array` job per task array. Each array task runs the wrapper script (script.ts) with
 * its index from SLURM_ARRAY_TASK_ID; the job's environment is the submitter's (sbatch's default --export=ALL).
 * Polling: `squeue -h -r -j JOB -o '%K %T'` (one line per pending/running array task) every `pollMs`; a task absent
 * from squeue has ended: its `task-I.exit` says how. A task that left squeue without an exit file (cancelled,
 * timed out, node failure, or a work directory the node does not see) is failed after a grace period of 3 polls
 * (slow shared file systems), with the state `sacct` reports when accounting is enabled. squeue errors other than
 * "invalid job id" (the job has left the controller's memory) are retried for 30 polls. SIGINT/SIGTERM while the
 * job runs: `scancel JOB`, then a CANCELLED error.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { FarfieldError } from '../../core/index.js';
import { prepareArray, readExitCode, sleep, toResult, withInterrupts } from './script.js';
import type { Executor, RunOptions, SchedulerOptions, TaskArray, TaskResult, TaskStatus } from './types.js';

function runTool(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, timeout: 60_000 });
  if (r.error) return { ok: false, stdout: '', stderr: r.error.message };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** True when `sbatch` and `squeue` answer (a reachable controller). */
export function slurmAvailable(): boolean {
  return runTool('squeue', ['-h', '-o', '%i']).ok && runTool('sbatch', ['--version']).ok;
}

/** The sbatch arguments of an array job for these options (exported for tests and the docs). */
export function sbatchArguments(array: TaskArray, options: Partial<SchedulerOptions>): string[] {
  const idx = array.tasks.map((t) => t.index).join(',');
  const args = ['--parsable', `--job-name=${array.name}`, `--array=${idx}`, `--output=${join(resolve(array.dir), 'slurm-%a.log')}`,
    `--chdir=${process.cwd()}`];
  if (options.partition) args.push(`--partition=${options.partition}`);
  if (options.time) args.push(`--time=${options.time}`);
  if (options.cpusPerTask) args.push(`--cpus-per-task=${options.cpusPerTask}`);
  args.push(...(options.sbatchArgs ?? []));
  return args;
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm' as const;
  constructor(private readonly options: Partial<SchedulerOptions> = {}) {}

  async run(array: TaskArray, options: RunOptions = {}): Promise<TaskResult[]> {
    const { script, env } = prepareArray(array);
    const sub = runTool('sbatch', [...sbatchArguments(array, this.options), script], env);
    if (!sub.ok)
      throw new FarfieldError('EXTERNAL', `${array.name}: sbatch failed: ${(sub.stderr || sub.stdout).trim() || 'no output'} (is SLURM reachable? SLURM_CONF=${process.env.SLURM_CONF ?? 'unset'})`);
    const jobId = sub.stdout.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) throw new FarfieldError('EXTERNAL', `${array.name}: sbatch printed no job id ('${sub.stdout.trim()}')`);
    options.onSubmit?.(jobId);
    const pollMs = this.options.pollMs ?? 1000;
    const status: TaskStatus[] = array.tasks.map((t) => ({ index: t.index, state: 'pending', exitCode: null }));
    const missing = new Map<number, number>(); // polls a task has been out of squeue without an exit file
    let squeueFailures = 0;
    return withInterrupts(() => {
      runTool('scancel', [jobId]);
    }, async (interrupted) => {
      for (;;) {
        if (interrupted()) break;
        const q = runTool('squeue', ['-h', '-r', '-j', jobId, '-o', '%K %T']);
        const queued = new Map<number, string>();
        // squeue fails with "Invalid job id" once the job has left the controller's memory: nothing queued then
        if (q.ok) {
          for (const line of q.stdout.split('\n')) {
            const [k, st] = line.trim().split(/\s+/);
            if (k !== undefined && st !== undefined && /^\d+$/.test(k)) queued.set(Number(k), st);
          }
        } else if (!/invalid job id/i.test(q.stderr)) {
          // a busy or restarting controller: keep polling for a while before giving up (the job keeps running)
          if (++squeueFailures > 30) throw new FarfieldError('EXTERNAL', `${array.name}: squeue failed 30 times in a row: ${q.stderr.trim()} (job ${jobId} was left running; scancel ${jobId} to stop it)`);
          await sleep(pollMs);
          continue;
        }
        squeueFailures = 0;
        let open = 0;
        for (const s of status) {
          if (s.state === 'done' || s.state === 'failed') continue;
          const st = queued.get(s.index);
          const rc = readExitCode(array.dir, s.index);
          if (rc !== null) {
            s.exitCode = rc;
            s.state = rc === 0 ? 'done' : 'failed';
            continue;
          }
          if (st !== undefined) {
            s.state = st === 'PENDING' || st === 'CONFIGURING' ? 'pending' : 'running';
            missing.delete(s.index);
            open++;
            continue;
          }
          const n = (missing.get(s.index) ?? 0) + 1;
          missing.set(s.index, n);
          if (n > 3) {
            s.state = 'failed';
            s.reason = `SLURM task ${jobId}_${s.index} ended without an exit code (${sacctState(jobId, s.index) ?? 'cancelled, timed out or node failure'}); `
              + `if it never started, check that the work directory ${array.dir} is on a file system all nodes see (slurm log: ${join(array.dir, `slurm-${s.index}.log`)})`;
          } else open++;
        }
        options.onPoll?.(status);
        if (open === 0) break;
        await sleep(pollMs);
      }
      const sig = interrupted();
      if (sig) throw new FarfieldError('CANCELLED', `${array.name}: interrupted (${sig}); SLURM job ${jobId} cancelled (scancel ${jobId})`);
      return status.map((s) => toResult(array.dir, s));
    });
  }
}

/** The accounting state of one array task ("TIMEOUT", "CANCELLED by 0", …) when sacct works; null otherwise. */
function sacctState(jobId: string, index: number): string | null {
  const r = runTool('sacct', ['-n', '-P', '-X', '-j', `${jobId}_${index}`, '-o', 'State']);
  const s = r.ok ? r.stdout.trim().split('\n')[0]?.trim() : '';
  return s ? `sacct: ${s}` : null;
}
