"""sparserecover.denoising against independent references.

The references are written from the papers' formulas with plain PyWavelets calls, one signal at
a time: ``pywt.wavedec`` -> ``pywt.threshold`` at a closed-form (or brute-force SURE) threshold
-> ``pywt.waverec``.
"""

import sys
import warnings

import numpy as np
import pytest
import pywt

import sparserecover.denoising as denoising
from sparserecover import denoise, estimate_noise
from sparserecover._denoising_kernels import (
    mad_sigma_rows,
    noise_sigma_rows,
    sure_threshold_rows,
)

MAD_TO_SIGMA = 1 / 0.6744897501960817


@pytest.fixture(params=["numba", "numpy"])
def engine(request, monkeypatch):
    """Run a test with the Numba kernels, then with their numpy twins (small batches)."""
    monkeypatch.setattr(denoising, "_use_kernels", lambda n_values: request.param == "numba")
    return request.param


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
    """SureShrink's hybrid threshold (Donoho & Johnstone 1995), by brute force over candidates."""
    z = d / sigma
    n = z.size
    universal = np.sqrt(2 * np.log(n))
    if (np.sum(z**2) - n) / n <= np.log2(n) ** 1.5 / np.sqrt(n):
        return universal * sigma
    candidates = np.concatenate([[0.0], np.abs(z)])
    candidates = candidates[candidates <= universal]
    risks = [_sure_risk_brute_force(z, t, rule) for t in candidates]
    return candidates[int(np.argmin(risks))] * sigma


def _reference_denoise(y, sigma, rule, *, wavelet="sym4", mode="garrote", level=None):
    """Denoise one signal the textbook way, with ``rule(detail, sigma, n) -> threshold``."""
    coefficients = pywt.wavedec(y, wavelet, mode="periodization", level=level)
    shrunk = [coefficients[0]]
    for detail in coefficients[1:]:
        cut = rule(detail, sigma, y.size)
        shrunk.append(pywt.threshold(detail, cut, mode=mode) if np.isfinite(cut) else 0 * detail)
    return pywt.waverec(shrunk, wavelet, mode="periodization")[: y.size]


def _universal(detail, sigma, n):
    return sigma * np.sqrt(2 * np.log(n))  # VisuShrink, Donoho & Johnstone 1994


def _bayes(detail, sigma, n):
    # BayesShrink, Chang, Yu & Vetterli 2000: sigma^2 / sqrt(max(E d^2 - sigma^2, 0))
    signal_var = max(np.mean(detail**2) - sigma**2, 0.0)
    return sigma**2 / np.sqrt(signal_var) if signal_var > 0 else np.inf


# --- threshold rules against their closed forms -------------------------------------------------


@pytest.mark.parametrize("mode", ["soft", "hard", "garrote"])
def test_universal_threshold_is_visushrink(rng, mode, engine):
    _, noisy, sigma = _noisy(rng)
    ours = denoise(noisy, threshold="universal", mode=mode, sigma=sigma, shifts=1)
    expected = _reference_denoise(noisy, sigma, _universal, mode=mode)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["soft", "garrote"])
def test_bayes_threshold_is_bayesshrink(rng, mode, engine):
    _, noisy, sigma = _noisy(rng, "Bumps")
    ours = denoise(noisy, threshold="bayes", mode=mode, sigma=sigma, shifts=1, wavelet="db4")
    expected = _reference_denoise(noisy, sigma, _bayes, mode=mode, wavelet="db4")
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["soft", "garrote"])
@pytest.mark.parametrize("name", ["Doppler", "Blocks", "HeaviSine"])
def test_sure_threshold_is_sureshrink(rng, mode, name, engine):
    _, noisy, sigma = _noisy(rng, name)

    def rule(detail, sigma, n):
        return _sure_threshold_reference(detail, sigma, mode)

    ours = denoise(noisy, threshold="sure", mode=mode, sigma=sigma, shifts=1)
    expected = _reference_denoise(noisy, sigma, rule, mode=mode)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("garrote", [False, True])
