/** Executors (`local`, `slurm`) for the commands that fan work out as task arrays; see types.ts for the contract. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FarfieldError } from '../../core/index.js';
import { LocalExecutor } from './local.js';
import { SlurmExecutor } from './slurm.js';
import type { Executor, SchedulerOptions } from './types.js';

export * from './types.js';
export { LocalExecutor } from './local.js';
export { SlurmExecutor, sbatchArguments, slurmAvailable } from './slurm.js';
export { MARKER, MARKER_EXIT, tail, taskFile } from './script.js';

export function createExecutor(options: SchedulerOptions): Executor {
  if (options.scheduler === 'local') return new LocalExecutor(options);
  if (options.scheduler === 'slurm') return new SlurmExecutor(options);
  throw new FarfieldError('INVALID_INPUT', `unknown scheduler '${String((options as { scheduler: unknown }).scheduler)}' (known: local, slurm)`);
}

/**
 * Node options every farfield CLI process runs with. Without concurrent TurboFan recompilation a short process cannot
 * deadlock at the end of its event loop (nodejs/node#54918 in Node 20: the main thread drains the platform's tasks
 * while a background TurboFan job waits for a garbage collection only the main thread can run; seen by gdb in the test
 * suite, ~1 in 150 short processes under load). The optimised code is the same, compiled on the main thread.
 * bin/farfield.js's shebang passes the same option.
 */
export const CLI_NODE_OPTIONS: readonly string[] = ['--no-concurrent-recompilation'];

/**
 * The command that starts this farfield's CLI in a task: FARFIELD_CLI (a JSON array of strings) when set, else the
 * node binary (with CLI_NODE_OPTIONS) and the CLI entry of this installation: dist/src/cli/main.js, or src/cli/main.ts through tsx when
 * running from the TypeScript sources.
 */
export function farfieldCommand(): string[] {
  const env = process.env.FARFIELD_CLI;
  if (env) {
    let v: unknown;
    try {
      v = JSON.parse(env);
    } catch {
      v = null;
    }
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string'))
      throw new FarfieldError('INVALID_INPUT', `FARFIELD_CLI must be a JSON array of strings such as ["node", "/opt/farfield/bin/farfield.js"], got '${env}'`);
    return v as string[];
  }
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith('.ts');
  const main = join(dirname(here), '..', '..', 'cli', ts ? 'main.ts' : 'main.js');
  if (!existsSync(main)) throw new FarfieldError('IO', `cannot find farfield's CLI entry (${main}); set FARFIELD_CLI`);
  if (!ts) return [process.execPath, ...CLI_NODE_OPTIONS, main];
  // tsx by absolute URL: a task may start in any directory
  let tsx = 'tsx';
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    /* keep the bare name */
  }
  return [process.execPath, ...CLI_NODE_OPTIONS, '--import', tsx, main];
}
