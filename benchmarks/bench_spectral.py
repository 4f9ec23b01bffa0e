"""Fit time of ``SpectralRegressor(solver="svd")`` against the gradient descent it replaces.

The problem of the paper's Fig. 6: a shallow tanh network (scale = M) on ``N`` equally spaced
samples of row 100 of ``pywt.data.camera()``, ``M = N`` biases, learning rate ``1 / s_1^2``
and ``q`` iterations (10^5 by default). Three ways to the same weights:

* ``svd``: ``SpectralRegressor(solver="svd")``, one thin SVD then the mask
  ``1 - (1 - lr s^2)^q`` (cost independent of ``q``);
* ``gd (Numba)``: ``SpectralRegressor(solver="gd")``, the ``q`` real iterations
  ``w <- w + lr A^T (y - A w)`` in a Numba kernel (plus ``svdvals`` for ``s_1``);
* ``gd (NumPy loop)``: the same iterations as a Python loop of NumPy calls, timed on
  ``q / 100`` iterations and scaled (it is linear in ``q``).

The relative difference of the predictions is printed beside the times. Each time is the
median of ``--repeat`` runs after a warm-up (Numba compilation excluded; it is cached on
disk). BLAS runs on one thread.

Run: ``python benchmarks/bench_spectral.py [--n 256 512] [--n-iter 100000] [--repeat 3]``.
"""

import argparse
import time

import numpy as np
import pywt
from threadpoolctl import threadpool_info, threadpool_limits

from sparserecover.network import ShallowFeatures, SpectralRegressor


def median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def numpy_gd(A, y, learning_rate, n_iter):
    w = np.zeros(A.shape[1])
    for _ in range(n_iter):
        w += learning_rate * (A.T @ (y - A @ w))
    return w


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--n-iter", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with threadpool_limits(1):
        threads = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
        print(f"BLAS threads: {threads}; q = {args.n_iter} iterations")
        row = pywt.data.camera()[100].astype(np.float64) / 255.0
        print(f"{'N = M':>6} {'svd (s)':>9} {'gd Numba (s)':>13} {'gd NumPy (s)':>13} "
              f"{'Numba/svd':>10} {'rel. diff':>10}")
        for n in args.n:
            x = np.linspace(0.0, 1.0, n)[:, None]
            y = np.interp(np.linspace(0, 1, n), np.linspace(0, 1, row.size), row)
            A = ShallowFeatures("tanh", n_units=n, scale=float(n)).fit_transform(x)
            svd = SpectralRegressor(solver="svd", n_iter=args.n_iter)
            gd = SpectralRegressor(solver="gd", n_iter=args.n_iter)
            svd.fit(A, y)
            SpectralRegressor(solver="gd", n_iter=1).fit(A, y)  # warm-up: load the kernel
            t_svd, _ = median_time(lambda svd=svd, A=A, y=y: svd.fit(A, y), args.repeat)
            t_gd, _ = median_time(lambda gd=gd, A=A, y=y: gd.fit(A, y), args.repeat)
            lr = svd.learning_rate_
            short = max(1, args.n_iter // 100)
            t_np, _ = median_time(lambda A=A, y=y, lr=lr, q=short: numpy_gd(A, y, lr, q), 1)
            t_np *= args.n_iter / short
            difference = np.linalg.norm(gd.predict(A) - svd.predict(A)) / np.linalg.norm(
                svd.predict(A)
            )
            print(f"{n:>6} {t_svd:>9.4f} {t_gd:>13.3f} {t_np:>13.3f} "
                  f"{t_gd / t_svd:>9.0f}x {difference:>10.1e}")


if __name__ == "__main__":
    main()
