"""
Denoising an image
==================

PyWavelets' 512 x 512 ``camera`` image (grey levels 0-255) with white Gaussian noise of
standard deviation 20, denoised three ways by :func:`sparserecover.denoise` over the image's
two axes (``axis=(0, 1)``; without it, an image is a batch of rows):

* BayesShrink (Chang, Yu & Vetterli 2000: one soft threshold per subband, the ``db4``
  wavelet, no cycle spinning), what scikit-image's ``denoise_wavelet`` does by default;
* the default: Haar wavelets, bivariate shrinkage with local variance estimation (Sendur &
  Selesnick 2002: each coefficient shrunk by its own threshold, from its neighbourhood and
  its parent at the next coarser scale), averaged over 3 diagonal shifts of the image;
* ``method="swt"``: the same shrinkage on the stationary (undecimated) wavelet transform, the
  slower, best setting.

The noise level is estimated from each image (``sigma=None``): the median absolute deviation
of its finest diagonal wavelet subband. A colour image is denoised the same way with
``channel_axis=-1`` (and ``convert2ycbcr=True`` to work on luma and chroma).

The figure ``plot_image_denoising.png`` (written to the directory given as the first
argument, else ``$SPARSERECOVER_FIGURE_DIR``, else next to this script) shows the images and a
detail of each.
"""

import os
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pywt

import sparserecover as sr

clean = pywt.data.camera().astype(np.float64)
rng = np.random.default_rng(0)
noisy = clean + 20.0 * rng.standard_normal(clean.shape)


def psnr(image):
    return 10 * np.log10(255.0**2 / np.mean((image - clean) ** 2))


print(f"noise estimated: sigma = {sr.estimate_noise(noisy, axis=(0, 1)):.2f} (true: 20)")

# %%
# Three settings, from the classic one to the best one
settings = {
    "BayesShrink (db4, 1 shift)": dict(threshold="bayes", mode="soft", wavelet="db4", shifts=1),
    "default (bivariate, 3 shifts)": {},
    "method='swt'": dict(method="swt"),
}
results = {}
for label, options in settings.items():
    sr.denoise(noisy[:64, :64], axis=(0, 1), **options)  # (loads the compiled kernels)
    start = time.perf_counter()
    results[label] = sr.denoise(noisy, axis=(0, 1), **options)
    elapsed = time.perf_counter() - start
    print(f"{label:32s} PSNR {psnr(results[label]):.2f} dB  ({1e3 * elapsed:.0f} ms)")

# %%
# The images, and a detail (the face and the camera)
images = {f"noisy, sigma = 20 ({psnr(noisy):.2f} dB)": noisy}
images.update({f"{label}\n{psnr(image):.2f} dB": image for label, image in results.items()})
fig, axes = plt.subplots(2, 4, figsize=(16, 8.6))
detail = (slice(90, 250), slice(200, 360))
for column, (title, image) in enumerate(images.items()):
    for row, part in enumerate([(slice(None), slice(None)), detail]):
        ax = axes[row, column]
        ax.imshow(image[part], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(title if row == 0 else "detail", fontsize=11)
fig.tight_layout()
if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_image_denoising.png"
fig.savefig(path, dpi=100)
print(f"saved {path.name}")
