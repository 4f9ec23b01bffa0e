"""sparserecover._selection against numpy's sort, argsort and median."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sparserecover._selection import (
    keep_largest,
    kth_largest,
    kth_smallest,
    median,
    sort_small,
)


def _check_kth_smallest(values, k):
    work = np.array(values, dtype=np.float64)
    result = kth_smallest(work, k)
    expected = np.sort(values)[k]
    assert result == expected  # -0.0 == 0.0: either sign is the k-th smallest
    assert work[k] == result
    # a partition around it, of the same values
    assert np.all(work[:k] <= result) and np.all(work[k + 1 :] >= result)
    np.testing.assert_array_equal(np.sort(work), np.sort(values))


def _inputs(rng, n):
    """Random, tied, signed-zero, infinite and patterned arrays of length n."""
    normal = rng.standard_normal(n)
    with_inf = normal.copy()
    with_inf[::3] = np.inf
    with_inf[1::7] = -np.inf
    zeros = normal.copy()
    zeros[::2] = 0.0
    zeros[1::4] = -0.0
    ramp = np.arange(n, dtype=np.float64)
    return {
        "normal": normal,
        "ties": rng.integers(0, 3, n).astype(np.float64),
        "signed zeros": zeros,
        "infinities": with_inf,
        "all +inf": np.full(n, np.inf),
        "constant": np.full(n, -2.5),
        "sorted": ramp,
        "reversed": ramp[::-1].copy(),
        "organ pipe": np.minimum(ramp, ramp[::-1]),
        "sawtooth": ramp % 7,
        "two values": np.where(ramp % 2 == 0, 1.0, -1.0),
    }


@pytest.mark.parametrize("n", [1, 2, 3, 10, 127, 1000, 4097])
def test_kth_smallest_is_the_sorted_value(rng, n):
    for values in _inputs(rng, n).values():
        for k in sorted({0, 1, n // 4, n // 2, n - 2, n - 1} & set(range(n))):
            _check_kth_smallest(values, k)


@given(
    arrays(
        np.float64,
        st.integers(1, 300),
        elements=st.floats(allow_nan=False, allow_infinity=True, width=64)
        | st.sampled_from([0.0, -0.0, 1.0, np.inf, -np.inf]),
    ),
    st.data(),
)
def test_kth_smallest_on_any_values(values, data):
    _check_kth_smallest(values, data.draw(st.integers(0, len(values) - 1)))


def test_kth_smallest_on_a_slice(rng):
    buffer = rng.standard_normal(50)
    assert kth_smallest(buffer[10:40], 5) == np.sort(buffer[10:40])[5]


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_kth_largest_leaves_its_input_alone(rng, n):
    for values in _inputs(rng, n).values():
        copy = values.copy()
        for k in sorted({0, 1, n // 2, n - 1} & set(range(n))):
            assert kth_largest(values, k) == np.sort(values)[::-1][k]
        np.testing.assert_array_equal(values, copy)


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_keep_largest_keeps_the_k_largest_ties_by_index(rng, n):
    for values in _inputs(rng, n).values():
        magnitude = np.abs(values)
        for k in sorted({0, 1, n // 3, n - 1, n} & set(range(n + 1))):
            keep = np.ones(n, dtype=np.bool_)
            keep_largest(magnitude, k, keep)
            expected = np.zeros(n, dtype=np.bool_)
            expected[np.argsort(-magnitude, kind="stable")[:k]] = True  # stable: lower index
            np.testing.assert_array_equal(keep, expected)


@pytest.mark.parametrize("n", [1, 2, 3, 100, 507, 508, 509, 1024, 1025, 8192])
def test_median_is_numpys(rng, n):
    for name, values in _inputs(rng, n).items():
        if np.isinf(values).any():
            continue  # (the median of +inf and -inf is not defined)
        work = values.copy()
        assert median(work) == np.median(values), name


@pytest.mark.parametrize("n", [0, 1, 5, 64, 65, 300, 2000])
def test_sort_small_sorts(rng, n):
    for values in _inputs(rng, n).values():
        work = values.copy()
        sort_small(work)
        np.testing.assert_array_equal(work, np.sort(values))
