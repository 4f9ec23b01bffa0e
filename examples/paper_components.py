"""
Principal components of the Jacobian against the sine basis (Figs. 4 and 5)
===========================================================================

Left singular vectors ``u_k`` of ``A`` for Heaviside, tanh, ReLU and ReLU^2, compared with
the paper's frequency basis ``sin((k - 1/2) pi x)``.

* Fig. 4 (wide): ``N = M`` samples and biases on [0, 1]. Heaviside's components are exactly
  discrete sines (``A`` is the inverse of a first difference). tanh with scale ``M`` is
  ``2 H - 1``: its singular values come in near-equal pairs and each pair spans
  ``{sin, cos}((2j - 1) pi x)`` (a Fourier basis of odd frequencies): single tanh components
  are *not* the paper's sines, though the number of components below any frequency is the
  same as for Heaviside (printed). ReLU and ReLU^2 are smooth but drift from
  the sine basis as the spline order grows.
* Fig. 5 (narrow): ``M = 16`` units, 16 training samples at the biases. Each component is
  drawn as the function ``g_k(x) = A(x) v_k / s_k`` the network represents between the samples
  (``g_k = u_k`` at the samples): Heaviside interpolates like nearest neighbour, tanh stays
  smooth only with a suitable scale, ReLU / ReLU^2 are smooth at any scale.

The table prints ``|<u_k, sine_k>|`` (1 = identical up to sign). Output:
``paper_components.png``.
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


n_wide = 64 if os.environ.get("SPARSERECOVER_EXAMPLES_QUICK") else 256
n_narrow = 16
n_show = 6
x_fine = np.linspace(0.0, 1.0, 400)
activations = {  # name -> scale for the wide and the narrow network
    "heaviside": (1.0, 1.0),
    "tanh": (float(n_wide), 8.0),
    "relu": (1.0, 1.0),
    "relu2": (1.0, 1.0),
}


def components(activation, scale, n_units, x_eval):
    x = np.linspace(0.0, 1.0, n_units)[:, None]
    features = ShallowFeatures(activation, n_units=n_units, scale=scale).fit(x)
    U, s, Vt = np.linalg.svd(features.transform(x), full_matrices=False)
    functions = features.transform(x_eval[:, None]) @ Vt[:n_show].T / s[:n_show]
    return U[:, :n_show], functions


def paired_agreement(vectors, x):
    """Norm of u_k's projection on span{sin, cos}((2j - 1) pi x), j = ceil(k / 2)."""
    result = []
    for k in range(1, vectors.shape[1] + 1):
        frequency = (2 * np.ceil(k / 2) - 1) * np.pi
        basis, _ = np.linalg.qr(np.column_stack([np.sin(frequency * x), np.cos(frequency * x)]))
        unit = vectors[:, k - 1] / np.linalg.norm(vectors[:, k - 1])
        result.append(np.linalg.norm(basis.T @ unit))
    return np.array(result)


def agreement(vectors, x):
    sines = np.sin(np.pi * np.outer(x, np.arange(1, vectors.shape[1] + 1) - 0.5))
    sines /= np.linalg.norm(sines, axis=0)
    unit = vectors / np.linalg.norm(vectors, axis=0)
    return np.abs(np.sum(unit * sines, axis=0))


fig, axes = plt.subplots(2, 4, figsize=(14, 6), constrained_layout=True, sharex=True)
print(f"|<u_k, sin((k-1/2) pi x)>|, k = 1..{n_show}")
for column, (name, (scale_wide, scale_narrow)) in enumerate(activations.items()):
    x_wide = np.linspace(0.0, 1.0, n_wide)
    U_wide, _ = components(name, scale_wide, n_wide, x_wide)
    U_narrow, g_narrow = components(name, scale_narrow, n_narrow, x_fine)
    wide = agreement(U_wide, x_wide)
    narrow = agreement(g_narrow, x_fine)
    print(f"{name:>9} wide (N=M={n_wide}, scale {scale_wide:g}): {np.round(wide, 4)}")
    if name == "tanh":
        print(f"{'':>9} wide, on the pair span{{sin, cos}}((2 ceil(k/2) - 1) pi x): "
              f"{np.round(paired_agreement(U_wide, x_wide), 4)}")
    print(f"{'':>9} narrow (M={n_narrow}, scale {scale_narrow:g}, between samples): "
          f"{np.round(narrow, 4)}")
    for k in range(4):
        sign = np.sign(U_wide[:, k] @ np.sin((k + 0.5) * np.pi * x_wide))
        axes[0, column].plot(x_wide, sign * U_wide[:, k] / np.abs(U_wide[:, k]).max(),
                             label=f"u_{k + 1}")
        sign = np.sign(g_narrow[:, k] @ np.sin((k + 0.5) * np.pi * x_fine))
        axes[1, column].plot(x_fine, sign * g_narrow[:, k] / np.abs(g_narrow[:, k]).max())
    axes[0, column].set_title(f"{name}: N = M = {n_wide}")
    axes[1, column].set_title(f"{name}: M = {n_narrow}, scale {scale_narrow:g}")
for k in range(4):
    for row in range(2):
        axes[row, 0].plot(x_fine, np.sin((k + 0.5) * np.pi * x_fine), "k:", lw=0.8,
                          label="sin((k - 1/2) pi x)" if row == k == 0 else None)
for column in range(4):
    axes[1, column].set_xlabel("x")
for row, kind in enumerate(("wide (Fig. 4)", "narrow (Fig. 5)")):
    axes[row, 0].set_ylabel(f"{kind}: u_k / max |u_k|")
axes[0, 0].legend(fontsize=7, loc="lower left")
fig.suptitle("The first four principal components u_k of the features, each scaled to a "
             "largest value of 1 (dotted, left: the paper's sines)")
path = output_dir() / "paper_components.png"
fig.savefig(path, dpi=100)
print(f"saved {path.name}")
