"""Denoising quality and speed: sparserecover.denoise against scikit-image and PyWavelets.

Signals: Donoho & Johnstone's Blocks, Bumps, HeaviSine and Doppler (n = 2048 and 8192) at
SNR 7 -- in their convention the standard deviation of the clean signal is 7 times that of the
noise -- and PyWavelets' ECG with Gaussian noise of 0.1 times its standard deviation. Quality is
the PSNR of the mean squared error over 10 noise draws (seeds 0-9), with the peak taken as the
clean signal's range (max - min), as ``skimage.metrics.peak_signal_noise_ratio`` does with
``data_range`` set to it. Times are per signal, best of 3 repeats, one BLAS thread.

Peers: scikit-image's ``denoise_wavelet`` (BayesShrink and VisuShrink, db4 and sym8, soft
thresholding, ``rescale_sigma=True``: its documented best settings), and plain PyWavelets
VisuShrink (``wavedec`` / MAD noise estimate / universal soft threshold / ``waverec``, vectorized
over the batch). The batch test denoises 1000 signals of length 2048 in one call, against
scikit-image called in a loop (it has no batch axis for 1-D signals).

Run: ``python benchmarks/bench_denoise.py`` (needs the ``bench`` extra for scikit-image).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import time

import numpy as np
import pywt
from threadpoolctl import threadpool_info, threadpool_limits

from sparserecover import denoise, estimate_noise

N_DRAWS = 10


def test_signals():
    cases = []
    for name in ("Blocks", "Bumps", "HeaviSine", "Doppler"):
        for n in (2048, 8192):
            clean = pywt.data.demo_signal(name, n)
            cases.append((f"{name}-{n}", clean, clean.std() / 7.0))
    ecg = np.asarray(pywt.data.ecg(), dtype=np.float64)
    cases.append(("ECG-1024", ecg, 0.1 * ecg.std()))
    return cases


def noisy_draws(clean, sigma):
    return np.stack(
        [
            clean + sigma * np.random.default_rng(seed).standard_normal(clean.size)
            for seed in range(N_DRAWS)
        ]
    )


def pywt_visushrink(batch, wavelet="sym8"):
    """Textbook VisuShrink with PyWavelets, vectorized over the rows of ``batch``."""
    coefficients = pywt.wavedec(batch, wavelet, mode="periodization", axis=-1)
    finest = coefficients[-1]
    sigma = np.median(np.abs(finest), axis=-1, keepdims=True) / 0.6745
    cut = sigma * np.sqrt(2 * np.log(batch.shape[-1]))
    coefficients[1:] = [pywt.threshold(d, cut, mode="soft") for d in coefficients[1:]]
    return pywt.waverec(coefficients, wavelet, mode="periodization", axis=-1)


def methods():
    from skimage.restoration import denoise_wavelet

    def skimage(method, wavelet):
        def run(batch):
            return np.stack(
                [
                    denoise_wavelet(
                        row, wavelet=wavelet, method=method, mode="soft", rescale_sigma=True
                    )
                    for row in batch
                ]
            )

        return run

    ours = {
        "sr default": lambda b: denoise(b),
        "sr 1 shift": lambda b: denoise(b, shifts=1),
        "sr 4 shifts": lambda b: denoise(b, shifts=4),
        "sr sym6 4 sh.": lambda b: denoise(b, wavelet="sym6", shifts=4),
        "sr 16 shifts": lambda b: denoise(b, shifts=16),
        "sr soft": lambda b: denoise(b, mode="soft"),
        "sr bayes+soft": lambda b: denoise(b, threshold="bayes", mode="soft"),
        "sr visu+hard": lambda b: denoise(b, threshold="universal", mode="hard"),
        "sr dct": lambda b: denoise(b, "dct"),
    }
    peers = {
        "ski Bayes db4": skimage("BayesShrink", "db4"),
        "ski Bayes sym8": skimage("BayesShrink", "sym8"),
        "ski Visu db4": skimage("VisuShrink", "db4"),
        "ski Visu sym8": skimage("VisuShrink", "sym8"),
        "pywt Visu": pywt_visushrink,
    }
    return ours, peers


def psnr(clean, estimates):
    mse = np.mean((estimates - clean) ** 2)
    return 10 * np.log10((clean.max() - clean.min()) ** 2 / mse)


def time_per_signal(function, batch, repeats=3):
    """Best-of-``repeats`` seconds per signal, calling ``function`` on one signal at a time."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for row in batch:
            function(row[None, :])
        best = min(best, time.perf_counter() - start)
    return best / len(batch)


