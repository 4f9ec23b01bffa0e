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

Boundary (``--part boundary``): the default ``boundary="auto"`` (periodization where a
signal's two ends agree within the noise, else periodization of the signal followed by its
mirror image) against periodization alone, PyWavelets' symmetric, reflect and smooth
extensions and the mirrored signal alone, on the same signals and draws and on the same
signals plus a linear trend (whose two ends differ): PSNR of the whole signal and of its
edges (the first and last 5 % of the samples, where an extension that joins unequal ends
leaves artefacts).

Images (``--part images``): scikit-image's camera, moon, coins and astronaut (as grey), and
astronaut in colour, scaled to [0, 1], with Gaussian noise of sigma 10, 20 and 30 on the
0-255 scale, 10 noise draws (seeds 0-9). PSNR of the MSE over the draws (peak 1), SSIM
averaged over the draws (``skimage.metrics.structural_similarity``, ``data_range=1``), and
the time of one call (best of 3, one thread). scikit-image's ``denoise_wavelet`` is taken at
its best setting for each image and sigma (the highest PSNR over wavelet db1, db2, sym4,
db4, sym8, BayesShrink or VisuShrink, soft or hard thresholding, and for colour
``convert2ycbcr`` or not), and with ``cycle_spin`` (``max_shifts=3``: 16 shifts) at its best
over db1, db2, sym4, db4, BayesShrink, soft or hard. BM3D (the ``bm3d`` package) is run for
reference only where it is installed.

