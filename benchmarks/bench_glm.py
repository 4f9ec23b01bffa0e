"""Fit time of MCPRegressor, SCADRegressor, SparseLogisticRegression and SparseHuberRegressor
against skglm (and scikit-learn where it has the model), at the same tolerance.

skglm's estimators solve the same objectives with the same stopping rule: the largest
violation of the optimality conditions at most ``tol`` (default 1e-4). Each row fits skglm and
ours at the same parameters; the last columns give both final violations and the largest
coefficient difference. skglm: ``MCPRegression`` and ``GeneralizedLinearEstimator(MCPenalty
| SCAD | Huber + L1, AndersonCD)``, ``SparseLogisticRegression`` (proximal Newton). The
scikit-learn rows (``LogisticRegression`` with ``l1_ratio=1``, liblinear and saga, at
``C = 1 / (alpha n)``, without intercept as liblinear penalizes it; ``HuberRegressor``, whose
fixed-scale problem is ours at ``l1_ratio=0``, see ``SparseHuberRegressor``) use their own
stopping rules at their default ``tol``: their distance to our solution is printed instead.

Problems (the estimators' benchmark designs, ``bench_estimators.py``): ``500x5000`` and
``5000x500`` dense Gaussian, neighbouring-feature correlation 0.6, 5% nonzeros; ``sparse``
CSC 2000 x 20000 of density 1% (entries of variance 100: unit mean-square columns);
``alpha = alpha_max / 10`` (alpha_max: the smallest l1 penalty with an all-zero solution for
the data fit), with an intercept; the logistic labels say whether the regression's response
is above its median, the Huber response (scaled to unit variance) has 5% outliers.

Each time is the CPU time of one fit after a warm-up fit (Numba compilation excluded, both
packages), BLAS on one thread. The last column refits both at ``tol=1e-10`` (untimed) and
gives the largest coefficient difference: agreement of the solutions, not of two stopping
points. The ``HuberRegressor`` row times scikit-learn's model (l2 penalty ``alpha=1e-4 * n``,
its default per-sample scaling, and a jointly estimated scale) and ours on the same problem
at that scale (``l1_ratio=0``).

Run: ``python benchmarks/bench_glm.py [--only mcp,logistic] [--repeat 1]``.
"""

import argparse
import copy
import time
import warnings

import numpy as np
import scipy.sparse
from bench_estimators import correlated_design, response
from scipy.special import expit
from threadpoolctl import threadpool_info, threadpool_limits

import sparserecover as sr


def designs():
    wide = correlated_design(500, 5000)
    tall = correlated_design(5000, 500)
    rng = np.random.default_rng(3)
    # entries of variance 1 / density: columns of unit mean square, as the dense designs (the
    # non-convex penalties' usual scaling: each coordinate's problem is then convex)
    sparse_x = scipy.sparse.random(2000, 20000, density=0.01, format="csc", random_state=rng,
                                   data_rvs=lambda k: 10.0 * rng.standard_normal(k))
    return [("500x5000", wide), ("5000x500", tall), ("sparse", sparse_x)]


def column_means(X):
    return np.asarray(X.mean(axis=0)).ravel()


def alpha_max(X, residual):
    """max_j |X_c.T residual| / n: the l1 level below which w = 0 stops being optimal."""
    grad = np.asarray(X.T @ residual).ravel() - column_means(X) * residual.sum()
    return float(np.max(np.abs(grad))) / X.shape[0]


def timed(estimator, X, y, repeat):
    """The best CPU time of ``repeat`` fits after a warm-up fit (compilation), and the fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
        best = np.inf
        for _ in range(repeat):
            start = time.process_time()
            estimator.fit(X, y)
            best = min(best, time.process_time() - start)
    return best, estimator


def skglm_glm(datafit, penalty, tol):
    from skglm import GeneralizedLinearEstimator
    from skglm.solvers import AndersonCD

    return GeneralizedLinearEstimator(datafit, penalty, AndersonCD(tol=tol, fit_intercept=True))


def cases(X, y):
    """(model, ours, skglm, scikit-learn references or []) for one design."""
    import skglm
    from skglm.datafits import Huber, Quadratic
    from skglm.penalties import L1, SCAD
    from sklearn import linear_model as sk

    n = X.shape[0]
    tol = 1e-4
    a_ls = alpha_max(X, y - y.mean()) / 10
    yield ("mcp", sr.MCPRegressor(alpha=a_ls, gamma=3.0, tol=tol),
           skglm.MCPRegression(alpha=a_ls, gamma=3.0, tol=tol), [])
    yield ("scad", sr.SCADRegressor(alpha=a_ls, gamma=3.7, tol=tol),
           skglm_glm(Quadratic(), SCAD(a_ls, 3.7), tol), [])

    labels = (y > np.median(y)).astype(int)
    p = labels.mean()
    a_log = alpha_max(X, expit(np.log(p / (1 - p))) - labels) / 10
    C = 1.0 / (a_log * n)
    yield ("logistic", sr.SparseLogisticRegression(alpha=a_log, tol=tol),
           skglm.SparseLogisticRegression(alpha=a_log, tol=tol), [])
    yield ("logistic, no intercept",
           sr.SparseLogisticRegression(alpha=a_log, tol=tol, fit_intercept=False),
           skglm.SparseLogisticRegression(alpha=a_log, tol=tol, fit_intercept=False),
           [("liblinear", sk.LogisticRegression(l1_ratio=1.0, C=C, solver="liblinear",
                                                fit_intercept=False)),
            ("saga", sk.LogisticRegression(l1_ratio=1.0, C=C, solver="saga",
                                           fit_intercept=False))])

    rng = np.random.default_rng(5)
    noisy = y / np.std(y)
    rows = rng.choice(n, n // 20, replace=False)
    noisy[rows] += rng.choice([-10.0, 10.0], rows.size)
    epsilon = 1.35
    a_hub = alpha_max(X, np.clip(np.median(noisy) - noisy, -epsilon, epsilon)) / 10
    yield ("huber", sr.SparseHuberRegressor(alpha=a_hub, epsilon=epsilon, tol=tol),
           skglm_glm(Huber(epsilon), L1(a_hub), tol), [], noisy)
    if not scipy.sparse.issparse(X):
        yield ("huber l2", None, sk.HuberRegressor(epsilon=epsilon, alpha=1e-4 * n), [],
               noisy)


def objective(model, X, y, fitted, ours):
    """The model's objective (parameters of ``ours``) at ``fitted``'s coefficients (for
    stationary points that differ: MCP and SCAD are not convex)."""
    w = np.ravel(fitted.coef_)
    b = float(np.ravel(fitted.intercept_)[0]) if np.ndim(fitted.intercept_) else float(
        fitted.intercept_)
    z = np.asarray(X @ w).ravel() + b
    n = X.shape[0]
    a = np.abs(w)
    if model in ("mcp", "scad"):
        fit = 0.5 * np.sum((y - z) ** 2) / n
        alpha, gamma = ours.alpha, ours.gamma
        if model == "mcp":
            pen = np.where(a <= gamma * alpha, alpha * a - a**2 / (2 * gamma),
                           0.5 * gamma * alpha**2)
        else:
            pen = np.where(a <= alpha, alpha * a, np.where(
                a <= gamma * alpha, (2 * gamma * alpha * a - a**2 - alpha**2) / (2 * (gamma - 1)),
                0.5 * alpha**2 * (gamma + 1)))
        return fit + pen.sum()
    return float("nan")


def huber_at_scale(X, y, reference, repeat):
    """Ours on HuberRegressor's problem at its fitted scale (see SparseHuberRegressor)."""
    sigma = reference.scale_
    ours = sr.SparseHuberRegressor(alpha=reference.alpha * sigma / X.shape[0],
                                   epsilon=reference.epsilon * sigma, l1_ratio=0.0, tol=1e-6)
    return timed(ours, X, y, repeat)


