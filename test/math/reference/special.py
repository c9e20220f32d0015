"""Independent reference values for test/math (mpmath 1.2 / scipy 1.10, Debian python3-mpmath, python3-scipy).

Regenerate:  /usr/bin/python3 test/math/reference/special.py > test/math/reference/special.json
"""
import json
import mpmath as mp
import numpy as np
from scipy import integrate, special

mp.mp.dps = 40


def jl(l, x):
    return mp.sqrt(mp.pi / (2 * x)) * mp.besselj(l + mp.mpf(1) / 2, x)


def il_scaled(l, x):
    return mp.exp(-x) * mp.sqrt(mp.pi / (2 * x)) * mp.besseli(l + mp.mpf(1) / 2, x)


def djl(l, x):
    return mp.diff(lambda t: jl(l, t), x)


out = {}
xs = ['1e-6', '0.03', '0.3', '0.99', '1', '1.7', '2.5', '3.141592653589793', '5', '7.3', '11.9', '12', '20', '50', '100']
out['j'] = [[l, float(mp.mpf(x)), float(jl(l, mp.mpf(float(x)))), float(djl(l, mp.mpf(float(x))))] for l in range(0, 13) for x in xs]
out['jzeros'] = [[l, n, float(mp.besseljzero(l + mp.mpf(1) / 2, n))] for l in range(0, 9) for n in range(1, 13)]
xi = ['1e-8', '0.01', '0.5', '1', '2', '5.5', '9.9', '10.1', '16', '16.5', '30', '100', '700']
out['iscaled'] = [[l, float(mp.mpf(x)), float(il_scaled(l, mp.mpf(float(x))))] for l in range(0, 11) for x in xi]

# Real spherical harmonics without Condon-Shortley phase from scipy's complex sph_harm (which has it):
# m > 0: sqrt2 (-1)^m Re Y_l^m ; m < 0: sqrt2 (-1)^|m| Im Y_l^|m| ; m = 0: Y_l^0.
rng = np.random.default_rng(7)
vecs = rng.normal(size=(4, 3)).tolist() + [[0.0, 0.0, 1.3], [0.0, 0.0, -0.7], [2.0, 0.0, 0.0]]
ylm = []
for v in vecs:
    x, y, z = v
    r = np.sqrt(x * x + y * y + z * z)
    polar = np.arccos(z / r)
    azim = np.arctan2(y, x)
    for l in range(0, 8):
        for m in range(-l, l + 1):
            c = special.sph_harm(abs(m), l, azim, polar)
            if m > 0:
                val = np.sqrt(2) * (-1) ** m * c.real
            elif m < 0:
                val = np.sqrt(2) * (-1) ** (-m) * c.imag
            else:
                val = c.real
            ylm.append([x, y, z, l, m, float(val)])
out['ylm'] = ylm


# Gaussian projection h_nl(r) (science.md sec. 1.3) by scipy quad with exponentially scaled Bessel functions:
# h = 4pi/(2pi s^2)^(3/2) fcut(r) int_0^Rc chi_nl(r') exp(-(r-r')^2/2s^2) e^{-x} i_l(x) r'^2 dr',  x = r r'/s^2.
def chi_factory(l, n, rc):
    q = float(mp.besseljzero(l + mp.mpf(1) / 2, n)) / rc
    nu = np.sqrt(rc ** 3 / 2 * special.spherical_jn(l, q * rc, derivative=True) ** 2)
    return lambda t: special.spherical_jn(l, q * t) / nu


def h_ref(l, n, r, rc, s):
    chi = chi_factory(l, n, rc)

    def f(t):
        x = r * t / s ** 2
        if x == 0:
            ki = 1.0 if l == 0 else 0.0
        else:
            ki = np.sqrt(np.pi / (2 * x)) * special.ive(l + 0.5, x)
        return chi(t) * np.exp(-(r - t) ** 2 / (2 * s * s)) * ki * t * t

    val, err = integrate.quad(f, 0, rc, epsabs=1e-15, epsrel=1e-14, limit=500, points=[r] if 0 < r < rc else None)
    fc = 0.5 * (np.cos(np.pi * r / rc) + 1)
    return 4 * np.pi / (2 * np.pi * s * s) ** 1.5 * fc * val


hs = []
for (rc, s, cases) in [(5.0, 0.5, [(0, 1, 0.0), (0, 3, 1.3), (1, 2, 2.2), (2, 5, 3.7), (3, 8, 4.1), (3, 1, 0.4), (1, 1, 4.95)]),
                       (8.0, 0.5, [(0, 1, 0.7), (0, 6, 2.9), (0, 12, 5.5), (0, 12, 7.9)]),
                       (4.0, 0.3, [(6, 4, 2.0), (2, 3, 0.1)])]:
    for (l, n, r) in cases:
        hs.append([rc, s, l, n, r, float(h_ref(l, n, r, rc, s))])
out['h'] = hs

print(json.dumps(out))
