/**
 * Streaming input on a large file (issue 13 item 11): generates a ~1 GB extended-XYZ file (100 MB with --quick;
 * FARFIELD_BENCH_STREAM_MB overrides) of 64-ion NaCl frames with forces in os.tmpdir(), runs info, ewald, describe,
 * md, predict and eval on it as child processes (bench/rss-child.ts) and reports each command's peak RSS and wall
 * time; the file is deleted afterwards. predict/eval on every frame of 1 GB would take hours with a kernel model, so
 * they run for a fixed wall-time budget (60 s, 15 s with --quick) and report the high-water RSS (/proc VmHWM) reached
 * by then — by that time the old whole-file reader had already failed ("Cannot create a string longer than …").
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fitModel, loadStructures, saveModel } from '../src/api/index.js';
import type { BenchContext } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const source = join(root, 'data', 'nacl-liquid-pbe.xyz');

interface ChildRun {
  code: number | null;
  rssMB: number;
  seconds: number;
  timedOut: boolean;
  err: string;
}

function vmHwmKB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Run `farfield ARGS` in a child, sampling its peak RSS; stop it after `budgetS` seconds. */
function runChild(args: string[], budgetS: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'rss-child.ts'), ...args], {
      cwd: root, env: { ...process.env, FARFIELD_PROGRESS: '0' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()).length > 1e5 && (err = err.slice(-5e4)));
    let hwm = 0, timedOut = false;
    const sampler = setInterval(() => (hwm = Math.max(hwm, vmHwmKB(child.pid!))), 200);
    const timer = setTimeout(() => {
      timedOut = true;
      hwm = Math.max(hwm, vmHwmKB(child.pid!));
      child.kill('SIGTERM');
    }, budgetS * 1000);
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const m = /MAXRSS_KB (\d+)/.exec(err);
      const kb = m ? Number(m[1]) : hwm;
      resolve({ code, rssMB: kb / 1024, seconds: (performance.now() - t0) / 1000, timedOut, err });
    });
  });
}

export async function run(ctx: BenchContext): Promise<void> {
  const targetMB = Number(process.env.FARFIELD_BENCH_STREAM_MB) || (ctx.quick ? 100 : 1000);
  const budget = ctx.quick ? 15 : 60;
  const dir = mkdtempSync(join(tmpdir(), 'ff-bench-stream-'));
  try {
    const chunk = Buffer.from(readFileSync(source, 'utf8'));
    const big = join(dir, 'big.xyz');
    const fd = openSync(big, 'w');
    let written = 0;
    while (written < targetMB * 1e6) written += writeSync(fd, chunk);
    closeSync(fd);
    const mb = statSync(big).size / 1e6;
    const frames = Math.round((written / chunk.length) * 80);
    ctx.report('generated file', mb, 'MB', `${frames} frames of 64 ions (copies of data/nacl-liquid-pbe.xyz)`);

    const train = loadStructures(source).structures.slice(0, 4);
    const fit = await fitModel(train, { selection: { count: 20 }, threads: 1 }, { onWarning: () => {} });
    const model = join(dir, 'model.json');
    saveModel(fit.model, model);

    const cases: [string, string[], boolean][] = [
      ['info (whole file)', ['info', big], false],
      ['ewald --frame 0', ['ewald', big, '--charges', 'Na=1,Cl=-1', '--frame', '0', '--json'], false],
      ['ewald --frame -1 (whole file)', ['ewald', big, '--charges', 'Na=1,Cl=-1', '--frame', '-1', '--json'], false],
      ['describe --frame -1 (whole file)', ['describe', big, '--frame', '-1', '--json'], false],
      ['md --frame -1, 10 steps (whole file)', ['md', '--calculator', 'fumi-tosi', big, '--frame', '-1', '--steps', '10', '--json'], false],
      [`predict (first ${budget} s)`, ['predict', model, big, '-o', join(dir, 'pred.xyz')], true],
      [`eval (first ${budget} s)`, ['eval', model, big, '--json'], true],
    ];
    for (const [name, args, budgeted] of cases) {
      const r = await runChild(args, budgeted ? budget : 3600);
      const ok = budgeted ? r.timedOut || r.code === 0 : r.code === 0;
      const last = r.err.trim().split('\n').filter((l) => !l.startsWith('MAXRSS')).pop() ?? '';
      ctx.report(`${name}: peak RSS`, r.rssMB, 'MB', `${r.seconds.toFixed(1)} s${r.timedOut ? ' (stopped at the budget)' : ''}${ok ? '' : `; FAILED (exit ${r.code}): ${last}`}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
