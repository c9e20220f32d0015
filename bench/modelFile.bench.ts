/**
 * Model-file load time and size (issue 17 goal 4): an sr+lr model at the target size — 2 species × 1010 references
 * (D = 584 features of the default sr+lr descriptor) and a covariance factor of rank 2022 over 2022 unknowns — built by
 * fitting a small sr+lr model and replacing its arrays with random ones of the target shapes (the file cost depends on
 * the shapes only). Reported: file size and `loadModel` wall time for the version-1 JSON text and the version-2
 * binary file, the binary one also without the covariance (`covariance: false`, as `eval` and `predict
 * --no-uncertainty` read it), and the part of the load spent building the model (descriptor tables), which no
 * encoding removes. Quick mode: 200 references.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/index.js';
import { resolveDescriptor } from '../src/api/fit.js';
import { loadModel, saveModel } from '../src/api/index.js';
import { fitKernelModel, KernelModel, type KernelModelParams } from '../src/model/index.js';
import { label, morseCalculator, randomStructure } from '../test/model/helpers/data.js';
import { timeIt, type BenchContext } from './harness.js';

/** The target-size sr+lr model (random arrays of the shapes of a 1010-reference fit; 200 references when quick). */
export function targetSizeModel(quick: boolean): { model: KernelModel; params: KernelModelParams; note: string } {
  const rng = new Rng(1);
  const train = label(Array.from({ length: 4 }, () => randomStructure(rng, 64, 12.6, ['Na', 'Cl'], 2.0)), morseCalculator());
  const small = fitKernelModel(train, { descriptor: resolveDescriptor('sr+lr', ['Na', 'Cl']), selection: { count: 16 }, threads: 1 }).model.params;
  const R = quick ? 200 : 1010;
  const D = small.species[0].features.length / small.species[0].weights.length;
  const P = 2 * R + 2, rank = P;
  const params: KernelModelParams = {
    ...small,
    species: small.species.map((s) => ({ ...s, features: Float64Array.from({ length: R * D }, () => rng.normal()), weights: Float64Array.from({ length: R }, () => rng.normal()) })),
    covarianceFactor: { rank, data: Float64Array.from({ length: P * rank }, () => rng.normal()) },
  };
  return { model: new KernelModel(params), params, note: `${R} refs/species, D ${D}, covariance ${P}×${rank}` };
}

export async function run(ctx: BenchContext): Promise<void> {
  const { model, params, note } = targetSizeModel(ctx.quick);
  const dir = mkdtempSync(join(tmpdir(), 'ff-bench-model-'));
  try {
    const json = join(dir, 'm.json'), bin = join(dir, 'm.ffm');
    const tj = await timeIt(() => saveModel(model, json), 1, 0);
    const tb = await timeIt(() => saveModel(model, bin), 1, 0);
    ctx.report('file size, JSON (v1)', statSync(json).size / 1e6, 'MB', note);
    ctx.report('file size, binary (v2)', statSync(bin).size / 1e6, 'MB', note);
    ctx.report('save, JSON (v1)', tj.medianMs, 'ms');
    ctx.report('save, binary (v2)', tb.medianMs, 'ms');
    const build = await timeIt(() => new KernelModel(params), 3);
    ctx.report('build the model from arrays (descriptor tables)', build.medianMs, 'ms', 'part of every load');
    const lj = await timeIt(() => loadModel(json), 3);
    const lb = await timeIt(() => loadModel(bin), 3);
    const lbn = await timeIt(() => loadModel(bin, { covariance: false }), 3);
    ctx.report('load, JSON (v1)', lj.medianMs, 'ms');
    ctx.report('load, binary (v2)', lb.medianMs, 'ms', `${(lj.medianMs / lb.medianMs).toFixed(1)}× faster than v1`);
    ctx.report('load, binary without covariance', lbn.medianMs, 'ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