def tight(estimator):
    """A copy of ``estimator`` at tol=1e-10 (skglm's keep the tolerance in their solver; a
    deep copy, as their nested parameters defeat ``clone``)."""
    estimator = copy.deepcopy(estimator)
    if hasattr(estimator, "solver") and hasattr(estimator.solver, "tol"):
        estimator.solver.tol = 1e-10
        estimator.solver.max_iter = 1000
    else:
        estimator.set_params(tol=1e-10)
        if "max_iter" in estimator.get_params():
            estimator.set_params(max_iter=1000)
    return estimator


def violation(model):
    return getattr(model, "stop_crit_", float("nan"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated models (mcp, scad, ...)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    with threadpool_limits(1):
        print("BLAS:", ", ".join(f"{i['internal_api']}: {i['num_threads']}"
                                 for i in threadpool_info()))
        print("| data | model | sparserecover | skglm | ratio | violation ours / skglm "
              "| max coef diff | objective ours - skglm | coef diff at tol 1e-10 |")
        print("|---|---|---:|---:|---:|---|---:|---:|---:|")
        for name, X in designs():
            y = response(X)
            for case in cases(X, y):
                model, ours, reference, others = case[:4]
                target = case[4] if len(case) > 4 else y
                if only and model.split()[0].rstrip(",") not in only:
                    continue
                if model.startswith("logistic"):
                    target = (y > np.median(y)).astype(int)
                if ours is None:  # scikit-learn's HuberRegressor, ours at its scale
                    t_ref, ref = timed(reference, X, target, args.repeat)
                    t_ours, fitted = huber_at_scale(X, target, ref, args.repeat)
                    diff = np.max(np.abs(fitted.coef_ - ref.coef_))
                    print(f"| {name} | huber l2: scikit-learn HuberRegressor | "
                          f"{1e3 * t_ours:.1f} ms | {1e3 * t_ref:.1f} ms | "
                          f"{t_ours / t_ref:.2f} | (own rule) | {diff:.1e} | | |")
                    continue
                t_ours, fitted = timed(ours, X, target, args.repeat)
                t_ref, ref = timed(reference, X, target, args.repeat)
                gap = objective(model, X, target, ours, ours) - objective(
                    model, X, target, ref, ours)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exact = np.max(np.abs(
                        np.ravel(tight(ours).fit(X, target).coef_)
                        - np.ravel(tight(reference).fit(X, target).coef_)))
                coef, ref_coef = np.ravel(fitted.coef_), np.ravel(ref.coef_)
                print(f"| {name} | {model} | {1e3 * t_ours:.1f} ms | {1e3 * t_ref:.1f} ms | "
                      f"{t_ours / t_ref:.2f} | {violation(fitted):.1e} / "
                      f"{float(np.max(ref.stop_crit_)):.1e} | "
                      f"{np.max(np.abs(coef - ref_coef)):.1e} | "
                      f"{'' if np.isnan(gap) else f'{gap:.1e}'} | {exact:.1e} |")
                for label, estimator in others:
                    t_sk, sk_fit = timed(estimator, X, target, args.repeat)
                    diff = np.max(np.abs(np.ravel(sk_fit.coef_) - coef))
                    print(f"| {name} | {model}: scikit-learn {label} | | {1e3 * t_sk:.1f} ms | "
                          f"{t_ours / t_sk:.2f} | (own rule) | {diff:.1e} | | |")


if __name__ == "__main__":
    main()
