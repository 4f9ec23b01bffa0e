"""
Spectrum of the network's Jacobian per activation (Fig. 3)
==========================================================

Normalized singular values ``s_k / s_1`` of ``A_ij = eta(scale (x_i - b_j))`` with ``N``
samples and ``M = N`` biases equally spaced on [0, 1] (the paper's Sec. 6 setup). Monotone
activations (Heaviside, tanh, ReLU, GELU, SiLU, ReLU^2) drop steeply from the first component,
at a rate set by the spline order ``r`` (Heaviside ``s_k / s_1 ~ 1/(2k-1)``, ReLU about
``k^-2``, ReLU^2 about ``k^-3``); sinc and Gaussian stay flat until ``k ~ scale`` and then
fall.

Output: ``paper_spectra.png``. Set ``SPARSERECOVER_EXAMPLES_QUICK=1`` for a smaller problem.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from sparserecover.network import ShallowFeatures

# The SVDs here are small (a few hundred columns): one BLAS thread is faster than two, and
# much faster when the other core is busy.
threadpool_limits(1)


def output_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))


n = 64 if os.environ.get("SPARSERECOVER_EXAMPLES_QUICK") else 512
x = np.linspace(0.0, 1.0, n)[:, None]
band = n // 8  # scale of the non-monotone activations: flat up to k ~ band
monotone = {"heaviside": 1.0, "tanh": float(n), "relu": 1.0, "gelu": float(n),
            "silu": float(n), "relu2": 1.0}
non_monotone = {"sinc": float(band), "gaussian": float(band)}


def spectrum(activation, scale):
    A = ShallowFeatures(activation, n_units=n, scale=scale).fit_transform(x)
    s = np.linalg.svd(A, compute_uv=False)
    return s / s[0]


spectra = {name: spectrum(name, scale) for name, scale in {**monotone, **non_monotone}.items()}

# %%
# Table of s_k / s_1
ks = [k for k in (1, 2, 4, 8, 16, 32, 64, 128, 256) if k <= n]
print(f"N = M = {n}; scale: tanh/gelu/silu = {n}, sinc/gaussian = {band}, others 1 "
      "(scale-equivariant)")
print(f"{'activation':>10} " + " ".join(f"{'k=' + str(k):>9}" for k in ks))
for name, s in spectra.items():
    print(f"{name:>10} " + " ".join(f"{s[k - 1]:>9.2e}" for k in ks))
heaviside = spectra["heaviside"][:8]
print("Heaviside s_k/s_1 * (2k-1):", np.round(heaviside * (2 * np.arange(1, 9) - 1), 3))

# %%
# Figure
fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
k = np.arange(1, n + 1)
for name in monotone:
    axes[0].loglog(k, spectra[name], label=name)
axes[0].loglog(k, 1.0 / (2 * k - 1), "k:", label="1/(2k-1)")
axes[0].set(xlabel="k", ylabel="s_k / s_1", title="(a) monotone activations", ylim=(1e-9, 2))
axes[0].legend(fontsize=8)
for name in non_monotone:
    axes[1].semilogy(k, spectra[name], label=f"{name}, scale {band}")
axes[1].axvline(band, color="gray", ls=":")
axes[1].set(xlabel="k", title="(b) non-monotone activations", ylim=(1e-9, 2))
axes[1].legend(fontsize=8)
fig.suptitle(f"Singular values of the network's features A_ij = eta(scale (x_i - b_j)), "
             f"N = M = {n}")
path = output_dir() / "paper_spectra.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
