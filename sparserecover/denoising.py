"""Denoising of signals, images and volumes by shrinkage in a wavelet or DCT basis.

A noisy signal ``y = f + sigma * z`` (``z`` white Gaussian noise) is transformed into a basis
(or a tight frame, for the stationary wavelet transform) where ``f`` is sparse, its small
coefficients -- mostly noise -- are shrunk towards zero, and the result is transformed back
(Donoho & Johnstone 1994, "Ideal spatial adaptation by wavelet shrinkage", Biometrika 81).
Every signal or image of a batch is denoised on its own, with its own noise estimate and its
own thresholds, but the whole batch goes through one vectorized transform.
"""

import functools
import itertools
import numbers

import numpy as np

from sparserecover._validation import (
    as_float_array,
    check_finite,
    check_int,
    check_scalar,
    sum_is_finite,
)

__all__ = ["denoise", "estimate_noise"]

_METHODS = ("wavelet", "swt", "dct")
_THRESHOLDS = ("universal", "sure", "bayes", "bivariate")
_MODES = ("soft", "hard", "garrote")

# Number of values (signals x samples x shifts) that the PyWavelets and DCT paths transform
# at once: 1 MB of float64 keeps the transform's working set in cache.
_CHUNK_VALUES = 1 << 17

_NOISE_WAVELET = "sym4"  # estimate_noise's default, which denoise(sigma=None) uses

# The defaults of denoise, by (method, whether the transform has several axes), chosen by
# benchmarks/bench_denoise.py (docs/benchmarks_denoise.md): 1-D signals against
# scikit-image on the Donoho-Johnstone signals and an ECG, images on camera, moon, coins and
# astronaut.
_DEFAULTS = {
    ("wavelet", False): dict(wavelet="sym4", threshold="sure", mode="garrote", shifts=2),
    ("dct", False): dict(wavelet=None, threshold="sure", mode="garrote", shifts=2),
    ("swt", False): dict(wavelet="sym4", threshold="sure", mode="garrote", shifts=1),
    ("wavelet", True): dict(wavelet="haar", threshold="bivariate", mode="soft", shifts=3),
    ("dct", True): dict(wavelet=None, threshold="sure", mode="garrote", shifts=1),
    ("swt", True): dict(wavelet="haar", threshold="bivariate", mode="soft", shifts=1),
}

# Colour images denoised channel by channel (channel_axis given, convert2ycbcr=False) gain
# more from cycle spinning than grey ones: 4 diagonal shifts instead of 3 add about 0.2 dB on
# astronaut in R, G and B (grey moon loses with 4), at about 1.2 times the time.
_CHANNELWISE_SHIFTS = 4


def _default_options(method, n_axes, channel_wise=False):
    """The defaults of denoise (wavelet, threshold, mode, shifts) for ``method`` over
    ``n_axes`` transform axes; ``channel_wise``: images with channels denoised each on its
    own (``channel_axis`` given, ``convert2ycbcr=False``)."""
    options = dict(_DEFAULTS[(method, n_axes > 1)])
    if channel_wise and n_axes > 1 and method == "wavelet":
        options["shifts"] = _CHANNELWISE_SHIFTS
    return options

# RGB -> YCbCr of ITU-R BT.601 (JPEG's, without the offsets, which denoising passes through)
_RGB_TO_YCBCR = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR)


def estimate_noise(signal, *, wavelet=_NOISE_WAVELET, axis=-1):
    """Estimate the standard deviation of white Gaussian noise in each signal or image.

    The estimate is the median absolute deviation (MAD) of the finest-scale wavelet detail
    coefficients divided by 0.6745 (Donoho & Johnstone 1994): at the finest scale a piecewise
    smooth signal has few large coefficients, so the median sees almost only noise, and for an
    orthonormal wavelet the noise in those coefficients has the same standard deviation as in
    the signal. Over several axes (an image, a volume) the coefficients are those of the
    finest diagonal subband, highpass along every axis, as scikit-image's ``estimate_sigma``
    takes them.

    Parameters
    ----------
    signal : array_like
        One signal, or a batch of signals laid out along ``axis``, or images (volumes) over
        the axes of a tuple ``axis``. Integers are promoted to float64; float32 stays float32.
    wavelet : str or pywt.Wavelet, default="sym4"
        An orthogonal wavelet for the finest-scale transform (periodized). ``"sym4"`` has
        four vanishing moments, so smooth parts of a signal leave almost nothing at the finest
        scale, while being short enough that edges touch few coefficients (on the benchmark
        signals it estimates the noise within 5%; ``"db2"`` overestimates it by 12% on the
        ECG).
    axis : int or tuple of int, default=-1
        The axis along which each signal runs, or the axes of each image or volume.

    Returns
    -------
    sigma : float or ndarray
        The noise standard deviation of each signal: a float for one 1-D signal, otherwise an
        array with the shape of ``signal`` without ``axis``, in the dtype of ``signal``. For a
        dask array, a dask array of that shape (0-d for one signal), computed chunk by chunk
        when asked (``axis`` is rechunked whole if it is split).

    Raises
    ------
    ValueError
        If ``signal`` is empty, shorter than 2 along an axis of ``axis``, or holds NaN or
        infinity.

    See Also
    --------
    denoise : uses this estimate when ``sigma=None``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import estimate_noise
    >>> rng = np.random.default_rng(0)
    >>> noise = 0.5 * rng.standard_normal((3, 4096))
    >>> np.round(estimate_noise(noise), 1)
    array([0.5, 0.5, 0.5])
    >>> images = np.array([0.1, 2.0])[:, None, None] * rng.standard_normal((2, 128, 128))
    >>> np.round(estimate_noise(images, axis=(1, 2)), 1)
    array([0.1, 2. ])
    """
    if _is_dask(signal):
        from sparserecover._dask import estimate_noise_dask

        return estimate_noise_dask(signal, wavelet=wavelet, axis=axis)
    x = _check_signal(signal, "signal")
    axes = _check_axes(axis, x.ndim)
    for a in axes:
        if x.shape[a] < 2:
            raise ValueError(
                f"signal must have at least 2 samples along axis {a}; got {x.shape[a]}"
            )
    wavelet = _check_wavelet(wavelet)
    if len(axes) > 1:
        batch, batch_shape = _batch_first(x, axes)
        sigma = _SeparableTransform(wavelet, 1, False, len(axes)).noise(batch)
        return _representable(sigma.reshape(batch_shape).astype(x.dtype))
    axis = axes[0]
    from sparserecover import _denoising_kernels as kernels

    # float64 arithmetic whatever the dtype: one compiled kernel, float32 results rounded once
    if x.shape[axis] % 2 == 0:  # the fused kernel: no (n_signals, n/2) detail array
        rows = _rows(x, axis)
        sigma = np.empty(len(rows))
        kernels.noise_sigma_rows(rows, *_filters(wavelet), sigma)
    else:
        import pywt

        rows = _axis_last(x, axis).reshape(-1, x.shape[axis])
        exponents = _scale_exponents(rows)
        if exponents is not None:
            rows = np.ldexp(rows, exponents[:, None])
        _, detail = pywt.dwt(rows, wavelet, mode="periodization", axis=-1)
        sigma = np.empty(len(rows))
        kernels.mad_sigma_rows(_rows(detail, -1), sigma)
        if exponents is not None:
            sigma = np.ldexp(sigma, -exponents)
    sigma = _representable(sigma.reshape(x.shape[:axis] + x.shape[axis + 1 :]).astype(x.dtype))
    return sigma.item() if x.ndim == 1 else sigma


