"""Fit time of sparserecover's estimators against scikit-learn's, at equal duality gap.

Pairs: every estimator of scikit-learn's coordinate-descent family (``Lasso``, ``ElasticNet``,
``LassoCV``, ``ElasticNetCV``, ``MultiTaskLasso``, ``MultiTaskElasticNet``,
``MultiTaskLassoCV``, ``MultiTaskElasticNetCV``) against scikit-learn's class of the same name,
and ``IHTRegressor`` against ``OrthogonalMatchingPursuit`` (same number of nonzeros).

Equal duality gap: scikit-learn fits first, at its default ``tol=1e-4``; sparserecover then
fits with the ``tol`` whose bound ``tol * ||y_c||^2 / n_samples`` is the duality gap
scikit-learn reached (the same meaning of ``tol``: see ``ElasticNet``'s Notes), so its gap is
at most scikit-learn's; both gaps are printed. The cross-validation estimators share
``tol=1e-4`` (each alpha of each fold to that bound) and the same folds and grid; their last
column compares the chosen ``alpha_``.

Problems (the solvers' benchmark problems, ``bench_lasso.py``; ``alpha = alpha_max / 10``,
``alpha_max / 100`` for diabetes):

* ``500x5000``: dense Gaussian, neighbouring-feature correlation 0.6, 5% nonzeros, SNR 3;
* ``5000x500``: the same with the shape swapped;
* ``diabetes``: ``load_diabetes`` (442 x 10);
* ``sparse``: CSR 2000 x 20000, density 1%, 5% nonzeros, SNR 3;
* ``20000x200``: a tall design for the CV estimators (100 alphas, 5 folds);
* ``mt 500x5000x20``: the dense wide design with 20 tasks sharing 50 rows (multi-task);
* ``mt 200x1000x5``: a smaller multi-task problem for the multi-task CV estimators.

Each time is the CPU time of the fitting process, the smallest of ``--repeat`` fits (more,
up to 200, while they take less than a second in all) after one warm-up fit (Numba
compilation excluded; its cache is on disk): BLAS, the solvers and the folds
(``n_jobs=None``) run on one thread, so on an idle machine it is the wall time, and on a
shared one it is not inflated by other jobs.

Run: ``python benchmarks/bench_estimators.py [--repeat 3] [--only diabetes,20000x200]``.
"""

import argparse
import time
import warnings

import numpy as np
import scipy.sparse
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_info, threadpool_limits

import sparserecover as sr
from sparserecover.linear_model._base import _alpha_max


