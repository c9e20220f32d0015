/**
 * Run the farfield CLI in a child process (the test runner owns this process's stdout), in the repository root,
 * progress bars off. The command is `CLI_COMMAND`, compiled JavaScript whenever there is a current compilation:
 * - tests compiled by scripts/run-tests.mjs (dist-test/run-PID/): the CLI of that same compilation, …/src/cli/main.js;
 * - tests run from the sources (`node --import tsx --test FILE`): `node dist/src/cli/main.js` (what `npx farfield`
 *   runs) when dist/ is up to date with src/ — every src/**.ts has its dist/src/**.js, written after the source last
 *   changed (test/helpers/dist.ts; `npm ci` builds it) — else the sources through tsx, `node --import tsx
 *   src/cli/main.ts`, which costs about three times the CPU to start. FARFIELD_TEST_CLI=tsx forces the sources.
 * Either way the code under test is the same source tree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { distUpToDate } from './dist.js';
import { CODE_ROOT, COMPILED, REPO_ROOT } from './paths.js';

export const CLI_MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
export const CLI_DIST_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * V8 options of every CLI process a test starts: no concurrent TurboFan recompilation, as for the test processes
 * themselves (scripts/run-tests.mjs NODE_FLAGS): a short process can otherwise deadlock at the end of its event loop
 * (nodejs/node#54918: a background compile job waits for a GC that the main thread, blocked in DrainTasks, never runs).
 * Same results; the CPU is not higher.
 */
export const TEST_NODE_FLAGS: readonly string[] = ['--no-concurrent-recompilation'];

/** Node arguments that start the CLI (see the header): [..., main] — append the command's arguments. */
export const CLI_NODE_ARGS: readonly string[] = [...TEST_NODE_FLAGS, ...(COMPILED ? [join(CODE_ROOT, 'src', 'cli', 'main.js')]
  : process.env.FARFIELD_TEST_CLI !== 'tsx' && distUpToDate(REPO_ROOT) ? [CLI_DIST_MAIN]
  : ['--import', 'tsx', CLI_MAIN])];

/** The whole command, for FARFIELD_CLI and the executors' `command` option. */
export const CLI_COMMAND: readonly string[] = [process.execPath, ...CLI_NODE_ARGS];

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export function runCli(args: string[]): CliResult {
  return runCliEnv(args, {});
}

/** Run the CLI under a file-size limit (`ulimit -f`, KiB) in a child shell: a write beyond it returns a short count
 * and then EFBIG (Node ignores SIGXFSZ, so the process is not killed). */
export function runCliLimited(args: string[], fileLimitKiB: number, env: Record<string, string> = {}): CliResult {
  const r = spawnSync('bash', ['-c', `ulimit -f ${fileLimitKiB}; exec "$@"`, 'bash', ...CLI_COMMAND, ...args], {
    encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0', ...env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Run the CLI with extra environment variables. */
export function runCliEnv(args: string[], env: Record<string, string>): CliResult {
  const r = spawnSync(process.execPath, [...CLI_NODE_ARGS, ...args], {
    encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0', ...env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The CLI without blocking this process: several commands that mostly wait (SLURM jobs) can overlap. */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], {
      cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') }));
  });
}
