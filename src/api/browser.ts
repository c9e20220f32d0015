/**
 * api for hosts without a file system — the web page's compute worker: the in-memory verbs (describe, predict,
 * evaluate, compare on structures) and the page's verbs (web.ts: parse texts, write texts, a toy dataset, stepwise MD,
 * browser threads). The second public surface of `api` beside index.ts: web/ imports the api only through this
 * module, and its import closure reaches no `node:*` module (test/architecture.test.ts walks it;
 * test/web/build.test.ts builds the page without any `node:*` stub). Plots and tables: src/report.
 */
export type { Structure } from '../core/index.js';
export type { KernelModel } from '../model/index.js';
export { compareStructures, type CompareOptions, type CompareOutput } from './compare.js';
export { describeStructure, sortSpecies, DESCRIPTOR_PRESETS, type DescribeOptions, type DescribeResult } from './describe.js';
export { predictStructure, predictStructures, type PredictOptions } from './predict.js';
export { evaluateModel, type EvalSummary, type EvaluateResult } from './evaluate.js';
export * from './web.js';
export { LearnSession, builtinLabeller, type LearnLogRow, type LearnRunSpec, type LearnSink } from './learnSession.js';
export type { FittedModel } from '../model/index.js';
