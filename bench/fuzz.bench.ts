/**
 * Parser fuzzing at scale: 2000 seeded byte-level mutants per format (200 with --quick) through the whole-file and
 * (XYZ) streaming readers — see test/io/fuzzing.ts for the mutations and the checks. Any exception other than a
 * FarfieldError, a disagreement between the two readers or a case slower than 5 s aborts the run with the input.
 * Figures: outcome counts per format (parsed / FarfieldError by code) and the slowest case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUZZ_FORMATS, fuzzFormat } from '../test/io/fuzzing.js';
import type { BenchContext } from './harness.js';

export async function run(ctx: BenchContext): Promise<void> {
  const cases = ctx.quick ? 200 : 2000;
  const dir = mkdtempSync(join(tmpdir(), 'ff-bench-fuzz-'));
  try {
    for (const format of FUZZ_FORMATS) {
      const { counts, maxMs } = await fuzzFormat(format, cases, 7, dir, 5000);
      for (const [outcome, k] of [...counts].sort()) ctx.report(`${format}: ${outcome}`, k, 'cases', `of ${cases}`);
      ctx.report(`${format}: slowest case`, maxMs, 'ms');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
