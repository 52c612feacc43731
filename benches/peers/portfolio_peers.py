"""Peer timings for parapet-portfolio's criterion benches, on the same synthetic problems.

Run from the repository root:
    benches/peers/.venv/bin/python benches/peers/portfolio_peers.py
(venv: python3 -m venv benches/peers/.venv &&
 benches/peers/.venv/bin/pip install pyportfolioopt riskfolio-lib)

The factor-model problems and scenario sets are regenerated with the SplitMix64 recipe of
../shared/data/synthetic/README.md (the same generator as benches/benches/portfolio.rs):
- PyPortfolioOpt 1.6.0 long-only min_volatility / max_sharpe(0.02) on the dense Sigma at
  100/500/1000 assets, default solvers, and a 50-point efficient_return frontier at 500;
- riskfolio-lib min CVaR (alpha 0.05, hist) on 200 assets x 5000 scenarios;
- PyPortfolioOpt HRPOpt (single linkage) on 500 assets x 2000 days.
Times are the median of `repeat` runs (seconds); failures are reported, not hidden.
"""
import statistics
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

MASK = (1 << 64) - 1
K = 10


def splitmix(seed, n):
    out = np.empty(n, dtype=np.uint64)
    s = seed
    for i in range(n):
        s = (s + 0x9E3779B97F4A7C15) & MASK
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out[i] = z ^ (z >> 31)
    return out


def uniforms(seed, n):
    return (splitmix(seed, n) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def normals(seed, n):
    m = n + n % 2
    u = uniforms(seed, m)
    r = np.sqrt(-2.0 * np.log(1.0 - u[0::2]))
    a = 2.0 * np.pi * u[1::2]
    z = np.empty(m)
    z[0::2] = r * np.cos(a)
    z[1::2] = r * np.sin(a)
    return z[:n]


FVOL = np.array([0.16] + [0.06] * (K - 1))


def components(n, seed):
    b = 0.3 * normals(seed * 1000 + 1, n * K).reshape(n, K)
    b[:, 0] += 1.0
    dvol = 0.10 + 0.25 * uniforms(seed * 1000 + 2, n)
    mu = 0.02 + 0.08 * uniforms(seed * 1000 + 3, n)
    return b, dvol, mu


def factor_problem(n, seed):
    b, dvol, mu = components(n, seed)
    cov = b @ np.diag(FVOL**2) @ b.T + np.diag(dvol**2)
    return mu, cov


def scenarios(n, t, seed):
    b, dvol, mu = components(n, seed)
    f = FVOL / np.sqrt(252) * normals(seed * 1000 + 4, t * K).reshape(t, K)
    e = dvol / np.sqrt(252) * normals(seed * 1000 + 5, t * n).reshape(t, n)
    s = np.where(uniforms(seed * 1000 + 6, t) < 0.1, 2.5, 1.0)
    return mu / 252 + s[:, None] * (f @ b.T + e)


def timed(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(name, f, repeat):
    try:
        print(f"{name}: {timed(f, repeat):.4g} s", flush=True)
    except Exception as e:  # the failure is the measurement
        print(f"{name}: FAILED ({type(e).__name__}: {str(e)[:80]})", flush=True)


def main():
    from pypfopt import EfficientFrontier, HRPOpt

    mu, cov = factor_problem(500, 500)
    assert abs(cov[0, 0] - 0.07672180656242523) < 1e-14
    for n in (100, 500, 1000):
        mu, cov = factor_problem(n, n)
        report(f"pypfopt min_volatility n={n}", lambda: EfficientFrontier(mu, cov).min_volatility(), 3)
        report(f"pypfopt max_sharpe n={n}", lambda: EfficientFrontier(mu, cov).max_sharpe(0.02), 3)
    mu, cov = factor_problem(500, 500)

    def frontier():
        w = EfficientFrontier(mu, cov)
        w.min_volatility()
        r0 = w.portfolio_performance()[0]
        ef = EfficientFrontier(mu, cov)
        for t in np.linspace(r0, mu.max() - 1e-4, 50):
            ef.efficient_return(t)

    report("pypfopt frontier 50 points n=500", frontier, 1)

    r = scenarios(200, 5000, 200)
    assert abs(r[0, 0] - (-0.003968240367069213)) < 1e-15
    import riskfolio as rp

    def cvar():
        port = rp.Portfolio(returns=pd.DataFrame(r))
        port.assets_stats(method_mu="hist", method_cov="hist")
        port.alpha = 0.05
        w = port.optimization(model="Classic", rm="CVaR", obj="MinRisk", hist=True)
        if w is None:
            raise RuntimeError("no solution")

    report("riskfolio min CVaR 200x5000", cvar, 1)

    r = pd.DataFrame(scenarios(500, 2000, 501))
    report("pypfopt HRPOpt single 500x2000", lambda: HRPOpt(r).optimize("single"), 3)


if __name__ == "__main__":
    main()
