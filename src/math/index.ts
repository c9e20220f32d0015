/** math: special functions, FFT, splines, linear algebra (imports only core). */
export { erf, erfc, erfcx } from './special/erf.js';
export { Fft3d, isPowerOfTwo, nextPowerOfTwo } from './fft.js';
export { getLinalg, symmetricEigen, type Linalg, type GemmOptions, type SymmetricEigen } from './linalg/index.js';
