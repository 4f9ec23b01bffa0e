"""sparserecover.denoising against independent references.

The references are written from the papers' formulas with plain PyWavelets and numpy calls, one
signal at a time: ``pywt.wavedec`` -> shrinkage at a closed-form (or brute-force SURE) threshold
-> ``pywt.waverec``, averaged over circular shifts; the noise estimate is ``np.median`` of the
finest ``pywt.dwt`` details.
"""

import subprocess
import sys
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
import pywt
from hypothesis import assume, given, settings

import sparserecover.denoising as denoising
from sparserecover import denoise, estimate_noise
from sparserecover._denoising_kernels import (
    Sure,
    level_thresholds,
    mad_sigma_rows,
    noise_sigma_rows,
)

MAD_TO_SIGMA = 1 / 0.6744897501960817


def _noisy(rng, name="Doppler", n=1024, snr=7.0, n_signals=None):
    clean = pywt.data.demo_signal(name, n)
    sigma = clean.std() / snr
    shape = (n,) if n_signals is None else (n_signals, n)
    return clean, clean + sigma * rng.standard_normal(shape), sigma


def _sure_risk_brute_force(z, t, rule):
    """Stein's unbiased risk estimate sum((delta(z) - z)**2 + 2 delta'(z)) - n, elementwise."""
    big = np.abs(z) > t
    if rule == "soft":
        shrunk = np.where(big, np.sign(z) * (np.abs(z) - t), 0.0)
        slope = big.astype(float)
    else:  # garrote: delta(z) = z - t**2 / z, delta'(z) = 1 + t**2 / z**2 above the threshold
        safe = np.where(big, z, 1.0)
        shrunk = np.where(big, z - t**2 / safe, 0.0)
        slope = np.where(big, 1 + t**2 / safe**2, 0.0)
    return np.sum((shrunk - z) ** 2) + 2 * np.sum(slope) - z.size


def _sure_threshold_reference(d, sigma, rule):
    """SureShrink's hybrid threshold (Donoho & Johnstone 1995), by brute force over candidates:
    0 and every |d_i| (exactly: the threshold that zeroes d_i) up to the universal threshold."""
    n = d.size
    universal = np.sqrt(2 * np.log(n))
    if sigma == 0:
        return 0.0
    if (np.sum((d / sigma) ** 2) - n) / n <= np.log2(n) ** 1.5 / np.sqrt(n):
        return universal * sigma
    candidates = np.concatenate([[0.0], np.abs(d)])
    candidates = candidates[candidates / sigma <= universal]
    risks = [_sure_risk_brute_force(d / sigma, t / sigma, rule) for t in candidates]
    return candidates[int(np.argmin(risks))]


def _mad_sigma_reference(signal, wavelet="sym4"):
    _, detail = pywt.dwt(signal, wavelet, mode="periodization")
    return np.median(np.abs(detail - np.median(detail))) * MAD_TO_SIGMA


def _threshold_reference(detail, sigma, n, threshold, mode):
    if not isinstance(threshold, str):
        return threshold
    if threshold == "universal":
        return sigma * np.sqrt(2 * np.log(n))  # VisuShrink, Donoho & Johnstone 1994
    if threshold == "bayes":
        # BayesShrink, Chang, Yu & Vetterli 2000: sigma^2 / sqrt(max(E d^2 - sigma^2, 0))
        signal_var = max(np.mean(detail**2) - sigma**2, 0.0)
        return sigma**2 / np.sqrt(signal_var) if signal_var > 0 else np.inf
    # SURE of the rule applied; hard thresholding has no unbiased risk estimate: soft's
    return _sure_threshold_reference(detail, sigma, "garrote" if mode == "garrote" else "soft")


def _shrink_reference(detail, cut, mode):
    if not np.isfinite(cut):
        return 0 * detail
    if mode == "hard":  # |d| <= t -> 0 (pywt.threshold would keep |d| == t)
        return np.where(np.abs(detail) > cut, detail, 0.0)
    return pywt.threshold(detail, cut, mode=mode)


def _reference_denoise(
    y, sigma=None, threshold="sure", *, wavelet="sym4", mode="garrote", level=None, shifts=1,
    boundary="periodization",
):
    """Denoise one signal the textbook way: each circular shift of ``y`` transformed, its
    details shrunk at their level's threshold, transformed back and shifted back; the mean."""
    n = y.size
    if sigma is None:
        sigma = _mad_sigma_reference(y)
    estimates = []
    for shift in range(shifts):
        coefficients = pywt.wavedec(np.roll(y, shift), wavelet, mode=boundary, level=level)
        shrunk = [coefficients[0]] + [
            _shrink_reference(d, _threshold_reference(d, sigma, n, threshold, mode), mode)
            for d in coefficients[1:]
        ]
        estimates.append(np.roll(pywt.waverec(shrunk, wavelet, mode=boundary)[:n], -shift))
    return np.mean(estimates, axis=0)


def _sure_kernel(detail, sigma, garrote):
    out = np.empty(len(detail))
    exponents = np.zeros(len(detail), dtype=np.int32)
    level_thresholds(detail, sigma, exponents, Sure(garrote), detail.shape[1], out)
    return out


def _check_sure_threshold(row, scale, threshold, garrote):
    """``threshold`` is SureShrink's for ``row``: brute-force minimal risk, exactly the magnitude
    of a coefficient (or 0, or the universal threshold on sparse levels)."""
    n = row.size
    rule = "garrote" if garrote else "soft"
    if scale == 0:
        assert threshold == 0
        return
    universal = np.sqrt(2 * np.log(n))
    z = row / scale
    if (np.sum(z**2) - n) / n <= np.log2(n) ** 1.5 / np.sqrt(n):
        np.testing.assert_allclose(threshold, universal * scale, rtol=1e-15)
        return
    candidates = np.concatenate([[0.0], np.abs(z)])
    candidates = candidates[candidates <= universal]
    risks = np.array([_sure_risk_brute_force(z, t, rule) for t in candidates])
    assert threshold / scale <= universal
    assert threshold == 0 or threshold in np.abs(row)
    np.testing.assert_allclose(
        _sure_risk_brute_force(z, threshold / scale, rule), risks.min(), rtol=1e-12, atol=1e-12 * n
    )


# --- threshold rules against their closed forms -------------------------------------------------


@pytest.mark.parametrize("mode", ["soft", "hard", "garrote"])
def test_universal_threshold_is_visushrink(rng, mode):
    _, noisy, sigma = _noisy(rng)
    ours = denoise(noisy, threshold="universal", mode=mode, sigma=sigma, shifts=1)
    expected = _reference_denoise(noisy, sigma, "universal", mode=mode)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["soft", "garrote"])
def test_bayes_threshold_is_bayesshrink(rng, mode):
    _, noisy, sigma = _noisy(rng, "Bumps")
    ours = denoise(noisy, threshold="bayes", mode=mode, sigma=sigma, shifts=1, wavelet="db4")
    expected = _reference_denoise(noisy, sigma, "bayes", mode=mode, wavelet="db4")
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["soft", "garrote"])
@pytest.mark.parametrize("name", ["Doppler", "Blocks", "HeaviSine"])
def test_sure_threshold_is_sureshrink(rng, mode, name):
    _, noisy, sigma = _noisy(rng, name)
    ours = denoise(noisy, threshold="sure", mode=mode, sigma=sigma, shifts=1)
    expected = _reference_denoise(noisy, sigma, "sure", mode=mode)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("garrote", [False, True])