Run: ``python benchmarks/bench_denoise.py`` (needs the ``bench`` extra for scikit-image);
``--part signals|boundary|batch|images`` runs one part.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import functools
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
        "sr swt": lambda b: denoise(b, "swt"),
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
        "sr denoise(wavelet='sym6', shifts=4)": lambda rows: denoise(
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


BOUNDARIES = ("auto", "periodization", "symmetric", "reflect", "smooth", "mirrored")
EDGE_FRACTION = 0.05


def mirrored(batch, **options):
    """Periodization on the signal followed by its mirror image: no jump where the ends meet."""
    doubled = np.concatenate([batch, batch[..., ::-1]], axis=-1)
    return denoise(doubled, **options)[..., : batch.shape[-1]]


def boundary_table(repeats=3):
    """The default against other signal extensions: PSNR of the whole signal and of its two
    edges (the first and last 5 % of the samples), and ms per signal of 2048 samples."""
    functions = {
        name: mirrored if name == "mirrored" else functools.partial(denoise, boundary=name)
        for name in BOUNDARIES
    }
    print(
        f"\nBoundary: PSNR in dB of the whole signal / of its edges (first and last "
        f"{EDGE_FRACTION:.0%} of the samples), mean MSE over {N_DRAWS} noise draws; "
        "'mirrored' = periodization of the signal followed by its mirror image"
    )
    print(f"{'signal':21s}" + "".join(f"{name:>16s}" for name in BOUNDARIES))
    times = {name: [] for name in BOUNDARIES}
    # The test signals' two ends are equal (0 but for the ECG), where periodization joins
    # them smoothly; with a linear trend rising by 2 standard deviations of the signal, the
    # ends differ, as in most recorded signals.
    cases = list(test_signals())
    for label, clean, sigma in test_signals()[:-1]:
        trend = 2 * clean.std() * np.linspace(0.0, 1.0, clean.size)
        cases.append((f"{label}+trend", clean + trend, sigma))
    for label, clean, sigma in cases:
        batch = noisy_draws(clean, sigma)
        edge = max(1, int(EDGE_FRACTION * clean.size))
        edges = np.r_[0:edge, clean.size - edge:clean.size]
        cells = []
        for name, function in functions.items():
            estimates = function(batch)
            peak = (clean.max() - clean.min()) ** 2
            whole = 10 * np.log10(peak / np.mean((estimates - clean) ** 2))
            ends = 10 * np.log10(peak / np.mean((estimates[:, edges] - clean[edges]) ** 2))
            cells.append(f"{whole:8.2f}/{ends:6.2f}")
            if clean.size == 2048:
                best = np.inf
                for _ in range(repeats):
                    start = time.perf_counter()
                    function(batch)
                    best = min(best, time.perf_counter() - start)
                times[name].append(best / len(batch))
        print(f"{label:21s}" + "".join(f"{cell:>16s}" for cell in cells), flush=True)
    print(f"{'ms/signal 2048':21s}" + "".join(f"{1e3 * np.mean(times[n]):16.3f}"
                                             for n in BOUNDARIES))


IMAGE_SIGMAS = (10, 20, 30)


def test_images():
    from skimage import color, data, img_as_float

    grey = {name: img_as_float(getattr(data, name)()) for name in ("camera", "moon", "coins")}
    grey["astronaut"] = color.rgb2gray(img_as_float(data.astronaut()))
    return grey, {"astronaut-rgb": img_as_float(data.astronaut())}


def image_methods(colour):
    """Ours and scikit-image's settings: name -> function(noisy image)."""
    from skimage.restoration import cycle_spin, denoise_wavelet

    extra = {"channel_axis": -1} if colour else {}
    axes = {"axis": (0, 1), **extra}
    ours = {
        "sr default": lambda y: denoise(y, **axes),
        "sr swt": lambda y: denoise(y, "swt", **axes),
        "sr 1 shift": lambda y: denoise(y, shifts=1, **axes),
    }
    if colour:
        ours = {
            "sr default ycbcr": lambda y: denoise(y, convert2ycbcr=True, **axes),
            "sr swt ycbcr": lambda y: denoise(y, "swt", convert2ycbcr=True, **axes),
            **ours,
        }
    plain, spun = {}, {}
    for wavelet in ("db1", "db2", "sym4", "db4", "sym8"):
        for method in ("BayesShrink", "VisuShrink"):
            for mode in ("soft", "hard"):
                for ycbcr in (False, True) if colour else (False,):
                    options = dict(
                        wavelet=wavelet, method=method, mode=mode, rescale_sigma=True, **extra
                    )
                    if colour:
                        options["convert2ycbcr"] = ycbcr
                    label = f"{wavelet} {method[:-6]} {mode}" + (" ycbcr" if ycbcr else "")
                    plain[label] = functools.partial(denoise_wavelet, **options)
                    if method == "BayesShrink" and wavelet != "sym8":
                        spun["cycle-spun " + label] = functools.partial(
                            cycle_spin,
                            func=denoise_wavelet,
                            max_shifts=3,
                            func_kw=options,
                            workers=1,
                            **extra,
                        )
    return ours, plain, spun


def bm3d_method(colour):
    try:
        import bm3d
    except ImportError:
        return None
    if colour:
        return lambda y, sigma: bm3d.bm3d_rgb(y, sigma)
    return lambda y, sigma: bm3d.bm3d(y, sigma)


def mean_ssim(clean, function, noisy, colour):
    from skimage.metrics import structural_similarity

    channel_axis = -1 if colour else None
    return np.mean(
        [
            structural_similarity(clean, function(y), data_range=1.0, channel_axis=channel_axis)
            for y in noisy
        ]
    )


def interleaved_times(functions, image, repeats=5):
    """Best-of-``repeats`` seconds of each function on ``image``, the repeats interleaved so
    that a change of load hits every function alike."""
    best = dict.fromkeys(functions, np.inf)
    labels = list(functions)
    for repeat in range(repeats):
        # a different order each time: the first call after other code pays its page faults
        for label in labels[repeat % len(labels) :] + labels[: repeat % len(labels)]:
            function = functions[label]
            start = time.perf_counter()
            function(image)
            best[label] = min(best[label], time.perf_counter() - start)
    return best


def image_table(draws, names=None):
    """PSNR, SSIM and time of our image denoising against scikit-image's best settings."""
    grey, colour_images = test_images()
    if names:
        grey = {k: v for k, v in grey.items() if k in names}
        colour_images = {k: v for k, v in colour_images.items() if k in names}
    rows = []
    for colour, images in ((False, grey), (True, colour_images)):
        ours, plain, spun = image_methods(colour)
        reference = bm3d_method(colour)
        for name, clean in images.items():
            for sigma in IMAGE_SIGMAS:
                noisy = [
                    clean + sigma / 255 * np.random.default_rng(seed).standard_normal(clean.shape)
                    for seed in range(draws)
                ]
                errors = {}
                for label, function in {**ours, **plain, **spun}.items():
                    errors[label] = np.mean([np.mean((function(y) - clean) ** 2) for y in noisy])
                if reference is not None:
                    errors["bm3d"] = np.mean(
                        [np.mean((reference(y, sigma / 255) - clean) ** 2) for y in noisy]
                    )
                psnr_of = {label: -10 * np.log10(mse) for label, mse in errors.items()}
                best_plain = max(plain, key=psnr_of.get)
                best_spun = max(spun, key=psnr_of.get)
                functions = {**ours, "ski": plain[best_plain], "ski spun": spun[best_spun]}
                psnrs = {**{k: psnr_of[k] for k in ours}, "ski": psnr_of[best_plain],
                         "ski spun": psnr_of[best_spun]}
                row = {
                    "image": name,
                    "sigma": sigma,
                    "psnr": psnrs,
                    "ssim": {
                        label: mean_ssim(clean, function, noisy, colour)
                        for label, function in functions.items()
                    },
                    "time": interleaved_times(functions, noisy[0]),
                    "best": (best_plain, best_spun),
                    "bm3d": psnr_of.get("bm3d"),
                }
                rows.append(row)
                print_image_row(row, header=len(rows) == 1, flush=True)
    summarize_images(rows)


def print_image_row(row, header=False, flush=False):
    labels = list(row["psnr"])
    if header:
        print(
            "\nimage sigma: PSNR dB / SSIM / ms for each method; ski = scikit-image's best "
            "setting (named at the end), ski spun = its best with cycle_spin(max_shifts=3)"
        )
        print(f"{'case':20s}" + "".join(f"{label:>26s}" for label in labels) + f"{'bm3d':>8s}")
    cells = "".join(
        f"{row['psnr'][k]:9.2f}/{row['ssim'][k]:.3f}/{1e3 * row['time'][k]:7.1f}"
        for k in labels
    )
    bm3d = f"{row['bm3d']:8.2f}" if row["bm3d"] is not None else f"{'-':>8s}"
    print(f"{row['image'] + ' ' + str(row['sigma']):20s}{cells}{bm3d}  ({row['best'][0]}; "
          f"{row['best'][1]})", flush=flush)


def summarize_images(rows):
    """The targets: default >= ski + 0.5 dB in <= 2x its time; the best of ours >= ski spun
    in less time; swt >= ski + 1.5 dB on average over the grey images in < 1 s."""
    print("\nmargins (dB) and time ratios against scikit-image's best settings")
    print(f"{'case':20s}{'default-ski':>12s}{'time ratio':>11s}{'best ours':>14s}"
          f"{'-ski spun':>10s}{'time ratio':>11s}{'swt-ski':>9s}")
    swt_margins = []
    for row in rows:
        psnr, times = row["psnr"], row["time"]
        default = "sr default ycbcr" if "sr default ycbcr" in psnr else "sr default"
        ours = [k for k in psnr if k.startswith("sr")]
        best = max(ours, key=psnr.get)
        swt = "sr swt ycbcr" if "sr swt ycbcr" in psnr else "sr swt"
        if not row["image"].endswith("rgb"):
            swt_margins.append(psnr[swt] - psnr["ski"])
        print(
            f"{row['image'] + ' ' + str(row['sigma']):20s}"
            f"{psnr[default] - psnr['ski']:+12.2f}{times[default] / times['ski']:11.2f}"
            f"{best:>14s}{psnr[best] - psnr['ski spun']:+10.2f}"
            f"{times[best] / times['ski spun']:11.2f}{psnr[swt] - psnr['ski']:+9.2f}"
        )
    print(f"swt - ski best, mean over the grey images: {np.mean(swt_margins):+.2f} dB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-quality", action="store_true", help="only time the batch")
    parser.add_argument(
        "--part", choices=("signals", "boundary", "batch", "images", "all"), default="all",
        help="which part to run (default: all)",
    )
    parser.add_argument("--draws", type=int, default=N_DRAWS, help="noise draws for images")
    parser.add_argument(
        "--images", help="comma-separated images to run (camera, moon, coins, astronaut, "
        "astronaut-rgb; default: all)",
    )
    args = parser.parse_args()
    with threadpool_limits(1):
        threads = sorted({info["num_threads"] for info in threadpool_info()})
        print(
            f"BLAS/OpenMP threads: {threads}; numpy {np.__version__}, PyWavelets "
            f"{pywt.__version__}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            "sr = sparserecover.denoise; default = sym4, SURE, garrote, 2 cycle spins, "
            "boundary auto; the other sr columns change only what their name says"
        )
        if args.part in ("signals", "all") and not args.skip_quality:
            quality_table(*methods())
        if args.part in ("boundary", "all") and not args.skip_quality:
            boundary_table()
        if args.part in ("batch", "all"):
            batch_table()
        if args.part in ("images", "all") and not args.skip_quality:
            image_table(args.draws, args.images.split(",") if args.images else None)


if __name__ == "__main__":
    main()