def denoise(
    signal,
    method="wavelet",
    *,
    wavelet=None,
    level=None,
    threshold=None,
    mode=None,
    sigma=None,
    axis=-1,
    shifts=None,
    boundary="auto",
    channel_axis=None,
    convert2ycbcr=False,
    rescale_sigma=True,
):
    """Denoise signals, images or volumes by shrinkage in a wavelet or DCT basis.

    With an integer ``axis`` (the default), every 1-D signal along it is denoised on its own;
    with a tuple of axes, the n-D transform over those axes denoises every image (or volume)
    along the other axes on its own. **An image needs** ``axis=(0, 1)``: without it, it is a
    batch of rows. Colour channels go along ``channel_axis``.

    The defaults depend on the kind of data and were chosen by
    ``benchmarks/bench_denoise.py`` (tables in ``docs/benchmarks_denoise.md``), quality
    first:

    - 1-D signals: ``sym4``, ``threshold="sure"``, ``mode="garrote"``, ``shifts=2``,
      ``boundary="auto"`` (periodization, or the mirrored signal where its ends differ). On the
      Donoho-Johnstone test signals at SNR 7 and on PyWavelets' ECG they beat
      scikit-image's ``denoise_wavelet`` at its best settings on every signal, by 0.5 to 3.1
      dB (PSNR over 10 noise draws), and are the fastest settings that do (a batch of 1000
      signals of 2048 samples: about 0.06 ms of CPU per signal, about 7 times faster than
      scikit-image in a loop; 0.05 ms and 9 times with ``boundary="periodization"``).
      ``method="swt"`` (SURE and the garrote on the stationary transform, 8 levels) gains
      another 0.4 to 3.5 dB, at 6 to 12 times the cost.
    - Images and volumes (a tuple ``axis``): ``"haar"``, ``threshold="bivariate"``,
      ``mode="soft"``, ``shifts=3``. On scikit-image's camera, moon, coins and astronaut
      (grey and colour) at noise sigma 10, 20 and 30 (of 255) they beat scikit-image's best
      setting for each image by 1.1 to 1.7 dB, in 1 to 2 times its time;
      ``method="swt"`` gains another 0.2 to 0.6 dB (0.9 to 2.2 dB over scikit-image's best,
      1.7 dB on average, more than scikit-image with 16 cycle spins, in a fifth of its
      time).
    - Colour channels denoised each on its own (``channel_axis`` given,
      ``convert2ycbcr=False``): as images, but ``shifts=4``, which on astronaut is 0.6 to
      0.7 dB above scikit-image's best setting, in about 1.2 times its time (3 shifts: 0.4
      to 0.5 dB). ``convert2ycbcr=True`` (3 shifts) gains another 0.8 dB there.

    The 1-D periodized wavelet transforms of a length divisible by ``2**level`` run in one
    fused Numba kernel; other boundaries and lengths use ``pywt.wavedec``/``waverec``, the
    DCT ``scipy.fft``, and the n-D and stationary transforms separable Numba kernels (equal
    to ``pywt.wavedecn``/``swtn``), all with the same compiled noise estimates, thresholds
    and shrinkage. Which code runs depends only on the arguments (and, with
    ``boundary="auto"``, on each signal's two ends), so a call gives the same result, to the
    last bit, in any process. The kernels are compiled on first use and
    cached; a fresh process pays only for loading them. Signals far from 1 in magnitude are
    computed in units of a power of two, so that ``denoise(c * x) == c * denoise(x)`` for
    any power of two ``c`` over the whole float range.

    Parameters
    ----------
    signal : array_like
        One signal, a batch of signals along ``axis``, or images/volumes over the axes of a
        tuple ``axis``. Each is denoised independently, with its own noise estimate and
        thresholds. Integers are promoted to float64 (in their own units: an 8-bit image
        stays on the 0-255 scale); float32 stays float32. The input is never modified.
    method : {"wavelet", "swt", "dct"}, default="wavelet"
        The transform: the periodized discrete wavelet transform (PyWavelets'
        convention), its stationary (undecimated, redundant, shift-invariant) form, or the
        orthonormal DCT-II of ``scipy.fft``.
    wavelet : str or pywt.Wavelet, optional
        An orthogonal wavelet (not used by ``method="dct"``). Default ``"sym4"`` for 1-D
        signals, ``"haar"`` for images and volumes.
    level : int, optional
        The number of decomposition levels; default ``pywt.dwt_max_level`` for the smallest
        transformed size and the wavelet, and for ``method="swt"`` at most ``ceil(8 / d)``
        over d axes (which leaves at most 1/256 of the noise in the approximation).
    threshold : {"sure", "universal", "bayes", "bivariate"} or float, optional
        How to choose the threshold of each subband (each level of a 1-D transform; of the
        whole spectrum for the DCT). Default ``"sure"`` for 1-D signals and the DCT,
        ``"bivariate"`` for images and volumes.

        - ``"universal"``: VisuShrink, ``sigma * sqrt(2 log n)`` with ``n`` the number of
          samples of a signal (Donoho & Johnstone 1994).
        - ``"sure"``: SureShrink, the threshold minimizing Stein's unbiased risk estimate of
          the shrinkage ``mode``, with the hybrid rule that falls back to the universal
          threshold where the coefficients are too sparse for SURE to be reliable (Donoho &
          Johnstone 1995, "Adapting to unknown smoothness via wavelet shrinkage", JASA 90).
        - ``"bayes"``: BayesShrink, ``sigma**2 / sigma_f`` with
          ``sigma_f = sqrt(max(mean(d**2) - sigma**2, 0))`` (Chang, Yu & Vetterli 2000); a
          subband with ``sigma_f = 0`` is zeroed.
        - ``"bivariate"``: a threshold per coefficient, ``sqrt(3) sigma**2 / sigma_x`` with
          ``sigma_x**2`` the signal variance in a window of 7 coefficients along each axis,
          applied to the joint magnitude of the coefficient and its parent at the next
          coarser level (Sendur & Selesnick 2002, "Bivariate shrinkage with local variance
          estimation", IEEE Signal Process. Lett. 9); wavelet transforms only.
        - a number: that threshold, in the units of the signal, everywhere.
    mode : {"garrote", "soft", "hard"}, optional
        The shrinkage rule: the non-negative garrote ``d max(1 - t**2 / d**2, 0)`` (Breiman
        1995; Gao 1998), soft thresholding ``sign(d) max(|d| - t, 0)`` or hard thresholding
        ``d 1(|d| > t)`` (of the joint magnitude for ``"bivariate"``, whose soft rule is the
        paper's estimator). The garrote shrinks large coefficients less than soft
        thresholding and is continuous, unlike hard thresholding. With ``threshold="sure"``
        the threshold minimizes the risk estimate of the garrote or of soft thresholding (hard
        thresholding, being discontinuous, has no unbiased risk estimate and uses the soft
        one). Default ``"garrote"``, and ``"soft"`` with ``"bivariate"``.
    sigma : float or array_like, optional
        The noise standard deviation, a scalar or one value per signal, image or channel (the
        shape of ``signal`` without the transform axes, or broadcastable to it). Default:
        :func:`estimate_noise` of each (with its default wavelet, whatever ``wavelet`` is).
    axis : int or tuple of int, default=-1
        The axis along which each signal runs, or the axes of each image or volume.
    shifts : int or tuple of int, optional
        Cycle spinning (Coifman & Donoho 1995, "Translation-invariant de-noising"): average the
        estimates of circularly shifted copies, which removes most of the pseudo-Gibbs
        oscillations of thresholding near edges. An integer k shifts by ``(s, ..., s)`` for
        ``s = 0, ..., k - 1`` (along every transform axis at once; for a signal at most its
        length, the number of distinct shifts); a tuple ``(k_1, ..., k_d)`` by every
        ``(s_1, ..., s_d)`` with ``s_a < k_a``. ``1`` means no spinning; the cost grows with
        the number of shifts. Default 2 for signals, 3 for images (4 for the channels of colour
        images denoised each on its own, without ``convert2ycbcr``), and 1 for the DCT of
        images and for ``method="swt"``, which is shift-invariant and takes no other value.
    boundary : str, default="auto"
        How a 1-D signal is extended beyond its two ends. ``"periodization"`` keeps the
        transform orthonormal, so that the noise keeps its variance in every coefficient, and
        is the fastest; it joins the last sample to the first, which is best where the two
        ends meet, but leaves artefacts near both ends where they differ (a trend, a
        recording cut out of a longer one). ``"auto"`` chooses for each signal: periodization
        where its two ends agree within the noise (the jump between them, estimated by least
        squares from 16 samples on each side, is at most twice the noise std), otherwise
        periodization of the signal followed by its mirror image (an even extension, with
        no jump), of which the first half is kept, at about twice the cost. On the
        Donoho-Johnstone signals with a linear trend it is 0.2 to 1.6 dB better than
        periodization over the whole signal and 4 to 8 dB at the edges; on those signals
        without a trend it is periodization, to the last bit, but for rare noise draws. The
        choice depends only on the signal and its noise, so a call gives the same result in
        any process. Images, volumes and the DCT (even at both ends by construction) use
        periodization. A PyWavelets mode (``"symmetric"``, ``"reflect"``, ``"smooth"``,
        ...) is available for 1-D wavelet transforms with a per-level threshold, at about
        twice the time of periodization.
    channel_axis : int, optional
        An axis of channels (colours), which are denoised each on its own, as
        scikit-image's ``denoise_wavelet`` does; it may not be one of ``axis``.
    convert2ycbcr : bool, default=False
        Denoise three RGB channels along ``channel_axis`` in YCbCr (ITU-R BT.601, as JPEG),
        luma and chroma, rather than in R, G and B; the result is converted back to RGB.
    rescale_sigma : bool, default=True
        With ``convert2ycbcr`` and a given ``sigma``: whether ``sigma`` holds the noise of the
        RGB channels, converted to that of the YCbCr channels (``True``, as scikit-image),
        or that of the YCbCr channels themselves (``False``). Integer images are not rescaled
        (they keep their units), so ``sigma`` is always in the units of ``signal``.

    Returns
    -------
    denoised : ndarray or dask.array.Array
        The denoised signal(s), with the shape and the float dtype of ``signal``. A dask
        array gives a dask array, nothing computed yet: each chunk is denoised by this
        function when the result is computed (on any dask scheduler), with the same bits as
        the whole NumPy array gives. The transform axes (and with ``convert2ycbcr`` the
        channel axis) are rechunked whole where they are split; ``sigma`` may then also be a
        dask array (e.g. from :func:`estimate_noise`). NaN, infinity and a negative ``sigma``
        in a dask array are found, with the same errors, when the chunk is computed.

    Raises
    ------
    ValueError
        If ``signal`` is empty or holds NaN or infinity, if a name (``method``, ``threshold``,
        ``mode``, ``boundary``, ``wavelet``) is unknown, if ``axis`` or ``channel_axis`` is out
        of range or repeated, if ``level`` is too deep for the signal, if ``sigma``,
        ``shifts`` or a numeric ``threshold`` are out of range, or if the result does not fit
        in the dtype (values within a small factor of the largest float).

    See Also
    --------
    estimate_noise : the noise estimate used when ``sigma=None``.

    Examples
    --------
    An image (here PyWavelets' camera, grey levels 0-255, with noise of std 20):

    >>> import numpy as np
    >>> import pywt
    >>> from sparserecover import denoise
    >>> rng = np.random.default_rng(0)
    >>> image = pywt.data.camera().astype(float)
    >>> noisy = image + 20 * rng.standard_normal(image.shape)
    >>> denoised = denoise(noisy, axis=(0, 1))
    >>> def psnr(x):
    ...     return round(float(10 * np.log10(255**2 / np.mean((x - image) ** 2))), 1)
    >>> psnr(noisy), psnr(denoised), psnr(denoise(noisy, "swt", axis=(0, 1)))
    (22.1, 29.7, 30.0)

    A colour image: ``denoise(rgb, axis=(0, 1), channel_axis=-1, convert2ycbcr=True)``.

    A 1-D signal, and a batch with one signal per row, each with its own noise level:

    >>> clean = pywt.data.demo_signal("Doppler", 1024)
    >>> noisy = clean + 0.05 * rng.standard_normal(clean.size)
    >>> denoised = denoise(noisy)
    >>> bool(np.mean((denoised - clean) ** 2) < 0.2 * np.mean((noisy - clean) ** 2))
    True
    >>> batch = clean + np.array([[0.02], [0.2]]) * rng.standard_normal((2, clean.size))
    >>> denoise(batch, threshold="bayes", shifts=4).shape
    (2, 1024)
    """
    if _is_dask(signal):
        from sparserecover._dask import denoise_dask

        return denoise_dask(
            signal, method=method, wavelet=wavelet, level=level, threshold=threshold,
            mode=mode, sigma=sigma, axis=axis, shifts=shifts, boundary=boundary,
            channel_axis=channel_axis, convert2ycbcr=convert2ycbcr,
            rescale_sigma=rescale_sigma,
        )
    x = _check_signal(signal, "signal")
    axes, channel_axis, sigma, options = _check_options(
        x.shape, x.dtype, method=method, wavelet=wavelet, level=level, threshold=threshold,
        mode=mode, sigma=sigma, axis=axis, shifts=shifts, boundary=boundary,
        channel_axis=channel_axis, convert2ycbcr=convert2ycbcr, rescale_sigma=rescale_sigma,
    )
    batch_shape = tuple(n for a, n in enumerate(x.shape) if a not in axes)
    if convert2ycbcr:
        channel = [a for a in range(x.ndim) if a not in axes].index(channel_axis)
        x = _color_transform(x, _RGB_TO_YCBCR, channel_axis)
        if sigma is not None and rescale_sigma:
            sigma = _rgb_sigma_to_ycbcr(sigma.reshape(batch_shape), channel).reshape(-1)
    if options["boundary"] == "auto":
        denoised = _denoise_auto(x, sigma, axes[0], level, options)
    else:
        denoised = _denoise_along(x, sigma, axes, options)
    if convert2ycbcr:
        denoised = _color_transform(denoised, _YCBCR_TO_RGB, channel_axis)
    return _representable(denoised)


