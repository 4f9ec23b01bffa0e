"""Numba kernels of :mod:`sparserecover.denoising`: noise estimates, SURE thresholds, shrinkage.

Each kernel loops over the rows of a 2-D array (one row per signal, or per signal and level)
so that a whole batch costs one call; the work per row is the O(n) or O(n log n) the method
needs, without numpy's temporaries. Arithmetic is float64 whatever the input dtype.
"""

import math
from collections import namedtuple

import numpy as np
from numba.extending import overload

from sparserecover._selection import median, sort_small

from ._jit import njit

# 1 / Phi^{-1}(3/4): MAD / 0.6745 estimates the standard deviation of Gaussian noise.
_MAD_TO_SIGMA = 1.0 / 0.6744897501960817

# The threshold rules and shrinkage modes travel as instances of these named tuples: the
# kernels dispatch on their types when they are compiled (level_threshold, shrink), so a call
# compiles the one rule and the one mode it uses.
Fixed = namedtuple("Fixed", ["value"])  # this threshold (in the units of the signal)
Universal = namedtuple("Universal", [])  # VisuShrink: sigma sqrt(2 log n)
Sure = namedtuple("Sure", ["garrote"])  # SureShrink with the risk of the garrote or of soft
Bayes = namedtuple("Bayes", [])  # BayesShrink
Soft = namedtuple("Soft", [])
Hard = namedtuple("Hard", [])
Garrote = namedtuple("Garrote", [])


@njit(cache=True)
def mad_sigma_rows(detail, out):
    """out[i] = median(|d - median(d)|) / 0.6745 over row i of ``detail``."""
    work = np.empty(detail.shape[1], dtype=np.float64)
    for i in range(detail.shape[0]):
        out[i] = _mad_sigma(detail[i], work)


@njit(cache=True, boundscheck=False)
def _mad_sigma(values, work):
    """median(|v - median(v)|) / 0.6745 of ``values``; ``work`` holds as many."""
    for j in range(len(values)):
        work[j] = values[j]
    center = median(work)
    for j in range(len(values)):
        work[j] = abs(values[j] - center)
    return median(work) * _MAD_TO_SIGMA


@njit(cache=True)
def shrink_rows(detail, cut, mode):
    """Shrink row i of ``detail`` in place at threshold ``cut[i]`` (see shrink for ``mode``)."""
    for i in range(detail.shape[0]):
        shrink(mode, detail[i], cut[i])


@njit(cache=True)
def level_thresholds(detail, sigma, exponents, rule, n_signal, out):
    """out[i] = the threshold of row i of ``detail`` (one level of signals of ``n_signal``
    samples, noise std ``sigma[i]``, in units of 2**-exponents[i]) by ``rule`` (see
    level_threshold)."""
    work = _threshold_work(detail.shape[1])
    universal = np.sqrt(2.0 * np.log(n_signal))
    for i in range(detail.shape[0]):
        out[i] = level_threshold(rule, detail[i], sigma[i], universal, exponents[i], work)


@njit(cache=True)
def _threshold_work(n):
    """The work space of level_threshold for levels of up to ``n`` coefficients."""
    return (
        np.empty(n, dtype=np.float64),
        np.empty((_SURE_SCRATCH_ROWS, n + 1), dtype=np.float64),
        np.empty(3 * n + 4, dtype=np.int64),
    )


def level_threshold(rule, detail, scale, universal, exponent, work):
    """The threshold of one level ``detail`` with noise std ``scale`` by ``rule``: Fixed
    ``rule.value * 2**exponent`` (the rows are scaled by 2**exponent, see _SAFE_EXPONENT);
    Universal ``scale * universal`` (VisuShrink, with ``universal = sqrt(2 log n)`` for signals
    of n samples); Sure (_sure_threshold, the risk of the garrote if ``rule.garrote``, else of
    soft thresholding, which SureShrink also uses for hard thresholding: being discontinuous,
    it has no unbiased risk estimate); Bayes (_bayes_threshold). ``work`` is
    _threshold_work's. Compiled code only (dispatched on the type of ``rule``)."""
    raise NotImplementedError("level_threshold runs inside the compiled kernels only")


@overload(level_threshold, jit_options={"error_model": "numpy", "boundscheck": False})
def _level_threshold(rule, detail, scale, universal, exponent, work):
    return {
        Fixed: _fixed_threshold,
        Universal: _universal_threshold,
        Sure: _sure_threshold,
        Bayes: _bayes_threshold,
    }.get(rule.instance_class)


def _fixed_threshold(rule, detail, scale, universal, exponent, work):
    return math.ldexp(rule.value, exponent)


def _universal_threshold(rule, detail, scale, universal, exponent, work):
    return scale * universal