def test_sure_kernel_minimizes_the_brute_force_risk(rng, garrote):
    # Dense levels (large signal energy) so that the hybrid rule keeps SURE's own minimizer.
    n = 300
    detail = rng.standard_normal((6, n))
    detail[:, : n // 3] *= 6.0
    detail[5] = np.round(detail[5], 1)  # ties between |z_i|
    sigma = np.array([1.0, 0.5, 2.0, 1.0, 1.0, 1.0])
    for row, scale, threshold in zip(detail, sigma, _sure_kernel(detail, sigma, garrote)):
        _check_sure_threshold(row, scale, threshold, garrote)


@pytest.mark.parametrize("garrote", [False, True])
def test_sure_kernel_on_scaled_zero_and_noiseless_levels(rng, garrote):
    detail = rng.standard_normal((8, 257)) * np.array([0.1, 1, 2, 3, 5, 8, 1, 1])[:, None]
    detail[:, :30] *= 10.0
    detail[6] = 0.0  # all-zero level
    sigma = np.array([1.0, 1.0, 0.5, 2.0, 1.0, 3.0, 1.0, 0.0])  # and sigma = 0: threshold 0
    for row, scale, threshold in zip(detail, sigma, _sure_kernel(detail, sigma, garrote)):
        _check_sure_threshold(row, scale, threshold, garrote)


def test_sure_hybrid_rule_uses_universal_threshold_on_sparse_levels(rng):
    n = 512
    detail = rng.standard_normal((2, n))  # pure noise: energy (sum z^2 - n) / n is about 0
    detail[1, :3] = 5.0  # (sum z^2 - n) / n ~ 0.15, below the bound log2(n)**1.5 / sqrt(n) ~ 1.19
    np.testing.assert_allclose(
        _sure_kernel(detail, np.ones(2), False), np.sqrt(2 * np.log(n)), rtol=1e-15
    )


@pytest.mark.parametrize("n", [48, 49, 64, 300, 1024])
@pytest.mark.parametrize("garrote", [False, True])
def test_sure_kernel_on_hard_levels(rng, n, garrote):
    # binned search (n >= 64) and full sort: ties, zeros, many values above the universal
    # threshold, levels dominated by a few huge coefficients
    rows = rng.standard_normal((8, n))
    rows[0] = np.round(rows[0], 1)  # many ties
    rows[1, : n // 2] = 0.0  # exact zeros
    rows[2] *= 4.0  # most values above sqrt(2 log n)
    rows[3, :3] = 1e6  # a few huge values
    rows[4] = rng.standard_cauchy(n)
    rows[5] = rng.integers(-3, 4, n)  # integer values, heavy ties
    rows[6, :: 7] *= 8.0
    sigma = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 2.0])
    for row, scale, threshold in zip(rows, sigma, _sure_kernel(rows, sigma, garrote)):
        _check_sure_threshold(row, scale, threshold, garrote)


def test_numeric_threshold_applies_to_every_level(rng):
    _, noisy, sigma = _noisy(rng)
    ours = denoise(noisy, threshold=0.3, mode="hard", shifts=1)
    expected = _reference_denoise(noisy, sigma, 0.3, mode="hard")
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_zero_threshold_or_zero_noise_returns_the_signal(rng):
    signal = rng.standard_normal((2, 257))  # odd length: periodization pads internally
    for method in ("wavelet", "dct"):
        np.testing.assert_allclose(denoise(signal, method, threshold=0.0), signal, atol=1e-12)
        for threshold in ("sure", "universal", "bayes"):
            np.testing.assert_allclose(
                denoise(signal, method, threshold=threshold, sigma=0.0), signal, atol=1e-12
            )


@pytest.mark.parametrize(("threshold", "mode"), [("universal", "soft"), ("sure", "garrote"),
                                                  ("sure", "hard"), ("bayes", "soft")])
def test_dct_thresholds_match_a_scipy_reference(rng, threshold, mode):
    import scipy.fft

    n = 512
    phase = np.pi * (np.arange(n) + 0.5) / n  # two DCT-II basis functions: sparse in the DCT
    clean = np.cos(10 * phase) + 0.5 * np.cos(80 * phase)
    noisy = clean + 0.2 * rng.standard_normal(n)
    coefficients = scipy.fft.dct(noisy, norm="ortho")
    cut = _threshold_reference(coefficients[1:], 0.2, n, threshold, mode)  # all but the DC
    coefficients[1:] = _shrink_reference(coefficients[1:], cut, mode)
    expected = scipy.fft.idct(coefficients, norm="ortho")
    ours = denoise(noisy, "dct", threshold=threshold, mode=mode, sigma=0.2, shifts=1)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
    if threshold == "universal":  # VisuShrink removes almost all of this noise
        assert np.mean((ours - clean) ** 2) < 0.1 * np.mean((noisy - clean) ** 2)


def test_shifts_beyond_the_length_are_all_the_shifts(rng):
    signal = rng.standard_normal(16)
    np.testing.assert_array_equal(
        denoise(signal, "dct", shifts=100), denoise(signal, "dct", shifts=16)
    )


@pytest.mark.parametrize("boundary", ["periodization", "symmetric"])
def test_cycle_spinning_averages_the_shifted_estimates(rng, boundary):
    _, noisy, sigma = _noisy(rng, "Blocks", 512)
    shifts = 3
    expected = np.mean(
        [
            np.roll(denoise(np.roll(noisy, s), sigma=sigma, shifts=1, boundary=boundary), -s)
            for s in range(shifts)
        ],
        axis=0,
    )
    ours = denoise(noisy, sigma=sigma, shifts=shifts, boundary=boundary)
    np.testing.assert_allclose(ours, expected, atol=1e-12)


def test_default_call_denoises_well_and_spinning_helps(rng):
    clean, noisy, _ = _noisy(rng, "Doppler", 2048, n_signals=4)

    def mse(**kwargs):
        return np.mean((denoise(noisy, **kwargs) - clean) ** 2)

    noisy_mse = np.mean((noisy - clean) ** 2)
    default_mse = mse()
    # 9.3 dB here (sym6 with 4 spins, the default before issue 6's speed target: 10.9 dB)
    assert default_mse < 0.125 * noisy_mse
    assert default_mse < mse(shifts=1)
    assert default_mse < mse(threshold="universal", mode="soft")  # VisuShrink
    assert default_mse < mse(threshold="bayes", mode="soft")  # BayesShrink


# --- the boundary: periodization where the ends agree, the mirrored signal where they differ ---


def _edge_mse(estimate, clean, fraction=0.05):
    edge = int(fraction * clean.shape[-1])
    ends = np.r_[0:edge, clean.shape[-1] - edge : clean.shape[-1]]
    return np.mean((estimate[..., ends] - clean[..., ends]) ** 2)


@pytest.mark.parametrize("name", ["HeaviSine", "Blocks", "Bumps"])
@pytest.mark.parametrize("n", [1024, 1000])  # the fused kernel; PyWavelets
def test_default_boundary_mirrors_a_signal_whose_ends_differ(rng, name, n):
    clean, noisy, _ = _noisy(rng, name, n, n_signals=6)
    trend = 2 * clean.std() * np.linspace(0.0, 1.0, n)  # the ends differ by 14 sigma
    clean, noisy = clean + trend, noisy + trend
    ours = denoise(noisy)
    # the reference: periodization of the even extension [x, x[::-1]], its first half
    for row, result in zip(noisy, ours):
        expected = denoise(
            np.concatenate([row, row[::-1]]), boundary="periodization",
            sigma=estimate_noise(row),
        )[:n]
        np.testing.assert_array_equal(result, expected)
    # no artefact where periodization joins the two ends
    periodized = denoise(noisy, boundary="periodization")
    assert _edge_mse(ours, clean) < 0.5 * _edge_mse(periodized, clean)
    assert np.mean((ours - clean) ** 2) < np.mean((periodized - clean) ** 2)


