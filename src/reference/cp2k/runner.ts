/**
 * Runs CP2K on one prepared directory: `[nice -n K] mpirun --allow-run-as-root -np N cp2k.psmp -i in.inp -o out.out`
 * with OMP_NUM_THREADS=1 (one MPI rank per core). With np = 0 CP2K runs without mpirun.
 */
import { spawn, spawnSync } from 'node:child_process';
import { FarfieldError } from '../../core/index.js';

export interface Cp2kRunOptions {
  /** MPI ranks (default 2; 0 = run the executable directly). */
  np?: number;
  /** Executable (default `cp2k.psmp`). */
  executable?: string;
  /** `nice` increment (default 0 = no nice). */
  nice?: number;
}

export interface Cp2kRunInfo {
  exitCode: number;
  seconds: number;
  stderr: string;
}

/** Whether `cp2k.psmp` (or the given executable) can be found on PATH. */
export function cp2kAvailable(executable = 'cp2k.psmp'): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${executable}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

export function cp2kCommand(inputName: string, outputName: string, options: Cp2kRunOptions = {}): string[] {
  const np = options.np ?? 2;
  if (!Number.isInteger(np) || np < 0) throw new FarfieldError('INVALID_INPUT', `np must be a non-negative integer, got ${np}`);
  const exe = options.executable ?? 'cp2k.psmp';
  const cmd = np > 0 ? ['mpirun', '--allow-run-as-root', '-np', String(np), exe] : [exe];
  cmd.push('-i', inputName, '-o', outputName);
  const nice = options.nice ?? 0;
  return nice > 0 ? ['nice', '-n', String(nice), ...cmd] : cmd;
}

/** Run CP2K in `dir`; resolves when the process exits (any exit code). */
export function runCp2k(dir: string, inputName: string, outputName: string, options: Cp2kRunOptions = {}): Promise<Cp2kRunInfo> {
  const [cmd, ...args] = cp2kCommand(inputName, outputName, options);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    child.on('error', (e) => reject(new FarfieldError('EXTERNAL', `could not start ${cmd}: ${e.message}`, undefined, { cause: e })));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), seconds: (Date.now() - t0) / 1000, stderr }));
  });
}
