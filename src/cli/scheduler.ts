/**
 * The `--scheduler` option family shared by the commands that can fan out (label, fit): parsing and validation to
 * the api's ClusterOptions. Without `--scheduler` the commands run in this process as before.
 */
import type { Command } from 'commander';
import { FarfieldError } from '../core/index.js';
import type { ClusterOptions } from '../api/index.js';
import { SCHEDULER_NAMES } from '../api/names.js';

export function addSchedulerOptions(cmd: Command, countOption: string, workdir = true): Command {
  cmd
    .option('--scheduler <kind>', `run ${countOption} as tasks of an executor: local (processes here) | slurm (sbatch job array); default: in this process`)
    .option('--partition <name>', 'slurm: partition (sbatch --partition)')
    .option('--time <HH:MM:SS>', 'slurm: wall-time limit per task (sbatch --time)')
    .option('--cpus-per-task <n>', 'slurm: CPUs per task (sbatch --cpus-per-task)')
    .option('--sbatch-arg <arg>', 'slurm: extra sbatch argument, repeatable (e.g. --sbatch-arg=--account=abc)', (v: string, prev: string[] = []) => [...prev, v]);
  if (workdir) cmd.option('--workdir <dir>', 'executor work directory, on a file system all nodes see (default OUTPUT.cluster); checked by a marker file');
  return cmd;
}

/** ClusterOptions from the parsed options, or null without --scheduler (then the scheduler-only options are refused). */
export function parseSchedulerOptions(o: Record<string, unknown>): ClusterOptions | null {
  const s = o.scheduler;
  if (s === undefined) {
    for (const k of ['partition', 'time', 'cpusPerTask', 'sbatchArg'])
      if (o[k] !== undefined) throw new FarfieldError('INVALID_INPUT', `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --scheduler slurm`);
    return null;
  }
  if (!(SCHEDULER_NAMES as readonly string[]).includes(String(s))) throw new FarfieldError('INVALID_INPUT', `--scheduler expects ${SCHEDULER_NAMES.join(' | ')}, got '${String(s)}'`);
  const out: ClusterOptions = { scheduler: s as ClusterOptions['scheduler'] };
  if (o.partition !== undefined) out.partition = String(o.partition);
  if (o.time !== undefined) {
    if (!/^(\d+-)?\d{1,2}(:\d{2}){0,2}$/.test(String(o.time))) throw new FarfieldError('INVALID_INPUT', `--time expects HH:MM:SS (or D-HH:MM:SS), got '${String(o.time)}'`);
    out.time = String(o.time);
  }
  if (o.cpusPerTask !== undefined) {
    const n = Number(o.cpusPerTask);
    if (!Number.isInteger(n) || n < 1) throw new FarfieldError('INVALID_INPUT', `--cpus-per-task expects a positive integer, got '${String(o.cpusPerTask)}'`);
    out.cpusPerTask = n;
  }
  if (o.sbatchArg !== undefined) out.sbatchArgs = o.sbatchArg as string[];
  if (o.workdir !== undefined) out.workdir = String(o.workdir);
  return out;
}

export function positiveInt(v: unknown, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new FarfieldError('INVALID_INPUT', `${flag} expects a positive integer, got '${String(v)}'`);
  return n;
}
