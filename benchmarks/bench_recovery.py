"""Empirical phase transitions of sparse recovery: every iht method, OMP and l1, by sparsity.

Compressed sensing as in Donoho & Tanner (2009) and Maleki & Donoho (2010): a Gaussian
A (n x p, p = 1024, n = 256 and 512, i.e. n/p = 0.25 and 0.5, columns scaled by 1/sqrt(n)), a
k-sparse x on a random support with standard normal or random-sign (+-1) nonzeros, and
y = A x, noiseless. Every method is told k. A trial succeeds when
||x_hat - x|| <= 1e-4 ||x||. The methods:

- ``iht(A, y, k, method=...)`` for each of its methods;
- scikit-learn's ``OrthogonalMatchingPursuit(n_nonzero_coefs=k)``;
- "l1 + LS": ``lasso_path`` from lam_max to lam_max / 1e5 (20 penalties, warm started,
  relative duality gap 1e-3), then least squares on the support of the last solution (at most
  its n largest entries) and again on the k largest entries of that fit: exact whenever the
  LASSO at a small penalty, basis pursuit's proxy, holds the true support;
- "reweighted l1 + LS": from that solution, up to 4 solves at penalty lam_max(w) / 1e5 with
  weights w_j = 1 / (|x_j| + eps), each warm started from the last (Candes, Wakin & Boyd,
  J. Fourier Anal. Appl. 14, 2008; eps = 0.1 times the root mean square of the k largest
  |x_j|: their eps = 0.1 for unit-size nonzeros, made scale-free), each followed by the same
  refit, stopping as soon as the refit reproduces y (||A x - y|| <= 1e-10 ||y||). Its time
  excludes the first solve where the "l1 + LS" column ran it.

Once a method has recovered no signal at three consecutive k it is not run at larger k (shown
as "-" in the tables, as 0 in the figure). Each (n, nonzeros, k) draws its problems from its own
seed, so every method sees the same problems. The dotted line in the figure is the
asymptotic l1 transition, where the statistical dimension of the l1 descent cone equals n
(Amelunxen, Lotz, McCoy & Tropp, Inf. Inference 3(3), 2014; Donoho & Tanner's weak threshold).

Reported: successes out of ``--trials`` and the median time per solve (one process, BLAS
pinned to one thread), and the figure (``--figure``, SVG).

Run:  python benchmarks/bench_recovery.py [--trials 20] [--seed 0]
          [--figure docs/benchmarks_recovery.svg]
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.linalg  # load scipy's own BLAS before pinning threads
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import norm
from sklearn.linear_model import OrthogonalMatchingPursuit
from threadpoolctl import threadpool_info, threadpool_limits

from sparserecover import iht, lasso_path

IHT_METHODS = ("htp-scaled", "htp", "niht", "sp", "cosamp")
SUCCESS = 1e-4
P = 1024
K_GRID = {
    256: sorted({*range(10, 126, 5), 59, 68}),  # 59 and 68: the targets at n/p = 0.25
    512: list(range(20, 311, 10)),
}
KINDS = ("gaussian", "sign")


def least_squares_on(A, y, columns):
    fit = np.zeros(A.shape[1])
    fit[columns] = scipy.linalg.lstsq(A[:, columns], y)[0]
    return fit


def refit(A, y, x, k):
    """Least squares on the support of x (at most its n largest entries), then on the k
    largest entries of that fit: exact whenever the support holds the true one."""
    largest = np.argsort(-np.abs(x), kind="stable")
    fit = least_squares_on(A, y, largest[: min(np.count_nonzero(x), A.shape[0])])
    return least_squares_on(A, y, np.argsort(-np.abs(fit), kind="stable")[:k])


_l1_solutions = {}  # the l1 solve of each problem, reused as the reweighting's start


def l1_refit(A, y, k):
    _, coefs, _ = lasso_path(A, y, n_lams=20, eps=1e-5, tol=1e-3)
    _l1_solutions[id(A), k] = coefs[:, -1]
    return refit(A, y, coefs[:, -1], k)


def reweighted_l1_refit(A, y, k, n_reweight=4):
    x = _l1_solutions.pop((id(A), k), None)
    if x is None:
        l1_refit(A, y, k)
        x = _l1_solutions.pop((id(A), k))
    fit = refit(A, y, x, k)
    for _ in range(n_reweight):
        if np.linalg.norm(A @ fit - y) <= 1e-10 * np.linalg.norm(y):
            break
        largest = np.sort(np.abs(x))[::-1][:k]
        weights = 1.0 / (np.abs(x) + 0.1 * np.sqrt(np.mean(largest**2)))
        weights /= weights.min()
        lam = 1e-5 * np.max(np.abs(A.T @ y) / weights)
        _, coefs, _ = lasso_path(A, y, lams=[lam], weights=weights, x0=x, tol=1e-3)
        x = coefs[:, -1]
        fit = refit(A, y, x, k)
    return fit


def solvers():
    def pursuit(method):
        return lambda A, y, k: iht(A, y, k, method=method).x

    methods = {f"iht ({method})": pursuit(method) for method in IHT_METHODS}

    def omp(A, y, k):
        return OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=False).fit(A, y).coef_

    methods["OMP (scikit-learn)"] = omp
    methods["l1 + LS"] = l1_refit
    methods["reweighted l1 + LS"] = reweighted_l1_refit
    return methods


def l1_transition(delta):
    """rho = k/n at which l1 recovery turns from success to failure as n, p -> inf with
    n/p = delta: the sparsity fraction eps = k/p where the normalized statistical dimension
    of the l1 descent cone, inf_t eps (1 + t^2) + (1 - eps) E[(|g| - t)_+^2], equals delta."""
    def dimension(eps):
        def bound(t):
            tail = (1 + t * t) * norm.sf(t) - t * norm.pdf(t)  # E[(g - t)_+^2], g ~ N(0, 1)
            return eps * (1 + t * t) + (1 - eps) * 2 * tail

        return minimize_scalar(bound, bounds=(0.0, 10.0), method="bounded").fun

    return brentq(lambda eps: dimension(eps) - delta, 1e-9, delta * (1 - 1e-9)) / delta


def draw(n, kind, k, rng):
    A = rng.standard_normal((n, P)) / np.sqrt(n)
    x = np.zeros(P)
    support = rng.choice(P, k, replace=False)
    x[support] = rng.standard_normal(k) if kind == "gaussian" else rng.choice([-1.0, 1.0], k)
    return A, x, A @ x


def run(args, methods):
    results = {}  # (n, kind) -> {method: [(k, successes or None, median seconds)]}
    for n in args.n:
        for kind_index, kind in enumerate(KINDS):
            label = "Gaussian" if kind == "gaussian" else "+-1"
            print(f"\nn={n}, p={P} (n/p = {n / P:g}), {label} nonzeros, noiseless: "
                  f"successes / {args.trials}, median time per solve")
            print("| k | k/n | " + " | ".join(methods) + " |")
            print("|---|---|" + "---|" * len(methods))
            rows = {name: [] for name in methods}
            zero_streak = dict.fromkeys(methods, 0)
            for k in K_GRID[n]:
                rng = np.random.default_rng([args.seed, n, kind_index, k])
                problems = [draw(n, kind, k, rng) for _ in range(args.trials)]
                cells = []
                for name, solve in methods.items():
                    if zero_streak[name] >= 3:
                        rows[name].append((k, None, None))
                        cells.append("-")
                        continue
                    successes, times = 0, []
                    for A, x, y in problems:
                        start = time.perf_counter()
                        x_hat = solve(A, y, k)
                        times.append(time.perf_counter() - start)
                        successes += bool(np.linalg.norm(x_hat - x) <= SUCCESS * np.linalg.norm(x))
                    zero_streak[name] = zero_streak[name] + 1 if successes == 0 else 0
                    rows[name].append((k, successes, float(np.median(times))))
                    cells.append(f"{successes}, {np.median(times) * 1e3:.0f} ms")
                print(f"| {k} | {k / n:.3f} | " + " | ".join(cells) + " |", flush=True)
            results[n, kind] = rows
    return results


def plot(results, args, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "sparserecover"  # the same file for the same figures
    plt.rcParams["svg.fonttype"] = "none"
    styles = {name: ("-", "o") for name in results[next(iter(results))]}
    styles["OMP (scikit-learn)"] = ("--", "s")
    styles["l1 + LS"] = ("-.", "^")
    styles["reweighted l1 + LS"] = ("-.", "v")
    fig, axes = plt.subplots(len(args.n), len(KINDS), figsize=(11, 4 * len(args.n) + 0.8),
                             sharey=True, squeeze=False)
    for row, n in enumerate(args.n):
        rho = l1_transition(n / P)
        for column, kind in enumerate(KINDS):
            ax = axes[row, column]
            for index, (name, points) in enumerate(results[n, kind].items()):
                k = np.array([point[0] for point in points])
                rate = np.array([0 if point[1] is None else point[1] for point in points])
                line, marker = styles[name]
                ax.plot(k / n, rate / args.trials, line, marker=marker, markersize=3.5,
                        color=f"C{index}", label=name)
            ax.axvline(rho, color="0.4", linestyle=":")
            label = "Gaussian" if kind == "gaussian" else "+-1"
            ax.set_title(f"n/p = {n / P:g} (n={n}, p={P}), {label} nonzeros")
            ax.set_xlabel("k / n")
            ax.grid(alpha=0.3)
            if column == 0:
                ax.set_ylabel(f"fraction recovered ({args.trials} trials)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    limits = ", ".join(f"{l1_transition(n / P):.3f} at n/p = {n / P:g}" for n in args.n)
    handles.append(plt.Line2D([], [], color="0.4", linestyle=":"))
    labels.append(f"l1 limit as n, p -> inf ({limits})")
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, metadata={"Date": None})
    print(f"\nfigure: {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, nargs="+", default=[256, 512], choices=sorted(K_GRID))
    parser.add_argument("--figure", type=Path,
                        default=Path(__file__).resolve().parents[1] / "docs"
                        / "benchmarks_recovery.svg")
    args = parser.parse_args()
    threadpool_limits(1)
    print("command: python " + " ".join(sys.argv))
    print(f"BLAS threads: {sorted({info['num_threads'] for info in threadpool_info()})}")
    print(f"scipy {scipy.__version__}, trials {args.trials}, seed {args.seed}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    warnings.simplefilter("ignore")  # failed trials may warn; they are counted
    methods = solvers()
    A0 = np.random.default_rng(args.seed).standard_normal((32, 64))
    for solve in methods.values():  # compile / import outside the timings
        solve(A0, A0[:, :2].sum(axis=1), 2)
    results = run(args, methods)
    print("\nload average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    plot(results, args, args.figure)


if __name__ == "__main__":
    main()
