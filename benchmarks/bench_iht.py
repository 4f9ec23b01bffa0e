"""Sparse recovery: sparserecover.iht (its five methods) against scikit-learn's OMP.

Compressed sensing with a Gaussian A (n=256, p=1024, columns scaled by 1/sqrt(n)) and a
k-sparse x with standard normal nonzeros on a random support, for k = 10, 20, ..., 80,
noiseless and at 40 dB SNR (noise norm 1 % of the signal's). Every solver is told the true k.
A trial succeeds when ||x_hat - x|| <= 1e-4 ||x|| (noiseless) or <= 0.05 ||x|| (40 dB: five
times the noise level; the exact support is not identifiable when some nonzeros are below
the noise).
Reported: successes out of ``--trials`` and the median time per solve (same process, same
problems, BLAS pinned to one thread).

Run:  python benchmarks/bench_iht.py [--trials 20] [--seed 0]
"""

import argparse
import os
import time
import warnings

import numpy as np
import scipy.linalg  # load scipy's own BLAS before pinning threads
from sklearn.linear_model import OrthogonalMatchingPursuit
from threadpoolctl import threadpool_info, threadpool_limits

from sparserecover import iht


def solvers():
    def omp(A, y, k):
        return OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=False).fit(A, y).coef_

    return {
        "iht (htp-scaled, default)": lambda A, y, k: iht(A, y, k).x,
        "iht (htp)": lambda A, y, k: iht(A, y, k, method="htp").x,
        "iht (niht)": lambda A, y, k: iht(A, y, k, method="niht").x,
        "iht (sp)": lambda A, y, k: iht(A, y, k, method="sp").x,
        "iht (cosamp)": lambda A, y, k: iht(A, y, k, method="cosamp").x,
        "OrthogonalMatchingPursuit": omp,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--p", type=int, default=1024)
    args = parser.parse_args()
    threadpool_limits(1)
    print(f"BLAS threads: {sorted({info['num_threads'] for info in threadpool_info()})}")
    print(f"scipy {scipy.__version__}, trials {args.trials}, seed {args.seed}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    warnings.simplefilter("ignore")  # failed trials may warn; they are counted
    methods = solvers()
    rng = np.random.default_rng(args.seed)
    A0 = rng.standard_normal((32, 64))
    for solve in methods.values():  # compile / import outside the timings
        solve(A0, A0[:, :2].sum(axis=1), 2)

    n, p = args.n, args.p
    for snr_db in (None, 40):
        label = "noiseless" if snr_db is None else f"{snr_db} dB"
        print(f"\n{label}: successes / {args.trials}, median time per solve")
        print("| k | " + " | ".join(methods) + " |")
        print("|---|" + "---|" * len(methods))
        for k in range(10, 81, 10):
            successes = dict.fromkeys(methods, 0)
            times = {name: [] for name in methods}
            for _ in range(args.trials):
                A = rng.standard_normal((n, p)) / np.sqrt(n)
                x = np.zeros(p)
                support = rng.choice(p, k, replace=False)
                x[support] = rng.standard_normal(k)
                y = A @ x
                if snr_db is not None:
                    noise = rng.standard_normal(n)
                    noise *= np.linalg.norm(y) / np.linalg.norm(noise) * 10 ** (-snr_db / 20)
                    y = y + noise
                for name, solve in methods.items():
                    start = time.perf_counter()
                    x_hat = solve(A, y, k)
                    times[name].append(time.perf_counter() - start)
                    tolerance = 1e-4 if snr_db is None else 0.05
                    ok = np.linalg.norm(x_hat - x) <= tolerance * np.linalg.norm(x)
                    successes[name] += bool(ok)
            cells = [f"{successes[name]}/{args.trials}, {np.median(times[name]) * 1e3:.1f} ms"
                     for name in methods]
            print(f"| {k} | " + " | ".join(cells) + " |", flush=True)
    print("\nload average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
