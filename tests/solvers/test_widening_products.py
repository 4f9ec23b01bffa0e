"""Products of a float32 design with float64 vectors, accumulated in float64 (the float64
certificate of a float32 solve reads the float32 design in place), and the certificate
built on them."""

import numpy as np
import pytest

from sparserecover.operators import readonly
from sparserecover.solvers import coordinate_descent, fista
from sparserecover.solvers._products import _L1_COLUMNS, _widening_matmat, _widening_rmatmat


def _float32_design(rng, n, p):
    return rng.standard_normal((n, p)).astype(np.float32)


@pytest.mark.parametrize("n_columns", [1, 3])
@pytest.mark.parametrize("support", [0, 1, 5, 9])
def test_widening_products_are_the_float64_products_of_the_float32_entries(rng, n_columns,
                                                                         support):
    M = _float32_design(rng, 13, 9)
    X = np.zeros((9, n_columns))
    X[rng.permutation(9)[:support]] = rng.standard_normal((support, n_columns))
    R = rng.standard_normal((13, n_columns))
    R[[2, 7]] = 0.0  # rows the transposed product skips
    exact_forward = M.astype(np.longdouble) @ X.astype(np.longdouble)
    exact_adjoint = M.T.astype(np.longdouble) @ R.astype(np.longdouble)

    forward = np.full((13, n_columns), np.nan)
    _widening_matmat(readonly(M), X, forward)
    adjoint = np.full((9, n_columns), np.nan)
    _widening_rmatmat(readonly(M), R, adjoint)

    # float64 rounding of at most 9 terms, not float32's
    scale = np.abs(M).astype(np.float64)
    np.testing.assert_allclose(forward, exact_forward.astype(np.float64), rtol=0,
                               atol=16 * 2.0**-52 * float(np.max(scale @ np.abs(X), initial=0)))
    np.testing.assert_allclose(adjoint, exact_adjoint.astype(np.float64), rtol=0,
                               atol=16 * 2.0**-52 * float(np.max(scale.T @ np.abs(R))))


def test_long_rows_four_at_a_time_give_the_bits_of_one_at_a_time(rng):
    # rows longer than _L1_COLUMNS are added four at a time, in the same order
    M = _float32_design(rng, 11, _L1_COLUMNS + 5)
    R = rng.standard_normal((11, 1))
    R[[1, 4, 5, 6, 7]] = 0.0  # a block of four zero rows and a partly zero one
    whole = np.empty((M.shape[1], 1))
    _widening_rmatmat(readonly(M), R, whole)
    parts = []
    for columns in (slice(0, _L1_COLUMNS), slice(_L1_COLUMNS, None)):
        part = np.empty((M[:, columns].shape[1], 1))
        _widening_rmatmat(readonly(np.ascontiguousarray(M[:, columns])), R, part)
        parts.append(part)
    np.testing.assert_array_equal(whole, np.vstack(parts))


def test_a_dense_vector_read_straight_gives_the_bits_of_the_gathered_sums(rng):
    # with every entry of x nonzero the rows are read straight through; with one entry zero
    # the same sums run over the gathered support: appending an exact zero changes nothing
    M = _float32_design(rng, 7, 19)
    x = rng.standard_normal((19, 1))
    straight = np.empty((7, 1))
    _widening_matmat(readonly(M), x, straight)
    M_padded = np.hstack([M, rng.standard_normal((7, 1)).astype(np.float32)])
    x_padded = np.vstack([x, np.zeros((1, 1))])
    gathered = np.empty((7, 1))
    _widening_matmat(readonly(M_padded), x_padded, gathered)
    np.testing.assert_array_equal(straight, gathered)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("solver", [coordinate_descent, fista])
def test_float32_certificate_is_the_float64_gap_in_both_storage_orders(rng, order, solver):
    A = _float32_design(rng, 60, 150)
    y = (A[:, :4] @ np.array([2.0, -1.0, 1.5, 3.0], dtype=np.float32)
         + 0.1 * rng.standard_normal(60).astype(np.float32))
    lam = float(np.max(np.abs(A.T @ y))) / 10
    A_ordered = np.asarray(A, order=order)
    result = solver(A_ordered, y, lam, tol=1e-5)
    assert result.x.dtype == np.float32 and result.converged

    # the same iterate's gap computed from a float64 copy of the design
    A64, y64, x64 = A.astype(np.float64), y.astype(np.float64), result.x.astype(np.float64)
    residual = y64 - A64 @ x64
    primal = 0.5 * residual @ residual + lam * np.abs(x64).sum()
    theta = residual / max(1.0, np.max(np.abs(A64.T @ residual)) / lam)
    dual = 0.5 * (y64 @ y64) - 0.5 * ((y64 - theta) @ (y64 - theta))
    assert result.objective == pytest.approx(primal, rel=1e-12)
    assert result.gap == pytest.approx(primal - dual, rel=1e-9, abs=1e-13 * primal)
    assert result.gap <= 1e-5 * result.objective
    # the certificate reads A in place: the caller's float32 design is untouched
    np.testing.assert_array_equal(A_ordered, A)
