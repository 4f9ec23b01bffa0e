"""
Softplus is the expected ReLU under logistic input noise
========================================================

Dombrowski et al. (2019), Theorem 2: for noise with the logistic density
``p_beta(e) = beta / (e^{beta e / 2} + e^{-beta e / 2})^2``,

    E[ReLU(x - e)] = softplus_beta(x) = log(1 + e^{beta x}) / beta,

and, differentiating, ``E[H(x - e)] = sigmoid(beta x)``. Checked by adaptive quadrature
(``scipy.integrate.quad``) against :func:`sparserecover.softplus`, and by Monte Carlo.

Output: ``paper_softplus.png`` and the table of errors.
"""

import math
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate

import sparserecover as sr


def output_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))


def density(e, beta):
    decay = math.exp(-beta * abs(e))  # the same density, without overflow for large |e|
    return beta * decay / (1.0 + decay) ** 2


def expected_relu(x, beta):
    value, _ = integrate.quad(lambda e: density(e, beta) * (x - e), -np.inf, x,
                              epsabs=1e-14, epsrel=1e-13)
    return value


xs = np.linspace(-6.0, 6.0, 49)
rng = np.random.default_rng(0)
n_draws = 20_000 if os.environ.get("SPARSERECOVER_EXAMPLES_QUICK") else 1_000_000
print(f"{'beta':>5} {'max |quad - softplus|':>22} {'max rel.':>10} {'Monte Carlo max err':>20}")
curves = {}
for beta in (0.5, 1.0, 4.0):
    quadrature = np.array([expected_relu(x, beta) for x in xs])
    exact = sr.softplus(xs, beta=beta, threshold=np.inf)
    noise = rng.logistic(scale=1.0 / beta, size=n_draws)  # logistic with scale 1/beta
    monte_carlo = np.array([np.maximum(x - noise, 0.0).mean() for x in xs[::6]])
    error = np.abs(quadrature - exact)
    print(f"{beta:>5} {error.max():>22.2e} {(error / exact).max():>10.2e} "
          f"{np.abs(monte_carlo - exact[::6]).max():>20.2e}")
    curves[beta] = (quadrature, exact)

# %%
# Figure
fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
for beta, (quadrature, exact) in curves.items():
    (line,) = axes[0].plot(xs, exact, label=f"softplus, beta = {beta}")
    axes[0].plot(xs[::3], quadrature[::3], "o", ms=3, color=line.get_color())
    axes[1].semilogy(xs, np.abs(quadrature - exact) / exact + 1e-18, label=f"beta = {beta}")
axes[0].plot(xs, np.maximum(xs, 0), "k:", label="ReLU")
axes[0].set(xlabel="x", title="E[ReLU(x - e)] (dots) = softplus (lines)")
axes[0].legend(fontsize=8)
axes[1].set(xlabel="x", title="relative difference (quadrature error)")
axes[1].legend(fontsize=8)
path = output_dir() / "paper_softplus.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
