"""Exact order statistics for the Numba kernels.

``kth_smallest`` (quickselect) and what is built on it: ``kth_largest``, ``keep_largest``
(the k largest magnitudes), ``median`` (a sampled bracket around the middle, then a selection
or a histogram of the bracket); and ``sort_small`` for a few values. ``kth_smallest``,
``median`` and ``sort_small`` work in place on a scratch array: callers copy their data in.
"""

import numpy as np

from ._jit import njit


@njit(cache=True, boundscheck=False)
def kth_smallest(work, k):
    """The k-th smallest value of ``work`` (0-based ``k``), exactly; ``work`` is rearranged.

    Afterwards ``work[k]`` holds it, ``work[:k]`` values <= it and ``work[k + 1:]`` values
    >= it. Any values but NaN: ties, +-inf, and -0.0 and 0.0 as equals (the one returned may
    carry either sign).

    Quickselect, O(n) expected: the pivot is the median of three values at pseudo-random
    positions (a fixed sequence, so that patterned inputs such as reversed or organ-pipe
    arrays cannot make every split poor, as they do with the first, middle and last values),
    and the partition is Lomuto's in branch-free form (every value is swapped, the boundary
    advances by ``value < pivot``), because on unpredictable data (noise, priorities) a
    mispredicted branch per value costs more than the partition itself. Values equal to the
    pivot are gathered next to it after a poor split, which keeps inputs with many ties
    linear. After more rounds than reasonable pivots need, the rest is sorted instead, which
    bounds the worst case.
    """
    low, high = 0, len(work) - 1
    rounds_left = 2 * int(np.log2(len(work) + 1.0)) + 8
    state = 12345
    while high > low and rounds_left > 0:
        rounds_left -= 1
        size = high - low + 1
        state = _lcg(state)
        middle = _position(state, low, size)
        state = _lcg(state)
        other = _position(state, low, size)
        state = _lcg(state)
        third = _position(state, low, size)
        if work[middle] < work[other]:
            middle, other = other, middle
        if work[third] < work[middle]:  # then the median is the larger of the other two
            middle = third if work[other] < work[third] else other
        pivot = work[middle]
        work[middle] = work[high]
        work[high] = pivot
        store = low
        for i in range(low, high):
            value = work[i]
            work[i] = work[store]
            work[store] = value
            store += value < pivot
        work[high] = work[store]
        work[store] = pivot
        if k == store:
            break
        if k < store:
            high = store - 1
            continue
        equal_end = store + 1
        if 4 * (high - store) > 3 * (high - low):  # a poor split: maybe many ties
            for i in range(store + 1, high + 1):
                value = work[i]
                work[i] = work[equal_end]
                work[equal_end] = value
                equal_end += value == pivot
            if k < equal_end:
                break
        low = equal_end
    else:
        sort_small(work[low : high + 1])  # (nothing to sort unless the rounds ran out)
    return work[k]


@njit(cache=True)
def kth_largest(values, k):
    """The k-th largest value of ``values`` (0-based k); ``values`` is not modified."""
    return -kth_smallest(-values, k)


@njit(cache=True)
def keep_largest(magnitude, k, keep):
    """keep[j] = whether magnitude[j] is among the k largest; ties go to the lower index.

    A selection (O(n)) finds the k-th largest magnitude; the ties at that value are taken in
    index order. ``magnitude`` is not modified.
    """
    n = magnitude.shape[0]
    if k == 0:
        keep[:] = False
        return
    threshold = kth_largest(magnitude, k - 1)
    n_ties = k
    for j in range(n):
        if magnitude[j] > threshold:
            n_ties -= 1
    for j in range(n):
        chosen = magnitude[j] > threshold
        if not chosen and magnitude[j] == threshold and n_ties > 0:
            chosen = True
            n_ties -= 1
        keep[j] = chosen


@njit(cache=True)
def _lcg(state):
    """The next state (31 bits) of the linear congruential generator with ANSI C's constants."""
    return (state * 1103515245 + 12345) & 0x7FFFFFFF


@njit(cache=True)
def _position(state, low, size):
    """A position in [low, low + size) from a 31-bit ``state`` (a multiply, not a division)."""
    if size < 0x80000000:
        return low + ((state * size) >> 31)
    return low + state % size


@njit(cache=True)
def _median_by_selection(work):
    """The median of ``work`` (reordered in place): the mean of the middle two for even n."""
    n = len(work)
    half = n // 2
    upper = kth_smallest(work, half)
    if n % 2:
        return upper
    return 0.5 * (work[:half].max() + upper)