@pytest.mark.parametrize("n", [2048, 1000])
def test_default_boundary_is_periodization_where_the_ends_agree(rng, n):
    for name in ("Blocks", "Bumps", "HeaviSine", "Doppler"):
        _, noisy, sigma = _noisy(rng, name, n, n_signals=4)
        for options in ({}, {"threshold": "bayes", "mode": "soft", "shifts": 1},
                        {"method": "swt"}, {"sigma": sigma}):
            np.testing.assert_array_equal(
                denoise(noisy, **options), denoise(noisy, boundary="periodization", **options)
            )
    # images and the DCT: periodization (the DCT has no boundary option)
    image = rng.standard_normal((2, 40, 32)).cumsum(axis=1)
    for method in ("wavelet", "swt", "dct"):
        np.testing.assert_array_equal(
            denoise(image, method, axis=(1, 2)),
            denoise(image, method, axis=(1, 2), boundary="periodization"),
        )


def test_default_boundary_chooses_per_signal(rng):
    clean, noisy, _ = _noisy(rng, "Bumps", 512, n_signals=4)
    noisy[1::2] += 10 * clean.std() * np.linspace(0.0, 1.0, 512)  # two of four differ
    for dtype in (np.float64, np.float32):
        batch = noisy.astype(dtype)
        together = denoise(batch)
        assert together.dtype == dtype
        for i in range(4):
            np.testing.assert_array_equal(together[i], denoise(batch[i]))
        np.testing.assert_array_equal(denoise(batch.T, axis=0), together.T)
        periodized = denoise(batch, boundary="periodization")
        np.testing.assert_array_equal(together[::2], periodized[::2])
        assert not np.array_equal(together[1::2], periodized[1::2])
    copy = noisy.copy()
    denoise(noisy)
    np.testing.assert_array_equal(noisy, copy)


# --- every transform path against the textbook reference -----------------------------------------


def _assert_equals_reference(ours, batch, atol=1e-12, **kwargs):
    """denoise(batch, **kwargs) = ``ours`` against _reference_denoise of each row."""
    sigma = kwargs.pop("sigma", None)
    sigmas = np.broadcast_to(sigma, len(batch)) if sigma is not None else [None] * len(batch)
    expected = np.stack([_reference_denoise(row, s, **kwargs) for row, s in zip(batch, sigmas)])
    np.testing.assert_allclose(ours, expected, rtol=0, atol=atol * np.abs(batch).max())


@pytest.mark.parametrize("threshold", ["sure", "universal", "bayes", 0.4])
@pytest.mark.parametrize("mode", ["garrote", "soft", "hard"])
@pytest.mark.parametrize("shifts", [1, 2, 3])
def test_fused_path_equals_the_reference(rng, threshold, mode, shifts):
    clean = pywt.data.demo_signal("Blocks", 512)
    scales = np.array([0.1, 0.5, 2.0])[:, None]  # dense and sparse levels alike
    batch = clean + scales * rng.standard_normal((3, 512))
    ours = denoise(batch, threshold=threshold, mode=mode, shifts=shifts)
    _assert_equals_reference(ours, batch, threshold=threshold, mode=mode, shifts=shifts)


@pytest.mark.parametrize(
    ("wavelet", "n", "level"),
    [("haar", 64, None), ("db2", 96, 5), ("sym6", 1024, None), ("coif3", 256, 2), ("db10", 160, 1)],
)
def test_fused_path_equals_the_reference_for_any_filter(rng, wavelet, n, level):
    # the default noise estimate (sym4) is then computed apart from the transform
    batch = np.cumsum(rng.standard_normal((2, n)), axis=-1) + rng.standard_normal((2, n))
    # (random walks: their ends differ, which the default boundary would mirror)
    periodic = dict(wavelet=wavelet, level=level, boundary="periodization")
    ours = denoise(batch, **periodic, shifts=2)
    _assert_equals_reference(ours, batch, wavelet=wavelet, level=level, shifts=2)
    sigma = np.array([0.5, 2.0])
    ours = denoise(batch, **periodic, sigma=sigma, threshold="bayes")
    _assert_equals_reference(
        ours, batch, wavelet=wavelet, level=level, sigma=sigma, threshold="bayes", shifts=2
    )


@pytest.mark.parametrize(
    ("n", "boundary", "wavelet"),
    [(1000, "periodization", "sym4"), (513, "periodization", "db2"), (512, "symmetric", "sym4"),
     (300, "zero", "db3"), (257, "reflect", "haar")],
)
@pytest.mark.parametrize(("threshold", "mode"), [("sure", "garrote"), ("sure", "hard"),
                                                  ("bayes", "soft"), ("universal", "soft")])
def test_pywavelets_path_equals_the_reference(rng, n, boundary, wavelet, threshold, mode):
    # lengths not divisible by 2**level and other boundaries: pywt.wavedec/waverec transforms
    # with the kernels' noise estimates (even and odd lengths), thresholds and shrinkage
    batch = np.cumsum(rng.standard_normal((2, n)), axis=-1) / 5 + rng.standard_normal((2, n))
    kwargs = dict(wavelet=wavelet, boundary=boundary, threshold=threshold, mode=mode, shifts=2)
    _assert_equals_reference(denoise(batch, **kwargs), batch, **kwargs)


def test_fused_path_keeps_float32_and_the_input(rng):
    _, noisy, _ = _noisy(rng, n=1024, n_signals=3)
    noisy32 = noisy.astype(np.float32)
    noisy32.flags.writeable = False
    copy = noisy32.copy()
    ours = denoise(noisy32)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(noisy32, copy)
    # computed in float64 and rounded once: equal to float32 rounding
    _assert_equals_reference(ours, noisy32.astype(np.float64), atol=1e-5, shifts=2)
    # along axis 0 of a Fortran-ordered batch (a strided view inside denoise)
    columns = denoise(np.asfortranarray(noisy.T), axis=0)
    np.testing.assert_array_equal(columns.T, denoise(noisy))


@pytest.mark.parametrize("n", [2, 4, 6, 8, 16, 1000, 2048])
def test_noise_kernel_equals_pywt_dwt_and_the_mad(rng, n):
    # lengths shorter than the sym4 filter wrap around more than once (periodization)
    rows = rng.standard_normal((5, n)) + np.linspace(0, 3, n)
    wavelet = pywt.Wavelet("sym4")
    out = np.empty(5)
    noise_sigma_rows(rows, *denoising._filters(wavelet), out)
    _, detail = pywt.dwt(rows, wavelet, mode="periodization")
    median = np.median(detail, axis=-1, keepdims=True)
    expected = np.median(np.abs(detail - median), axis=-1) * MAD_TO_SIGMA
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)


# --- noise estimate ----------------------------------------------------------------------------


def test_estimate_noise_on_white_noise_of_known_sigma(rng):
    sigmas = np.array([0.01, 0.3, 1.0, 25.0])
    noise = sigmas[:, None] * rng.standard_normal((4, 4096))
    estimate = estimate_noise(noise)
    assert estimate.shape == (4,)
    np.testing.assert_allclose(estimate, sigmas, rtol=0.1)
    # a 1-D signal gives a float; along axis 0, one estimate per column
    assert isinstance(estimate_noise(noise[1]), float)
    np.testing.assert_allclose(estimate_noise(noise.T, axis=0), estimate, rtol=1e-12)


def test_estimate_noise_sees_through_a_piecewise_smooth_signal(rng):
    _, noisy, sigma = _noisy(rng, "Blocks", 4096)
    assert abs(estimate_noise(noisy) / sigma - 1) < 0.1


