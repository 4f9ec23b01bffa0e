"""
Compressed sensing: iterative hard thresholding against orthogonal matching pursuit
===================================================================================

Recover a ``k``-sparse vector of 1024 coefficients from 256 random Gaussian measurements,
knowing ``k``: the k-sparse least-squares problem ``min ||A x - y||`` subject to
``||x||_0 <= k``. :func:`sparserecover.iht` (hard thresholding pursuit, its default method)
against scikit-learn's :class:`~sklearn.linear_model.OrthogonalMatchingPursuit`, the greedy
method usually reached for, on the same problems:

* left: the fraction of problems whose support and values are recovered (relative error below
  1e-4, noiseless measurements) as ``k`` grows. Beyond about ``k = 50`` OMP's greedy choices
  go wrong more and more often, while IHT keeps recovering;
* right: the errors of both estimates on one problem at a large ``k``: OMP keeps a few
  wrong coefficients, which spoil the values of the others; IHT's errors are rounding.

The figure is ``plot_iht_vs_omp.png`` (in the directory given as the first argument, else
``$SPARSERECOVER_FIGURE_DIR``, else next to this script).
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import OrthogonalMatchingPursuit

import sparserecover as sr

quick = bool(os.environ.get("SPARSERECOVER_EXAMPLES_QUICK"))
n_samples, n_features = 256, 1024
sparsities = [20, 40, 50, 60, 70, 80] if quick else list(range(10, 101, 10))
n_trials = 5 if quick else 30
rng = np.random.default_rng(0)


def problem(k):
    A = rng.standard_normal((n_samples, n_features)) / np.sqrt(n_samples)
    x = np.zeros(n_features)
    x[rng.choice(n_features, k, replace=False)] = rng.standard_normal(k)
    return A, x, A @ x


def recovered(estimate, truth):
    return np.linalg.norm(estimate - truth) <= 1e-4 * np.linalg.norm(truth)


# %%
# Success rates over random problems, the same problems for both methods.
rates = {"iht": [], "OMP": []}
for k in sparsities:
    successes = {"iht": 0, "OMP": 0}
    for _ in range(n_trials):
        A, x, y = problem(k)
        successes["iht"] += recovered(sr.iht(A, y, k).x, x)
        omp = OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=False).fit(A, y)
        successes["OMP"] += recovered(omp.coef_, x)
    for name in rates:
        rates[name].append(successes[name] / n_trials)
    print(f"k = {k:3d}: iht {successes['iht']}/{n_trials}, OMP {successes['OMP']}/{n_trials}")

# %%
# One problem at the largest k, where the two differ.
k = sparsities[-1]
A, x, y = problem(k)
x_iht = sr.iht(A, y, k).x
x_omp = OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=False).fit(A, y).coef_
for name, estimate in (("iht", x_iht), ("OMP", x_omp)):
    error = np.linalg.norm(estimate - x) / np.linalg.norm(x)
    print(f"k = {k}, {name}: relative error {error:.1e}")

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
left.plot(sparsities, rates["iht"], "o-", label="sparserecover.iht")
left.plot(sparsities, rates["OMP"], "s--", label="OrthogonalMatchingPursuit")
left.set(xlabel="nonzeros k", ylabel="fraction recovered", ylim=(-0.05, 1.05),
         title=f"{n_samples} measurements of {n_features} coefficients, {n_trials} problems per k")
left.legend()
right.plot(x_omp - x, "C1", lw=1, label="OMP")
right.plot(x_iht - x, "C0", lw=1.5, label="sparserecover.iht")
right.set(xlabel="coefficient", ylabel="estimate - true value",
          title=f"Errors on one problem with k = {k}")
right.legend()

if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_iht_vs_omp.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
