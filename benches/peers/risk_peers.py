"""Peer timings for parapet-risk's criterion benches, on the same inputs.

Run from the repository root:
    benches/peers/.venv/bin/python benches/peers/risk_peers.py
(venv: python3 -m venv benches/peers/.venv && benches/peers/.venv/bin/pip install numpy arch)

- historical VaR + ES at 99% over 10M returns with numpy.partition (the O(n) numpy idiom),
  inputs from the same golden-ratio sequence as parapet_benches::spread;
- arch 8.0.0 GARCH(1,1)-normal and -t fits on the S&P 500 1999-2018 (5,030 simple returns in
  percent), the workload of targets.md;
- scipy's Student-t maximum likelihood (`scipy.stats.t.fit`) on the same returns.
"""
import csv
import statistics
import time
import warnings

import numpy as np
from arch import arch_model
from scipy import stats

GOLDEN = 0.6180339887498949


def spread(n, lo, hi):
    i = np.arange(n, dtype=np.float64)
    return lo + (hi - lo) * np.modf((i + 0.5) * GOLDEN)[0]


def timed(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def var_es_partition(r, alpha=0.01):
    k = int(np.ceil(alpha * len(r)))
    part = np.partition(r, k - 1)
    var = -part[k - 1]
    es = -part[:k].mean()
    return var, es


def sp500_pct():
    rows = list(csv.DictReader(open("crates/risk/tests/data/sp500_index_ohlc.csv")))
    p = np.array([float(x["Adj Close"]) for x in rows if "1999-01-04" <= x["Date"] <= "2018-12-31"])
    return 100.0 * (p[1:] / p[:-1] - 1.0)


def main():
    for n in (1_000_000, 10_000_000):
        r = spread(n, -0.08, 0.08)
        med, best = timed(lambda: var_es_partition(r), 20)
        print(f"numpy partition VaR+ES n={n}: median {med*1e3:.2f} ms, best {best*1e3:.2f} ms")
        med, best = timed(lambda: (np.quantile(r, 0.01), 0), 10)
        print(f"numpy.quantile linear n={n}: median {med*1e3:.2f} ms, best {best*1e3:.2f} ms")
    pct = sp500_pct()
    assert len(pct) == 5030
    model = arch_model(pct, mean="Constant", vol="GARCH", p=1, q=1, dist="normal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med, best = timed(lambda: model.fit(disp="off"), 20)
        res = model.fit(disp="off")
    print(f"arch GARCH(1,1)-normal fit n=5030: median {med*1e3:.2f} ms, best {best*1e3:.2f} ms, loglik {res.loglikelihood:.9f}")
    model_t = arch_model(pct, mean="Constant", vol="GARCH", p=1, q=1, dist="t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med, best = timed(lambda: model_t.fit(disp="off"), 10)
        res_t = model_t.fit(disp="off")
    print(f"arch GARCH(1,1)-t fit n=5030: median {med*1e3:.2f} ms, best {best*1e3:.2f} ms, loglik {res_t.loglikelihood:.6f}")
    r = pct / 100.0
    med, best = timed(lambda: stats.t.fit(r), 5)
    df, loc, scale = stats.t.fit(r)
    nll = -np.sum(stats.t.logpdf(r, df, loc, scale))
    print(f"scipy.stats.t.fit n=5030: median {med*1e3:.2f} ms, best {best*1e3:.2f} ms, nll {nll:.9f}")



if __name__ == "__main__":
    main()
