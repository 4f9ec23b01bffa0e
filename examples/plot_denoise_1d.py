"""
Denoising a signal by wavelet shrinkage
=======================================

:func:`sparserecover.denoise` removes white Gaussian noise from a 1-D signal: transform it to
wavelet coefficients, shrink the small ones (mostly noise), transform back. Piecewise smooth
signals have few large wavelet coefficients, so the shrinkage removes much more noise than
signal. The noise level is estimated from the signal itself
(:func:`sparserecover.estimate_noise`), and every default was chosen by measurement.

Two of Donoho and Johnstone's test signals, with noise of a seventh of their standard
deviation, and a real ECG:

* top: the noisy signals, and what :func:`~sparserecover.denoise` makes of them with its
  defaults, against the clean signal;
* bottom: the wavelet coefficients of the noisy Doppler signal before and after shrinkage:
  the noise is a floor of small coefficients at every scale, which shrinkage removes, while
  the few large ones that carry the signal stay.

The figure is ``plot_denoise_1d.png`` (in the directory given as the first argument, else
``$SPARSERECOVER_FIGURE_DIR``, else next to this script).
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pywt

import sparserecover as sr

rng = np.random.default_rng(0)


def snr_db(clean, estimate):
    return 10 * np.log10(np.var(clean) / np.mean((estimate - clean) ** 2))


# %%
# Noisy copies of the signals, their noise level as estimated, and the denoised signals.
signals = {name: pywt.data.demo_signal(name, 2048) for name in ("Blocks", "Doppler")}
signals["ECG"] = np.asarray(pywt.data.ecg(), dtype=np.float64)
results = {}
for name, clean in signals.items():
    sigma = clean.std() / 7
    noisy = clean + sigma * rng.standard_normal(clean.size)
    denoised = sr.denoise(noisy)
    results[name] = (clean, noisy, denoised)
    print(f"{name:8s} noise {sigma:.3f} (estimated {float(sr.estimate_noise(noisy)):.3f}), "
          f"SNR {snr_db(clean, noisy):.1f} dB -> {snr_db(clean, denoised):.1f} dB")

# %%
# The same shrinkage seen on the coefficients (one level-5 transform, soft thresholding at the
# universal threshold, for the picture; ``denoise`` itself uses better rules).
doppler_noisy = results["Doppler"][1]
coefficients = pywt.wavedec(doppler_noisy, "sym4", mode="periodization", level=5)
sigma = float(sr.estimate_noise(doppler_noisy))
threshold = sigma * np.sqrt(2 * np.log(doppler_noisy.size))
shrunk = [coefficients[0]] + [sr.softshrink(c, threshold) for c in coefficients[1:]]

# %%
# The figure: the signals on top, the coefficients below.
fig = plt.figure(figsize=(13, 7), layout="constrained")
top = fig.subfigures(2, 1, height_ratios=[1.2, 1])
axes = top[0].subplots(1, 3)
for ax, (name, (clean, noisy, denoised)) in zip(axes, results.items()):
    ax.plot(noisy, color="0.75", lw=0.5, label="noisy")
    ax.plot(clean, color="k", lw=0.8, label="clean")
    ax.plot(denoised, color="C3", lw=0.8, label="denoised")
    ax.set_title(f"{name}: SNR {snr_db(clean, noisy):.1f} dB noisy, "
                 f"{snr_db(clean, denoised):.1f} dB denoised")
    ax.set_xlabel("sample")
axes[0].set_ylabel("value")
axes[0].legend(loc="upper left", fontsize="small")
ax = top[1].subplots()
before, after = np.concatenate(coefficients), np.concatenate(shrunk)
ax.plot(before, color="0.6", lw=0.6, label="noisy Doppler's wavelet coefficients")
ax.plot(after, color="C3", lw=0.8, label=f"after soft thresholding at {threshold:.2f}")
edges = np.cumsum([len(c) for c in coefficients])[:-1]
for edge in edges:
    ax.axvline(edge, color="k", lw=0.4)
for level in (-threshold, threshold):
    ax.axhline(level, color="C3", lw=0.6, ls="--")
ax.set(xlabel="coefficient (coarse scales left, fine scales right)", ylabel="value",
       ylim=(-5 * threshold, 5 * threshold))
ax.legend(loc="upper right")
print(f"{np.count_nonzero(after[edges[0]:])} of {before.size - edges[0]} detail coefficients "
      "kept")

if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_denoise_1d.png"
fig.savefig(path, dpi=100)
print(f"saved {path.name}")