def _check_options(shape, dtype, *, method, wavelet, level, threshold, mode, sigma, axis,
                   shifts, boundary, channel_axis, convert2ycbcr, rescale_sigma):
    """denoise's arguments checked for a signal of ``shape`` and float ``dtype``: the
    transform axes, the channel axis, ``sigma`` flattened over the batch (or None) and the
    options of the transform (method, wavelet, level, threshold, mode, shifts, boundary)."""
    axes = _check_axes(axis, len(shape))
    method = _check_name(method, "method", _METHODS)
    if channel_axis is not None:
        channel_axis = _check_axes(channel_axis, len(shape), "channel_axis")[0]
        if channel_axis in axes:
            raise ValueError(
                f"channel_axis {channel_axis} is also a transform axis (axis={axis!r}): for an "
                f"image with channels along axis {channel_axis}, pass the image axes, e.g. "
                f"axis={tuple(a for a in range(len(shape)) if a != channel_axis)[:2]}"
            )
    for name, flag in (("convert2ycbcr", convert2ycbcr), ("rescale_sigma", rescale_sigma)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {flag!r}")
    defaults = _default_options(
        method, len(axes), channel_wise=channel_axis is not None and not convert2ycbcr
    )
    wavelet = defaults["wavelet"] if wavelet is None else wavelet
    threshold = defaults["threshold"] if threshold is None else threshold
    mode = _check_name(defaults["mode"] if mode is None else mode, "mode", _MODES)
    if isinstance(threshold, str):
        threshold = _check_name(threshold, "threshold", _THRESHOLDS)
        if threshold == "bivariate" and method == "dct":
            raise ValueError(
                "threshold='bivariate' needs a wavelet transform (the parent of a "
                "coefficient): use method='wavelet' or 'swt'"
            )
    else:
        threshold = check_scalar(threshold, "threshold", low=0.0)
    shift_list = _check_shifts(
        defaults["shifts"] if shifts is None else shifts, [shape[a] for a in axes]
    )
    if method == "swt" and len(shift_list) > 1:
        raise ValueError(
            "shifts must be 1 with method='swt': the stationary transform is shift-invariant"
        )
    if method != "dct":
        import pywt

        wavelet = _check_wavelet(wavelet)
        boundary = _check_name(boundary, "boundary", ("auto", *pywt.Modes.modes))
        if boundary not in ("auto", "periodization") and (
            method == "swt" or len(axes) > 1 or threshold == "bivariate"
        ):
            raise ValueError(
                f"boundary={boundary!r} is available for 1-D wavelet transforms with a "
                "per-level threshold; images, volumes, method='swt' and threshold='bivariate' "
                "use boundary='periodization'"
            )
        level = _check_level(level, [shape[a] for a in axes], wavelet, method == "swt")
    batch_shape = tuple(n for a, n in enumerate(shape) if a not in axes)
    if sigma is not None:
        sigma = _check_sigma(sigma, batch_shape, dtype)
    if convert2ycbcr and (channel_axis is None or shape[channel_axis] != 3):
        raise ValueError(
            "convert2ycbcr needs channel_axis to be the axis of three RGB channels; got "
            + ("channel_axis=None" if channel_axis is None else
               f"{shape[channel_axis]} channels along axis {channel_axis}")
        )
    if boundary == "auto" and (method == "dct" or len(axes) > 1):
        boundary = "periodization"  # (the DCT has no boundary option: it is even at both ends)
    options = dict(
        method=method, wavelet=wavelet, level=level, threshold=threshold, mode=mode,
        shifts=shift_list, boundary=boundary,
    )
    return axes, channel_axis, sigma, options


def _denoise_along(x, sigma, axes, options):
    """Denoise ``x`` over ``axes`` with the validated ``options`` (an explicit boundary)."""
    if len(axes) == 1 and options["method"] != "swt" and options["threshold"] != "bivariate":
        return _denoise_signals(x, sigma, axes[0], **options)
    batch, _ = _batch_first(x, axes)
    return _restore(_denoise_batch(batch, sigma, **options), x.shape, axes, x.dtype)


# boundary="auto": a signal's two ends agree when the jump where periodization joins them,
# estimated from the last and the first _END_SAMPLES samples (a line with a step at the join,
# least squares, so that a slope through the join is no jump), is at most _END_TOLERANCE times
# the noise std. The estimate's noise std is 0.71 sigma (16 samples a side); on the benchmark
# signals periodization wins below a jump of about 2 sigma and the mirrored extension above it.
_END_SAMPLES = 16
_END_TOLERANCE = 2.0


@functools.lru_cache(maxsize=8)
def _jump_weights(k):
    """w such that sum(w * [x[-k:], x[:k]]) is the least-squares step at the middle of 2 k
    samples under the model c + b t + J 1(t > 0), t = -k + 1/2, ..., k - 1/2 (closed form:
    the columns 1, t and 1(t > 0) - 1/2 are orthogonal but for t and the step)."""
    t = np.arange(2 * k) - k + 0.5
    u = np.where(t > 0, 0.5, -0.5)
    tt, tu, uu = (4.0 * k**3 - k) / 6.0, k * k / 2.0, k / 2.0
    return (tt * u - tu * t) / (tt * uu - tu * tu)


def _ends_differ(rows, noise):
    """Whether the periodic join of each row of the 2-D ``rows`` is a jump larger than the
    noise allows (see _END_TOLERANCE), ``noise`` (float64) the noise std of each row. Computed
    in a fixed order and in units of a power of two per row (exact), so that the choice is the
    same in any process and for the signal scaled by any power of two."""
    n = rows.shape[1]
    k = min(_END_SAMPLES, n // 4)
    if k < 2:  # too short to tell a jump from a slope: periodization
        return np.zeros(len(rows), dtype=bool)
    window = np.concatenate([rows[:, n - k :], rows[:, :k]], axis=1).astype(np.float64)
    exponents = _scale_exponents(rows)
    if exponents is not None:
        window = np.ldexp(window, exponents[:, None])
        noise = np.ldexp(noise, exponents)
    # (NumPy's pairwise sum along a row: the same order of additions in any process)
    jump = (window * _jump_weights(k)).sum(axis=1)
    return np.abs(jump) > _END_TOLERANCE * noise


def _noise64(rows):
    """estimate_noise of every row of the 2-D ``rows``, in float64 (as the fused kernel
    computes it whatever the dtype of the rows)."""
    if rows.shape[1] % 2 == 0:
        from sparserecover import _denoising_kernels as kernels

        noise = np.empty(len(rows))
        kernels.noise_sigma_rows(_rows(rows, -1), *_filters(_check_wavelet(_NOISE_WAVELET)), noise)
        return noise
    return np.asarray(estimate_noise(rows, axis=-1), dtype=np.float64).reshape(-1)


def _denoise_auto(x, sigma, axis, level_given, options):
    """boundary="auto" along ``axis``: periodization for the signals whose two ends agree
    (_ends_differ), and for the others periodization of the signal followed by its mirror
    image (the even extension: no jump where the ends meet), of which the first half is kept.
    A signal's choice depends only on its own samples and noise (or given sigma)."""
    n = x.shape[axis]
    batch_shape = x.shape[:axis] + x.shape[axis + 1 :]
    rows = _axis_last(x, axis).reshape(-1, n)
    noise = _noise64(rows) if sigma is None else sigma.astype(np.float64)
    differ = _ends_differ(rows, noise)
    periodic = dict(options, boundary="periodization")
    # the fused kernel takes the noise estimate from here, to the last bit what it computes
    fused = (
        options["method"] == "wavelet"
        and options["threshold"] != "bivariate"
        and n % (1 << options["level"]) == 0
    )
    given = noise if sigma is None and fused else sigma
    if not differ.any():
        denoised = _denoise_along(rows, given, (1,), periodic)
    else:
        denoised = np.empty_like(rows)
        agree = ~differ
        if agree.any():
            denoised[agree] = _denoise_along(
                rows[agree], None if given is None else given[agree], (1,), periodic
            )
        mirrored = np.concatenate([rows[differ], rows[differ, ::-1]], axis=1)
        if level_given is None:
            wavelet, redundant = options["wavelet"], options["method"] == "swt"
            periodic["level"] = _check_level(None, [2 * n], wavelet, redundant)
        denoised[differ] = _denoise_along(mirrored, noise[differ], (1,), periodic)[:, :n]
    return _axis_back(denoised.reshape(*batch_shape, n), axis)


def _denoise_signals(x, sigma, axis, *, method, wavelet, level, threshold, mode, shifts,
                     boundary):
    """1-D transforms along ``axis``: the fused kernel, PyWavelets or the DCT."""
    n_samples = x.shape[axis]
    shifts = len(shifts)
    # Work on a 2-D (n_signals, n_samples) view: every signal is a C-contiguous row.
    batch_shape = x.shape[:axis] + x.shape[axis + 1 :]
    rows = _axis_last(x, axis).reshape(-1, n_samples)
    if method == "wavelet":
        if boundary == "periodization" and n_samples % (1 << level) == 0:
            denoised = _fused_wavelet_denoise(rows, sigma, wavelet, level, threshold, mode, shifts)
            return _axis_back(denoised.reshape(*batch_shape, n_samples), axis)
        transform = _WaveletTransform(wavelet, level, boundary)
    else:
        transform = _DCTTransform()

    # rows too large or too small to square are computed in units of a power of two (exact)
    exponents = _scale_exponents(rows)
    if exponents is None:
        exponents = np.zeros(len(rows), dtype=np.int32)
    else:
        rows = np.ldexp(rows, exponents[:, None])
    if sigma is None:
        noise = estimate_noise(rows, axis=-1) if n_samples >= 2 else np.zeros(len(rows))
        noise = np.asarray(noise, dtype=x.dtype).reshape(-1)
    else:
        noise = np.ldexp(sigma, exponents)

    denoised = np.empty_like(rows)
    chunk = max(1, _CHUNK_VALUES // (n_samples * shifts))
    for start in range(0, len(rows), chunk):
        stop = min(start + chunk, len(rows))
        denoised[start:stop] = _denoise_rows(
            rows[start:stop],
            noise[start:stop],
            exponents[start:stop],
            transform,
            threshold,
            mode,
            shifts,
        )
    denoised = np.ldexp(denoised, -exponents[:, None])
    return _axis_back(denoised.reshape(*batch_shape, n_samples), axis)


def _denoise_batch(batch, sigma, *, method, wavelet, level, threshold, mode, shifts, boundary):
    """Denoise every ``batch[b]`` (float64, C-contiguous, the transform axes last) with the
    separable transforms (method 'wavelet' or 'swt') or the n-D DCT, averaged over the
    circular ``shifts`` (a list of shift vectors, one entry per transform axis)."""
    from sparserecover._denoising_kernels import level_thresholds, shrink_rows

    n_axes = batch.ndim - 1
    axes = tuple(range(1, n_axes + 1))
    exponents = _scale_exponents(batch.reshape(len(batch), -1))
    if exponents is None:
        exponents = np.zeros(len(batch), dtype=np.int32)
    else:
        batch = np.ldexp(batch, exponents.reshape((-1,) + (1,) * n_axes))
    if method == "dct":
        transform = None
        noise_transform = _SeparableTransform(_check_wavelet(_NOISE_WAVELET), 1, False, n_axes)
    else:
        transform = _SeparableTransform(wavelet, level, method == "swt", n_axes)
        noise_transform = transform.with_wavelet(_check_wavelet(_NOISE_WAVELET))
    if sigma is None:
        noise = noise_transform.noise(batch)
    else:
        noise = np.ldexp(sigma.astype(np.float64), exponents)
    rule, shrink = _kernel_rule(threshold, mode, np.dtype(np.float64))
    n_values = batch[0].size

    work = None

    def shrink_levels(details):
        """Shrink every subband of ``details`` (finest level first) in place."""
        nonlocal work
        for index, detail in enumerate(details):
            n_bands = len(detail)
            if threshold == "bivariate":
                if work is None:  # for every level and shift: allocated (page-faulted) once
                    work = (np.empty(detail.size), np.empty(detail.size))
                parent = details[index + 1] if index + 1 < len(details) else None
                transform.bivariate(detail, parent, noise, shrink, work)
                continue
            rows = detail.reshape(n_bands * len(batch), -1)
            cut = np.empty(len(rows))
            level_thresholds(
                rows, np.tile(noise, n_bands), np.tile(exponents, n_bands), rule, n_values, cut
            )
            shrink_rows(rows, cut, shrink)

    total = np.zeros_like(batch)
    for shift in shifts:
        shifted = np.roll(batch, shift, axis=axes) if any(shift) else batch
        if method == "dct":
            estimate = _dct_shrink(shifted, shrink_levels)
        else:
            levels = transform.forward(shifted)
            shrink_levels([stacked[1:] for stacked in levels])
            estimate = transform.inverse(levels, shifted.shape[1:])
        total += np.roll(estimate, [-s for s in shift], axis=axes) if any(shift) else estimate
    if len(shifts) > 1:
        total /= len(shifts)
    return np.ldexp(total, -exponents.reshape((-1,) + (1,) * n_axes))


def _dct_shrink(batch, shrink_levels):
    """The orthonormal n-D DCT-II of every batch[b], all coefficients but the constant one
    shrunk (``shrink_levels`` on one level of one band), transformed back."""
    import scipy.fft

    axes = tuple(range(1, batch.ndim))
    coefficients = scipy.fft.dctn(batch, type=2, norm="ortho", axes=axes)
    flat = coefficients.reshape(len(batch), -1)
    others = np.ascontiguousarray(flat[:, 1:]).reshape(1, len(batch), -1)
    shrink_levels([others])
    flat[:, 1:] = others[0]
    return scipy.fft.idctn(coefficients, type=2, norm="ortho", axes=axes)


def _color_transform(x, matrix, channel_axis):
    """``matrix`` applied to the 3 channels along ``channel_axis`` (in float64, rounded once
    to the dtype of ``x``)."""
    moved = np.moveaxis(x, channel_axis, -1).astype(np.float64)
    # one (n, 3) x (3, 3) product (a stack of 1 x 3 ones is many times slower)
    converted = (moved.reshape(-1, 3) @ matrix.T).reshape(moved.shape)
    return np.moveaxis(converted, -1, channel_axis).astype(x.dtype, copy=False)


def _rgb_sigma_to_ycbcr(sigma, channel):
    """The noise std of the Y, Cb, Cr channels from independent R, G, B noise of std
    ``sigma`` (``channel`` the channel axis of ``sigma``): var_c = sum_i M[c, i]**2 var_i."""
    variances = np.moveaxis(np.asarray(sigma, dtype=np.float64), channel, -1) ** 2
    converted = np.sqrt(variances @ (_RGB_TO_YCBCR**2).T)
    return np.moveaxis(converted, -1, channel).astype(sigma.dtype)


def _axis_last(x, axis):
    """np.moveaxis(x, axis, -1) (``axis`` non-negative), without its cost when it is a no-op."""
    return x if axis == x.ndim - 1 else np.moveaxis(x, axis, -1)


def _axis_back(x, axis):
    """The inverse of _axis_last."""
    return x if axis == x.ndim - 1 else np.moveaxis(x, -1, axis)


def _rows(x, axis):
    """``x`` as a (n_signals, n_samples) array, a signal per row, of the one type the kernels
    are compiled for: float64, C-contiguous and writable (a read-only type compiles again)."""
    rows = np.ascontiguousarray(_axis_last(x, axis), dtype=np.float64)
    rows = rows.reshape(-1, x.shape[axis])
    return rows if rows.flags.writeable else rows.copy()


@functools.lru_cache(maxsize=32)
def _filters(wavelet):
    """The analysis filters of ``wavelet`` (float64, as PyWavelets uses them), zero-padded on
    both sides to a multiple of 8 taps, the form the transform kernels take (read, never
    written, by them)."""
    from sparserecover._denoising_kernels import _GROUP

    taps = len(wavelet.dec_lo)
    padded = -(-taps // _GROUP) * _GROUP
    filters = np.zeros((2, padded))
    shift = (padded - taps) // 2
    filters[0, shift : shift + taps] = wavelet.dec_lo
    filters[1, shift : shift + taps] = wavelet.dec_hi
    return filters[0], filters[1]


def _kernel_rule(threshold, mode, dtype):
    """The kernels' forms of a threshold rule and a shrinkage mode (a fixed threshold
    rounded to ``dtype``)."""
    from sparserecover import _denoising_kernels as kernels

    if not isinstance(threshold, str):
        rule = kernels.Fixed(float(dtype.type(threshold)))
    elif threshold == "sure":
        rule = kernels.Sure(mode == "garrote")
    else:  # (bivariate shrinkage has its own kernel: no rule)
        rule = {"universal": kernels.Universal, "bayes": kernels.Bayes}.get(threshold, tuple)()
    shrink = {"soft": kernels.Soft, "hard": kernels.Hard, "garrote": kernels.Garrote}[mode]()
    return rule, shrink


def _fused_wavelet_denoise(rows, sigma, wavelet, level, threshold, mode, shifts):
    """The periodized wavelet path in one Numba call (``wavelet_denoise_rows``): no Python
    step per signal, level or shift, and no ``(shifts * n_signals, n)`` arrays."""
    from sparserecover._denoising_kernels import wavelet_denoise_rows

    # float64 arithmetic whatever the dtype: a single compiled version, and float32 results
    # rounded once, as accurate as PyWavelets' float32 transforms or more
    dtype = rows.dtype
    noise_wavelet = _check_wavelet(_NOISE_WAVELET)
    if sigma is None:
        noise = np.empty(len(rows), dtype=np.float64)  # filled in by the kernel
        noise_lo, noise_hi = _filters(noise_wavelet)
    else:
        noise = sigma.astype(np.float64)
        noise_lo = noise_hi = np.empty(0, dtype=np.float64)
    denoised = np.empty(rows.shape, dtype=np.float64)
    wavelet_denoise_rows(
        _rows(rows, -1),
        noise,
        *_filters(wavelet),
        level,
        *_kernel_rule(threshold, mode, dtype),
        shifts,
        denoised,
        noise_lo,
        noise_hi,
        sigma is None and wavelet.dec_lo == noise_wavelet.dec_lo,
    )
    return denoised.astype(dtype, copy=False)


def _denoise_rows(rows, sigma, exponents, transform, threshold, mode, shifts):
    """Denoise the rows of a 2-D array with ``transform``, averaging over ``shifts`` circular
    shifts; thresholds and shrinkage by the kernels of the fused path. Row i is in units of
    2**-exponents[i] (a fixed threshold is scaled alike)."""
    from sparserecover._denoising_kernels import level_thresholds, shrink_rows

    n_rows, n_samples = rows.shape
    if shifts == 1:
        stacked = rows
    else:
        # All shifted copies go through one transform: row s * n_rows + i is signal i
        # circularly shifted right by s samples.
        stacked = np.empty((shifts * n_rows, n_samples), dtype=rows.dtype)
        for shift in range(shifts):  # np.roll(rows, shift, axis=-1), without temporaries
            block = stacked[shift * n_rows : (shift + 1) * n_rows]
            block[:, shift:] = rows[:, : n_samples - shift]
            block[:, :shift] = rows[:, n_samples - shift :]
        sigma = np.tile(sigma, shifts)
        exponents = np.tile(exponents, shifts)
    sigma = sigma.astype(np.float64)
    rule, shrink = _kernel_rule(threshold, mode, rows.dtype)
    coefficients = transform.forward(stacked)
    for index in range(1, len(coefficients)):
        detail = np.ascontiguousarray(coefficients[index], dtype=np.float64)
        cut = np.empty(len(detail))
        level_thresholds(detail, sigma, exponents, rule, n_samples, cut)
        # thresholds in the data dtype, shrinkage in float64 rounded once to it
        shrink_rows(detail, cut.astype(rows.dtype).astype(np.float64), shrink)
        coefficients[index] = detail.astype(rows.dtype, copy=False)
    estimate = transform.inverse(coefficients, n_samples)
    if shifts == 1:
        return estimate
    # shift each estimate back (undo np.roll by `shift`) and average
    estimate = estimate.reshape(shifts, n_rows, n_samples)
    total = estimate[0].copy()
    for shift in range(1, shifts):
        total[:, : n_samples - shift] += estimate[shift, :, shift:]
        total[:, n_samples - shift :] += estimate[shift, :, :shift]
    total /= shifts
    return total


class _SeparableTransform:
    """The periodized n-D DWT (or with ``redundant``, the stationary transform) over the last
    ``n_axes`` axes of (n_batch, *sizes) float64 arrays, one axis at a time by
    ``analysis_axis``/``synthesis_axis``. A level's 2**d - 1 detail subbands travel as one
    (2**d - 1, n_batch, *level_sizes) array: subband i is highpass along axis a when bit a of
    i is set (pywt.wavedecn's key has 'd' there), so subband 2**d - 1 is the diagonal one."""

    def __init__(self, wavelet, level, redundant, n_axes):
        self.wavelet, self.level, self.redundant, self.n_axes = wavelet, level, redundant, n_axes
        self.lo = np.array(wavelet.dec_lo, dtype=np.float64)
        self.hi = np.array(wavelet.dec_hi, dtype=np.float64)
        self._buffers = {}

    def _buffer(self, key, shape):
        """An array of ``shape`` for the role ``key``, the same one on every call (every
        cycle-spinning shift): fresh large arrays cost a page fault per 4 KiB."""
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape != tuple(shape):
            buffer = self._buffers[key] = np.empty(shape)
        return buffer

    def with_wavelet(self, wavelet):
        return _SeparableTransform(wavelet, 1, False, self.n_axes)

    def _analysis(self, stacked, position, dilation, key):
        """One axis (``position`` among the transform axes) of ``stacked`` (k, n_batch, *sizes)
        -> (2 k, n_batch, *sizes'), the lowpass halves first, in the buffer ``key``."""
        from sparserecover._denoising_kernels import analysis_axis

        axis = 2 + position
        n = stacked.shape[axis]
        h = n if dilation else (n + 1) // 2
        outer = int(np.prod(stacked.shape[:axis]))
        view = stacked.reshape(outer, n, -1)
        out = self._buffer(key, (2, outer, h, view.shape[2]))
        analysis_axis(view, self.lo, self.hi, dilation, out)
        shape = list(stacked.shape)
        shape[0], shape[axis] = 2 * shape[0], h
        return out.reshape(shape)

    def forward(self, batch):
        """The subbands of every level, finest first: level j as one (2**d, n_batch, *sizes_j)
        array, whose [0] is the approximation (the input of level j + 1) and [1:] the
        details."""
        levels = []
        approximation = batch
        for j in range(self.level):
            stacked = approximation[None]
            for position in range(self.n_axes):
                dilation = 1 << j if self.redundant else 0
                stacked = self._analysis(stacked, position, dilation, ("forward", j, position))
            levels.append(stacked)
            approximation = stacked[0]
        return levels

    def inverse(self, levels, sizes):
        """The signals of ``sizes`` from forward's levels (each level's approximation slot is
        overwritten by the reconstruction of the coarser levels)."""
        from sparserecover._denoising_kernels import synthesis_axis

        for j in range(self.level - 1, -1, -1):
            stacked = levels[j]
            target = levels[j - 1].shape[2:] if j > 0 else sizes
            for position in range(self.n_axes - 1, -1, -1):
                # the outermost bit of the subband index is this axis: lowpass half first
                axis = 2 + position
                outer = stacked.shape[0] // 2 * int(np.prod(stacked.shape[1:axis]))
                view = stacked.reshape(2, outer, stacked.shape[axis], -1)
                shape = list(stacked.shape)
                shape[0], shape[axis] = shape[0] // 2, target[position]
                if position == 0 and j > 0:  # straight into the finer level's approximation
                    stacked = levels[j - 1][:1]
                else:
                    stacked = self._buffer(("inverse", j, position), shape)
                synthesis_axis(
                    view, self.lo, self.hi, 1 << j if self.redundant else 0,
                    stacked.reshape(outer, target[position], -1),
                )
        return stacked[0]

    def noise(self, batch):
        """The noise std of each batch[b]: MAD / 0.6745 of its finest diagonal subband."""
        from sparserecover._denoising_kernels import mad_sigma_rows

        exponents = _scale_exponents(batch.reshape(len(batch), -1))
        if exponents is not None:
            batch = np.ldexp(batch, exponents.reshape((-1,) + (1,) * self.n_axes))
        stacked = batch[None]
        for position in range(self.n_axes):  # (the highpass half of each axis)
            stacked = self._analysis(stacked, position, 0, ("noise", position))[1:]
        sigma = np.empty(len(batch))
        mad_sigma_rows(stacked.reshape(len(batch), -1), sigma)
        return sigma if exponents is None else np.ldexp(sigma, -exponents)

    def bivariate(self, detail, parent, sigma, mode, work):
        """Bivariate shrinkage of one level's subbands ``detail`` in place (see the kernel
        bivariate_shrink), with the local variance from a window of 7 coefficients along
        each axis and ``parent`` the next coarser level's subbands (None: no parent);
        ``work`` is two arrays of at least ``detail.size`` values."""
        from sparserecover._denoising_kernels import bivariate_shrink, box_sum_axis

        window = 7
        energy, scratch = (buffer[: detail.size].reshape(detail.shape) for buffer in work)
        source = detail
        for position in range(self.n_axes):  # sums of squares over the window, axis by axis
            axis = 2 + position
            shape = (int(np.prod(detail.shape[:axis])), detail.shape[axis], -1)
            box_sum_axis(source.reshape(shape), window // 2, position == 0, energy.reshape(shape))
            source, energy, scratch = energy, scratch, energy
        n_bands, n_batch = detail.shape[:2]
        parent = np.empty((n_bands, n_batch, 0)) if parent is None else parent
        bivariate_shrink(
            detail.reshape(n_bands, n_batch, -1),
            parent.reshape(n_bands, n_batch, -1),
            source.reshape(n_bands, n_batch, -1),
            sigma,
            float(window**self.n_axes),
            np.array(detail.shape[2:], dtype=np.int64),
            not self.redundant,
            mode,
        )


class _WaveletTransform:
    """pywt.wavedec / waverec along the last axis: [approximation, details...]."""

    def __init__(self, wavelet, level, boundary):
        self.wavelet, self.level, self.boundary = wavelet, level, boundary

    def forward(self, rows):
        import pywt

        return pywt.wavedec(rows, self.wavelet, mode=self.boundary, level=self.level, axis=-1)

    def inverse(self, coefficients, n_samples):
        import pywt

        rows = pywt.waverec(coefficients, self.wavelet, mode=self.boundary, axis=-1)
        # waverec can return one extra sample for odd lengths with non-periodic boundaries
        return rows[:, :n_samples]


class _DCTTransform:
    """Orthonormal DCT-II along the last axis: [the DC coefficient, the others (shrunk)]."""

    def forward(self, rows):
        import scipy.fft

        coefficients = scipy.fft.dct(rows, type=2, norm="ortho", axis=-1)
        return [coefficients[:, :1], coefficients[:, 1:]]

    def inverse(self, coefficients, n_samples):
        import scipy.fft

        return scipy.fft.idct(np.hstack(coefficients), type=2, norm="ortho", axis=-1)


# Signals whose largest magnitude lies within 2**(+-_SAFE_EXPONENTS[dtype]) are computed as they
# are: no square, sum of squares or quotient formed from them can overflow or underflow, and
# scaling by a power of two changes no bit of any result but its exponent. Others are scaled
# by a power of two first (which is exact) and the results scaled back. float64 signals on
# the fused path are scaled by the kernel, with the same bound.
_SAFE_EXPONENTS = {np.dtype(np.float32): 60, np.dtype(np.float64): 400}


def _scale_exponents(rows):
    """Per row of the 2-D ``rows``, 0 if its largest magnitude is 0 or within the safe range
    of its dtype, else the power of two e that brings it into [0.5, 1) (``row * 2**e``);
    None if every row is within the safe range."""
    big = np.maximum(rows.max(axis=-1), -rows.min(axis=-1))
    limit = 2.0 ** _SAFE_EXPONENTS[rows.dtype]
    outside = (big > limit) | ((big < 1.0 / limit) & (big != 0))
    if not outside.any():
        return None
    return np.where(outside, -np.frexp(big)[1], 0).astype(np.int32)


def _representable(result):
    """``result``, or a ValueError if some of its values overflowed its dtype (a signal within
    a small factor of the largest float can denoise to values beyond it)."""
    if not sum_is_finite(result) and not np.all(np.isfinite(result)):
        raise ValueError(
            f"the result does not fit in {result.dtype}: the signal's values are too close to "
            f"the largest {result.dtype} ({np.finfo(result.dtype).max:.3g}); scale it down"
        )
    return result


def _is_dask(signal):
    from sparserecover._dask import is_dask

    return is_dask(signal)


def _check_signal(signal, name):
    x = as_float_array(signal, name)
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension; got a scalar")
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    if not sum_is_finite(x):  # (or overflowed) the value-by-value check and its message
        check_finite(x, name)
    return x


def _check_axes(axis, ndim, name="axis"):
    """``axis`` (an integer or a tuple of distinct integers) as a tuple of non-negative axes."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not axes:
        raise ValueError(f"{name} must name at least one axis; got {axis!r}")
    for a in axes:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
            kind = "an integer" + (" or a tuple of integers" if name == "axis" else "")
            raise TypeError(f"{name} must be {kind}; got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name} {a} is out of range for a signal with {ndim} dimension(s)"
            )
    normalized = tuple(int(a) % ndim for a in axes)
    if len(set(normalized)) < len(normalized):
        raise ValueError(f"{name} names the same axis twice: {axis!r}")
    return normalized


def _check_shifts(shifts, sizes):
    """The circular shifts to average over, as a list of shift vectors (one entry per axis
    of ``sizes``): an integer k gives (s, ..., s) for s < k (for one axis at most its size,
    the number of distinct shifts), a tuple (k_1, ..., k_d) every (s_1, ..., s_d) with
    s_a < min(k_a, sizes[a])."""
    if isinstance(shifts, (tuple, list)):
        if len(shifts) != len(sizes):
            raise ValueError(
                f"shifts must be an integer or have one entry per transform axis "
                f"({len(sizes)}); got {shifts!r}"
            )
        counts = [min(check_int(k, "shifts", low=1), n) for k, n in zip(shifts, sizes)]
        return [tuple(vector) for vector in itertools.product(*map(range, counts))]
    count = check_int(shifts, "shifts", low=1)
    if len(sizes) == 1:
        count = min(count, sizes[0])
    return [tuple(s % n for n in sizes) for s in range(count)]


def _batch_first(x, axes):
    """``x`` with the ``axes`` last, as a float64 C-contiguous (n_batch, *sizes) array, and
    the shape of the batch (the other axes, in order)."""
    moved = np.moveaxis(x, axes, range(-len(axes), 0))
    batch_shape = moved.shape[: x.ndim - len(axes)]
    batch = np.array(moved, dtype=np.float64, order="C")  # a copy: the input is never touched
    return batch.reshape((-1, *moved.shape[x.ndim - len(axes) :])), batch_shape


def _restore(batch, shape, axes, dtype):
    """The inverse of _batch_first: an array of ``shape`` (and ``dtype``)."""
    moved_shape = tuple(n for a, n in enumerate(shape) if a not in axes) + batch.shape[1:]
    moved = batch.reshape(moved_shape).astype(dtype, copy=False)
    return np.moveaxis(moved, range(-len(axes), 0), axes)


def _check_name(value, name, options):
    if not isinstance(value, str) or value not in options:
        choices = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


@functools.cache
def _discrete_wavelet(name):
    """pywt.Wavelet(name) for a discrete wavelet name, else None (listing names is slow)."""
    import pywt

    return pywt.Wavelet(name) if name in pywt.wavelist(kind="discrete") else None


def _check_wavelet(wavelet):
    import pywt

    if isinstance(wavelet, pywt.Wavelet):
        result = wavelet
    elif isinstance(wavelet, str) and _discrete_wavelet(wavelet) is not None:
        result = _discrete_wavelet(wavelet)
    else:
        raise ValueError(
            f"wavelet must be a discrete wavelet name of PyWavelets (see "
            f"pywt.wavelist(kind='discrete')); got {wavelet!r}"
        )
    if not result.orthogonal:
        raise ValueError(f"wavelet must be orthogonal; {result.name!r} is not")
    return result


def _check_level(level, sizes, wavelet, redundant=False):
    """The number of levels: ``level``, or the default, the most the smallest of ``sizes``
    allows (``pywt.dwt_max_level``); for the redundant transform at most ceil(8 / d) for d
    axes, which leaves at most 1/256 of the noise power in the unshrunk approximation."""
    import pywt

    max_level = min(pywt.dwt_max_level(n, wavelet.dec_len) for n in sizes)
    described = (
        f"a signal of length {sizes[0]}" if len(sizes) == 1 else f"a signal of shape {tuple(sizes)}"
    )
    if level is None:
        if max_level < 1:
            raise ValueError(
                f"{described} is too short for wavelet {wavelet.name!r} "
                f"(filter length {wavelet.dec_len}): use a shorter wavelet or method='dct'"
            )
        return min(max_level, -(-8 // len(sizes))) if redundant else max_level
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Integral):
        raise TypeError(f"level must be an integer or None; got {type(level).__name__}")
    if not 1 <= level <= max(max_level, 1):
        raise ValueError(
            f"level must be in [1, {max(max_level, 1)}] for {described} "
            f"and wavelet {wavelet.name!r}; got {level}"
        )
    return int(level)


def _check_sigma(sigma, batch_shape, dtype):
    values = as_float_array(sigma, "sigma")
    check_finite(values, "sigma")
    if np.any(values < 0):
        raise ValueError("sigma must be non-negative")
    try:
        values = np.broadcast_to(values, batch_shape)
    except ValueError:
        raise ValueError(
            f"sigma must be a scalar or have the batch shape {batch_shape}; got shape "
            f"{values.shape}"
        ) from None
    return np.ascontiguousarray(values, dtype=dtype).reshape(-1)
