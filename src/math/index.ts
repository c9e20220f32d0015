/** math: special functions, FFT, splines, linear algebra (imports only core). */
export { erf, erfc, erfcx } from './special/erf.js';
export { Fft3d, isPowerOfTwo, nextPowerOfTwo } from './fft.js';
