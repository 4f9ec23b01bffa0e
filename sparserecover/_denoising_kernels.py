"""Numba kernels of :mod:`sparserecover.denoising`: noise estimates, SURE thresholds, shrinkage.

Each kernel loops over the rows of a 2-D array (one row per signal, or per signal and level)
so that a whole batch costs one call; the work per row is the O(n) or O(n log n) the method
needs, without numpy's temporaries. Arithmetic is float64 whatever the input dtype.
"""

import numpy as np

from sparserecover._selection import median, sort_small

from ._jit import njit

# 1 / Phi^{-1}(3/4): MAD / 0.6745 estimates the standard deviation of Gaussian noise.
_MAD_TO_SIGMA = 1.0 / 0.6744897501960817

_FIXED, _UNIVERSAL, _SURE, _BAYES = 0, 1, 2, 3  # threshold rule codes of _level_threshold
THRESHOLD_CODES = {"fixed": _FIXED, "universal": _UNIVERSAL, "sure": _SURE, "bayes": _BAYES}
_SOFT, _HARD, _GARROTE = 0, 1, 2  # mode codes of _shrink (the order of denoising._MODES)


@njit(cache=True)
def mad_sigma_rows(detail, out):
    """out[i] = median(|d - median(d)|) / 0.6745 over row i of ``detail``."""
    n = detail.shape[1]
    work = np.empty(n, dtype=np.float64)
    scratch = np.empty(n, dtype=np.float64)
    for i in range(detail.shape[0]):
        out[i] = _mad_sigma(detail[i], work, scratch)


@njit(cache=True, boundscheck=False)
def _mad_sigma(values, work, scratch):
    """median(|v - median(v)|) / 0.6745 of ``values``; ``work`` and ``scratch`` hold as many."""
    for j in range(len(values)):
        work[j] = values[j]
    center = median(work, scratch)
    for j in range(len(values)):
        work[j] = abs(values[j] - center)
    return median(work, scratch) * _MAD_TO_SIGMA


@njit(cache=True)
def shrink_rows(detail, cut, mode):
    """Shrink row i of ``detail`` in place at threshold ``cut[i]`` (see _shrink for ``mode``)."""
    for i in range(detail.shape[0]):
        _shrink(detail[i], cut[i], mode)


@njit(cache=True)
def level_thresholds(detail, sigma, threshold, value, garrote, n_signal, out):
    """out[i] = the threshold of row i of ``detail`` (one level of signals of length
    ``n_signal``, noise std ``sigma[i]``) by the rule ``threshold`` (see _level_threshold)."""
    n = detail.shape[1]
    squares = np.empty(n, dtype=np.float64)
    scratch = np.empty((_SURE_SCRATCH_ROWS, n + 1), dtype=np.float64)
    bins = np.empty(3 * n + 4, dtype=np.int64)
    universal = np.sqrt(2.0 * np.log(n_signal))
    for i in range(detail.shape[0]):
        out[i] = _level_threshold(
            detail[i], float(sigma[i]), threshold, value, garrote, universal, squares, scratch,
            bins,
        )


@njit(cache=True, error_model="numpy", boundscheck=False)
def _level_threshold(detail, scale, threshold, value, garrote, universal, squares, scratch, bins):
    """The threshold of one level ``detail`` with noise std ``scale``, by the rule code
    ``threshold``: _FIXED ``value``; _UNIVERSAL ``scale * universal`` (VisuShrink, with
    ``universal = sqrt(2 log n)`` for signals of length n); _SURE (_sure_threshold, the risk
    of the garrote if ``garrote``, else of soft thresholding, which SureShrink also uses for
    hard thresholding: being discontinuous, it has no unbiased risk estimate); _BAYES
    (_bayes_threshold). ``squares``, ``scratch`` and ``bins`` are _sure_threshold's work space.
    """
    if threshold == _FIXED:
        return value
    if threshold == _UNIVERSAL:
        return scale * universal
    if threshold == _SURE:
        return _sure_threshold(detail, scale, garrote, squares, scratch, bins)
    return _bayes_threshold(detail, scale)


