/** math: special functions, FFT, splines, linear algebra (imports only core). */
export { erf, erfc, erfcx } from './special/erf.js';
