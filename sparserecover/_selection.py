"""Exact order statistics for the Numba kernels (quickselect)."""

from ._jit import njit


@njit(cache=True)
def kth_smallest(work, k):
    """The k-th smallest value of ``work`` (0-based k), which is rearranged in place.

    Hoare's quickselect with median-of-three pivots, expected O(n).
    """
    a = work
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        first, middle, last = a[lo], a[mid], a[hi]
        if first > middle:
            first, middle = middle, first
        if middle > last:
            middle = last if first <= last else first
        pivot = middle
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


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