# Sampling median (in the spirit of Floyd & Rivest 1975, "Algorithm 489"): the median of an
# evenly spaced sample of _SAMPLE values brackets the true median within +-_BRACKET sample
# ranks with probability ~0.995 (binomial sd sqrt(_SAMPLE) / 2 = 5.6 ranks); one branch-free
# pass keeps the ~25% of values inside the bracket, and the selection runs on those only.
# A miss falls back to plain quickselect, so the result is always exact.
_SAMPLE = 127
_BRACKET = 16
_MEDIAN_BINS = 64


@njit(cache=True)
def median(work, scratch):
    """The median of ``work`` (reordered in place), using ``scratch`` (same size) as well."""
    n = len(work)
    if n < 4 * _SAMPLE:
        return _median_by_selection(work)
    # the sample lives at the end of `scratch` (the bracketing pass below may overwrite it,
    # once `low` and `high` are read); two selections find its order statistics without a sort
    sample = scratch[n - _SAMPLE :]
    stride = n // _SAMPLE
    for i in range(_SAMPLE):
        sample[i] = work[i * stride + stride // 2]
    high = kth_smallest(sample, _SAMPLE // 2 + _BRACKET)
    low = kth_smallest(sample[: _SAMPLE // 2 + _BRACKET], _SAMPLE // 2 - _BRACKET)
    below = 0
    count = 0
    inside = scratch
    for j in range(n):
        value = work[j]
        inside[count] = value
        count += (value >= low) & (value <= high)
        below += value < low
    half = n // 2
    first = half - 1 if n % 2 == 0 else half  # the lower middle rank
    if below > first or below + count <= half:
        return _median_by_selection(work)
    if count + _MEDIAN_BINS > n:  # no room for the histogram: select among the bracket
        values = inside[:count]
        k = half - below
        upper = kth_smallest(values, k)
        if n % 2:
            return upper
        return 0.5 * (values[:k].max() + upper)
    return _bracketed_median(inside[:count], half - below, n % 2 == 0, low, high, work)


@njit(cache=True, boundscheck=False)
def _bracketed_median(values, k, even, low, high, scratch):
    """The k-th smallest of ``values`` (all in [low, high]), averaged with the (k-1)-th when
    ``even``; ``scratch`` holds at least len(values) + _MEDIAN_BINS values.

    A histogram of _MEDIAN_BINS equal bins finds the bin(s) of the two ranks; only their few
    values are gathered and sorted.
    """
    if high <= low:
        return low
    counts = scratch[:_MEDIAN_BINS]
    counts[:] = 0.0
    bins_per_unit = _MEDIAN_BINS / (high - low)
    for value in values:
        counts[min(int((value - low) * bins_per_unit), _MEDIAN_BINS - 1)] += 1.0
    rank_low = k - 1 if even else k
    before = 0  # the number of values in the bins below `b`
    first_bin = -1
    offset = 0
    b = 0
    while True:
        inside = int(counts[b])
        if first_bin < 0 and before + inside > rank_low:
            first_bin = b
            offset = before
        if before + inside > k:
            break
        before += inside
        b += 1
    last_bin = b
    gathered = scratch[_MEDIAN_BINS:]
    n_gathered = 0
    for value in values:
        bin_of_value = min(int((value - low) * bins_per_unit), _MEDIAN_BINS - 1)
        if bin_of_value == first_bin or bin_of_value == last_bin:
            gathered[n_gathered] = value
            n_gathered += 1
    sort_small(gathered[:n_gathered])
    upper = gathered[k - offset]
    if not even:
        return upper
    return 0.5 * (gathered[k - 1 - offset] + upper)


@njit(cache=True, boundscheck=False)
def sort_small(values):
    """Sort ``values`` in place: Shell sort, whose last pass (gap 1) is insertion sort.

    Meant for few values (a histogram bin, a short wavelet level) or nearly sorted ones;
    numba's np.sort would cost seconds of compilation for no gain there. Ciura's gaps, extended
    by 2.25x; up to 64 values insertion sort alone, as the gaps' extra passes cost more
    mispredicted loop exits than they save moves.
    """
    n = len(values)
    gap = 1
    if n > 64:
        while gap * 9 // 4 < n:  # the largest gap of the sequence below n
            gap = _next_gap(gap)
    while gap >= 1:
        for i in range(gap, n):
            value = values[i]
            j = i - gap
            while j >= 0 and values[j] > value:
                values[j + gap] = values[j]
                j -= gap
            values[j + gap] = value
        gap = _previous_gap(gap)


@njit(cache=True)
def _next_gap(gap):
    for known in (1, 4, 10, 23, 57, 132, 301, 701):
        if known > gap:
            return known
    return gap * 9 // 4


@njit(cache=True)
def _previous_gap(gap):
    if gap <= 1:
        return 0
    previous = 1
    while True:
        following = _next_gap(previous)
        if following >= gap:
            return previous
        previous = following
