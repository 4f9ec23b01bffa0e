"""
Gradient descent as a mask on singular values (Fig. 2)
======================================================

``q`` steps of gradient descent from ``w = 0`` with learning rate ``lr = 1 / s_1^2`` apply the
filter ``phi(s) = 1 - (1 - lr s^2)^q`` to the singular values of the design matrix (Lucey 2025,
Proposition 4.1); gradient flow approximates it by ``1 - exp(-lr q s^2)``. Plotted against the
normalized singular value ``s / s_1`` for several ``q``, beside ridge and PCA masks.

The table checks two statements of Sec. 4: the squared "active window" ``(s_1 / s_tau)^2``
(``tau = 1 - 1/e``) equals ``q`` (Eq. 17), and the "grey zone" from mask 0.99 down to 0.01
spans a fixed ratio of singular values, whatever ``q``.

Output: ``paper_masks.png`` (next to this script, or in the directory given as the first
argument or by ``SPARSERECOVER_FIGURE_DIR``).
"""

import math
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sparserecover.spectral import (
    DEFAULT_MASK_THRESHOLD,
    gd_mask,
    n_iter_for_components,
    pca_mask,
    ridge_mask,
)


def output_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))


s = np.geomspace(1e-3, 1.0, 40001)  # normalized singular values s / s_1, s_1 = 1
iterations = [1, 10, 100, 1000, 10000]

# %%
# Table: active window and grey zone of the discrete mask, from its inverse: the mask equals m
# at lr s^2 = 1 - (1 - m)^(1/q)


def s_at_mask(m, q):
    return math.sqrt(-math.expm1(math.log1p(-m) / q))


print(f"{'q':>6} {'(s1/s_tau)^2':>13} {'grey zone 0.99->0.01':>22}")
for q in iterations:
    s_tau = s_at_mask(DEFAULT_MASK_THRESHOLD, q)
    assert abs(gd_mask(np.array([1.0, s_tau]), 1.0, q)[1] - DEFAULT_MASK_THRESHOLD) < 1e-9
    grey = 20 * math.log10(s_at_mask(0.99, q) / s_at_mask(0.01, q))
    print(f"{q:>6} {(1 / s_tau) ** 2:>13.2f} {grey:>19.1f} dB")
flow_grey = 10 * math.log10(math.log(100) / -math.log(0.99))
print(f"gradient flow, closed form: grey zone = 10 log10(ln 100 / -ln 0.99) = {flow_grey:.1f} dB")
# Proposition 4.2 through the package (the K-th singular value of a 1/(2k-1) spectrum)
heaviside_like = 1.0 / (2 * np.arange(1, 65) - 1)
print("iterations so that K components pass (Heaviside-like spectrum):",
      {k: n_iter_for_components(heaviside_like, k) for k in (1, 2, 4, 8, 16, 32)})

# %%
# Figure
fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
for q in iterations:
    (line,) = axes[0].semilogx(s, gd_mask(s, 1.0, q), label=f"GD, q = {q}")
    axes[0].semilogx(s, gd_mask(s, 1.0, float(q), kind="flow"), ":", color=line.get_color())
axes[0].set(xlabel="s / s_1", ylabel="mask phi(s)",
            title="GD mask 1-(1-s^2/s_1^2)^q (solid) and flow (dotted)")
axes[0].legend(fontsize=8)
axes[1].semilogx(s, gd_mask(s, 1.0, 100), label="GD, q = 100")
axes[1].semilogx(s, ridge_mask(s, 0.01), label="ridge, alpha = 0.01 s_1^2")
axes[1].semilogx(s, pca_mask(s, threshold=0.1), label="PCA, threshold 0.1 s_1")
axes[1].set(xlabel="s / s_1", title="three filters, comparable strength")
axes[1].legend(fontsize=8)
path = output_dir() / "paper_masks.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