@pytest.mark.parametrize("n", [1000, 1001])  # the fused kernel; pywt.dwt and the MAD kernel
def test_estimate_noise_is_the_true_mad_of_the_finest_details(rng, n):
    signal = 3.0 + rng.standard_normal((3, n))  # offset: the median of details is not 0
    expected = [_mad_sigma_reference(row, "db1") for row in signal]
    np.testing.assert_allclose(estimate_noise(signal, wavelet="db1"), expected, rtol=1e-14)
    signal32 = signal.astype(np.float32)
    expected = [_mad_sigma_reference(row.astype(np.float64), "db1") for row in signal32]
    ours = estimate_noise(signal32, wavelet="db1")
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 100, 101, 508, 1024, 1025, 4096])
def test_mad_kernel_matches_numpy_median(rng, n):
    # long rows take the sampling path (with its quickselect fallback on a missed bracket)
    rows = np.concatenate(
        [
            rng.standard_normal((20, n)),
            rng.integers(0, 3, (20, n)),  # many ties
            np.sort(rng.standard_normal((5, n))),  # sorted: the evenly spaced sample is skewed
            rng.standard_cauchy((5, n)),
            np.ones((2, n)),
        ]
    )
    out = np.empty(len(rows))
    mad_sigma_rows(rows, out)
    median = np.median(rows, axis=-1, keepdims=True)
    expected = np.median(np.abs(rows - median), axis=-1) * MAD_TO_SIGMA
    np.testing.assert_array_equal(out, expected)


# --- the same bits in any process --------------------------------------------------------------

# A fixed set of calls, small and large (on both sides of 2**20 values), float32 and float64,
# every transform path; the script prints a digest of every result's bytes and dtype.
_FIXED_CALLS = """
import hashlib, sys
import numpy as np
from sparserecover import denoise, estimate_noise

def fixed_calls():
    rng = np.random.default_rng(42)
    small = np.cumsum(rng.standard_normal((3, 512)), axis=-1) + rng.standard_normal((3, 512))
    large = np.cumsum(rng.standard_normal((600, 2048)), axis=-1)
    large += rng.standard_normal((600, 2048))
    odd = small[:, :501]
    results = []
    for x in (small, small.astype(np.float32), large, large.astype(np.float32)):
        results += [denoise(x), denoise(x[0]), estimate_noise(x), estimate_noise(x[:, :-1])]
        results.append(denoise(x, threshold="bayes", mode="soft", shifts=1))
    for x in (small, small.astype(np.float32), odd, large[:40]):
        for boundary in ("periodization", "symmetric", "zero"):
            for threshold in ("sure", "universal", "bayes", 0.5):
                for mode in ("garrote", "soft", "hard"):
                    results.append(
                        denoise(x, threshold=threshold, mode=mode, boundary=boundary, shifts=2)
                    )
        results += [denoise(x, "dct"), denoise(x, "dct", threshold="bayes", mode="hard")]
        results += [denoise(x, wavelet="db2", level=3), estimate_noise(x, wavelet="db4")]
        results += [denoise(x[:2], "swt"), denoise(x, threshold="bivariate", mode="soft")]
    image = np.cumsum(rng.standard_normal((2, 70, 64, 3)), axis=1)
    image += rng.standard_normal(image.shape)
    for x in (image, image.astype(np.float32)):
        results += [
            denoise(x, axis=(1, 2)),
            denoise(x, "swt", axis=(1, 2), channel_axis=-1),
            denoise(x, axis=(1, 2), channel_axis=3, convert2ycbcr=True, threshold="sure"),
            denoise(x, "dct", axis=(1, 2), shifts=(2, 1)),
            denoise(x[0], axis=(0, 1, 2), wavelet="haar"),
            estimate_noise(x, axis=(1, 2)),
        ]
    return results

def digest(results):
    return [hashlib.sha256(np.asarray(r).tobytes() + str(np.asarray(r).dtype).encode())
            .hexdigest() for r in results]
"""

_HISTORY = """
rng = np.random.default_rng(7)
for i in range(300):  # assorted calls before the fixed ones
    n = int(rng.choice([16, 64, 100, 256, 257, 1000, 1024, 4096]))
    x = rng.standard_normal((int(rng.integers(1, 6)), n))
    if i % 3 == 0:
        x = x.astype(np.float32)
    options = dict(
        shifts=int(rng.integers(1, 4)),
        threshold=str(rng.choice(["sure", "universal", "bayes"])),
        mode=str(rng.choice(["garrote", "soft", "hard"])),
    )
    if i % 5 == 0:
        denoise(x, "dct", **options)
    else:
        boundary = str(rng.choice(["auto", "periodization", "symmetric", "smooth"]))
        denoise(x, boundary=boundary, wavelet=str(rng.choice(["sym4", "db2", "haar"])), **options)
    estimate_noise(x)
denoise(np.random.default_rng(8).standard_normal((520, 2048)))  # over 2**20 values
"""


def _digests_of_a_process(history):
    code = _FIXED_CALLS + (_HISTORY if history else "") + "print(*digest(fixed_calls()))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_same_bits_in_a_fresh_process_and_after_other_calls():
    namespace = {}
    exec(_FIXED_CALLS, namespace)  # also in this process, after whatever tests ran before
    in_this_process = namespace["digest"](namespace["fixed_calls"]())
    fresh = _digests_of_a_process(history=False)
    after_other_calls = _digests_of_a_process(history=True)
    assert len(fresh) == len(in_this_process) > 100
    assert fresh == after_other_calls
    assert fresh == in_this_process


# --- batches, axes, dtypes ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["wavelet", "dct"])
@pytest.mark.parametrize("threshold", ["sure", "bayes", "universal"])
def test_batch_equals_one_by_one(rng, method, threshold):
    clean = pywt.data.demo_signal("HeaviSine", 512)
    scales = np.array([0.05, 0.3, 1.0, 2.0, 0.0, 0.7])
    batch = clean + scales[:, None] * rng.standard_normal((6, 512))
    one_by_one = np.stack([denoise(row, method, threshold=threshold) for row in batch])
    np.testing.assert_allclose(denoise(batch, method, threshold=threshold), one_by_one, atol=1e-12)
    # the same batch laid out along axis 0, and as a 3-D array along a middle axis
    columns = denoise(np.asfortranarray(batch.T), method, threshold=threshold, axis=0)
    np.testing.assert_allclose(columns, one_by_one.T, atol=1e-12)
    cube = batch.reshape(2, 3, 512).transpose(0, 2, 1)
    result = denoise(cube, method, threshold=threshold, axis=1)
    np.testing.assert_allclose(result.transpose(0, 2, 1).reshape(6, 512), one_by_one, atol=1e-12)


def test_batch_with_per_signal_sigma(rng):
    _, noisy, sigma = _noisy(rng, n=256, n_signals=3)
    sigmas = sigma * np.array([0.5, 1.0, 2.0])
    batch = denoise(noisy, sigma=sigmas)
    for row, s, result in zip(noisy, sigmas, batch):
        np.testing.assert_allclose(denoise(row, sigma=s), result, atol=1e-12)


@pytest.mark.parametrize("options", [{"boundary": "symmetric"}, {"method": "dct"}])
def test_large_batch_is_processed_in_chunks_identically(rng, monkeypatch, options):
    # (the PyWavelets and DCT paths transform a batch in chunks; the fused kernel row by row)
    _, noisy, _ = _noisy(rng, n=256, n_signals=9)
    whole = denoise(noisy, **options)
    monkeypatch.setattr(denoising, "_CHUNK_VALUES", 256 * 4 * 2)  # two signals per chunk
    np.testing.assert_array_equal(denoise(noisy, **options), whole)


