"""
Iterations needed per activation (Fig. 8, Appendix D)
=====================================================

Proposition 4.2: with learning rate ``1 / s_1^2``, the ``K``-th principal component passes the
gradient-descent mask (value ``1 - 1/e``) after ``q = log(1 - tau) / log(1 - s_K^2 / s_1^2)``
iterations, about ``(s_1 / s_K)^2``. The spectrum of each activation (``N = M`` samples and
biases on [0, 1]) therefore fixes how many iterations a bandwidth of ``K`` components costs.

Output: ``paper_iterations.png`` and the table of iterations.
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
from sparserecover.spectral import n_iter_for_components

threadpool_limits(1)  # small SVDs: one BLAS thread is faster


def output_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))


n = 128 if os.environ.get("SPARSERECOVER_EXAMPLES_QUICK") else 512
x = np.linspace(0.0, 1.0, n)[:, None]
activations = {"heaviside": 1.0, "tanh": float(n), "relu": 1.0, "gelu": float(n),
               "silu": float(n), "relu2": 1.0}
ks = [k for k in (1, 2, 4, 8, 16, 32, 64) if k <= n // 4]

needed = {}
for name, scale in activations.items():
    s = np.linalg.svd(ShallowFeatures(name, n_units=n, scale=scale).fit_transform(x),
                      compute_uv=False)
    needed[name] = []
    for k in ks:
        try:
            needed[name].append(n_iter_for_components(s, k))
        except ValueError:  # s_K numerically 0: no number of iterations reaches it
            needed[name].append(np.inf)

# %%
# Table: iterations q for K active components
print(f"N = M = {n}")
print(f"{'activation':>10} " + " ".join(f"{'K=' + str(k):>10}" for k in ks))
for name, values in needed.items():
    print(f"{name:>10} " + " ".join(f"{v:>10.3g}" for v in values))
k_last = ks[-1]
for name in ("relu", "relu2"):
    ratio = needed[name][-1] / needed["tanh"][-1]
    print(f"{name} / tanh at K = {k_last}: {ratio:.3g} (10^{np.log10(ratio):.1f})")

# %%
# Figure
fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
for name, values in needed.items():
    ax.loglog(ks, values, "o-", label=name)
ax.loglog(ks, np.square(ks), "k:", label="K^2")
ax.set(xlabel="K (active components)", ylabel="iterations q",
       title="Gradient-descent iterations for K active components\n(Proposition 4.2)")
ax.legend(fontsize=8)
path = output_dir() / "paper_iterations.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
