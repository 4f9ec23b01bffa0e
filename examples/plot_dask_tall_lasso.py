"""
A tall regression and a batch of signals on dask
================================================

A dask array is a grid of NumPy chunks computed by dask's schedulers: the threads of this
process here, a ``dask.distributed`` cluster just the same (create a ``Client`` first). This
script

* fits :class:`~sparserecover.LassoCV` on a tall ``X`` of 200,000 rows in 20 chunks: one pass
  over the chunks reduces them to the moments of each fold's rows, from which every fold's
  training Gram matrix, its whole path and its test errors follow, and the final refit too;
  the same fit on the in-memory array (``precompute=True``) gives the same errors and
  coefficients to rounding;
* denoises a dask array of 64 noisy signals, chunk by chunk, lazily: the result has the bits
  of :func:`~sparserecover.denoise` on the whole array.

The figure is ``plot_dask_tall_lasso.png`` (in the directory given as the first argument,
else ``$SPARSERECOVER_FIGURE_DIR``, else next to this script).
"""

import os
import sys
from pathlib import Path

import dask
import dask.array as da
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sparserecover import LassoCV, denoise

# %%
# A tall problem, chunked by rows
# -------------------------------
# 30 correlated features, 5 of them in the model, and noise.

rng = np.random.default_rng(0)
n_samples, n_features = 200_000, 30
X = rng.standard_normal((n_samples, n_features)) + rng.standard_normal((n_samples, 1))
coef = np.zeros(n_features)
coef[[2, 7, 11, 19, 25]] = [1.5, -2.0, 0.7, 1.0, -0.4]
y = X @ coef + 3.0 + 2.0 * rng.standard_normal(n_samples)
dX = da.from_array(X, chunks=(10_000, n_features))
dy = da.from_array(y, chunks=10_000)

reads = []


def count_reads(block, block_info=None):
    reads.append(block_info[0]["chunk-location"])  # one call per chunk read
    return block


dask.config.set(scheduler="threads")
model = LassoCV(cv=5).fit(dX.map_blocks(count_reads, dtype=X.dtype), dy)
passes = len(reads) / dX.numblocks[0]
print(f"LassoCV on {dX.numblocks[0]} chunks: {passes:.0f} pass over the data, "
      f"alpha_ = {model.alpha_:.4g}")
eager = LassoCV(cv=5, precompute=True).fit(X, y)
print("largest difference from the in-memory fit:",
      f"coefficients {np.max(np.abs(model.coef_ - eager.coef_)):.1e},",
      f"fold errors {np.max(np.abs(model.mse_path_ - eager.mse_path_)):.1e}")

# %%
# Signals, chunk by chunk
# -----------------------

t = np.linspace(0, 1, 2048)
clean = np.sin(2 * np.pi * 5 * t) * (t > 0.3) + 0.5 * (t > 0.7)
noisy = clean + 0.2 * rng.standard_normal((64, t.size))
lazy = denoise(da.from_array(noisy, chunks=(8, 2048)))
print(f"a lazy result: {lazy!r}")
denoised = lazy.compute()
print("bitwise equal to the whole array's:", bool(np.array_equal(denoised, denoise(noisy))))

# %%
# The figure
# ----------

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for fold, errors in enumerate(model.mse_path_.T):
    left.semilogx(model.alphas_, errors, color="0.7", lw=1,
                  label="each fold (one pass, dask)" if fold == 0 else None)
left.semilogx(model.alphas_, model.mse_path_.mean(axis=1), color="C0", lw=2,
              label="mean over the folds (dask)")
left.semilogx(eager.alphas_, eager.mse_path_.mean(axis=1), "k--", lw=1,
              label="mean, in-memory NumPy fit")
left.axvline(model.alpha_, color="C3", lw=1, label=f"alpha_ = {model.alpha_:.3g}")
left.set_xlabel("alpha")
left.set_ylabel("test mean squared error")
left.set_title(f"LassoCV on {n_samples:,} rows in {dX.numblocks[0]} chunks")
left.legend(fontsize=8)
right.plot(t, noisy[0], color="0.75", lw=0.6, label="noisy")
right.plot(t, denoised[0], color="C0", lw=1.2, label="denoised (dask, chunk by chunk)")
right.plot(t, clean, "k--", lw=0.8, label="clean")
right.set_xlabel("t")
right.set_title("one of 64 signals")
right.legend(fontsize=8)
fig.tight_layout()

if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
output_dir.mkdir(parents=True, exist_ok=True)
fig.savefig(output_dir / "plot_dask_tall_lasso.png", dpi=110)