def test_float32_stays_float32_and_agrees_with_float64(rng):
    _, noisy, _ = _noisy(rng, n=1024, n_signals=2)
    result32 = denoise(noisy.astype(np.float32))
    assert result32.dtype == np.float32
    assert estimate_noise(noisy.astype(np.float32)).dtype == np.float32
    assert denoise(noisy.astype(np.float32), "dct").dtype == np.float32
    np.testing.assert_allclose(result32, denoise(noisy), atol=1e-4 * np.abs(noisy).max())


def test_integers_are_promoted_and_input_is_untouched(rng):
    signal = rng.integers(-50, 50, 256)
    result = denoise(signal)
    assert result.dtype == np.float64
    noisy = rng.standard_normal(256)
    copy = noisy.copy()
    noisy.flags.writeable = False
    denoise(noisy, mode="hard")
    denoise(noisy, "dct")
    np.testing.assert_array_equal(noisy, copy)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "fourier"}, ValueError, "method"),
        ({"threshold": "minimax"}, ValueError, "threshold"),
        ({"threshold": -1.0}, ValueError, "threshold"),
        ({"threshold": np.nan}, ValueError, "threshold"),
        ({"mode": "firm"}, ValueError, "mode"),
        ({"wavelet": "nope"}, ValueError, "wavelet"),
        ({"wavelet": "bior2.2"}, ValueError, "wavelet"),
        ({"boundary": "mirror"}, ValueError, "boundary"),
        ({"level": 20}, ValueError, "level"),
        ({"level": 0}, ValueError, "level"),
        ({"level": 2.5}, TypeError, "level"),
        ({"sigma": -1.0}, ValueError, "sigma"),
        ({"sigma": [1.0, 2.0, 3.0]}, ValueError, "sigma"),
        ({"sigma": np.inf}, ValueError, "sigma"),
        ({"shifts": 0}, ValueError, "shifts"),
        ({"shifts": 2.0}, TypeError, "shifts"),
        ({"axis": 2}, ValueError, "axis"),
    ],
)
def test_bad_arguments_are_named(rng, kwargs, error, match):
    signal = rng.standard_normal((2, 128))
    with pytest.raises(error, match=match):
        denoise(signal, **kwargs)


@pytest.mark.parametrize(
    ("signal", "error", "match"),
    [
        (np.array([1.0, np.nan, 2.0, 3.0] * 8), ValueError, "NaN"),
        (np.array([1.0, np.inf, 2.0, 3.0] * 8), ValueError, "NaN or infinite"),
        # +inf and -inf: their sum (the fast check) is NaN, and the message counts both
        (np.array([1.0, np.inf, -np.inf, 3.0] * 8), ValueError, "16 NaN or infinite"),
        (np.array([1.0, np.nan] * 16, dtype=np.float32), ValueError, "16 NaN"),
        (np.array([]), ValueError, "empty"),
        (np.zeros((3, 0)), ValueError, "empty"),
        (np.float64(1.0), ValueError, "dimension"),
        (np.array(["a", "b"]), TypeError, "numeric"),
        (np.ones(8, dtype=complex), TypeError, "real"),
        (np.ones(6), ValueError, "too short"),  # sym4 needs 7 samples for one level
    ],
)
def test_bad_signals_are_rejected(signal, error, match):
    with pytest.raises(error, match=match):
        denoise(signal)


def test_finite_values_whose_sum_overflows_are_accepted(rng):
    # the finiteness check sums the batch first; an overflowing sum of finite values falls
    # back to the value-by-value check, silently
    signal = 1e307 * rng.standard_normal((4, 64))
    signal[:, :8] = 1.7e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked = denoising._check_signal(signal, "signal")
    assert checked is signal