@njit(cache=True, error_model="numpy", boundscheck=False)
def _sure_threshold(detail, scale, garrote, squares, scratch, bins):
    """SureShrink's hybrid threshold of ``detail`` with noise std ``scale``; ``squares``
    (n values), ``scratch`` (shape (_SURE_SCRATCH_ROWS, n + 1)) and ``bins`` (3 n + 4
    integers) are work space.

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
    """
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
    if n < _SURE_MIN_BINNED:
        for j in range(n):
            value = detail[j] / scale
            squares[j] = value * value
        best = _sure_by_sorting(squares[:n], universal2, garrote, scratch[0])
    else:
        best = _sure_by_bins(detail, scale, squares[:n], universal2, garrote, scratch, bins)
    return _snap_to_coefficient(detail, best * scale)


# The relative distance within which a SURE threshold is the magnitude of a coefficient.
_SNAP = 1e-12


@njit(cache=True, error_model="numpy", boundscheck=False)
def _snap_to_coefficient(detail, cut):
    """The largest |d| <= cut (1 + _SNAP): the coefficient magnitude SURE chose.

    The threshold ``sqrt(a_k) * sigma`` equals ``|d_k|`` only up to rounding, which would
    decide whether ``d_k`` itself survives ``|d| <= t -> 0``; a jump for hard thresholding,
    and a decision that two correct transforms (different summation orders) can take
    differently. The risk that chose ``t`` counted ``d_k`` as zeroed, so the threshold
    becomes exactly ``|d_k|``.
    """
    if cut <= 0.0:
        return cut
    limit = cut * (1.0 + _SNAP)
    snapped = 0.0
    for j in range(len(detail)):
        magnitude = abs(float(detail[j]))
        if magnitude <= limit and magnitude > snapped:
            snapped = magnitude
    return snapped


# Levels shorter than this are sorted whole; longer ones go through _sure_by_bins with about
# _SURE_PER_BIN candidates per bin.
_SURE_MIN_BINNED = 64
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
def _sure_by_sorting(squares, universal2, garrote, tail_inverse):
    """The SURE minimizer t**2 over 0 and the ``squares`` <= universal2 (sorts ``squares``)."""
    n = len(squares)
    sort_small(squares)
    if garrote:
        # tail_inverse[k] = sum_{i >= k} 1 / a_i (0-based), summed from the small end of
        # the tail so that a tiny a_i does not swamp the others by cancellation
        tail_inverse[n] = 0.0
        for k in range(n - 1, -1, -1):
            tail_inverse[k] = tail_inverse[k + 1] + (1.0 / squares[k] if squares[k] > 0.0 else 0.0)
    best_risk = float(n)  # t = 0 keeps every coefficient: risk n for either rule
    best = 0.0
    cumulative = 0.0
    for k in range(1, n + 1):
        a = squares[k - 1]
        if a > universal2:
            break
        cumulative += a
        risk = _sure_risk(n, k, cumulative, a, tail_inverse[k] if garrote else 0.0, garrote)
        if risk < best_risk:
            best_risk = risk
            best = a
    return np.sqrt(best)


@njit(cache=True, error_model="numpy", boundscheck=False)
def _sure_by_bins(detail, scale, squares, universal2, garrote, scratch, bins):
    """_sure_by_sorting of ``(detail / scale)**2`` (written to ``squares``) without sorting
    everything: see _sure_threshold."""
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
            # bin's larger values, summed from the small end as _sure_by_sorting does
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
# and since the transform is orthonormal the synthesis is its transpose.


@njit(cache=True, error_model="numpy", boundscheck=False)
def _polyphase_split(x, m, poly, stride, pad):
    """x[:m] -> its even samples at poly[pad:pad + m/2] and odd ones at poly[stride + pad:],
    each extended periodically by ``pad`` on both sides."""
    _periodic_pad_pair(x[0:m:2], x[1:m:2], poly, stride, pad)