def test_sure_kernel_minimizes_the_brute_force_risk(rng, garrote):
    # Dense levels (large signal energy) so that the hybrid rule keeps SURE's own minimizer.
    n = 300
    detail = rng.standard_normal((6, n))
    detail[:, : n // 3] *= 6.0
    detail[5] = np.round(detail[5], 1)  # ties between |z_i|
    sigma = np.array([1.0, 0.5, 2.0, 1.0, 1.0, 1.0])
    ours = np.empty(6)
    sure_threshold_rows(detail, sigma, garrote, ours)
    rule = "garrote" if garrote else "soft"
    for row, scale, threshold in zip(detail, sigma, ours):
        z = row / scale
        universal = np.sqrt(2 * np.log(n))
        candidates = np.concatenate([[0.0], np.abs(z)])
        candidates = candidates[candidates <= universal]
        risks = np.array([_sure_risk_brute_force(z, t, rule) for t in candidates])
        assert threshold / scale <= universal
        np.testing.assert_allclose(
            _sure_risk_brute_force(z, threshold / scale, rule), risks.min(), rtol=1e-12
        )


@pytest.mark.parametrize("garrote", [False, True])
def test_numpy_sure_equals_the_kernel(rng, garrote):
    detail = rng.standard_normal((8, 257)) * np.array([0.1, 1, 2, 3, 5, 8, 1, 1])[:, None]
    detail[:, :30] *= 10.0
    detail[6] = 0.0  # all-zero level
    sigma = np.array([1.0, 1.0, 0.5, 2.0, 1.0, 3.0, 1.0, 0.0])
    kernel = np.empty(8)
    sure_threshold_rows(detail, sigma, garrote, kernel)
    np.testing.assert_allclose(
        denoising._sure_threshold(detail, sigma, garrote), kernel, rtol=1e-13, atol=0
    )


def test_sure_hybrid_rule_uses_universal_threshold_on_sparse_levels(rng):
    n = 512
    detail = rng.standard_normal((2, n))  # pure noise: energy (sum z^2 - n) / n is about 0
    detail[1, :3] = 5.0  # (sum z^2 - n) / n ~ 0.15, below the bound log2(n)**1.5 / sqrt(n) ~ 1.19
    out = np.empty(2)
    sure_threshold_rows(detail, np.ones(2), False, out)
    np.testing.assert_allclose(out, np.sqrt(2 * np.log(n)), rtol=1e-15)


def test_numeric_threshold_applies_to_every_level(rng, engine):
    _, noisy, sigma = _noisy(rng)
    ours = denoise(noisy, threshold=0.3, mode="hard", shifts=1)
    expected = _reference_denoise(noisy, sigma, lambda d, s, n: 0.3, mode="hard")
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_zero_threshold_or_zero_noise_returns_the_signal(rng, engine):
    signal = rng.standard_normal((2, 257))  # odd length: periodization pads internally
    for method in ("wavelet", "dct"):
        np.testing.assert_allclose(denoise(signal, method, threshold=0.0), signal, atol=1e-12)
        for threshold in ("sure", "universal", "bayes"):
            np.testing.assert_allclose(
                denoise(signal, method, threshold=threshold, sigma=0.0), signal, atol=1e-12
            )


def test_dct_universal_threshold_matches_scipy_reference(rng, engine):
    import scipy.fft

    n = 512
    phase = np.pi * (np.arange(n) + 0.5) / n  # two DCT-II basis functions: sparse in the DCT
    clean = np.cos(10 * phase) + 0.5 * np.cos(80 * phase)
    noisy = clean + 0.2 * rng.standard_normal(n)
    coefficients = scipy.fft.dct(noisy, norm="ortho")
    cut = 0.2 * np.sqrt(2 * np.log(n))
    coefficients[1:] = pywt.threshold(coefficients[1:], cut, mode="soft")
    expected = scipy.fft.idct(coefficients, norm="ortho")
    ours = denoise(noisy, "dct", threshold="universal", mode="soft", sigma=0.2, shifts=1)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
    assert np.mean((ours - clean) ** 2) < 0.1 * np.mean((noisy - clean) ** 2)


def test_shifts_beyond_the_length_are_all_the_shifts(rng):
    signal = rng.standard_normal(16)
    np.testing.assert_array_equal(
        denoise(signal, "dct", shifts=100), denoise(signal, "dct", shifts=16)
    )


def test_cycle_spinning_averages_the_shifted_estimates(rng, engine):
    _, noisy, sigma = _noisy(rng, "Blocks", 512)
    shifts = 3
    expected = np.mean(
        [
            np.roll(denoise(np.roll(noisy, s), sigma=sigma, shifts=1), -s)
            for s in range(shifts)
        ],
        axis=0,
    )
    np.testing.assert_allclose(denoise(noisy, sigma=sigma, shifts=shifts), expected, atol=1e-12)


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


# --- the fused Numba path against the PyWavelets path ---------------------------------------------


def _both_paths(monkeypatch, signal, **kwargs):
    """denoise through the fused kernel and through pywt.wavedec/waverec (the reference)."""
    monkeypatch.setattr(denoising, "_use_kernels", lambda n_values: True)
    fused = denoise(signal, **kwargs)
    monkeypatch.setattr(denoising, "_use_kernels", lambda n_values: False)
    reference = denoise(signal, **kwargs)
    return fused, reference


@pytest.mark.parametrize("threshold", ["sure", "universal", "bayes", 0.4])
@pytest.mark.parametrize("mode", ["garrote", "soft", "hard"])
@pytest.mark.parametrize("shifts", [1, 2, 3])
def test_fused_path_equals_the_pywavelets_path(rng, monkeypatch, threshold, mode, shifts):
    clean = pywt.data.demo_signal("Blocks", 512)
    scales = np.array([0.1, 0.5, 2.0])[:, None]  # dense and sparse levels alike
    batch = clean + scales * rng.standard_normal((3, 512))
    fused, reference = _both_paths(
        monkeypatch, batch, threshold=threshold, mode=mode, shifts=shifts
    )
    np.testing.assert_allclose(fused, reference, rtol=0, atol=1e-12 * np.abs(batch).max())


@pytest.mark.parametrize(
    ("wavelet", "n", "level"),
    [("haar", 64, None), ("db2", 96, 5), ("sym6", 1024, None), ("coif3", 256, 2), ("db10", 160, 1)],
)
def test_fused_path_equals_the_pywavelets_path_for_any_filter(rng, monkeypatch, wavelet, n, level):
    # the default noise estimate (sym4) is then computed apart from the transform
    batch = np.cumsum(rng.standard_normal((2, n)), axis=-1) + rng.standard_normal((2, n))
    fused, reference = _both_paths(monkeypatch, batch, wavelet=wavelet, level=level, shifts=2)
    np.testing.assert_allclose(fused, reference, rtol=0, atol=1e-12 * np.abs(batch).max())
    sigma = np.array([0.5, 2.0])
    fused, reference = _both_paths(
        monkeypatch, batch, wavelet=wavelet, level=level, sigma=sigma, threshold="bayes"
    )
    np.testing.assert_allclose(fused, reference, rtol=0, atol=1e-12 * np.abs(batch).max())


def test_fused_path_keeps_float32_and_the_input(rng, monkeypatch):
    _, noisy, _ = _noisy(rng, n=1024, n_signals=3)
    noisy32 = noisy.astype(np.float32)
    noisy32.flags.writeable = False
    copy = noisy32.copy()
    fused, reference = _both_paths(monkeypatch, noisy32)
    assert fused.dtype == np.float32
    np.testing.assert_array_equal(noisy32, copy)
    # float32 transforms summed in another order: equal to float32 rounding
    np.testing.assert_allclose(fused, reference, rtol=0, atol=1e-5 * np.abs(noisy).max())
    # along axis 0 of a Fortran-ordered batch (a strided view inside denoise)
    columns, _ = _both_paths(monkeypatch, np.asfortranarray(noisy.T), axis=0)
    np.testing.assert_allclose(columns.T, _both_paths(monkeypatch, noisy)[0], atol=1e-12)


def test_lengths_the_fused_path_does_not_take(rng, monkeypatch):
    # 1000 is not divisible by 2**level, "symmetric" is not periodization: PyWavelets does these
    batch = rng.standard_normal((2, 1000))
    fused, reference = _both_paths(monkeypatch, batch)
    np.testing.assert_array_equal(fused, reference)
    fused, reference = _both_paths(monkeypatch, batch[:, :512], boundary="symmetric")
    np.testing.assert_array_equal(fused, reference)


@pytest.mark.parametrize("n", [2, 4, 6, 8, 16, 1000, 2048])
def test_noise_kernel_equals_pywt_dwt_and_the_mad(rng, n):
    # lengths shorter than the sym4 filter wrap around more than once (periodization)
    rows = rng.standard_normal((5, n)) + np.linspace(0, 3, n)
    wavelet = pywt.Wavelet("sym4")
    out = np.empty(5)
    noise_sigma_rows(rows, np.array(wavelet.dec_lo), np.array(wavelet.dec_hi), out)
    _, detail = pywt.dwt(rows, wavelet, mode="periodization")
    median = np.median(detail, axis=-1, keepdims=True)
    expected = np.median(np.abs(detail - median), axis=-1) * MAD_TO_SIGMA
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("n", [48, 49, 64, 300, 1024])
@pytest.mark.parametrize("garrote", [False, True])
def test_sure_kernel_equals_a_full_sort_on_hard_levels(rng, n, garrote):
    # binned search (n > 48) against numpy's full sort: ties, zeros, many values above the
    # universal threshold, levels dominated by a few huge coefficients
    rows = rng.standard_normal((8, n))
    rows[0] = np.round(rows[0], 1)  # many ties
    rows[1, : n // 2] = 0.0  # exact zeros
    rows[2] *= 4.0  # most values above sqrt(2 log n)
    rows[3, :3] = 1e6  # a few huge values
    rows[4] = rng.standard_cauchy(n)
    rows[5] = rng.integers(-3, 4, n)  # integer values, heavy ties
    rows[6, :: 7] *= 8.0
    sigma = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 2.0])
    out = np.empty(8)
    sure_threshold_rows(rows, sigma, garrote, out)
    np.testing.assert_allclose(out, denoising._sure_threshold(rows, sigma, garrote), rtol=1e-12)


