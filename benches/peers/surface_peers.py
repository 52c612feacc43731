"""Peers for the parapet-surface benches (benches/benches/surface.rs), timed on the same inputs.

- SVI total variance over 4,096 log-moneynesses: numpy, vectorised.
- Hagan lognormal SABR over 4,096 strikes: QuantLib-Python 1.44 `sabrVolatility`.
- One SVI slice fit of the bench's synthetic 50- and 150-quote slices with numpy/scipy in the
  manner of the spx_2024-01-05 reference fit: Zeliade quasi-explicit search (25 x 20 grid in
  (m, sigma), Nelder-Mead from the 3 best nodes, inner bounded linear least squares with
  scipy.optimize.lsq_linear) and a 5-parameter polish with scipy.optimize.least_squares (TRF).

Run: benches/peers/.venv/bin/python benches/peers/surface_peers.py
"""

import math
import time

import numpy as np
import QuantLib as ql
from scipy.optimize import least_squares, lsq_linear, minimize

GOLDEN = 0.6180339887498949


def spread(n, lo, hi):
    return np.array([lo + (hi - lo) * math.modf((i + 0.5) * GOLDEN)[0] for i in range(n)])


def timeit(f, reps):
    f()
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    return (time.perf_counter() - t0) / reps


def svi_w(k, a, b, rho, m, s):
    x = k - m
    return a + b * (rho * x + np.sqrt(x * x + s * s))


def slice_quotes(n):
    a, b, rho, m, s = 0.01, 0.1, -0.6, 0.03, 0.12
    t = 0.25
    k = np.array([-0.4 + 0.55 * i / (n - 1) for i in range(n)])
    v = np.sqrt(svi_w(k, a, b, rho, m, s) / t) + spread(n, -0.002, 0.002)
    return t, k, v, v - 0.002, v + 0.002


def fit_svi(t, k, mid, bid, ask):
    w = mid * mid * t
    omega = 1.0 / np.sqrt(((ask - bid) / 2) ** 2 + 0.005**2)
    wt = omega / (2 * mid * t)
    wmax = w.max()

    def inner(m, s):
        y = (k - m) / s
        r = np.sqrt(y * y + 1)
        A = np.stack([np.ones_like(y), 0.5 * (r + y), 0.5 * (r - y)], axis=1) * wt[:, None]
        res = lsq_linear(A, w * wt, bounds=([0, 0, 0], [wmax, 2 * s, 2 * s]))
        return res.x, 0.5 * np.sum(res.fun**2)

    mlo, mhi = 2 * min(k.min(), 0) - 0.05, 2 * max(k.max(), 0) + 0.05
    nodes = []
    for m in np.linspace(mlo, mhi, 25):
        for s in np.geomspace(2e-3, 1.5, 20):
            nodes.append((inner(m, s)[1], m, s))
    nodes.sort()
    best = None
    for _, m0, s0 in nodes[:3]:
        r = minimize(lambda x: inner(x[0], math.exp(x[1]))[1], [m0, math.log(s0)],
                     method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-10})
        if best is None or r.fun < best.fun:
            best = r
    m, s = best.x[0], math.exp(best.x[1])
    (a, u, v), _ = inner(m, s)
    sp, sm = max(u / s, 1e-6), max(v / s, 1e-6)
    p0 = [a + s * math.sqrt(sp * sm), sp, sm, m, s]

    def resid(p):
        wmin, sp, sm, m, s = p
        aa = wmin - s * math.sqrt(sp * sm)
        x = k - m
        return wt * (aa + 0.5 * (sp - sm) * x + 0.5 * (sp + sm) * np.sqrt(x * x + s * s) - w)

    lo = [0, 1e-6, 1e-6, mlo, 1e-3]
    hi = [wmax, 2, 2, mhi, 2]
    p0 = np.clip(p0, lo, hi)
    return least_squares(resid, p0, bounds=(lo, hi), method="trf")


def main():
    n = 4096
    ks = spread(n, -1.0, 0.5)
    print("svi_total_variance numpy (4096): %.2f us" %
          (1e6 * timeit(lambda: svi_w(ks, -0.041, 0.1331, 0.306, 0.3586, 0.4153).sum(), 2000)))
    strikes = [100 * math.exp(k) for k in ks]

    def sabr():
        return sum(ql.sabrVolatility(x, 100.0, 1.0, 0.2, 0.5, 0.6, -0.4) for x in strikes)

    print("sabr QuantLib sabrVolatility (4096): %.1f us" % (1e6 * timeit(sabr, 50)))
    for q in (50, 150):
        quotes = slice_quotes(q)
        print("svi_fit scipy (%d quotes): %.1f ms" % (q, 1e3 * timeit(lambda: fit_svi(*quotes), 5)))


if __name__ == "__main__":
    main()