def test_estimate_noise_rejects_bad_signals():
    with pytest.raises(ValueError, match="at least 2 samples"):
        estimate_noise(np.ones((3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        estimate_noise(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="wavelet"):
        estimate_noise(np.ones(16), wavelet="nope")


# --- scale: any power of two in and out, across the whole float range ------------------------

_SCALE_CASES = [
    {},
    {"threshold": "bayes", "mode": "soft"},
    {"threshold": "universal", "mode": "hard", "shifts": 1},
    {"boundary": "symmetric"},
    {"method": "dct"},
    {"wavelet": "db2", "level": 3, "shifts": 3},
]


@pytest.mark.parametrize("options", _SCALE_CASES)
@pytest.mark.parametrize("n", [1024, 1001])  # the fused kernel; PyWavelets and the MAD kernel
def test_denoise_is_scale_equivariant_across_the_float64_range(rng, options, n):
    clean = pywt.data.demo_signal("Doppler", n)
    batch = clean + np.array([[0.05], [0.2], [1e-3]]) * rng.standard_normal((3, n))
    reference = denoise(batch, **options)
    for exponent in (-1000, -700, -565, -401, -300, -100, 100, 300, 401, 530, 1000, 1022):
        c = 2.0**exponent
        # a power of two scales every intermediate exactly: the same bits, scaled
        np.testing.assert_array_equal(denoise(c * batch, **options), c * reference)
        np.testing.assert_array_equal(estimate_noise(c * batch), c * estimate_noise(batch))
        sigma, threshold = np.array([0.05, 0.2, 1e-3]), 0.1
        np.testing.assert_array_equal(
            denoise(c * batch, **{**options, "sigma": c * sigma}),
            c * denoise(batch, **{**options, "sigma": sigma}),
        )
        np.testing.assert_array_equal(
            denoise(c * batch, **{**options, "threshold": c * threshold}),
            c * denoise(batch, **{**options, "threshold": threshold}),
        )
    # rows of very different scales in one batch are each computed in their own units
    mixed = batch * np.array([[2.0**-1000], [1.0], [2.0**1000]])
    np.testing.assert_array_equal(
        denoise(mixed, **options), reference * np.array([[2.0**-1000], [1.0], [2.0**1000]])
    )


@pytest.mark.parametrize("factor", [1e-300, 1e-170, 1e-150, 1e150, 1e160, 1e200, 1e300])
def test_denoise_at_extreme_scales_is_the_rescaled_result(rng, factor):
    _, noisy, _ = _noisy(rng, "Blocks", 2048)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or underflow on the way
        result = denoise(factor * noisy)
        sigma = estimate_noise(factor * noisy)
    assert np.all(np.isfinite(result))
    # factor * noisy is rounded (factor is no power of two): the same result up to rounding
    np.testing.assert_allclose(result / factor, denoise(noisy), rtol=0, atol=1e-10)
    np.testing.assert_allclose(sigma / factor, estimate_noise(noisy), rtol=1e-12)


@pytest.mark.parametrize("options", _SCALE_CASES)
def test_float32_is_scale_equivariant_within_its_range(rng, options):
    clean = pywt.data.demo_signal("HeaviSine", 512)
    batch = (clean + 0.3 * rng.standard_normal((2, 512))).astype(np.float32)
    reference = denoise(batch, **options)
    for exponent in (-100, -61, -30, 30, 61, 100, 120):
        c = np.float32(2.0**exponent)
        result = denoise(c * batch, **options)
        assert result.dtype == np.float32
        if exponent < -60:  # values near zero round to subnormal float32 (twice, for c * ...)
            atol = 2.0**-149
            np.testing.assert_allclose(result, c * reference, rtol=1e-6, atol=atol)
        else:
            np.testing.assert_array_equal(result, c * reference)


def test_values_near_the_largest_float_denoise_or_fail_clearly():
    steps = np.repeat([1.0, -1.0, 1.0, -1.0], 64) * np.finfo(np.float64).max
    for signal in (0.25 * steps, steps):  # the latter overshoots beyond the largest float
        try:
            result = denoise(signal)
        except ValueError as error:
            assert "does not fit in float64" in str(error)
        else:
            assert np.all(np.isfinite(result))
    assert np.isfinite(estimate_noise(0.25 * steps))


@settings(max_examples=40, deadline=None)
@given(
    signal=hnp.arrays(
        np.float64,
        st.integers(8, 200),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
    ),
    exponent=st.integers(-900, 900),
    float32=st.booleans(),
    method=st.sampled_from(["wavelet", "dct"]),
)
def test_property_scale_equivariance_and_dtype(signal, exponent, float32, method):
    if float32:
        signal = signal.astype(np.float32)
        exponent = exponent // 10  # float32 spans 2**-126 .. 2**128
    scaled = np.ldexp(signal, exponent)
    assume(np.array_equal(np.ldexp(scaled, -exponent), signal))  # 2**k * signal is exact
    options = {"method": method, "wavelet": "haar"}
    result = denoise(scaled, **options)
    assert result.dtype == signal.dtype
    assert np.all(np.isfinite(result))
    reference = denoise(signal, **options)
    # subnormal results are rounded twice on one side (2**k * a rounded result): not bitwise
    tiny = np.finfo(signal.dtype).tiny
    assume(np.all((np.abs(result) >= tiny) | (result == 0)))
    assume(np.all((np.abs(reference) >= tiny) | (reference == 0)))
    np.testing.assert_array_equal(result, np.ldexp(reference, exponent))


# --- images and volumes: the n-D transforms against PyWavelets ----------------------------------


def _image(rng, shape=(64, 48), sigma=0.1):
    """A piecewise-smooth image (a ramp and a disc) and a noisy copy."""
    grid = np.meshgrid(*(np.linspace(-1, 1, n) for n in shape), indexing="ij")
    clean = 0.5 * grid[0] + (sum(g**2 for g in grid) < 0.4)
    return clean, clean + sigma * rng.standard_normal(shape)


def _keys(n_axes):
    """pywt.wavedecn's key of each detail subband, in our order (bit a set: highpass on a)."""
    return [
        "".join("d" if (i >> a) & 1 else "a" for a in range(n_axes)) for i in range(1, 2**n_axes)
    ]


@pytest.mark.filterwarnings("ignore:Level value of 1 is too high")  # (pywt, for 1 level)
@pytest.mark.parametrize("wavelet", ["haar", "db2", "sym4", "coif2"])
@pytest.mark.parametrize("shape", [(32, 32), (31, 20), (45, 16), (12, 10, 9)])
def test_nd_transform_is_pywavelets_wavedecn(rng, wavelet, shape):
    w = pywt.Wavelet(wavelet)
    level = max(1, pywt.dwtn_max_level(shape, w))
    batch = rng.standard_normal((3, *shape))
    transform = denoising._SeparableTransform(w, level, False, len(shape))
    levels = transform.forward(batch)
    axes = tuple(range(1, len(shape) + 1))
    expected = pywt.wavedecn(batch, w, mode="periodization", level=level, axes=axes)
    np.testing.assert_allclose(levels[-1][0], expected[0], rtol=0, atol=1e-13)
    for j, stacked in enumerate(levels):
        for band, key in zip(stacked[1:], _keys(len(shape))):
            np.testing.assert_allclose(band, expected[-1 - j][key], rtol=0, atol=1e-13)
    # the inverse, with changed coefficients, is pywt.waverecn (cropped to the shape)
    for stacked, scale in zip(levels, np.linspace(0.3, 1.7, level)):
        stacked[1:] *= scale
    for j, scale in enumerate(np.linspace(0.3, 1.7, level)):
        for key in _keys(len(shape)):
            expected[-1 - j][key] = expected[-1 - j][key] * scale
    reference = pywt.waverecn(expected, w, mode="periodization", axes=axes)
    reference = reference[(slice(None), *(slice(n) for n in shape))]
    np.testing.assert_allclose(transform.inverse(levels, shape), reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("wavelet", ["haar", "db2", "sym4"])
@pytest.mark.parametrize(("shape", "level"), [((32, 32), 3), ((16, 8, 24), 2), ((64,), 4)])
def test_stationary_transform_is_pywavelets_swtn(rng, wavelet, shape, level):
    w = pywt.Wavelet(wavelet)
    batch = rng.standard_normal((2, *shape))
    axes = tuple(range(1, len(shape) + 1))
    transform = denoising._SeparableTransform(w, level, True, len(shape))
    levels = transform.forward(batch)
    expected = pywt.swtn(batch, w, level=level, axes=axes, norm=False, trim_approx=True)
    np.testing.assert_allclose(levels[-1][0], expected[0], rtol=0, atol=1e-13)
    for j, stacked in enumerate(levels):
        for band, key in zip(stacked[1:], _keys(len(shape))):
            np.testing.assert_allclose(band, expected[-1 - j][key], rtol=0, atol=1e-13)
    # the inverse of changed coefficients is pywt.iswtn's (the frame's pseudo-inverse)
    for j, stacked in enumerate(levels):
        stacked[1:] = np.round(stacked[1:], 1)
        for key in _keys(len(shape)):
            expected[-1 - j][key] = np.round(expected[-1 - j][key], 1)
    reference = pywt.iswtn(expected, w, axes=axes, norm=False)
    np.testing.assert_allclose(transform.inverse(levels, shape), reference, rtol=0, atol=1e-12)


def _bivariate_reference(detail, parent, sigma, mode):
    """Sendur & Selesnick's bivariate shrinkage with numpy: local signal variance from a
    7 x 7 (x 7) periodic window (scipy.ndimage), ``parent`` already at the child's size."""
    import scipy.ndimage

    energy = scipy.ndimage.uniform_filter(detail**2, size=7, mode="wrap")
    variance = energy - sigma**2
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(variance > 0, np.sqrt(3) * sigma**2 / np.sqrt(variance), np.inf)
        radius = np.sqrt(detail**2 + parent**2)
        gain = {
            "soft": np.where(radius > cut, (radius - cut) / radius, 0.0),
            "garrote": np.where(radius > cut, 1 - (cut / radius) ** 2, 0.0),
            "hard": (radius > cut) * 1.0,
        }[mode]
    return detail * gain


def _reference_denoise_nd(image, sigma, threshold, mode, wavelet, level, redundant=False):
    """One image, one shift: pywt.wavedecn (or swtn), each subband shrunk by the papers'
    rules written with numpy, pywt.waverecn (or iswtn)."""
    w = pywt.Wavelet(wavelet)
    if redundant:
        coefficients = pywt.swtn(image, w, level=level, norm=False, trim_approx=True)
    else:
        coefficients = pywt.wavedecn(image, w, mode="periodization", level=level)
    details = coefficients[1:]  # coarsest first
    shrunk = []
    for j, bands in enumerate(details):
        result = {}
        for key, d in bands.items():
            if threshold == "bivariate":
                if j == 0:
                    parent = np.zeros_like(d)
                elif redundant:
                    parent = details[j - 1][key]
                else:
                    parent = details[j - 1][key]
                    for axis in range(d.ndim):
                        parent = np.repeat(parent, 2, axis=axis)
                    parent = parent[tuple(slice(n) for n in d.shape)]
                result[key] = _bivariate_reference(d, parent, sigma, mode)
            else:
                cut = _threshold_reference(d.ravel(), sigma, image.size, threshold, mode)
                result[key] = _shrink_reference(d, cut, mode)
        shrunk.append(result)
    if redundant:
        return pywt.iswtn([coefficients[0], *shrunk], w, norm=False)
    out = pywt.waverecn([coefficients[0], *shrunk], w, mode="periodization")
    return out[tuple(slice(n) for n in image.shape)]


@pytest.mark.parametrize(
    ("threshold", "mode", "wavelet"),
    [("bivariate", "soft", "haar"), ("bivariate", "garrote", "db2"), ("bivariate", "hard", "haar"),
     ("sure", "garrote", "sym4"), ("bayes", "soft", "db2"), ("universal", "hard", "haar"),
     (0.15, "soft", "db2")],
)
@pytest.mark.parametrize("shape", [(64, 48), (37, 30), (32, 24, 16)])
def test_image_denoising_equals_the_reference(rng, threshold, mode, wavelet, shape):
    _, noisy = _image(rng, shape)
    level = pywt.dwtn_max_level(shape, pywt.Wavelet(wavelet))
    options = dict(threshold=threshold, mode=mode, wavelet=wavelet, shifts=1, sigma=0.1)
    ours = denoise(noisy, axis=tuple(range(len(shape))), **options)
    expected = _reference_denoise_nd(noisy, 0.1, threshold, mode, wavelet, level)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("threshold", "mode"), [("bivariate", "soft"), ("sure", "garrote")])
@pytest.mark.parametrize(
    ("shape", "wavelet", "level"), [((64, 32), "haar", 3), ((32, 16, 16), "db2", 2)]
)
def test_stationary_denoising_equals_the_reference(rng, threshold, mode, shape, wavelet, level):
    _, noisy = _image(rng, shape)
    ours = denoise(noisy, "swt", axis=tuple(range(len(shape))), threshold=threshold, mode=mode,
                   wavelet=wavelet, sigma=0.1, level=level)
    expected = _reference_denoise_nd(noisy, 0.1, threshold, mode, wavelet, level, redundant=True)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_image_cycle_spinning_averages_the_shifted_estimates(rng):
    _, noisy = _image(rng, (40, 36))
    for shifts, vectors in [(3, [(0, 0), (1, 1), (2, 2)]), ((2, 3), [(a, b) for a in range(2)
                                                                      for b in range(3)])]:
        expected = np.mean([
            np.roll(denoise(np.roll(noisy, v, axis=(0, 1)), axis=(0, 1), shifts=1, sigma=0.1),
                    [-s for s in v], axis=(0, 1))
            for v in vectors
        ], axis=0)
        ours = denoise(noisy, axis=(0, 1), shifts=shifts, sigma=0.1)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_dct_in_n_dimensions_equals_a_scipy_reference(rng):
    import scipy.fft

    _, noisy = _image(rng, (32, 24))
    coefficients = scipy.fft.dctn(noisy, norm="ortho")
    flat = coefficients.ravel()
    cut = _threshold_reference(flat[1:], 0.1, noisy.size, "sure", "garrote")
    flat[1:] = _shrink_reference(flat[1:], cut, "garrote")
    expected = scipy.fft.idctn(coefficients, norm="ortho")
    ours = denoise(noisy, "dct", axis=(0, 1), sigma=0.1)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_images_denoise_well(rng):
    clean, noisy = _image(rng, (128, 128), sigma=0.2)

    def mse(**options):
        return np.mean((denoise(noisy, axis=(0, 1), **options) - clean) ** 2)

    default = mse()
    assert default < 0.1 * np.mean((noisy - clean) ** 2)
    assert default < mse(threshold="bayes", mode="soft", shifts=1, wavelet="db4")  # BayesShrink
    assert mse(method="swt") < mse(threshold="bayes", mode="soft", shifts=1, wavelet="db4")


# --- the noise of images ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(256, 256), (120, 90), (40, 40, 40)])
def test_estimate_noise_of_images_knows_the_sigma(rng, shape):
    # sigma from 1/20 of the disc's edge up; far below, the edges' coefficients take over
    # the finest subband of a small image (as for any MAD estimate)
    sigmas = np.array([0.05, 0.1, 0.3, 1.0])
    clean, _ = _image(rng, shape)
    noise = rng.standard_normal((len(sigmas), *shape))
    noisy = clean + sigmas.reshape((-1,) + (1,) * len(shape)) * noise
    estimate = estimate_noise(noisy, axis=tuple(range(1, len(shape) + 1)))
    assert estimate.shape == sigmas.shape
    np.testing.assert_allclose(estimate, sigmas, rtol=0.1)
    # and a smooth image sees no edges at all: 1% noise, within 5%
    smooth = np.cumsum(np.cumsum(np.ones(shape), axis=0), axis=-1) / np.prod(shape)
    np.testing.assert_allclose(
        estimate_noise(smooth + 0.01 * noise[0], axis=tuple(range(len(shape)))), 0.01, rtol=0.05
    )


@pytest.mark.parametrize("shape", [(64, 48), (33, 20)])
def test_estimate_noise_of_images_is_the_mad_of_the_diagonal_subband(rng, shape):
    image = rng.standard_normal(shape) + 3.0
    diagonal = pywt.dwtn(image, "sym4", mode="periodization")["dd"]
    expected = np.median(np.abs(diagonal - np.median(diagonal))) * MAD_TO_SIGMA
    np.testing.assert_allclose(estimate_noise(image, axis=(0, 1)), expected, rtol=1e-14)
    # along other axes of a batch, and in float32
    stack = np.stack([image, 2 * image], axis=1).astype(np.float32)
    ours = estimate_noise(stack, axis=(0, 2))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, [expected, 2 * expected], rtol=1e-6)


# --- channels, colour, batches, dtypes ----------------------------------------------------------


def test_channels_and_batches_are_denoised_each_on_its_own(rng):
    _, first = _image(rng, (48, 40))
    _, second = _image(rng, (48, 40), sigma=0.3)
    rgb = np.stack([first, second, first[::-1]], axis=-1)
    together = denoise(rgb, axis=(0, 1), channel_axis=-1)
    for c in range(3):
        # channels denoised each on its own default to 4 cycle spins (grey images: 3)
        np.testing.assert_array_equal(
            together[..., c], denoise(rgb[..., c], axis=(0, 1), shifts=4)
        )
    # channels first, a batch of images along axis 0, the same numbers
    stack = np.moveaxis(rgb, -1, 0)
    np.testing.assert_array_equal(
        denoise(stack, axis=(1, 2), shifts=4), np.moveaxis(together, -1, 0)
    )
    # a per-channel sigma
    sigma = np.array([0.1, 0.3, 0.1])
    per_channel = denoise(rgb, axis=(0, 1), channel_axis=2, sigma=sigma)
    np.testing.assert_array_equal(
        per_channel[..., 1], denoise(rgb[..., 1], axis=(0, 1), sigma=0.3, shifts=4)
    )


def test_channelwise_colour_defaults_to_four_shifts_and_ycbcr_to_three(rng):
    _, first = _image(rng, (48, 40))
    rgb = np.stack([first, first[::-1], first[:, ::-1]], axis=-1)
    np.testing.assert_array_equal(
        denoise(rgb, axis=(0, 1), channel_axis=-1),
        denoise(rgb, axis=(0, 1), channel_axis=-1, shifts=4),
    )
    np.testing.assert_array_equal(
        denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True),
        denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True, shifts=3),
    )
    # the stationary transform and the DCT keep their defaults
    np.testing.assert_array_equal(
        denoise(rgb, "swt", axis=(0, 1), channel_axis=-1),
        np.stack([denoise(rgb[..., c], "swt", axis=(0, 1)) for c in range(3)], axis=-1),
    )


