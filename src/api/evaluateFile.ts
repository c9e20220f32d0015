/** Library verb `evaluateFile`: a model evaluated on structure files, streamed frame by frame (evaluate.ts holds the
 * in-memory verb and the summary). Units as there: energy meV/atom, forces meV/Å, stress meV/Å³. */
import type { Calculator, ProgressCallback } from '../core/index.js';
import { DatasetErrorAccumulator, type DatasetErrors } from '../analysis/index.js';
import { predictLabels, summarizeErrors, type EvalSummary } from './evaluate.js';
import { readInputFrames } from './inputs.js';

/**
 * Evaluate a model on a structure file (or several, one after the other: `resolveInputs` gives them from a folder or a
 * glob), streamed frame by frame (memory: one frame plus the accumulators, so files of any size work). Same numbers
 * as `evaluateModel` on the loaded structures.
 */
export async function evaluateFile(model: Calculator, path: string | readonly string[], options: { format?: string; onProgress?: ProgressCallback } = {}): Promise<{ summary: EvalSummary; details: DatasetErrors }> {
  const acc = new DatasetErrorAccumulator();
  let k = 0;
  for await (const s of readInputFrames(typeof path === 'string' ? [path] : path, { format: options.format })) {
    acc.add(s, predictLabels(model, s));
    options.onProgress?.({ phase: 'evaluate', done: ++k, total: 0 });
    await new Promise<void>((r) => setImmediate(r)); // signals and timers run between frames
  }
  const details = acc.result();
  return { summary: summarizeErrors(details), details };
}
