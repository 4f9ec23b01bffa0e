"""Fit time of sparserecover's estimators against scikit-learn's, on the same data.

Pairs: Lasso / Lasso, ElasticNet / ElasticNet, LassoCV / LassoCV (same folds, same grid),
IHTRegressor / OrthogonalMatchingPursuit (same number of nonzeros), each with scikit-learn's
default tolerance ``tol=1e-4`` (ours has scikit-learn's meaning, see ``ElasticNet``'s Notes),
on three designs:

* ``diabetes``: ``load_diabetes`` (442 x 10), alpha = alpha_max / 100;
* ``500x5000``: dense Gaussian, neighbouring-feature correlation 0.6, 5% nonzeros, SNR 3;
* ``5000x500``: the same with n_samples and n_features swapped;

alpha = alpha_max / 10 for the synthetic designs (alpha_max: the smallest alpha with an
all-zero solution). Each time is the median of ``--repeat`` fits after one warm-up fit
(Numba compilation is excluded; it is cached on disk). BLAS runs on one thread.

Run: ``python benchmarks/bench_estimators.py [--repeat 5] [--quick]``.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_info, threadpool_limits

import sparserecover as sr
from sparserecover.linear_model._base import _alpha_max


def correlated_design(n_samples, n_features, rho=0.6, density=0.05, snr=3.0, seed=0):
    """Gaussian X with corr(X_j, X_k) = rho^|j-k|, a sparse w, y = X w + noise at ``snr``."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features))
    X[:, 0] = rng.standard_normal(n_samples)
    innovation = np.sqrt(1 - rho**2)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + innovation * rng.standard_normal(n_samples)
    w = np.zeros(n_features)
    support = rng.choice(n_features, max(1, int(density * n_features)), replace=False)
    w[support] = rng.standard_normal(support.size)
    signal = X @ w
    y = signal + rng.standard_normal(n_samples) * np.linalg.norm(signal) / (
        snr * np.sqrt(n_samples)
    )
    return X, y, support.size


def median_time(fit, repeat):
    fit()  # warm-up: compilation, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="diabetes only")
    args = parser.parse_args()

    X_d, y_d = load_diabetes(return_X_y=True)
    problems = [("diabetes", X_d, y_d, 100.0, 1)]
    if not args.quick:
        for n, p in ((500, 5000), (5000, 500)):
            X, y, k = correlated_design(n, p)
            problems.append((f"{n}x{p}", X, y, 10.0, k))

    with threadpool_limits(1):
        threads = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
        print(f"BLAS threads: {threads}; median of {args.repeat} fits (after a warm-up)\n")
        header = f"{'data':<10} {'estimator':<12} {'sparserecover':>14} {'scikit-learn':>13}"
        print(header + f" {'ratio':>7}  {'gap ours / sklearn (or R^2)':>30}")
        print("-" * (len(header) + 40))
        for name, X, y, divisor, k in problems:
            alpha = _alpha_max(X, y, None, True) / divisor
            n_nonzero = max(k, 1) if name != "diabetes" else 5
            cv = KFold(5)
            n_alphas = 100 if name == "diabetes" else 20
            pairs = [
                ("Lasso", sr.Lasso(alpha=alpha), sk.Lasso(alpha=alpha)),
                (
                    "ElasticNet",
                    sr.ElasticNet(alpha=alpha, l1_ratio=0.5),
                    sk.ElasticNet(alpha=alpha, l1_ratio=0.5),
                ),
                (
                    "LassoCV",
                    sr.LassoCV(cv=cv, alphas=n_alphas),
                    sk.LassoCV(cv=cv, alphas=n_alphas),
                ),
                (
                    "IHT / OMP",
                    sr.IHTRegressor(n_nonzero_coefs=n_nonzero),
                    sk.OrthogonalMatchingPursuit(n_nonzero_coefs=n_nonzero),
                ),
            ]
            for label, ours, theirs in pairs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    t_ours, m_ours = median_time(lambda m=ours, X=X, y=y: m.fit(X, y), args.repeat)
                    t_theirs, m_theirs = median_time(
                        lambda m=theirs, X=X, y=y: m.fit(X, y), args.repeat
                    )
                if hasattr(m_ours, "dual_gap_") and label != "LassoCV":
                    quality = f"{m_ours.dual_gap_:.2e} / {m_theirs.dual_gap_:.2e}"
                elif label == "LassoCV":
                    quality = f"alpha_ {m_ours.alpha_:.3g} / {m_theirs.alpha_:.3g}"
                else:
                    quality = f"R^2 {m_ours.score(X, y):.4f} / {m_theirs.score(X, y):.4f}"
                print(
                    f"{name:<10} {label:<12} {t_ours * 1e3:>11.2f} ms {t_theirs * 1e3:>10.2f} ms"
                    f" {t_ours / t_theirs:>7.2f}  {quality:>30}"
                )
            print()


if __name__ == "__main__":
    main()