def test_convert2ycbcr_denoises_luma_and_chroma(rng):
    clean, _ = _image(rng, (64, 64))
    rgb_clean = np.stack([clean, 0.5 * clean, 1 - clean], axis=-1)
    rgb = rgb_clean + 0.1 * rng.standard_normal(rgb_clean.shape)
    matrix = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5],
                       [0.5, -0.418688, -0.081312]])
    ycbcr = rgb @ matrix.T
    # (in YCbCr the image default of 3 shifts holds; channel-wise RGB defaults to 4)
    yc = dict(axis=(0, 1), channel_axis=-1, shifts=3)
    expected = denoise(ycbcr, **yc) @ np.linalg.inv(matrix).T
    ours = denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
    # a given RGB sigma is converted to the YCbCr channels' (rescale_sigma), or taken as is
    ycbcr_sigma = np.sqrt((matrix**2) @ np.full(3, 0.1**2))
    np.testing.assert_allclose(
        denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True, sigma=0.1),
        denoise(ycbcr, **yc, sigma=ycbcr_sigma) @ np.linalg.inv(matrix).T,
        rtol=0, atol=1e-12,
    )
    np.testing.assert_allclose(
        denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True, sigma=0.1,
                rescale_sigma=False),
        denoise(ycbcr, **yc, sigma=0.1) @ np.linalg.inv(matrix).T,
        rtol=0, atol=1e-12,
    )
    assert np.mean((ours - rgb_clean) ** 2) < 0.2 * np.mean((rgb - rgb_clean) ** 2)


