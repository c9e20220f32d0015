/**
 * Run the farfield CLI from the sources in a child process (the test runner owns this process's stdout):
 * `node --import tsx src/cli/main.ts ARGS` in the repository root, progress bars off.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const CLI_MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Run the CLI under a file-size limit (`ulimit -f`, KiB) in a child shell: a write beyond it returns a short count
 * and then EFBIG (Node ignores SIGXFSZ, so the process is not killed). */
export function runCliLimited(args: string[], fileLimitKiB: number, env: Record<string, string> = {}): CliResult {
  const r = spawnSync('bash', ['-c', `ulimit -f ${fileLimitKiB}; exec "$@"`, 'bash', process.execPath, '--import', 'tsx', CLI_MAIN, ...args], {
    encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0', ...env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Run the CLI with extra environment variables. */
export function runCliEnv(args: string[], env: Record<string, string>): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0', ...env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
