/**
 * Error functions in double precision: erf, erfc and the scaled complementary error function
 * erfcx(x) = e^{x²} erfc(x) (finite for large x, where erfc underflows; used by Ewald real-space sums and the
 * FKK descriptor).
 *
 * Method (our own construction; relative error ≲ 2e-16 away from the zero of erf, see test/math/erf.test.ts):
 * - |x| < 1/2: Maclaurin series erf(x) = (2/√π) Σ_n (−1)ⁿ x^{2n+1} / (n! (2n+1)), 14 terms (truncation < 1e-19);
 *   erfc = 1 − erf, erfcx = e^{x²} erfc.
 * - 1/2 ≤ x ≤ 12: erfcx from a table of 8 polynomials of degree 11 in y = 4/(4+x) (the substitution of
 *   S. G. Johnson's Faddeeva package), fitted by Chebyshev interpolation in 40-digit arithmetic by
 *   scripts/gen-erfcx-table.py (fit error ≈ 6e-21 relative).
 * - x > 12: asymptotic series erfcx(x) = 1/(x√π) Σ_n (−1)ⁿ (2n−1)!! / (2x²)ⁿ, 12 terms (error < 2e-17 at x = 12).
 * - erfc(x) = erfcx(x)·e^{−x²} with e^{−x²} evaluated as e^{−h²}·e^{−(x−h)(x+h)}, h = x rounded to 16 fractional
 *   bits (h² is exact), so the rounding of x² is not amplified by the exponential (Cody's trick).
 * - Negative arguments: erf(−x) = −erf(x), erfc(−x) = 2 − erfc(x), erfcx(−x) = 2e^{x²} − erfcx(x).
 * Special cases: NaN → NaN; erf(±∞) = ±1, erfc(+∞) = 0, erfc(−∞) = 2, erfcx(+∞) = 0, erfcx(x) = ∞ for x < −26.7.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

/** Maclaurin coefficients of erf(x)/x in powers of x²: (2/√π)(−1)ⁿ/(n!(2n+1)). */
const SERIES: Float64Array = (() => {
  const c = new Float64Array(14);
  let fact = 1;
  for (let n = 0; n < c.length; n++) {
    if (n > 0) fact *= n;
    c[n] = (TWO_OVER_SQRT_PI * (n % 2 === 0 ? 1 : -1)) / (fact * (2 * n + 1));
  }
  return c;
})();

/** Asymptotic coefficients (−1)ⁿ (2n−1)!! of erfcx(x)·x√π in powers of 1/(2x²). */
const ASYMPTOTIC: Float64Array = (() => {
  const c = new Float64Array(12);
  let df = 1;
  for (let n = 0; n < c.length; n++) {
    if (n > 0) df *= 2 * n - 1;
    c[n] = n % 2 === 0 ? df : -df;
  }
  return c;
})();

