/**
 * Local executor: the array's tasks as child processes of this one, at most `parallel` at a time, each through the
 * same wrapper script as on SLURM (script.ts). Used by `--scheduler local` (the map–reduce paths without a cluster)
 * and by tests. SIGINT/SIGTERM kill the running children and reject with CANCELLED.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { FarfieldError } from '../../core/index.js';
import { prepareArray, readExitCode, sleep, toResult, withInterrupts } from './script.js';
import type { Executor, RunOptions, SchedulerOptions, TaskArray, TaskResult, TaskStatus } from './types.js';

export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;
  constructor(private readonly options: Partial<SchedulerOptions> = {}) {}

  async run(array: TaskArray, options: RunOptions = {}): Promise<TaskResult[]> {
    const { script, env } = prepareArray(array);
    const parallel = Math.max(1, this.options.parallel ?? availableParallelism());
    const pollMs = this.options.pollMs ?? 200;
    const status: TaskStatus[] = array.tasks.map((t) => ({ index: t.index, state: 'pending', exitCode: null }));
    const children = new Map<number, ChildProcess>();
    options.onSubmit?.('local');
    return withInterrupts(() => {
      for (const c of children.values()) c.kill('SIGTERM');
    }, async (interrupted) => {
      let next = 0;
      const start = (k: number): void => {
        const t = array.tasks[k];
        const child = spawn('bash', [script, String(t.index)], { env, stdio: 'ignore' });
        status[k].state = 'running';
        children.set(k, child);
        child.on('exit', (code, signal) => {
          children.delete(k);
          const rc = readExitCode(array.dir, t.index);
          status[k].exitCode = rc;
          status[k].state = rc === 0 ? 'done' : 'failed';
          if (rc === null) status[k].reason = `the wrapper ended without an exit code (${signal ? `signal ${signal}` : `exit ${code}`})`;
        });
        child.on('error', (e) => {
          children.delete(k);
          status[k].state = 'failed';
          status[k].reason = `cannot start bash: ${e.message}`;
        });
      };
      for (;;) {
        if (interrupted()) break;
        while (children.size < parallel && next < array.tasks.length) start(next++);
        options.onPoll?.(status);
        if (next >= array.tasks.length && children.size === 0) break;
        await sleep(pollMs);
      }
      const sig = interrupted();
      if (sig) {
        while (children.size > 0) await sleep(50);
        throw new FarfieldError('CANCELLED', `${array.name}: interrupted (${sig}); the local tasks were stopped`);
      }
      return status.map((s) => toResult(array.dir, s));
    });
  }
}