def _sure_threshold(rule, detail, scale, universal, exponent, work):
    """SureShrink's hybrid threshold of ``detail`` with noise std ``scale``, for the risk of
    the garrote if ``rule.garrote``, else of soft thresholding.

    With ``z = d / scale`` and ``a_1 <= ... <= a_n`` the sorted ``z**2``, the risk estimate of
    thresholding at ``t**2 = a_k`` is, for soft thresholding (Donoho & Johnstone 1995, eq. 11),
    ``n - 2 k + sum_{i<=k} a_i + (n - k) a_k``, and for the non-negative garrote
    ``d (1 - t**2 / d**2)_+`` (Gao 1998, "Wavelet shrinkage denoising using the non-negative
    garrote") ``-n + sum_{i<=k} a_i + sum_{i>k} (2 + 2 a_k / a_i + a_k**2 / a_i)``. Both increase
    in ``t`` between consecutive ``|z_i|``, so the minimum over ``[0, sqrt(2 log n)]`` is at
    ``t = 0`` (risk ``n``) or at one of the ``|z_i|``. Levels whose energy is too small for SURE
    to be reliable, ``(sum a - n) / n <= log2(n)**1.5 / sqrt(n)``, get the universal threshold
    ``sqrt(2 log n)`` (the hybrid rule, Donoho & Johnstone 1995, section 2.3); ``scale <= 0``
    gives 0.

    The exact minimizer over the candidates, found without sorting the whole level: the
    candidates ``a_i <= 2 log n`` are put into bins of equal width in ``|z|``; per bin the
    count, sum, smallest, largest and sum of inverses give the risk at the bin's largest value
    exactly and a lower bound of the risk at any of its values, so only bins whose lower bound
    reaches the best of those risks can hold the minimizer, and only their values are sorted
    and scanned (in increasing order, keeping the first of equal risks, as a full scan does).

    The threshold ``sqrt(a_k) * sigma`` equals ``|d_k|`` only up to rounding, which would
    decide whether ``d_k`` itself survives ``|d| <= t -> 0``; a jump for hard thresholding,
    and a decision that two correct transforms (different summation orders) can take
    differently. The risk that chose ``t`` counted ``d_k`` as zeroed, so the threshold becomes
    exactly ``|d_k|``: the largest |d| <= t (1 + _SNAP).
    """
    garrote = rule.garrote
    squares, scratch, bins = work
    n = len(detail)
    if scale <= 0.0:
        return 0.0
    universal2 = 2.0 * np.log(n) if n > 1 else 0.0
    sparsity_bound = np.log2(n) ** 1.5 / np.sqrt(n) if n > 1 else 0.0
    # the hybrid rule's test first, from four partial sums (a loop that vectorizes): most
    # fine levels are sparse and need nothing else
    sum0 = sum1 = sum2 = sum3 = 0.0
    n_fours = n // 4 * 4
    for j in range(0, n_fours, 4):
        value0, value1 = float(detail[j]), float(detail[j + 1])
        value2, value3 = float(detail[j + 2]), float(detail[j + 3])
        sum0 += value0 * value0
        sum1 += value1 * value1
        sum2 += value2 * value2
        sum3 += value3 * value3
    for j in range(n_fours, n):
        value0 = float(detail[j])
        sum0 += value0 * value0
    total = (sum0 + sum1 + sum2 + sum3) / (scale * scale)
    if (total - n) / n <= sparsity_bound:
        return np.sqrt(universal2) * scale
    best = 0.0  # (one coefficient: 2 log n = 0, t = 0 is the only candidate)
    if n > 1:
        best = _sure_by_bins(detail, scale, squares[:n], universal2, garrote, scratch, bins)
    if best <= 0.0:
        return 0.0
    limit = best * scale * (1.0 + _SNAP)
    snapped = 0.0
    for j in range(n):
        magnitude = abs(float(detail[j]))
        if magnitude <= limit and magnitude > snapped:
            snapped = magnitude
    return snapped


# The relative distance within which a SURE threshold is the magnitude of a coefficient.
_SNAP = 1e-12


# _sure_by_bins puts about _SURE_PER_BIN candidates in a bin (short levels too: sorting them
# whole instead, in a second function, was no faster and took 0.5 s more to compile).
_SURE_PER_BIN = 4
_SURE_SCRATCH_ROWS = 9


@njit(cache=True, error_model="numpy", boundscheck=False)
def _sure_risk(n, k, cumulative, a, tail_inverse, garrote):
    """Stein's risk estimate at t**2 = a with k values <= a summing to ``cumulative``.

    Soft thresholding: ``n - 2 k + cumulative + (n - k) a`` (Donoho & Johnstone 1995, eq. 11).
    Garrote: ``-n + cumulative + 2 (n - k) + (a**2 + 2 a) tail_inverse`` with ``tail_inverse``
    the sum of 1 / a_i over the values above a (Gao 1998).
    """
    if garrote:
        return -n + cumulative + 2.0 * (n - k) + (a * a + 2.0 * a) * tail_inverse
    return n - 2.0 * k + cumulative + (n - k) * a