@pytest.mark.parametrize("method", ["wavelet", "swt", "dct"])
def test_images_keep_float32_and_the_input(rng, method):
    _, noisy = _image(rng, (48, 40))
    rgb = np.stack([noisy, noisy.T[:48, :40] if False else noisy[::-1], noisy], axis=-1)
    image = rgb.astype(np.float32)
    image.flags.writeable = False
    copy = image.copy()
    result = denoise(image, method, axis=(0, 1), channel_axis=-1,
                     convert2ycbcr=method != "dct")
    assert result.dtype == np.float32 and result.shape == image.shape
    np.testing.assert_array_equal(image, copy)
    reference = denoise(rgb, method, axis=(0, 1), channel_axis=-1,
                        convert2ycbcr=method != "dct")
    np.testing.assert_allclose(result, reference, atol=1e-4)
    # integers are promoted to float64, in their own units
    integers = np.round(255 * np.clip(noisy, 0, 1)).astype(np.uint8)
    assert denoise(integers, method, axis=(0, 1)).dtype == np.float64


@pytest.mark.parametrize("options", [{}, {"method": "swt"}, {"threshold": "sure", "mode": "hard"}])
def test_images_are_scale_equivariant(rng, options):
    _, noisy = _image(rng, (40, 30))
    batch = np.stack([noisy, 2.0**-700 * noisy, 2.0**700 * noisy])
    reference = denoise(noisy, axis=(0, 1), **options)
    for exponent in (-300, -100, 0, 100, 300):  # the batch spans 2**+-1000 then
        c = 2.0**exponent
        result = denoise(c * batch, axis=(1, 2), **options)
        np.testing.assert_array_equal(result[0], c * reference)
        np.testing.assert_array_equal(result[1], c * 2.0**-700 * reference)
        np.testing.assert_array_equal(result[2], c * 2.0**700 * reference)
        np.testing.assert_array_equal(
            estimate_noise(c * noisy, axis=(0, 1)), c * estimate_noise(noisy, axis=(0, 1))
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"axis": (0, 0)}, ValueError, "same axis twice"),
        ({"axis": (0, 3)}, ValueError, "axis 3 is out of range"),
        ({"axis": ()}, ValueError, "at least one axis"),
        ({"axis": (0, 1.0)}, TypeError, "axis must be an integer or a tuple"),
        ({"axis": (0, 1), "channel_axis": 1}, ValueError, "channel_axis 1 is also a transform"),
        ({"channel_axis": -1}, ValueError, r"pass the image axes, e.g. axis=\(0, 1\)"),
        ({"axis": (0, 1), "channel_axis": 5}, ValueError, "channel_axis 5 is out of range"),
        ({"axis": (0, 1), "channel_axis": 1.5}, TypeError, "channel_axis must be an integer"),
        ({"axis": (0, 1), "convert2ycbcr": True}, ValueError, "convert2ycbcr needs channel_axis"),
        ({"axis": (0, 1), "channel_axis": 2, "convert2ycbcr": True}, ValueError,
         "4 channels along axis 2"),
        ({"axis": (0, 1), "convert2ycbcr": 1}, TypeError, "convert2ycbcr must be True or False"),
        ({"axis": (0, 1), "shifts": (2, 2, 2)}, ValueError, "one entry per transform axis"),
        ({"axis": (0, 1), "shifts": (2, 0)}, ValueError, "shifts"),
        ({"axis": (0, 1), "method": "swt", "shifts": 2}, ValueError, "shift-invariant"),
        ({"axis": (0, 1), "method": "dct", "threshold": "bivariate"}, ValueError, "bivariate"),
        ({"axis": (0, 1), "boundary": "symmetric"}, ValueError, "boundary"),
        ({"axis": (0, 1), "level": 9}, ValueError, "level must be in"),
        ({"axis": (0, 1), "sigma": [0.1, 0.2]}, ValueError, "batch shape"),
    ],
)
def test_bad_image_arguments_are_named(rng, kwargs, error, match):
    image = rng.standard_normal((40, 36, 4))
    with pytest.raises(error, match=match):
        denoise(image, **kwargs)


# --- the command line: images and n-D arrays ---------------------------------------------------


def test_cli_denoises_png_and_tiff_images(tmp_path, rng, capsys):
    iio = pytest.importorskip("imageio.v3")
    from sparserecover.cli import main

    clean, _ = _image(rng, (48, 40))
    rgb = np.stack([clean, 0.5 * clean + 0.3, 1 - clean], axis=-1) * 150 + 40
    noisy = np.clip(np.rint(rgb + 20 * rng.standard_normal(rgb.shape)), 0, 255).astype(np.uint8)
    iio.imwrite(tmp_path / "noisy.png", noisy)
    assert main(["denoise", str(tmp_path / "noisy.png"), "-o", str(tmp_path / "clean.png"),
                 "--ycbcr"]) == 0
    assert "denoised 1 image(s)" in capsys.readouterr().out
    written = iio.imread(tmp_path / "clean.png")
    expected = denoise(noisy, axis=(0, 1), channel_axis=2, convert2ycbcr=True)
    assert written.dtype == np.uint8
    np.testing.assert_array_equal(written, np.clip(np.rint(expected), 0, 255).astype(np.uint8))
    # a grey 16-bit TIFF, and an image written as the float array
    grey = noisy[..., 0].astype(np.uint16) * 200
    iio.imwrite(tmp_path / "grey.tif", grey)
    assert main(["denoise", str(tmp_path / "grey.tif"), "-o", str(tmp_path / "grey.npy"),
                 "--method", "swt"]) == 0
    np.testing.assert_array_equal(
        np.load(tmp_path / "grey.npy"), denoise(grey, "swt", axis=(0, 1))
    )


def test_cli_axis_takes_several_axes(tmp_path, rng):
    from sparserecover.cli import main

    volume = rng.standard_normal((2, 16, 20, 24))
    np.save(tmp_path / "volume.npy", volume)
    assert main(["denoise", str(tmp_path / "volume.npy"), "--axis", "1,2,3",
                 "--threshold", "sure", "--shifts", "2"]) == 0
    np.testing.assert_array_equal(
        np.load(tmp_path / "volume_denoised.npy"),
        denoise(volume, axis=(1, 2, 3), threshold="sure", shifts=2),
    )
    assert main(["denoise", str(tmp_path / "volume.npy"), "--axis", "1,x"]) == 2
    assert main(["denoise", str(tmp_path / "volume.npy"), "--axis", "1,7"]) == 1
