/** model: kernels, reference selection, regression solvers, the fitted KernelModel (a Calculator) and its file. */
export * from './factored.js';
export * from './kernels.js';
export * from './blockKernel.js';
export * from './scaling.js';
export * from './meanDensity.js';
export * from './selection.js';
export * from './solvers.js';
export * from './design.js';
export * from './kernelModel.js';
export * from './modelFile.js';
export * from './fit.js';
export * from './parallelNormal.js';
export { sha256, float64ToBase64, base64ToFloat64 } from './encoding.js';
export * from './shardFile.js';
export * from './volumeResponse.js';
