"""Numba kernels of :mod:`sparserecover.denoising`: noise estimates, SURE thresholds, shrinkage.

Each kernel loops over the rows of a 2-D array (one row per signal, or per signal and level)
so that a whole batch costs one call; the work per row is the O(n) or O(n log n) the method
needs, without numpy's temporaries. Arithmetic is float64 whatever the input dtype.
"""

import numpy as np
from numba import njit

# 1 / Phi^{-1}(3/4): MAD / 0.6745 estimates the standard deviation of Gaussian noise.
_MAD_TO_SIGMA = 1.0 / 0.6744897501960817


@njit(cache=True)
def _select(work, k):
    """Move the k-th smallest of ``work`` to ``work[k]`` (Hoare's quickselect, O(n) expected).

    Smaller values end up in ``work[:k]``; the pivot is the median of three, which keeps
    sorted and constant inputs linear.
    """
    low, high = 0, len(work) - 1
    while high > low:
        middle = (low + high) // 2
        # order work[low], work[middle], work[high]; the median of the three is the pivot
        if work[middle] < work[low]:
            work[middle], work[low] = work[low], work[middle]
        if work[high] < work[low]:
            work[high], work[low] = work[low], work[high]
        if work[high] < work[middle]:
            work[high], work[middle] = work[middle], work[high]
        pivot = work[middle]
        i, j = low, high
        while i <= j:
            while work[i] < pivot:
                i += 1
            while work[j] > pivot:
                j -= 1
            if i <= j:
                work[i], work[j] = work[j], work[i]
                i += 1
                j -= 1
        if k <= j:
            high = j
        elif k >= i:
            low = i
        else:
            return


@njit(cache=True)
def _median_by_selection(work):
    """The median of ``work`` (reordered in place): the mean of the middle two for even n."""
    n = len(work)
    half = n // 2
    _select(work, half)
    upper = work[half]
    if n % 2:
        return upper
    lower = work[0]
    for j in range(1, half):
        lower = max(lower, work[j])
    return 0.5 * (lower + upper)


# Sampling median (in the spirit of Floyd & Rivest 1975, "Algorithm 489"): the median of an
# evenly spaced sample of _SAMPLE values brackets the true median within +-_BRACKET sample
# ranks with probability ~0.995 (binomial sd sqrt(_SAMPLE) / 2 = 5.6 ranks); one branch-free
# pass keeps the ~25% of values inside the bracket, and the selection runs on those only.
# A miss falls back to plain quickselect, so the result is always exact.
_SAMPLE = 127
_BRACKET = 16


