#!/usr/bin/python3
"""Generates the piecewise polynomial table of erfcx(x) = exp(x^2) erfc(x) used by src/math/special/erf.ts.

Method: on x in [0.5, 12] substitute y = 4/(4 + x) (y in [1/4, 8/9]); split the y range into NINT equal
intervals; on each, fit a degree-DEG polynomial in the local variable t in [-1, 1] by Chebyshev interpolation
(mpmath.chebyfit, 40 digits) and print its monomial coefficients. The printed maximum relative fit error is far
below double precision (about 1e-20), so the table's accuracy is that of the double-precision Horner evaluation.
Usage: /usr/bin/python3 scripts/gen-erfcx-table.py > /tmp/table.txt   (requires python3-mpmath)
"""
import mpmath as mp

mp.mp.dps = 40
NINT, DEG = 8, 11
Y0, Y1 = mp.mpf(4) / 16, mp.mpf(8) / 9


def erfcx(x):
    return mp.exp(x * x) * mp.erfc(x)


worst = 0
rows = []
for k in range(NINT):
    a = Y0 + (Y1 - Y0) * k / NINT
    b = Y0 + (Y1 - Y0) * (k + 1) / NINT
    f = lambda t: erfcx(4 / ((a + b) / 2 + (b - a) / 2 * t) - 4)
    poly, err = mp.chebyfit(f, [-1, 1], DEG + 1, error=True)
    worst = max(worst, err / f(1))
    # chebyfit returns the highest power first; emit lowest power first
    rows.append(', '.join(mp.nstr(c, 20, min_fixed=-1, max_fixed=-1) for c in reversed(poly)))
print('// intervals', NINT, 'degree', DEG, 'max relative fit error', mp.nstr(worst, 3))
for r in rows:
    print('  ' + r + ',')
