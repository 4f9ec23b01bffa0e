"""
Reconstruction of an image row: iterations versus scale as the regularizer (Fig. 6)
===================================================================================

Row 100 of ``pywt.data.camera()`` (512 pixels, scaled to [0, 1]) is fitted on its 256 even
pixels by a shallow network with ``M = 256`` biases equally spaced on [0, 1] and evaluated on
all 512 pixels (PSNR, peak 1). The target bandwidth is ``K`` active components:

* (a) iterations from ``K``: ``q = K^2``, scale ``M``, learning rate ``1 / s_1^2``;
* (b) scale from ``K``: scale ``K``, fixed modest ``q = 100``.

The baseline fits the first ``K`` sines ``sin((k - 1/2) pi x)`` by least squares on the same
pixels. Each fit is one SVD plus a mask (``solver="svd"``); the gradient-descent iterations
themselves give the same predictions (``tests/network``).

Output: ``paper_reconstruction.png`` and the PSNR table.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pywt
from threadpoolctl import threadpool_limits

from sparserecover.network import ShallowNetworkRegressor

# The SVDs here are small (a few hundred columns): one BLAS thread is faster than two, and
# much faster when the other core is busy.
threadpool_limits(1)


def output_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))


quick = bool(os.environ.get("SPARSERECOVER_EXAMPLES_QUICK"))
row = pywt.data.camera()[100].astype(np.float64) / 255.0
x = np.linspace(0.0, 1.0, row.size)
train = slice(0, None, 2)
n_units = row.size // 2
ks = [2, 8, 32, 128] if quick else [1, 2, 4, 8, 16, 32, 64, 128]
activations = ["tanh", "relu", "sinc", "gaussian"]


def psnr(estimate):
    return 10 * np.log10(1.0 / np.mean((estimate - row) ** 2))


def network_psnr(activation, scale, n_iter):
    net = ShallowNetworkRegressor(activation, n_units=n_units, scale=scale, n_iter=n_iter,
                                  bias_range=(0.0, 1.0))
    net.fit(x[train, None], row[train])
    return psnr(net.predict(x[:, None])), net.n_active_components_


def dst_psnr(k):
    basis = np.sin(np.pi * np.outer(x, np.arange(1, k + 1) - 0.5))
    coef, *_ = np.linalg.lstsq(basis[train], row[train], rcond=None)
    return psnr(basis @ coef)


baseline = [dst_psnr(k) for k in ks]
panel_a = {a: [network_psnr(a, float(n_units), k * k) for k in ks] for a in activations}
panel_b = {a: [network_psnr(a, float(k), 100) for k in ks] for a in activations}

# %%
# Table: PSNR in dB (active components at mask 1 - 1/e in brackets)
header = f"{'K':>5} {'DST':>6} " + " ".join(f"{a:>14}" for a in activations)
for title, panel in (("(a) q = K^2, scale = M", panel_a), ("(b) scale = K, q = 100", panel_b)):
    print(title)
    print(header)
    for i, k in enumerate(ks):
        cells = " ".join(f"{panel[a][i][0]:>7.1f} [{panel[a][i][1]:>4d}]" for a in activations)
        print(f"{k:>5} {baseline[i]:>6.1f} {cells}")

# %%
# Figure
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, constrained_layout=True)
for ax, panel, title in ((axes[0], panel_a, "(a) q = K^2, scale = M"),
                         (axes[1], panel_b, "(b) scale = K, q = 100")):
    ax.semilogx(ks, baseline, "k--", label="DST, first K sines")
    for activation in activations:
        ax.semilogx(ks, [p for p, _ in panel[activation]], "o-", label=activation)
    ax.set(xlabel="K (target active components)", title=title)
axes[0].set_ylabel("PSNR (dB), all 512 pixels")
axes[0].legend(fontsize=8)
fig.suptitle("A row of the camera image fitted on its even pixels by a shallow network "
             "regularized by iterations (a) or by scale (b), against K sines")
path = output_dir() / "paper_reconstruction.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