@njit(cache=True, error_model="numpy", boundscheck=False)
def _sure_by_bins(detail, scale, squares, universal2, garrote, scratch, bins):
    """The SURE minimizer t**2 over 0 and the values a = ``(detail / scale)**2`` <=
    universal2 (written to ``squares``), without sorting them all: see _sure_threshold."""
    n = len(squares)
    n_bins = max(1, n // _SURE_PER_BIN)
    bins_per_z = n_bins / np.sqrt(universal2)
    work, tails = scratch[0], scratch[1]
    # per bin, and in slot n_bins for the values above universal2 (no branch in the loops)
    count = scratch[2, : n_bins + 1]  # float64 counts are exact far beyond any length here
    total = scratch[3, : n_bins + 1]
    inverse = scratch[4, : n_bins + 1]
    inverse_beyond = scratch[7, :n_bins]  # the inverses of the values above each bin
    lower = scratch[8, :n_bins]
    count[:] = 0.0
    total[:] = 0.0
    inverse[:] = 0.0
    lower[:] = np.inf
    # the squares and the bin of each (n_bins above universal2), in a loop that vectorizes
    index = bins
    for j in range(n):
        value = detail[j] / scale
        a = value * value
        squares[j] = a
        index[j] = min(int(np.sqrt(a) * bins_per_z), n_bins - 1) if a <= universal2 else n_bins
    for j in range(n):
        a = squares[j]
        b = index[j]
        count[b] += 1.0
        total[b] += a
        inverse[b] += 1.0 / a if a > 0.0 else 0.0
    inverse_above = inverse[n_bins]  # the sum of 1 / a over the values above universal2
    # per bin [low, high) (edges in a = z**2): the risk at `high` with the bin's values
    # zeroed bounds the risk of its largest value from above (the risk grows with t between
    # candidates), and k <= (count up to the bin), cumulative >= (sum below) + low,
    # (n - k) a >= (n - k_max) low and tail_inverse >= (the inverses above the bin) bound the
    # risk of any of its values from below
    running = inverse_above
    for b in range(n_bins - 1, -1, -1):
        inverse_beyond[b] = running
        running += inverse[b]
    best_bound = float(n)  # the risk of t = 0
    k_below = 0
    sum_below = 0.0
    for b in range(n_bins):
        if count[b] == 0:
            continue
        k_max = k_below + int(count[b])
        low = (b / bins_per_z) ** 2
        high = min(((b + 1) / bins_per_z) ** 2, universal2)
        risk_high = _sure_risk(n, k_max, sum_below + total[b], high, inverse_beyond[b], garrote)
        best_bound = min(best_bound, risk_high)
        if garrote:
            lower[b] = -n + sum_below + low + 2.0 * (n - k_max) + (low * low + 2.0 * low) * (
                inverse_beyond[b]
            )
        else:
            lower[b] = n - 2.0 * k_max + sum_below + low + (n - k_max) * low
        k_below = k_max
        sum_below += total[b]
    # margin for the different summation order of the bounds (risks are O(n))
    cutoff = best_bound + 1e-9 * n
    # gather the values of the bins that can hold the minimizer, grouped by bin in increasing
    # order (a counting sort by bin), then sort each bin's few values
    # (branch-free: a value of a bin that is not kept is written to the spare slot work[n]
    # and advances nothing)
    start = scratch[5, :n_bins]  # where each kept bin starts in `work`
    position = bins[n : n + n_bins + 1]
    keep = bins[n + n_bins + 1 : n + 2 * n_bins + 2]
    n_work = 0
    for b in range(n_bins):
        if lower[b] <= cutoff:
            start[b] = n_work
            position[b] = n_work
            keep[b] = 1
            n_work += int(count[b])
        else:
            position[b] = n
            keep[b] = 0
    position[n_bins] = n
    keep[n_bins] = 0
    for j in range(n):
        b = index[j]
        work[position[b]] = squares[j]
        position[b] += keep[b]
    best_risk = float(n)
    best = 0.0
    k_below = 0
    sum_below = 0.0
    for b in range(n_bins):
        if count[b] == 0:
            continue
        if lower[b] <= cutoff:
            first = int(start[b])
            last = first + int(count[b])
            sort_small(work[first:last])
            # the tail inverse at each value: the inverses above the bin plus those of the
            # bin's larger values, summed from the small end so that a tiny a_i does not swamp
            # the others by cancellation
            running = inverse_beyond[b]
            for j in range(last - 1, first - 1, -1):
                tails[j] = running
                running += 1.0 / work[j] if work[j] > 0.0 else 0.0
            k = k_below
            cumulative = sum_below
            for j in range(first, last):
                a = work[j]
                k += 1
                cumulative += a
                risk = _sure_risk(n, k, cumulative, a, tails[j], garrote)
                if risk < best_risk:
                    best_risk = risk
                    best = a
        k_below += int(count[b])
        sum_below += total[b]
    return np.sqrt(best)


# --- fused wavelet denoising --------------------------------------------------------------------
#
# One call denoises a whole batch: for every signal and every circular shift, the periodized
# DWT of all levels, each level's threshold, the shrinkage and the inverse DWT, with no Python
# per signal or per level. The transform is written in polyphase form: with the even and odd
# samples of a level in two periodically padded arrays, each filter tap is a contiguous,
# shifted slice, so the inner loops are plain multiply-adds over consecutive samples that
# LLVM vectorizes. PyWavelets' periodization convention (checked against pywt.dwt/idwt) is
#     a[k] = sum_t lo[t] x[(2k + L/2 - t) mod m],   d[k] = sum_t hi[t] x[(2k + L/2 - t) mod m],
# and since the transform is orthonormal the synthesis is its transpose. The filters arrive
# zero-padded to a multiple of _GROUP taps (see denoising._filters: tap t moves to
# t + (P - L) / 2, which keeps x[2k + L/2 - t] = x[2k + P/2 - t'], and the zeros add nothing),
# and each group of _GROUP taps is one pass of a single loop: every filter length runs through
# the same two loops, the default sym4 (8 taps) in one pass per level.
_GROUP = 8

# Rows whose largest magnitude lies in [2**-_SAFE_EXPONENT, 2**_SAFE_EXPONENT] are
# transformed as they are: no square, sum of squares or quotient of the kernels can overflow
# or underflow there (level sums grow by at most 2**32 for any length that fits in memory).
# Other rows are first scaled by a power of two, which is exact, and scaled back at the end:
# the results are those of the scaled computation, to the last bit.
_SAFE_EXPONENT = 400


@njit(cache=True, error_model="numpy", boundscheck=False)
def _in_safe_range(row, buffer):
    """(``row``, 0) if the largest magnitude of ``row`` is 0 or in the safe range, else
    (``buffer`` holding ``row * 2**e``, e) with e the power of two that brings the largest
    magnitude into [0.5, 1)."""
    big = 0.0
    for j in range(len(row)):
        big = max(big, abs(row[j]))
    if big == 0.0 or 2.0**-_SAFE_EXPONENT <= big <= 2.0**_SAFE_EXPONENT:
        return row, 0
    exponent = -math.frexp(big)[1]
    for j in range(len(row)):
        buffer[j] = math.ldexp(row[j], exponent)
    return buffer, exponent


@njit(cache=True, error_model="numpy", boundscheck=False)
def _periodic_pad_pair(first, second, poly, stride, pad):
    """``first`` at poly[pad:], ``second`` at poly[stride + pad:] (same length h), each
    extended periodically by ``pad`` on both sides. (Both callers pass strided views, so that
    this compiles once.)"""
    half = first.shape[0]
    for j in range(half):
        poly[pad + j] = first[j]
        poly[stride + pad + j] = second[j]
    for j in range(pad):
        # coarse levels can be shorter than the padding: the index is taken modulo half
        left = (j - pad) % half
        right = j % half
        poly[j] = first[left]
        poly[stride + j] = second[left]
        poly[pad + half + j] = first[right]
        poly[stride + pad + half + j] = second[right]


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _analysis(x, m, lo, hi, poly, stride, a, d):
    """One DWT level: x[:m] -> a[:m/2], d[:m/2] (periodization); ``a`` may overlap ``x``.

    ``lo`` and ``hi`` have P = _GROUP * G taps; tap t reads x[2k + P/2 - t], so tap
    8 g + u of group g reads what tap u of an 8-tap filter reads, x[2k + 4 - u], moved by
    2 off, off = P/4 - 4 g - 2. ``poly`` holds the even samples of ``x`` at [pad, pad + m/2)
    and the odd ones at [stride + pad, ...), each padded periodically by pad = P/2 >= 2 + |off|.
    """
    n_groups = len(lo) // _GROUP
    pad = len(lo) // 2
    half = m // 2
    _periodic_pad_pair(x[0:m:2], x[1:m:2], poly, stride, pad)
    for g in range(n_groups):
        base = pad + len(lo) // 4 - 4 * g - 2
        # tap u reads even[k + 2 - u/2] (u even) or odd[k + (3 - u)/2] (u odd), moved by off
        e2 = poly[base + 2 : base + 2 + half]
        e1 = poly[base + 1 : base + 1 + half]
        e0 = poly[base : base + half]
        em = poly[base - 1 : base - 1 + half]
        o1 = poly[stride + base + 1 : stride + base + 1 + half]
        o0 = poly[stride + base : stride + base + half]
        om = poly[stride + base - 1 : stride + base - 1 + half]
        on = poly[stride + base - 2 : stride + base - 2 + half]
        t = _GROUP * g
        f0, f1, f2, f3 = lo[t], lo[t + 1], lo[t + 2], lo[t + 3]
        f4, f5, f6, f7 = lo[t + 4], lo[t + 5], lo[t + 6], lo[t + 7]
        g0, g1, g2, g3 = hi[t], hi[t + 1], hi[t + 2], hi[t + 3]
        g4, g5, g6, g7 = hi[t + 4], hi[t + 5], hi[t + 6], hi[t + 7]
        if g == 0:  # the first group assigns, the others add
            for k in range(half):
                v0, v1, v2, v3 = e2[k], o1[k], e1[k], o0[k]
                v4, v5, v6, v7 = e0[k], om[k], em[k], on[k]
                a[k] = (
                    f0 * v0 + f1 * v1 + f2 * v2 + f3 * v3 + f4 * v4 + f5 * v5 + f6 * v6 + f7 * v7
                )
                d[k] = (
                    g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3 + g4 * v4 + g5 * v5 + g6 * v6 + g7 * v7
                )
        else:
            for k in range(half):
                v0, v1, v2, v3 = e2[k], o1[k], e1[k], o0[k]
                v4, v5, v6, v7 = e0[k], om[k], em[k], on[k]
                a[k] += (
                    f0 * v0 + f1 * v1 + f2 * v2 + f3 * v3 + f4 * v4 + f5 * v5 + f6 * v6 + f7 * v7
                )
                d[k] += (
                    g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3 + g4 * v4 + g5 * v5 + g6 * v6 + g7 * v7
                )


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _synthesis(a, d, m, lo, hi, poly, stride, x):
    """The inverse of one level: a[:m/2], d[:m/2] -> x[:m]; ``x`` may overlap ``a``.

    x[2k + P/2 - t] collects lo[t] a[k] + hi[t] d[k]: output 2j the even taps t from
    a[j - P/4 + t/2], output 2j + 1 the odd ones from a[j - P/4 + (t + 1)/2]; in group g
    (t = 8 g + u) that is a[j - 2 + u/2 + off] and a[j - 2 + (u + 1)/2 + off] with
    off = 4 g + 2 - P/4 (and the same from d with ``hi``).
    """
    n_groups = len(lo) // _GROUP
    pad = len(lo) // 2
    half = m // 2
    _periodic_pad_pair(a[0:half:1], d[0:half:1], poly, stride, pad)
    for g in range(n_groups):
        base = pad + 4 * g + 2 - len(lo) // 4
        am2 = poly[base - 2 : base - 2 + half]
        am1 = poly[base - 1 : base - 1 + half]
        a0 = poly[base : base + half]
        a1 = poly[base + 1 : base + 1 + half]
        a2 = poly[base + 2 : base + 2 + half]
        dm2 = poly[stride + base - 2 : stride + base - 2 + half]
        dm1 = poly[stride + base - 1 : stride + base - 1 + half]
        d0 = poly[stride + base : stride + base + half]
        d1 = poly[stride + base + 1 : stride + base + 1 + half]
        d2 = poly[stride + base + 2 : stride + base + 2 + half]
        t = _GROUP * g
        f0, f1, f2, f3 = lo[t], lo[t + 1], lo[t + 2], lo[t + 3]
        f4, f5, f6, f7 = lo[t + 4], lo[t + 5], lo[t + 6], lo[t + 7]
        g0, g1, g2, g3 = hi[t], hi[t + 1], hi[t + 2], hi[t + 3]
        g4, g5, g6, g7 = hi[t + 4], hi[t + 5], hi[t + 6], hi[t + 7]
        if g == 0:  # the first group assigns, the others add
            for j in range(half):
                x[2 * j] = (
                    f0 * am2[j] + g0 * dm2[j] + f2 * am1[j] + g2 * dm1[j]
                    + f4 * a0[j] + g4 * d0[j] + f6 * a1[j] + g6 * d1[j]
                )
                x[2 * j + 1] = (
                    f1 * am1[j] + g1 * dm1[j] + f3 * a0[j] + g3 * d0[j]
                    + f5 * a1[j] + g5 * d1[j] + f7 * a2[j] + g7 * d2[j]
                )
        else:
            for j in range(half):
                x[2 * j] += (
                    f0 * am2[j] + g0 * dm2[j] + f2 * am1[j] + g2 * dm1[j]
                    + f4 * a0[j] + g4 * d0[j] + f6 * a1[j] + g6 * d1[j]
                )
                x[2 * j + 1] += (
                    f1 * am1[j] + g1 * dm1[j] + f3 * a0[j] + g3 * d0[j]
                    + f5 * a1[j] + g5 * d1[j] + f7 * a2[j] + g7 * d2[j]
                )


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def wavelet_denoise_rows(
    rows, sigma, lo, hi, level, rule, mode, shifts, out, noise_lo, noise_hi, shared
):
    """Denoise every (float64) row of ``rows`` into ``out``: for each row and each circular
    shift s = 0, ..., shifts - 1 (the row rolled right by s), ``level`` periodized DWT levels
    with the filters ``lo``/``hi`` (padded, see _GROUP), each level's detail shrunk (shrink,
    ``mode``) at its own threshold (level_threshold, ``rule``, noise std ``sigma[i]``), the
    inverse DWT, rolled back; ``out[i]`` is the mean over the shifts. The length of the rows
    must be divisible by ``2**level``. Rows outside the safe range are scaled by a power of
    two first (see _SAFE_EXPONENT); ``sigma`` and a fixed threshold are in the units of
    ``rows``.

    With ``noise_lo`` non-empty, ``sigma`` is an output: ``sigma[i]`` becomes the noise estimate
    of row i (noise_sigma_rows with the filters ``noise_lo``/``noise_hi``) before the row is
    denoised with it. With ``shared`` (those are the denoising filters), the finest details of
    the unshifted row are those of the estimate, and are not computed twice.
    """
    n_rows, n = rows.shape
    estimate = len(noise_lo) > 0
    stride = n // 2 + len(lo)
    poly = np.empty(2 * stride, dtype=np.float64)
    x = np.empty(n, dtype=np.float64)
    coef = np.empty(n, dtype=np.float64)
    scaled = np.empty(n, dtype=np.float64)
    work = _threshold_work(n // 2)
    universal = np.sqrt(2.0 * np.log(n))
    noise_stride = n // 2 + len(noise_lo)
    noise_poly = np.empty(2 * noise_stride, dtype=np.float64)
    for i in range(n_rows):
        row, exponent = _in_safe_range(rows[i], scaled)
        if estimate and not shared:
            _analysis(row, n, noise_lo, noise_hi, noise_poly, noise_stride, x, coef[n // 2 :])
            scale = _mad_sigma(coef[n // 2 :], work[0])
        else:
            scale = math.ldexp(sigma[i], exponent)
        for shift in range(shifts):
            # the unshifted row is transformed from where it is, and its inverse written
            # straight to `out`: two copies of the row fewer per signal
            source = row
            if shift > 0:
                for j in range(shift):
                    x[j] = row[n - shift + j]
                for j in range(shift, n):
                    x[j] = row[j - shift]
                source = x
            m = n
            for _ in range(level):
                half = m // 2
                detail = coef[half:m]
                _analysis(source if m == n else x, m, lo, hi, poly, stride, x, detail)
                if shared and shift == 0 and m == n:
                    scale = _mad_sigma(detail, work[0])
                cut = level_threshold(rule, detail, scale, universal, exponent, work)
                shrink(mode, detail, cut)
                m = half
            for _ in range(level):
                m *= 2
                target = out[i] if shift == 0 and m == n else x
                _synthesis(x, coef[m // 2 : m], m, lo, hi, poly, stride, target)
            # (shift 0 was written to out[i] by the last inverse level)
            if 0 < shift < shifts - 1:
                for j in range(n - shift):
                    out[i, j] += x[j + shift]
                for j in range(n - shift, n):
                    out[i, j] += x[j + shift - n]
            elif shift > 0:  # the last shift also takes the mean: (sum + x) / shifts
                for j in range(n - shift):
                    out[i, j] = (out[i, j] + x[j + shift]) / shifts
                for j in range(n - shift, n):
                    out[i, j] = (out[i, j] + x[j + shift - n]) / shifts
        if estimate:
            sigma[i] = math.ldexp(scale, -exponent)
        if exponent != 0:
            for j in range(n):
                out[i, j] = math.ldexp(out[i, j], -exponent)


def shrink(mode, detail, cut):
    """Shrink ``detail`` in place at threshold ``cut``: Soft ``d - sign(d) t``, Hard ``d``,
    Garrote ``d - t**2 / d``, and in every mode ``|d| <= t`` gives 0. float64 arithmetic,
    rounded once to the dtype of ``detail``. Compiled code only (dispatched on the type of
    ``mode``).

    Each loop is branch-free, so that it vectorizes (for the garrote the quotient is computed
    and discarded where |d| <= t, including 0 / 0).
    """
    raise NotImplementedError("shrink runs inside the compiled kernels only")


@overload(shrink, jit_options={"error_model": "numpy", "boundscheck": False})
def _shrink(mode, detail, cut):
    kind = mode.instance_class
    if kind is Soft:

        def soft(mode, detail, cut):
            for j in range(len(detail)):
                d = float(detail[j])
                detail[j] = d - np.copysign(cut, d) if abs(d) > cut else 0.0

        return soft
    if kind is Garrote:

        def garrote(mode, detail, cut):
            square = cut * cut
            for j in range(len(detail)):
                d = float(detail[j])
                detail[j] = d - square / d if abs(d) > cut else 0.0

        return garrote
    if kind is Hard:

        def hard(mode, detail, cut):
            for j in range(len(detail)):
                d = float(detail[j])
                detail[j] = d if abs(d) > cut else 0.0

        return hard
    return None


def _bayes_threshold(rule, detail, scale, universal, exponent, work):
    """BayesShrink (Chang, Yu & Vetterli 2000, eq. 12): ``scale**2 / sigma_f``.

    Under a generalized Gaussian prior, ``T = sigma**2 / sigma_f`` is close to the Bayes-risk
    minimizing soft threshold; ``sigma_f**2 = max(mean(d**2) - sigma**2, 0)`` is the variance
    of the noise-free coefficients. ``sigma_f = 0`` gives an infinite threshold (all noise).
    """
    total = 0.0
    for j in range(len(detail)):
        value = float(detail[j])
        total += value * value
    noise_var = scale * scale
    signal_var = max(total / len(detail) - noise_var, 0.0)
    if signal_var > 0.0:
        return noise_var / np.sqrt(signal_var)
    return np.inf


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def noise_sigma_rows(rows, lo, hi, out):
    """out[i] = MAD / 0.6745 of the finest periodized DWT details of row i (padded filters
    lo/hi, see _GROUP; rows outside the safe range scaled by a power of two meanwhile).

    The fused form of ``pywt.dwt(rows, mode="periodization")`` followed by mad_sigma_rows;
    the length of the rows must be even.
    """
    n_rows, n = rows.shape
    stride = n // 2 + len(lo)
    poly = np.empty(2 * stride, dtype=np.float64)
    approximation = np.empty(n // 2, dtype=np.float64)
    detail = np.empty(n // 2, dtype=np.float64)
    scaled = np.empty(n, dtype=np.float64)
    work = np.empty(n // 2, dtype=np.float64)
    for i in range(n_rows):
        row, exponent = _in_safe_range(rows[i], scaled)
        _analysis(row, n, lo, hi, poly, stride, approximation, detail)
        out[i] = math.ldexp(_mad_sigma(detail, work), -exponent)


# --- separable transforms: images, volumes, and the stationary transform ------------------------
#
# The n-D transforms apply a 1-D transform along one axis at a time. An array is seen as
# (P, n, Q): P the product of the sizes before the axis, Q after it, so that the innermost
# loops run over Q contiguous values (vectorized), and one call transforms every batch element
# and every subband at once. The two halves of a transform along an axis go to out[0] (lowpass)
# and out[1] (highpass), so after the d axes of one level the 2**d subbands lie in one array,
# the lowpass of every axis first (see denoising._SeparableTransform).
#
# With dilation 0 the transform is PyWavelets' periodized DWT (pywt.dwt(..., "periodization"),
# an odd length extended by its last sample), h = ceil(n / 2) outputs:
#     out[k] = sum_t f[t] x[(2k + L/2 - t) mod n'],  n' = n rounded up to even;
# with dilation s >= 1, the stationary (undecimated, "a trous") transform of pywt.swt, level
# log2(s) + 1, h = n outputs:
#     out[k] = sum_t f[t] x[(k + s (L/2 - t)) mod n].
# The synthesis is the transpose (orthonormal filters), halved for the stationary transform,
# whose analysis operator T has T^T T = 2 I: its pseudo-inverse, which is pywt.iswt.


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def analysis_axis(x, lo, hi, dilation, out):
    """x (P, n, Q) -> out[0] = lowpass, out[1] = highpass, each (P, h, Q) (see above)."""
    n_outer, n, n_inner = x.shape
    h = out.shape[2]
    n_taps = len(lo)
    stride, step, period = (2, 1, n + n % 2) if dilation == 0 else (1, dilation, n)
    center = n_taps // 2
    if n_inner == 1:
        # Along the last axis, row by row: the row, extended periodically by `pad` samples
        # on both sides (and split into its even and odd samples when decimating: `pad` is
        # even, so parities hold), so that every tap reads a contiguous slice.
        pad = step * n_taps
        padded = np.empty(period + 2 * pad + 2, dtype=np.float64)
        half = (period + 2 * pad) // 2
        rows, lows, highs = x.reshape(n_outer, n), out[0].reshape(n_outer, h), out[1].reshape(
            n_outer, h
        )
        for p in range(n_outer):
            row, low, high = rows[p], lows[p], highs[p]
            _padded_row(row, period, pad, stride, padded)
            for k in range(h):
                low[k] = 0.0
                high[k] = 0.0
            for t in range(n_taps):
                f, g = lo[t], hi[t]
                first = step * (center - t) + pad  # where output 0 reads in the padded row
                if stride == 2:
                    source = padded[first % 2 * half + first // 2 :]
                else:
                    source = padded[first:]
                for k in range(h):
                    low[k] += f * source[k]
                    high[k] += g * source[k]
        return
    for p in range(n_outer):
        for k in range(h):
            for q in range(n_inner):
                out[0, p, k, q] = 0.0
                out[1, p, k, q] = 0.0
        for t in range(n_taps):
            f, g = lo[t], hi[t]
            # tap t reads (stride k + offset) mod period, which wraps once, at k = wrap; the
            # extra sample of an odd length (index n) repeats the last one
            offset = step * (center - t) % period
            wrap = min(h, (period - offset + stride - 1) // stride)
            for k in range(h):
                index = min(stride * k + offset - (period if k >= wrap else 0), n - 1)
                for q in range(n_inner):
                    value = x[p, index, q]
                    out[0, p, k, q] += f * value
                    out[1, p, k, q] += g * value


@njit(cache=True, error_model="numpy", boundscheck=False)
def _padded_row(row, period, pad, stride, padded):
    """``row`` (its last sample repeated up to ``period``), extended periodically by ``pad``
    on both sides, in ``padded``; with stride 2, its even samples first, then its odd ones
    (from ``(period + 2 pad) / 2`` on). Only the padding takes a remainder per value."""
    n = len(row)
    length = period + 2 * pad
    half = length // 2
    if stride == 2:
        for i in range(n // 2):
            padded[pad // 2 + i] = row[2 * i]
            padded[half + pad // 2 + i] = row[2 * i + 1]
        if n % 2:  # (the extension's sample, index n, repeats the last one)
            padded[pad // 2 + n // 2] = row[n - 1]
            padded[half + pad // 2 + n // 2] = row[n - 1]
    else:
        for i in range(n):
            padded[pad + i] = row[i]
    for j in range(2 * pad):  # the padding: i in [0, pad) and [pad + period, length)
        i = j if j < pad else j + period
        value = row[min((i - pad) % period, n - 1)]
        if stride == 2:
            padded[i % 2 * half + i // 2] = value
        else:
            padded[i] = value


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def synthesis_axis(z, lo, hi, dilation, x):
    """The inverse of analysis_axis: z[0], z[1] (P, h, Q) -> x (P, n, Q); for an odd n the
    transform's extra sample is dropped (the exact inverse of the extension)."""
    n_outer, n, n_inner = x.shape
    h = z.shape[2]
    n_taps = len(lo)
    stride, step, period = (2, 1, n + n % 2) if dilation == 0 else (1, dilation, n)
    scale = 1.0 if dilation == 0 else 0.5
    center = n_taps // 2
    if n_inner == 1:
        # Along the last axis: every tap adds to a contiguous slice of a padded row (of its
        # even or odd samples when decimating), whose padding is then folded back.
        pad = step * n_taps
        length = period + 2 * pad
        half = length // 2
        padded = np.empty(length + 2, dtype=np.float64)
        lows, highs = z[0].reshape(n_outer, h), z[1].reshape(n_outer, h)
        rows = x.reshape(n_outer, n)
        for p in range(n_outer):
            low, high, row = lows[p], highs[p], rows[p]
            for i in range(length + 2):
                padded[i] = 0.0
            for t in range(n_taps):
                f, g = scale * lo[t], scale * hi[t]
                first = step * (center - t) + pad
                if stride == 2:
                    target = padded[first % 2 * half + first // 2 :]
                else:
                    target = padded[first:]
                for k in range(h):
                    target[k] += f * low[k] + g * high[k]
            if stride == 2:
                for i in range(n // 2):
                    row[2 * i] = padded[pad // 2 + i]
                    row[2 * i + 1] = padded[half + pad // 2 + i]
                if n % 2:
                    row[n - 1] = padded[pad // 2 + n // 2]
            else:
                for i in range(n):
                    row[i] = padded[pad + i]
            for j in range(2 * pad):  # fold the padding back (an odd n drops index n)
                i = j if j < pad else j + period
                index = (i - pad) % period
                if index < n:
                    row[index] += padded[i % 2 * half + i // 2] if stride == 2 else padded[i]
        return
    for p in range(n_outer):
        for k in range(n):
            for q in range(n_inner):
                x[p, k, q] = 0.0
        for t in range(n_taps):
            f, g = scale * lo[t], scale * hi[t]
            offset = step * (center - t) % period
            wrap = min(h, (period - offset + stride - 1) // stride)
            for k in range(h):
                index = stride * k + offset - (period if k >= wrap else 0)
                if index < n:
                    for q in range(n_inner):
                        x[p, index, q] += f * z[0, p, k, q] + g * z[1, p, k, q]


@njit(cache=True, error_model="numpy", boundscheck=False)
def box_sum_axis(x, half, square, out):
    """out[p, k, q] = sum of x[p, (k + u) mod n, q] (of its square if ``square``) over
    u = -half, ..., half: a periodic moving sum along the middle axis."""
    n_outer, n, n_inner = x.shape
    if n_inner == 1:  # along the last axis: a periodically padded copy of each row
        rows, sums = x.reshape(n_outer, n), out.reshape(n_outer, n)
        padded = np.empty(n + 2 * half + 2, dtype=np.float64)
        for p in range(n_outer):
            # (stride n_inner = 1: a variable, not the literal 1, which would compile again)
            _padded_row(rows[p], n, half, n_inner, padded)
            target = sums[p]
            if square:
                for i in range(n + 2 * half):
                    padded[i] *= padded[i]
            for k in range(n):
                target[k] = padded[k]
            for u in range(1, 2 * half + 1):
                for k in range(n):
                    target[k] += padded[u + k]
        return
    for p in range(n_outer):  # a running sum: add the row entering, drop the one leaving
        for q in range(n_inner):
            out[p, 0, q] = 0.0
        for u in range(-half, half + 1):
            index = u % n
            for q in range(n_inner):
                value = x[p, index, q]
                out[p, 0, q] += value * value if square else value
        entering, leaving = half % n, (-half - 1) % n  # for k = 0
        for k in range(1, n):
            entering = entering + 1 if entering + 1 < n else 0
            leaving = leaving + 1 if leaving + 1 < n else 0
            for q in range(n_inner):
                added, dropped = x[p, entering, q], x[p, leaving, q]
                if square:
                    added, dropped = added * added, dropped * dropped
                out[p, k, q] = out[p, k - 1, q] + added - dropped


@njit(cache=True, error_model="numpy", boundscheck=False)
def bivariate_shrink(detail, parent, energy, sigma, count, sizes, upsample, mode):
    """Bivariate shrinkage with local variance estimation (Sendur & Selesnick 2002, "Bivariate
    shrinkage with local variance estimation", IEEE Signal Process. Lett. 9): in place, every
    coefficient d of ``detail`` (K, B, M) (K subbands of B signals, each of ``sizes``
    flattened) becomes ``d * shrink(r, t) / r`` with r = sqrt(d**2 + p**2), p its parent (the
    coefficient at the same place and orientation one level coarser, in ``parent``
    (K, B, M'): at the same index, or with ``upsample`` (the decimated transform) at the
    index halved along every axis; an empty ``parent`` means none, p = 0), and the threshold
    t = sqrt(3) sigma**2 / sigma_x, sigma = sigma[b] the noise std and
    sigma_x**2 = max(energy / count - sigma**2, 0) the local signal variance, ``energy`` the
    sum of d**2 over the ``count`` coefficients of a window around d. ``mode`` Soft is the
    paper's MAP estimator, ``(r - t)_+``; Garrote ``r - t**2 / r``, Hard ``r 1(r > t)``.
    """
    n_bands, n_signals, size = detail.shape
    n_axes = len(sizes)
    last = sizes[n_axes - 1]
    # the strides of the parent's axes, and the child's index along all but the last axis,
    # counted up row by row; the parent's row follows at half the pace
    parent_strides = np.empty(n_axes, dtype=np.int64)
    parent_strides[n_axes - 1] = 1
    for a in range(n_axes - 2, -1, -1):
        parent_strides[a] = parent_strides[a + 1] * ((sizes[a + 1] + 1) // 2)
    counter = np.empty(n_axes, dtype=np.int64)
    parents = np.empty(last, dtype=np.float64)  # the parents of one row of children
    root3 = np.sqrt(3.0)
    for b in range(n_signals):
        noise_var = sigma[b] * sigma[b]
        for band in range(n_bands):
            counter[:] = 0
            parent_row = 0
            for start in range(0, size, last):
                for k in range(last):
                    if parent.shape[2] == 0:
                        parents[k] = 0.0
                    elif upsample:
                        parents[k] = parent[band, b, parent_row + (k >> 1)]
                    else:
                        parents[k] = parent[band, b, start + k]
                row = detail[band, b, start : start + last]
                local = energy[band, b, start : start + last]
                for k in range(last):  # branch-free, so that it vectorizes
                    d, p = row[k], parents[k]
                    # (no signal in the window, variance <= 0: an infinite threshold, d -> 0)
                    cut = root3 * noise_var / np.sqrt(max(local[k] / count - noise_var, 0.0))
                    row[k] = d * bivariate_gain(mode, np.sqrt(d * d + p * p), cut)
                a = n_axes - 2  # the next row: count up the index along the other axes
                while a >= 0:
                    counter[a] += 1
                    parent_row += parent_strides[a] if counter[a] % 2 == 0 else 0
                    if counter[a] < sizes[a]:
                        break
                    parent_row -= sizes[a] // 2 * parent_strides[a]
                    counter[a] = 0
                    a -= 1


def bivariate_gain(mode, radius, cut):
    """shrink(radius, cut) / radius for the shrinkage ``mode`` (0 where radius <= cut).
    Compiled code only (dispatched on the type of ``mode``)."""
    raise NotImplementedError("bivariate_gain runs inside the compiled kernels only")


# Radii below this are those of coefficients d = p = 0 (the signals are scaled, see
# _SAFE_EXPONENT): the gains, branch-free so that the loops vectorize, then stay finite.
_TINY = 1e-300


@overload(bivariate_gain, jit_options={"error_model": "numpy"})
def _bivariate_gain(mode, radius, cut):
    kind = mode.instance_class
    if kind is Soft:
        return lambda mode, radius, cut: max(radius - cut, 0.0) / max(radius, _TINY)
    if kind is Garrote:
        return lambda mode, radius, cut: max(1.0 - (cut / max(radius, _TINY)) ** 2, 0.0)
    if kind is Hard:
        return lambda mode, radius, cut: 1.0 if radius > cut else 0.0
    return None
