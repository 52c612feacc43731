"""Extra estimator references for parapet-portfolio (estimators the shared reference set does
not cover): PyPortfolioOpt 1.6.0 ema_historical_return, capm_return, semicovariance and
scikit-learn oas, on the shared 20-stock window 2013-01-01..2022-12-28.

Run from the repository root:
    benches/peers/.venv/bin/python benches/peers/portfolio_estimator_refs.py
It writes crates/portfolio/tests/data/peercheck_pypfopt_sklearn_estimators_main20.json.
"""
import json

import numpy as np
import pandas as pd
import pypfopt
import sklearn
from pypfopt import expected_returns, risk_models
from sklearn.covariance import oas

prices = pd.read_csv("crates/portfolio/tests/data/sp500_20stocks_prices.csv", index_col=0)
window = prices.loc["2013-01-01":"2022-12-28"]
returns = window.pct_change().iloc[1:]
assert len(returns) == 2515

span = 180
ema_c = expected_returns.ema_historical_return(returns, returns_data=True, span=span, compounding=True)
ema_a = expected_returns.ema_historical_return(returns, returns_data=True, span=span, compounding=False)
capm_c = expected_returns.capm_return(returns, returns_data=True, risk_free_rate=0.02, compounding=True)
capm_a = expected_returns.capm_return(returns, returns_data=True, risk_free_rate=0.02, compounding=False)
semi = risk_models.semicovariance(returns, returns_data=True, benchmark=0.0)
oas_cov, oas_shrink = oas(returns.values)

case = {
    "case_id": "peercheck_pypfopt_sklearn_estimators_main20",
    "category": "risk_model_estimators_extra",
    "description": "Estimators not in the shared reference set, computed with the peers on the same window",
    "peer": {
        "library": f"PyPortfolioOpt {pypfopt.__version__}, scikit-learn {sklearn.__version__}",
        "calls": [
            "expected_returns.ema_historical_return(r, returns_data=True, span=180, compounding=True/False)",
            "expected_returns.capm_return(r, returns_data=True, risk_free_rate=0.02, compounding=True/False)",
            "risk_models.semicovariance(r, returns_data=True, benchmark=0.0)",
            "sklearn.covariance.oas(r) (daily, not annualised)",
        ],
    },
    "inputs": {
        "data": {
            "prices_file": "data/sp500_20stocks_prices.csv",
            "price_rows_from": "2013-01-01",
            "price_rows_to": "2022-12-28",
            "n_returns": 2515,
            "assets": list(returns.columns),
        },
        "frequency": 252,
        "ema_span": span,
        "capm_risk_free_rate": 0.02,
        "semicovariance_benchmark": 0.0,
    },
    "expected": {
        "ema_historical_return_compounding": ema_c.tolist(),
        "ema_historical_return_arithmetic": ema_a.tolist(),
        "capm_return_compounding": capm_c.tolist(),
        "capm_return_arithmetic": capm_a.tolist(),
        "semicovariance": semi.values.tolist(),
        "oas_daily": oas_cov.tolist(),
        "oas_shrinkage": float(oas_shrink),
    },
    "tolerance": {"rel": 1e-10},
    "generated_with": "benches/peers/portfolio_estimator_refs.py",
}
with open("crates/portfolio/tests/data/peercheck_pypfopt_sklearn_estimators_main20.json", "w") as f:
    json.dump(case, f, indent=1)
print("written")
