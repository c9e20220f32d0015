/**
 * Run the CLI's `main(argv)` inside the test process, for the refusal and usage cases (bad input, missing file or
 * directory, unknown option): the library loads once per test file instead of once per command (≈ 0.45 CPU s per
 * spawned command). Same result shape as runCli (test/helpers/cli.ts), same environment (FARFIELD_PROGRESS=0, the
 * repository root as the working directory). What the command writes to stdout/stderr is captured: a write is the
 * command's when the call stack passes through the code under test (src/) or commander; anything else (node:test's
 * reporter flushing earlier results while the command awaits) goes through to the real stream.
 * Only for commands that neither exit nor change directory nor wait for signals; successful end-to-end runs and the
 * README's commands keep spawning the real CLI (runCli), at least one per command.
 */
import { join, sep } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliResult } from './cli.js';
import { CODE_ROOT, REPO_ROOT } from './paths.js';

const SRC = join(CODE_ROOT, 'src') + sep;
type Write = typeof process.stdout.write;

function capture(stream: NodeJS.WriteStream, into: string[]): () => void {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const stack = new Error().stack ?? '';
    if (stack.includes(SRC) || stack.includes(`${sep}commander${sep}`)) {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      if (cb) queueMicrotask(cb);
      return true;
    }
    return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
  } as Write;
  return () => {
    stream.write = original;
  };
}

/** `farfield ARGS` in this process: exit code and captured stdout/stderr, as runCli. */
export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  if (process.cwd() !== REPO_ROOT) throw new Error(`runCliInProcess: run the tests from the repository root (${REPO_ROOT}), not ${process.cwd()}`);
  const vars = { FARFIELD_PROGRESS: '0', ...env };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  const out: string[] = [], err: string[] = [];
  const restoreOut = capture(process.stdout, out);
  const restoreErr = capture(process.stderr, err);
  let code: number;
  try {
    code = await main([process.execPath, 'farfield', ...args]);
  } finally {
    restoreErr();
    restoreOut();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, out: out.join(''), err: err.join('') };
}
