/** math: special functions, FFT, splines, linear algebra (imports only core). */
export { erf, erfc, erfcx } from './special/erf.js';
export { MixedFft3d as Fft3d, RealFft3d, realTransform3d, nextFftSize, isFftSize, FftPlan, fftBlockLines, fftFactors, FFT_RADIX5_CONSTANTS, type RealTransform3d } from './fftMixed.js';
export { getLinalg, symmetricEigen, linalgThreadsReady, setLinalgThreadCap, linalgDefaultThreads, wasmLinalgAvailable, wasmLinalgMemory, setHelperSpawner, PowerSpectrumWasm, RadialPairsWasm, type PowerSpectrumBasis, type Linalg, type GemmOptions, type PackedB, type PackedGemmOptions, type PackRowsProducer, type SymmetricEigen, type LinalgOptions } from './linalg/index.js';
export * from './special/besselSpherical.js';
export * from './special/besselModified.js';
export * from './special/sphericalHarmonics.js';
export { spawnNodeWorker, canBlock, type WorkerHandle, type SpawnWorkerOptions } from './worker.js';
export * from './spline.js';
export * from './quadrature.js';
export * from './roots.js';
