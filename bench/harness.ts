/**
 * Minimal benchmark harness: `timeIt` runs a function repeatedly and reports median/min wall time;
 * `report` prints one aligned line per figure and collects them for `--json`.
 * Benchmarks live in bench/<name>.bench.ts and export `run(ctx: BenchContext): Promise<void>`.
 */
import { performance } from 'node:perf_hooks';

export interface BenchFigure {
  bench: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchContext {
  /** Record a figure (printed immediately). */
  report(name: string, value: number, unit: string, note?: string): void;
  /** Quick mode (`--quick`): smaller sizes, for smoke runs. */
  quick: boolean;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Time `fn` `runs` times after `warmup` calls. */
export async function timeIt(fn: () => unknown | Promise<unknown>, runs = 5, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { medianMs: t[Math.floor(t.length / 2)], minMs: t[0], runs };
}

/** Least-squares slope of log(time) against log(size): the measured cost exponent. */
export function costExponent(sizes: number[], times: number[]): number {
  const x = sizes.map(Math.log), y = times.map(Math.log);
  const mx = x.reduce((a, b) => a + b, 0) / x.length, my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