def quality_table(ours, peers):
    names = list(ours) + list(peers)
    print(
        f"\nPSNR in dB (mean MSE over {N_DRAWS} noise draws); 'margin' = sr default minus the "
        "best scikit-image setting"
    )
    header = f"{'signal':15s}" + "".join(f"{name:>15s}" for name in names) + f"{'margin':>9s}"
    print(header)
    times = {name: [] for name in names}
    margins = []
    for label, clean, sigma in test_signals():
        batch = noisy_draws(clean, sigma)
        row = {}
        for name in names:
            function = ours.get(name) or peers[name]
            row[name] = psnr(clean, function(batch))
            if clean.size == 2048:
                times[name].append(time_per_signal(function, batch))
        best_skimage = max(value for name, value in row.items() if name.startswith("ski"))
        margins.append(row["sr default"] - best_skimage)
        print(
            f"{label:15s}"
            + "".join(f"{row[name]:15.2f}" for name in names)
            + f"{margins[-1]:+9.2f}"
        )
    print(
        f"{'ms/signal n=2048':15s}"
        + "".join(f"{1e3 * np.mean(times[name]):15.3f}" for name in names)
    )
    print(f"smallest margin of the default over scikit-image's best: {min(margins):+.2f} dB")


def batch_table(n_signals=1000, n_samples=2048, repeats=5):
    from skimage.restoration import denoise_wavelet

    rng = np.random.default_rng(0)
    cleans = [
        pywt.data.demo_signal(name, n_samples)
        for name in ("Blocks", "Bumps", "HeaviSine", "Doppler")
    ]
    batch = np.stack(
        [
            cleans[i % 4] + cleans[i % 4].std() / 7 * rng.standard_normal(n_samples)
            for i in range(n_signals)
        ]
    )

    def skimage_loop(rows):
        for row in rows:
            denoise_wavelet(
                row, wavelet="sym8", method="BayesShrink", mode="soft", rescale_sigma=True
            )

    candidates = {
        "scikit-image BayesShrink sym8, loop": skimage_loop,
        "sr denoise() default (sym4, 2 shifts)": lambda rows: denoise(rows),
        "sr denoise(shifts=4)": lambda rows: denoise(rows, shifts=4),
        "sr denoise(wavelet='sym6', shifts=4) (old default)": lambda rows: denoise(
            rows, wavelet="sym6", shifts=4
        ),
        "sr denoise(shifts=1)": lambda rows: denoise(rows, shifts=1),
        "sr denoise(threshold='bayes', mode='soft', shifts=1)": lambda rows: denoise(
            rows, threshold="bayes", mode="soft", shifts=1
        ),
        "sr denoise() default, loop": lambda rows: [denoise(row) for row in rows],
        "PyWavelets VisuShrink, vectorized": pywt_visushrink,
        "sr estimate_noise() alone (MAD of finest sym4 details)": lambda rows: estimate_noise(rows),
    }
    for function in candidates.values():  # warm up (Numba kernels, caches)
        function(batch[:8])
    denoise(batch)
    print(
        f"\nBatch of {n_signals} signals of length {n_samples} (float64), best of {repeats} "
        "(repeats interleaved, so that a load change hits every candidate); wall-clock and "
        "CPU time of this process (the CPU time is less sensitive to other processes)"
    )
    print(
        f"{'':58s}{'wall ms':>9s}{'ms/signal':>11s}{'speed-up':>10s}{'CPU ms':>9s}{'speed-up':>10s}"
    )
    wall = dict.fromkeys(candidates, np.inf)
    cpu = dict.fromkeys(candidates, np.inf)
    for _ in range(repeats):
        for label, function in candidates.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            function(batch)
            wall[label] = min(wall[label], time.perf_counter() - start)
            cpu[label] = min(cpu[label], time.process_time() - start_cpu)
    reference = "scikit-image BayesShrink sym8, loop"
    for label in candidates:
        print(
            f"{label:58s}{1e3 * wall[label]:9.1f}{1e3 * wall[label] / n_signals:11.4f}"
            f"{wall[reference] / wall[label]:9.1f}x{1e3 * cpu[label]:9.1f}"
            f"{cpu[reference] / cpu[label]:9.1f}x"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-quality", action="store_true", help="only time the batch")
    args = parser.parse_args()
    with threadpool_limits(1):
        threads = sorted({info["num_threads"] for info in threadpool_info()})
        print(
            f"BLAS/OpenMP threads: {threads}; numpy {np.__version__}, PyWavelets "
            f"{pywt.__version__}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            "sr = sparserecover.denoise; default = sym4, SURE, garrote, 2 cycle spins, "
            "periodization; the other sr columns change only what their name says"
        )
        if not args.skip_quality:
            quality_table(*methods())
        batch_table()


if __name__ == "__main__":
    main()