@njit(cache=True, error_model="numpy", boundscheck=False)
def _periodic_pad_pair(first, second, poly, stride, pad):
    """``first`` at poly[pad:], ``second`` at poly[stride + pad:] (same length h), each
    extended periodically by ``pad`` on both sides."""
    half = first.shape[0]
    for j in range(half):
        poly[pad + j] = first[j]
        poly[stride + pad + j] = second[j]
    for j in range(pad):
        # coarse levels can be shorter than the padding: _wrap takes the index modulo half
        left = _wrap(j - pad, half)
        right = _wrap(j, half)
        poly[j] = first[left]
        poly[stride + j] = second[left]
        poly[pad + half + j] = first[right]
        poly[stride + pad + half + j] = second[right]


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _analysis(x, m, lo, hi, poly, stride, pad, a, d):
    """One DWT level: x[:m] -> a[:m/2], d[:m/2] (periodization).

    ``poly`` holds the even samples at ``[0, stride)`` and the odd ones at ``[stride, 2 stride)``,
    each periodically padded by ``pad`` on both sides.
    """
    n_taps = len(lo)
    half = m // 2
    _polyphase_split(x, m, poly, stride, pad)
    # tap t reads x[2k + c], c = L/2 - t: the even array at k + c/2 or the odd one at
    # k + (c - 1)/2; taps go four at a time to halve the accumulator traffic
    t = 0
    while t < n_taps:
        group = min(4, n_taps - t)
        s0 = _tap_slice(poly, stride, pad, n_taps // 2 - t, half)
        s1 = _tap_slice(poly, stride, pad, n_taps // 2 - t - 1, half)
        if group >= 4:
            s2 = _tap_slice(poly, stride, pad, n_taps // 2 - t - 2, half)
            s3 = _tap_slice(poly, stride, pad, n_taps // 2 - t - 3, half)
            f0, f1, f2, f3 = lo[t], lo[t + 1], lo[t + 2], lo[t + 3]
            g0, g1, g2, g3 = hi[t], hi[t + 1], hi[t + 2], hi[t + 3]
            if t == 0:  # the first group initializes the sums
                for k in range(half):
                    v0, v1, v2, v3 = s0[k], s1[k], s2[k], s3[k]
                    a[k] = f0 * v0 + f1 * v1 + f2 * v2 + f3 * v3
                    d[k] = g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3
            else:
                for k in range(half):
                    v0, v1, v2, v3 = s0[k], s1[k], s2[k], s3[k]
                    a[k] += f0 * v0 + f1 * v1 + f2 * v2 + f3 * v3
                    d[k] += g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3
        else:  # the filter length is even: two taps are left
            f0, f1, g0, g1 = lo[t], lo[t + 1], hi[t], hi[t + 1]
            if t == 0:
                for k in range(half):
                    v0, v1 = s0[k], s1[k]
                    a[k] = f0 * v0 + f1 * v1
                    d[k] = g0 * v0 + g1 * v1
            else:
                for k in range(half):
                    v0, v1 = s0[k], s1[k]
                    a[k] += f0 * v0 + f1 * v1
                    d[k] += g0 * v0 + g1 * v1
        t += group


# Filters of up to _SHORT taps (haar, db2-db4, sym2-sym4: the default sym4 among them) run
# through single-pass forms of the two steps above, zero-padded to _SHORT taps: every output
# is then finished in one pass, without partial sums in memory or an interleaving pass.
_SHORT = 8


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _analysis_short(x, m, lo, hi, poly, stride, a, d):
    """_analysis for filters zero-padded to _SHORT taps (tap t reads x[2k + 4 - t])."""
    pad = _SHORT // 2
    half = m // 2
    _polyphase_split(x, m, poly, stride, pad)
    # even taps t = 0, 2, 4, 6 read even[k + 2 - t/2]; odd taps t = 1, 3, 5, 7 read
    # odd[k + (3 - t)/2]
    e2 = poly[pad + 2 : pad + 2 + half]
    e1 = poly[pad + 1 : pad + 1 + half]
    e0 = poly[pad : pad + half]
    em = poly[pad - 1 : pad - 1 + half]
    o1 = poly[stride + pad + 1 : stride + pad + 1 + half]
    o0 = poly[stride + pad : stride + pad + half]
    om = poly[stride + pad - 1 : stride + pad - 1 + half]
    on = poly[stride + pad - 2 : stride + pad - 2 + half]
    f0, f1, f2, f3, f4, f5, f6, f7 = lo[0], lo[1], lo[2], lo[3], lo[4], lo[5], lo[6], lo[7]
    g0, g1, g2, g3, g4, g5, g6, g7 = hi[0], hi[1], hi[2], hi[3], hi[4], hi[5], hi[6], hi[7]
    for k in range(half):
        v0, v1, v2, v3 = e2[k], o1[k], e1[k], o0[k]
        v4, v5, v6, v7 = e0[k], om[k], em[k], on[k]
        a[k] = (
            f0 * v0 + f1 * v1 + f2 * v2 + f3 * v3 + f4 * v4 + f5 * v5 + f6 * v6 + f7 * v7
        )
        d[k] = (
            g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3 + g4 * v4 + g5 * v5 + g6 * v6 + g7 * v7
        )


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _synthesis_short(a, d, m, lo, hi, poly, stride, x):
    """_synthesis for filters zero-padded to _SHORT taps; ``x`` may overlap ``a``.

    Output 2j collects the even taps t from a[j - 2 + t/2], output 2j + 1 the odd ones from
    a[j - 1 + (t - 1)/2] (and the same from d with ``hi``).
    """
    pad = _SHORT // 2
    half = m // 2
    _periodic_pad_pair(a[:half], d[:half], poly, stride, pad)
    am2 = poly[pad - 2 : pad - 2 + half]
    am1 = poly[pad - 1 : pad - 1 + half]
    a0 = poly[pad : pad + half]
    a1 = poly[pad + 1 : pad + 1 + half]
    a2 = poly[pad + 2 : pad + 2 + half]
    dm2 = poly[stride + pad - 2 : stride + pad - 2 + half]
    dm1 = poly[stride + pad - 1 : stride + pad - 1 + half]
    d0 = poly[stride + pad : stride + pad + half]
    d1 = poly[stride + pad + 1 : stride + pad + 1 + half]
    d2 = poly[stride + pad + 2 : stride + pad + 2 + half]
    f0, f1, f2, f3, f4, f5, f6, f7 = lo[0], lo[1], lo[2], lo[3], lo[4], lo[5], lo[6], lo[7]
    g0, g1, g2, g3, g4, g5, g6, g7 = hi[0], hi[1], hi[2], hi[3], hi[4], hi[5], hi[6], hi[7]
    for j in range(half):
        x[2 * j] = (
            f0 * am2[j] + g0 * dm2[j] + f2 * am1[j] + g2 * dm1[j]
            + f4 * a0[j] + g4 * d0[j] + f6 * a1[j] + g6 * d1[j]
        )
        x[2 * j + 1] = (
            f1 * am1[j] + g1 * dm1[j] + f3 * a0[j] + g3 * d0[j]
            + f5 * a1[j] + g5 * d1[j] + f7 * a2[j] + g7 * d2[j]
        )


@njit(cache=True)
def _padded_filters(lo, hi):
    """``lo``, ``hi`` as _SHORT-tap filters: tap t moves to t + (_SHORT - L) / 2, which keeps
    x[2k + L/2 - t] = x[2k + _SHORT/2 - t'], zeros around (exact: they add nothing)."""
    shift = (_SHORT - len(lo)) // 2
    lo_short = np.zeros(_SHORT, dtype=lo.dtype)
    hi_short = np.zeros(_SHORT, dtype=hi.dtype)
    lo_short[shift : shift + len(lo)] = lo
    hi_short[shift : shift + len(hi)] = hi
    return lo_short, hi_short


@njit(cache=True)
def _forward(x, m, lo, hi, poly, stride, pad, a, d):
    """One analysis level, through the single-pass form when ``lo`` has _SHORT taps."""
    if len(lo) == _SHORT:
        _analysis_short(x, m, lo, hi, poly, stride, a, d)
    else:
        _analysis(x, m, lo, hi, poly, stride, pad, a, d)


@njit(cache=True)
def _inverse(a, d, m, lo, hi, poly, stride, pad, x):
    """One synthesis level, through the single-pass form when ``lo`` has _SHORT taps."""
    if len(lo) == _SHORT:
        _synthesis_short(a, d, m, lo, hi, poly, stride, x)
    else:
        _synthesis(a, d, m, lo, hi, poly, stride, pad, x)


@njit(cache=True)
def _wrap(i, m):
    """i mod m for i >= -m * (a few): a loop, cheaper than an integer division here."""
    while i < 0:
        i += m
    while i >= m:
        i -= m
    return i


@njit(cache=True, boundscheck=False)
def _tap_slice(poly, stride, pad, c, length):
    """The samples x[2k + c], k = 0, 1, ..., as a slice of the padded polyphase array."""
    if c % 2 == 0:
        start = pad + c // 2
    else:
        start = stride + pad + (c - 1) // 2
    return poly[start : start + length]


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _synthesis(a, d, m, lo, hi, poly, stride, pad, x):
    """The inverse of one level: a[:m/2], d[:m/2] -> x[:m]; ``x`` may overlap ``a``.

    x[2k + c] += lo[t] a[k] + hi[t] d[k] with c = L/2 - t: output 2j collects the taps with
    even c from a[j - c/2], output 2j + 1 those with odd c from a[j - (c - 1)/2].
    """
    n_taps = len(lo)
    half = m // 2
    # padded copies: a at poly[0:stride], d at poly[stride:2 stride], then the outputs
    _periodic_pad_pair(a[:half], d[:half], poly, stride, pad)
    even = poly[2 * stride : 2 * stride + half]
    odd = poly[3 * stride : 3 * stride + half]
    for parity in range(2):
        out = even if parity == 0 else odd
        # the taps of this parity are t = first, first + 2, ...; up to four per pass
        t = (n_taps // 2 - parity) % 2
        first_pass = True
        while t < n_taps:
            group = min(2, (n_taps - t + 1) // 2)
            # taps beyond the group get zero weights on a valid slice
            s0, s1, s2, s3 = pad, pad, pad, pad
            f0, f1, f2, f3 = lo[t], 0.0, 0.0, 0.0
            g0, g1, g2, g3 = hi[t], 0.0, 0.0, 0.0
            s0 = pad - (n_taps // 2 - t - parity) // 2
            if group > 1:
                s1 = s0 + 1  # two taps on: c drops by 2, the read moves one sample on
                f1, g1 = lo[t + 2], hi[t + 2]
            if group > 2:
                s2 = s0 + 2
                f2, g2 = lo[t + 4], hi[t + 4]
            if group > 3:
                s3 = s0 + 3
                f3, g3 = lo[t + 6], hi[t + 6]
            _synthesis_pass(
                out, poly, stride, half, s0, s1, s2, s3, f0, f1, f2, f3, g0, g1, g2, g3, group,
                first_pass,
            )
            first_pass = False
            t += 2 * group
    for j in range(half):
        x[2 * j] = even[j]
        x[2 * j + 1] = odd[j]


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def _synthesis_pass(
    out, poly, stride, half, s0, s1, s2, s3, f0, f1, f2, f3, g0, g1, g2, g3, group, first_pass
):
    """out[j] (+)= sum_u f_u a[j + s_u - pad] + g_u d[j + s_u - pad] over the first ``group`` u.

    ``a`` and ``d`` are the padded arrays at ``poly[0:stride]`` and ``poly[stride:2 stride]``.
    """
    a0 = poly[s0 : s0 + half]
    d0 = poly[stride + s0 : stride + s0 + half]
    if group == 1:
        if first_pass:
            for j in range(half):
                out[j] = f0 * a0[j] + g0 * d0[j]
        else:
            for j in range(half):
                out[j] += f0 * a0[j] + g0 * d0[j]
        return
    a1 = poly[s1 : s1 + half]
    d1 = poly[stride + s1 : stride + s1 + half]
    if group == 2:
        if first_pass:
            for j in range(half):
                out[j] = f0 * a0[j] + g0 * d0[j] + f1 * a1[j] + g1 * d1[j]
        else:
            for j in range(half):
                out[j] += f0 * a0[j] + g0 * d0[j] + f1 * a1[j] + g1 * d1[j]
        return
    # three or four taps (a fourth zero-weight tap for three)
    a2 = poly[s2 : s2 + half]
    d2 = poly[stride + s2 : stride + s2 + half]
    a3 = poly[s3 : s3 + half]
    d3 = poly[stride + s3 : stride + s3 + half]
    if first_pass:
        for j in range(half):
            out[j] = (
                f0 * a0[j] + g0 * d0[j] + f1 * a1[j] + g1 * d1[j]
                + f2 * a2[j] + g2 * d2[j] + f3 * a3[j] + g3 * d3[j]
            )
    else:
        for j in range(half):
            out[j] += (
                f0 * a0[j] + g0 * d0[j] + f1 * a1[j] + g1 * d1[j]
                + f2 * a2[j] + g2 * d2[j] + f3 * a3[j] + g3 * d3[j]
            )


@njit(cache=True, error_model="numpy", boundscheck=False, fastmath={"contract"})
def wavelet_denoise_rows(
    rows, sigma, lo, hi, level, threshold, value, mode, shifts, out, noise_lo, noise_hi
):
    """Denoise every (float64) row of ``rows`` into ``out``: for each row and each circular
    shift s = 0, ..., shifts - 1 (the row rolled right by s), ``level`` periodized DWT levels
    with the filters ``lo``/``hi``, each level's detail shrunk (_shrink, ``mode``) at its own
    threshold (_level_threshold, rule ``threshold`` with ``value``, noise std ``sigma[i]``),
    the inverse DWT, rolled back; ``out[i]`` is the mean over the shifts. The length of the
    rows must be divisible by ``2**level``.

    With ``noise_lo`` non-empty, ``sigma`` is an output: ``sigma[i]`` becomes the noise estimate
    of row i (noise_sigma_rows with the filters ``noise_lo``/``noise_hi``) before the row is
    denoised with it. When those are the denoising filters, the finest details of the
    unshifted row are those of the estimate, and are not computed twice.
    """
    n_rows, n = rows.shape
    n_taps = len(lo)
    estimate = len(noise_lo) > 0
    shared = estimate and len(noise_lo) == n_taps and np.all(noise_lo == lo)
    if n_taps <= _SHORT:
        lo, hi = _padded_filters(lo, hi)
    if estimate and len(noise_lo) <= _SHORT:
        noise_lo, noise_hi = _padded_filters(noise_lo, noise_hi)
    pad = len(lo) // 2
    stride = n // 2 + 2 * pad
    poly = np.empty(4 * stride, dtype=rows.dtype)
    x = np.empty(n, dtype=rows.dtype)
    coef = np.empty(n, dtype=rows.dtype)
    squares = np.empty(n // 2, dtype=np.float64)
    scratch = np.empty((_SURE_SCRATCH_ROWS, n // 2 + 1), dtype=np.float64)
    bins = np.empty(3 * (n // 2) + 4, dtype=np.int64)
    universal = np.sqrt(2.0 * np.log(n))
    garrote = mode == _GARROTE
    noise_pad = len(noise_lo) // 2
    noise_poly = np.empty(n + 4 * noise_pad, dtype=rows.dtype)
    work = np.empty(n // 2, dtype=np.float64)
    median_scratch = np.empty(n // 2, dtype=np.float64)
    for i in range(n_rows):
        if estimate and not shared:
            _forward(rows[i], n, noise_lo, noise_hi, noise_poly, n // 2 + 2 * noise_pad,
                     noise_pad, x, coef[n // 2 :])
            sigma[i] = _mad_sigma(coef[n // 2 :], work, median_scratch)
        scale = sigma[i]
        for shift in range(shifts):
            # the unshifted row is transformed from where it is, and its inverse written
            # straight to `out`: two copies of the row fewer per signal
            source = rows[i]
            if shift > 0:
                for j in range(shift):
                    x[j] = rows[i, n - shift + j]
                for j in range(shift, n):
                    x[j] = rows[i, j - shift]
                source = x
            m = n
            for _ in range(level):
                half = m // 2
                detail = coef[half:m]
                _forward(source if m == n else x, m, lo, hi, poly, stride, pad, x, detail)
                if shared and shift == 0 and m == n:
                    sigma[i] = _mad_sigma(detail, work, median_scratch)
                    scale = sigma[i]
                cut = _level_threshold(
                    detail, scale, threshold, value, garrote, universal, squares, scratch, bins
                )
                _shrink(detail, cut, mode)
                m = half
            for _ in range(level):
                m *= 2
                target = out[i] if shift == 0 and m == n else x
                _inverse(x, coef[m // 2 : m], m, lo, hi, poly, stride, pad, target)
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


@njit(cache=True, error_model="numpy", boundscheck=False)
def _shrink(detail, cut, mode):
    """Shrink ``detail`` in place at threshold ``cut``: ``mode`` _SOFT ``d - sign(d) t``,
    _HARD ``d``, _GARROTE ``d - t**2 / d``, and in every mode ``|d| <= t`` gives 0. float64
    arithmetic, rounded once to the dtype of ``detail``.

    One branch-free loop per mode, so that each vectorizes (for the garrote the quotient is
    computed and discarded where |d| <= t, including 0 / 0).
    """
    if mode == _SOFT:
        for j in range(len(detail)):
            d = float(detail[j])
            detail[j] = d - np.copysign(cut, d) if abs(d) > cut else 0.0
    elif mode == _GARROTE:
        square = cut * cut
        for j in range(len(detail)):
            d = float(detail[j])
            detail[j] = d - square / d if abs(d) > cut else 0.0
    else:
        for j in range(len(detail)):
            d = float(detail[j])
            detail[j] = d if abs(d) > cut else 0.0


@njit(cache=True, error_model="numpy", boundscheck=False)
def _bayes_threshold(detail, scale):
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
    """out[i] = MAD / 0.6745 of the finest periodized DWT details of row i (filters lo/hi).

    The fused form of ``pywt.dwt(rows, mode="periodization")`` followed by mad_sigma_rows;
    the length of the rows must be even.
    """
    n_rows, n = rows.shape
    if len(lo) <= _SHORT:
        lo, hi = _padded_filters(lo, hi)
    pad = len(lo) // 2
    stride = n // 2 + 2 * pad
    poly = np.empty(2 * stride, dtype=rows.dtype)
    approximation = np.empty(n // 2, dtype=rows.dtype)
    detail = np.empty(n // 2, dtype=rows.dtype)
    work = np.empty(n // 2, dtype=np.float64)
    scratch = np.empty(n // 2, dtype=np.float64)
    for i in range(n_rows):
        _forward(rows[i], n, lo, hi, poly, stride, pad, approximation, detail)
        out[i] = _mad_sigma(detail, work, scratch)