const NINT = 8;
const DEG = 11;
const Y0 = 0.25;
const Y1 = 8 / 9;
/** erfcx on y = 4/(4+x) ∈ [1/4, 8/9]: NINT rows of DEG+1 monomial coefficients in t ∈ [−1, 1] (lowest first). */
const TABLE = new Float64Array([
  5.7296000702623744275e-2, 1.1000198104275831873e-2, 5.8640257323958887126e-4, 2.9290060731202402774e-5, 1.3621823049687873635e-6, 5.8492247705110833586e-8, 2.2921368477663361247e-9, 8.0564362846909138633e-11, 2.4691131196523538395e-12, 6.2531503822957882801e-14, 1.1400765479753614988e-15, 6.5387999770034186199e-18,
  8.1900152033075152423e-2, 1.3746037201042244994e-2, 8.0012367095136246646e-4, 4.2943845587925414984e-5, 2.1102240992954479314e-6, 9.4006867198311182947e-8, 3.7425000638143812625e-9, 1.3019110171268733868e-10, 3.8042580335793209284e-12, 8.5739942110667513382e-14, 1.1097343196634257054e-15, -1.1628115958451135535e-17,
  1.1297330089237216988e-1, 1.7537686736724214822e-2, 1.1169455854074325333e-3, 6.4264914739562760362e-5, 3.3159170789113219252e-6, 1.5173859629978758244e-7, 6.0523702742019144789e-9, 2.0438386320848582036e-10, 5.5233715334895223255e-12, 1.0334832352048433912e-13, 5.2688155131681503409e-16, -4.3215312844523646716e-17,
  1.5308890131388879404e-1, 2.2896156004760144802e-2, 1.5958564651689180498e-3, 9.7955089069101473609e-5, 5.2602807343187853577e-6, 2.4422095496673440985e-7, 9.6028675132773104645e-9, 3.0788296558360351867e-10, 7.4100783651370986283e-12, 1.0176317163586757941e-13, -8.2803950997918491178e-16, -7.9327653510856702248e-17,
  2.0614091539955616548e-1, 3.0644899093525220331e-2, 2.3318967351230236499e-3, 1.5152885618223582157e-4, 8.3735645676850245191e-6, 3.8883328169664384192e-7, 1.4807525965803399678e-8, 4.3985669169210753667e-10, 8.9792055309404381399e-12, 6.5791618693662472464e-14, -2.8528434470875331269e-15, -1.0037820295044309738e-16,
  2.7811795738720699275e-1, 4.2092942468240733433e-2, 3.4770078325135965352e-3, 2.3670262425877401844e-4, 1.3283788208775976856e-5, 6.0760089737283679047e-7, 2.2004331552955150162e-8, 5.8972941462604199913e-10, 9.5179011448167761964e-12, -1.3098575943935734956e-14, -4.9807885140257216988e-15, -8.6136786357977515943e-17,
  3.7833896467505622313e-1, 5.9319593304006906528e-2, 5.2703368405858855995e-3, 3.711448129820536778e-4, 2.0855718118337536401e-5, 9.2538518148955791074e-7, 3.1299822582405766686e-8, 7.349330884470367652e-10, 8.28533743129788101e-12, -1.2842400343690889656e-13, -6.3338751890390832138e-15, -3.075491528883895915e-17,
  5.2139406027380160411e-1, 8.5602439187959547782e-2, 8.0797937821273484722e-3, 5.8043955788610390052e-4, 3.2202016180232421206e-5, 1.3661186211820131112e-6, 4.2408961871363677755e-8, 8.4283387311422340171e-10, 4.8165822886856422186e-12, -2.5637719188235515819e-13, -6.1433826756223004823e-15, 4.9977774054058935561e-17,
]);

function erfSmall(x: number): number {
  const z = x * x;
  let s = SERIES[13];
  for (let n = 12; n >= 0; n--) s = s * z + SERIES[n];
  return x * s;
}

/** erfcx for x ≥ 1/2. */
function erfcxPositive(x: number): number {
  if (x > 12) {
    const w = 1 / (2 * x * x);
    let s = ASYMPTOTIC[11];
    for (let n = 10; n >= 0; n--) s = s * w + ASYMPTOTIC[n];
    return (INV_SQRT_PI * s) / x;
  }
  const y = 4 / (4 + x);
  const u = ((y - Y0) / (Y1 - Y0)) * NINT;
  let k = Math.floor(u);
  if (k >= NINT) k = NINT - 1;
  else if (k < 0) k = 0;
  const t = 2 * (u - k) - 1;
  const o = k * (DEG + 1);
  let s = TABLE[o + DEG];
  for (let n = DEG - 1; n >= 0; n--) s = s * t + TABLE[o + n];
  return s;
}

/** e^{−x²} without amplifying the rounding error of x² (x ≥ 0). */
function expMinusSquare(x: number): number {
  const h = Math.round(x * 65536) / 65536;
  return Math.exp(-h * h) * Math.exp(-(x - h) * (x + h));
}

/** e^{+x²} without amplifying the rounding error of x² (x ≥ 0). */
function expSquare(x: number): number {
  const h = Math.round(x * 65536) / 65536;
  return Math.exp(h * h) * Math.exp((x - h) * (x + h));
}

/** The error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) return erfSmall(x);
  if (!(ax < 6)) return Number.isNaN(x) ? NaN : x > 0 ? 1 : -1; // 1 − erf(6) < 2.2e-17
  const r = 1 - erfcxPositive(ax) * expMinusSquare(ax);
  return x > 0 ? r : -r;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate relative to itself for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) return 1 - erfSmall(x);
  const pos = ax > 27.3 ? 0 : erfcxPositive(ax) * expMinusSquare(ax);
  return x > 0 ? pos : 2 - pos;
}

/** The scaled complementary error function erfcx(x) = e^{x²} erfc(x) ≈ 1/(x√π) for large x. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 0.5) return x === Infinity ? 0 : erfcxPositive(x);
  if (x > -0.5) return Math.exp(x * x) * (1 - erfSmall(x));
  if (x < -26.7) return Infinity;
  return 2 * expSquare(-x) - erfcxPositive(-x);
}
