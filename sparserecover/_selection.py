"""Exact order statistics for the Numba kernels.

``kth_smallest`` (quickselect) and what is built on it: ``kth_largest``, ``keep_largest``
(the k largest magnitudes), ``median``; and ``sort_small`` for a few values. ``kth_smallest``,
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
    # np.int64, not a literal: a literal start would compile _lcg and _position once more
    # for it while the loop's types are being inferred
    low, high = np.int64(0), len(work) - 1
    rounds_left = 2 * int(np.log2(len(work) + 1.0)) + 8
    state = np.int64(12345)
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


@njit(cache=True, inline="always")  # a few lines: cheaper inlined than compiled apart
def _lcg(state):
    """The next state (31 bits) of the linear congruential generator with ANSI C's constants."""
    return (state * 1103515245 + 12345) & 0x7FFFFFFF


@njit(cache=True, inline="always")  # a few lines: cheaper inlined than compiled apart
def _position(state, low, size):
    """A position in [low, low + size) from a 31-bit ``state`` (a multiply, not a division)."""
    if size < 0x80000000:
        return low + ((state * size) >> 31)
    return low + state % size


@njit(cache=True)
def median(work):
    """The median of ``work`` (reordered in place): the mean of the middle two for even n.

    One selection of the upper middle value; the lower one, for even n, is the largest of
    the values the selection left below it.
    """
    n = len(work)
    half = n // 2
    upper = kth_smallest(work, half)
    if n % 2:
        return upper
    lower = work[0]
    for j in range(1, half):
        lower = max(lower, work[j])
    return 0.5 * (lower + upper)


@njit(cache=True, boundscheck=False)
def sort_small(values):
    """Sort ``values`` in place: Shell sort, whose last pass (gap 1) is insertion sort.

    Meant for few values (a histogram bin, a short wavelet level) or nearly sorted ones;
    numba's np.sort would cost seconds of compilation for no gain there. Ciura's gaps, extended
    by 2.25x; up to 64 values insertion sort alone, as the gaps' extra passes cost more
    mispredicted loop exits than they save moves.
    """
    n = len(values)
    gap = np.int64(1)  # not a literal (see kth_smallest)
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


@njit(cache=True, inline="always")  # a few lines: cheaper inlined than compiled apart
def _next_gap(gap):
    for known in (1, 4, 10, 23, 57, 132, 301, 701):
        if known > gap:
            return known
    return gap * 9 // 4


@njit(cache=True, inline="always")  # a few lines: cheaper inlined than compiled apart
def _previous_gap(gap):
    if gap <= 1:
        return 0
    previous = np.int64(1)
    while True:
        following = _next_gap(previous)
        if following >= gap:
            return previous
        previous = following