@njit(cache=True)
def _median(work, inside):
    """The median of ``work`` (reordered in place), using ``inside`` (same size) as scratch."""
    n = len(work)
    if n < 4 * _SAMPLE:
        return _median_by_selection(work)
    sample = np.empty(_SAMPLE, dtype=np.float64)
    stride = n // _SAMPLE
    for i in range(_SAMPLE):
        sample[i] = work[i * stride + stride // 2]
    sample.sort()
    low = sample[_SAMPLE // 2 - _BRACKET]
    high = sample[_SAMPLE // 2 + _BRACKET]
    below = 0
    count = 0
    for j in range(n):
        value = work[j]
        inside[count] = value
        count += (value >= low) & (value <= high)
        below += value < low
    half = n // 2
    first = half - 1 if n % 2 == 0 else half  # the lower middle rank
    if below > first or below + count <= half:
        return _median_by_selection(work)
    return _bracketed_median(inside[:count], half - below, n % 2 == 0)


@njit(cache=True)
def _bracketed_median(values, k, even):
    """The k-th smallest of ``values``, averaged with the (k-1)-th when ``even``."""
    _select(values, k)
    upper = values[k]
    if not even:
        return upper
    lower = values[0]
    for j in range(1, k):
        lower = max(lower, values[j])
    return 0.5 * (lower + upper)


@njit(cache=True)
def mad_sigma_rows(detail, out):
    """out[i] = median(|d - median(d)|) / 0.6745 over row i of ``detail``."""
    n_rows, n = detail.shape
    work = np.empty(n, dtype=np.float64)
    inside = np.empty(n, dtype=np.float64)
    for i in range(n_rows):
        for j in range(n):
            work[j] = detail[i, j]
        center = _median(work, inside)
        for j in range(n):
            work[j] = abs(detail[i, j] - center)
        out[i] = _median(work, inside) * _MAD_TO_SIGMA


@njit(cache=True)
def shrink_rows(detail, cut, mode):
    """Shrink row i of ``detail`` in place at threshold ``cut[i]``.

    ``mode`` 0: soft, ``d - sign(d) t``; 1: hard, ``d``; 2: garrote, ``d - t**2 / d``; in every
    mode coefficients with ``|d| <= t`` become 0.
    """
    n_rows, n = detail.shape
    for i in range(n_rows):
        t = cut[i]
        for j in range(n):
            d = detail[i, j]
            if abs(d) <= t:
                detail[i, j] = 0.0
            elif mode == 0:
                detail[i, j] = d - t if d > 0 else d + t
            elif mode == 2:
                detail[i, j] = d - t * t / d


@njit(cache=True)
def sure_threshold_rows(detail, sigma, garrote, out):
    """SureShrink's hybrid threshold of each row of ``detail`` (noise std ``sigma[i]``).

    With ``z = d / sigma`` and ``a_1 <= ... <= a_n`` the sorted ``z**2``, the risk estimate of
    thresholding at ``t**2 = a_k`` is, for soft thresholding (Donoho & Johnstone 1995, eq. 11),
    ``n - 2 k + sum_{i<=k} a_i + (n - k) a_k``, and for the non-negative garrote
    ``d (1 - t**2 / d**2)_+`` (Gao 1998, "Wavelet shrinkage denoising using the non-negative
    garrote") ``-n + sum_{i<=k} a_i + sum_{i>k} (2 + 2 a_k / a_i + a_k**2 / a_i)``. Both increase
    in ``t`` between consecutive ``|z_i|``, so the minimum over ``[0, sqrt(2 log n)]`` is at
    ``t = 0`` (risk ``n``) or at one of the ``|z_i|``. Levels whose energy is too small for SURE
    to be reliable, ``(sum a - n) / n <= log2(n)**1.5 / sqrt(n)``, get the universal threshold
    ``sqrt(2 log n)`` (the hybrid rule, Donoho & Johnstone 1995, section 2.3).
    """
    n_rows, n = detail.shape
    universal2 = 2.0 * np.log(n) if n > 1 else 0.0
    sparsity_bound = np.log2(n) ** 1.5 / np.sqrt(n) if n > 1 else 0.0
    squares = np.empty(n, dtype=np.float64)
    tail_inverse = np.empty(n + 1, dtype=np.float64)
    for i in range(n_rows):
        scale = float(sigma[i])
        if scale <= 0.0:
            out[i] = 0.0
            continue
        total = 0.0
        for j in range(n):
            value = detail[i, j] / scale
            squares[j] = value * value
            total += squares[j]
        if (total - n) / n <= sparsity_bound:
            out[i] = np.sqrt(universal2) * scale
            continue
        squares.sort()
        if garrote:
            # tail_inverse[k] = sum_{i >= k} 1 / a_i (0-based), summed from the small end of
            # the tail so that a tiny a_i does not swamp the others by cancellation
            tail_inverse[n] = 0.0
            for k in range(n - 1, -1, -1):
                tail_inverse[k] = tail_inverse[k + 1] + (
                    1.0 / squares[k] if squares[k] > 0.0 else 0.0
                )
        best_risk = float(n)  # t = 0 keeps every coefficient: risk n for either rule
        best = 0.0
        cumulative = 0.0
        for k in range(1, n + 1):
            a = squares[k - 1]
            if a > universal2:
                break
            cumulative += a
            if garrote:
                risk = -n + cumulative + 2.0 * (n - k) + (a * a + 2.0 * a) * tail_inverse[k]
            else:
                risk = n - 2.0 * k + cumulative + (n - k) * a
            if risk < best_risk:
                best_risk = risk
                best = a
        out[i] = np.sqrt(best) * scale