def correlated_design(n_samples, n_features, rho=0.6, seed=0):
    """Gaussian X with corr(X_j, X_k) = rho^|j-k|."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features))
    X[:, 0] = rng.standard_normal(n_samples)
    innovation = np.sqrt(1 - rho**2)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + innovation * rng.standard_normal(n_samples)
    return X


def response(X, n_targets=1, density=0.05, snr=3.0, seed=1):
    """y = X w + noise at ``snr`` for a w with ``density`` nonzero rows (shared by tasks)."""
    rng = np.random.default_rng(seed)
    n_features = X.shape[1]
    W = np.zeros((n_features, n_targets))
    support = rng.choice(n_features, max(1, int(density * n_features)), replace=False)
    W[support] = rng.standard_normal((support.size, n_targets))
    signal = np.asarray(X @ W)
    noise = rng.standard_normal(signal.shape) * np.linalg.norm(signal) / (
        snr * np.sqrt(signal.size))
    Y = signal + noise
    return Y[:, 0] if n_targets == 1 else Y


def problems():
    """(name, X, y, alpha divisor, estimators to run)."""
    single = ("Lasso", "ElasticNet", "LassoCV", "ElasticNetCV", "IHT / OMP")
    X_d, y_d = load_diabetes(return_X_y=True)
    wide = correlated_design(500, 5000)
    tall = correlated_design(5000, 500, seed=2)
    rng = np.random.default_rng(3)
    sparse = scipy.sparse.random(2000, 20000, density=0.01, format="csr", random_state=rng)
    cv_tall = correlated_design(20000, 200, seed=4)
    mt_small = correlated_design(200, 1000, seed=5)
    return [
        ("500x5000", wide, response(wide), 10.0, single),
        ("5000x500", tall, response(tall), 10.0, single),
        ("diabetes", X_d, y_d, 100.0, single),
        ("sparse", sparse, response(sparse), 10.0, single[:4]),
        ("20000x200", cv_tall, response(cv_tall), 10.0, ("LassoCV", "ElasticNetCV")),
        ("mt 500x5000x20", wide, response(wide, 20, density=0.01), 10.0,
         ("MultiTaskLasso", "MultiTaskElasticNet")),
        ("mt 200x1000x5", mt_small, response(mt_small, 5), 10.0,
         ("MultiTaskLassoCV", "MultiTaskElasticNetCV")),
    ]


def timed(fit, repeat, budget=1.0):
    """The smallest CPU time of ``repeat`` fits, or of as many as ``budget`` seconds allow
    (at most 200: sub-millisecond fits need many for a stable minimum)."""
    fit()  # warm-up: compilation, caches
    times = []
    while len(times) < repeat or (sum(times) < budget and len(times) < 200):
        start = time.process_time()
        model = fit()
        times.append(time.process_time() - start)
    return min(times), model


def gap_unit(X, y):
    """``||y_c||^2 / n_samples`` (all tasks): the unit of ``tol`` in both libraries."""
    y_c = y - y.mean(axis=0)
    return float(np.sum(y_c**2)) / X.shape[0]


def pair(label, X, y, alpha, repeat):
    """Time scikit-learn's estimator, then ours at equal gap (or the same tol for CV)."""
    cv = KFold(5)
    if label == "IHT / OMP":
        k = max(1, int(0.05 * X.shape[1])) if X.shape[1] > 10 else 5
        theirs = sk.OrthogonalMatchingPursuit(n_nonzero_coefs=k)
        ours = sr.IHTRegressor(n_nonzero_coefs=k)
    elif label.endswith("CV"):
        n_alphas = 20 if X.shape[1] > 1000 else 100
        extra = {"l1_ratio": 0.5} if "ElasticNet" in label else {}
        theirs = getattr(sk, label)(cv=cv, alphas=n_alphas, **extra)
        ours = getattr(sr, label)(cv=cv, alphas=n_alphas, **extra)
    else:
        extra = {"l1_ratio": 0.5} if "ElasticNet" in label else {}
        theirs = getattr(sk, label)(alpha=alpha, **extra)
        ours = getattr(sr, label)(alpha=alpha, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t_theirs, m_theirs = timed(lambda: theirs.fit(X, y), repeat)
        if hasattr(m_theirs, "dual_gap_") and not label.endswith("CV"):
            ours.set_params(tol=float(np.max(m_theirs.dual_gap_)) / gap_unit(X, y))
        t_ours, m_ours = timed(lambda: ours.fit(X, y), repeat)
    if label.endswith("CV"):
        quality = f"alpha_ {m_ours.alpha_:.4g} / {m_theirs.alpha_:.4g}"
    elif hasattr(m_ours, "dual_gap_"):
        quality = f"gap {np.max(m_ours.dual_gap_):.2e} / {np.max(m_theirs.dual_gap_):.2e}"
    else:
        quality = f"R^2 {m_ours.score(X, y):.4f} / {m_theirs.score(X, y):.4f}"
    return t_ours, t_theirs, quality


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated problem names")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    with threadpool_limits(1):
        threads = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
        print(f"BLAS threads: {threads}; CPU time, best of {args.repeat} fit(s) after a warm-up\n")
        header = (f"{'data':<15} {'estimator':<22} {'sparserecover':>14} {'scikit-learn':>13} "
                  f"{'ratio':>6}  ours / scikit-learn")
        print(header)
        print("-" * (len(header) + 20))
        for name, X, y, divisor, labels in problems():
            if only and name not in only:
                continue
            alpha = _alpha_max(X, y, None, True) / divisor
            for label in labels:
                t_ours, t_theirs, quality = pair(label, X, y, alpha, args.repeat)
                print(f"{name:<15} {label:<22} {t_ours * 1e3:>11.1f} ms {t_theirs * 1e3:>10.1f} ms"
                      f" {t_ours / t_theirs:>6.2f}  {quality}", flush=True)
            print()


if __name__ == "__main__":
    main()