# --- noise estimate ----------------------------------------------------------------------------


def test_estimate_noise_on_white_noise_of_known_sigma(rng, engine):
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


def test_estimate_noise_is_the_true_mad_of_the_finest_details(rng, engine):
    signal = 3.0 + rng.standard_normal((3, 1000))  # offset: the median of details is not 0
    _, detail = pywt.dwt(signal, "db1", mode="periodization")
    median = np.median(detail, axis=-1, keepdims=True)
    expected = np.median(np.abs(detail - median), axis=-1) * MAD_TO_SIGMA
    np.testing.assert_allclose(estimate_noise(signal, wavelet="db1"), expected, rtol=1e-14)


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


def test_kernels_start_for_large_or_many_calls(monkeypatch):
    monkeypatch.delitem(sys.modules, "sparserecover._denoising_kernels", raising=False)
    monkeypatch.setattr(denoising, "_numpy_values_processed", 0)
    limit = denoising._KERNEL_MIN_VALUES
    assert not denoising._use_kernels(limit // 2)  # small call in a fresh process: numpy
    assert denoising._use_kernels(limit)  # large call: kernels
    assert not denoising._use_kernels(limit // 2)
    assert denoising._use_kernels(10)  # numpy has done `limit` values: worth starting Numba


# --- batches, axes, dtypes ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["wavelet", "dct"])
@pytest.mark.parametrize("threshold", ["sure", "bayes", "universal"])
def test_batch_equals_one_by_one(rng, method, threshold, engine):
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


def test_large_batch_is_processed_in_chunks_identically(rng, monkeypatch):
    import sparserecover.denoising as denoising

    _, noisy, _ = _noisy(rng, n=256, n_signals=9)
    whole = denoise(noisy)
    monkeypatch.setattr(denoising, "_CHUNK_VALUES", 256 * 4 * 2)  # two signals per chunk
    np.testing.assert_array_equal(denoise(noisy), whole)


def test_float32_stays_float32_and_agrees_with_float64(rng, engine):
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
