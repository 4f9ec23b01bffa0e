"""The one-pass statistics of a dense design's columns (largest magnitude, squared norm) and
what the problem's set-up takes from them (finiteness, column norms)."""

import numpy as np
import pytest

from sparserecover.operators import readonly
from sparserecover.solvers._column_statistics import column_statistics, sparse_column_statistics
from sparserecover.solvers._problem import LeastSquaresProblem


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_rows", [1, 3, 4, 9, 64])
def test_statistics_match_numpy_in_both_storage_orders(dtype, n_rows):
    A = np.random.default_rng(n_rows).standard_normal((n_rows, 7)).astype(dtype)
    A[:, 2] = 0.0
    by_rows = column_statistics(readonly(A), True)
    by_columns = column_statistics(readonly(np.asfortranarray(A).T), False)
    # the same blocks of rows summed in the same order: the same bits in either order
    for row_result, column_result in zip(by_rows, by_columns):
        assert row_result.dtype == np.float64
        np.testing.assert_array_equal(row_result, column_result)
    largest, squares = by_rows
    np.testing.assert_array_equal(largest, np.abs(A).max(axis=0).astype(np.float64))
    exact = np.einsum("ij,ij->j", A.astype(np.longdouble), A.astype(np.longdouble))
    np.testing.assert_allclose(squares, exact.astype(np.float64), rtol=4 * 2.0**-52 * n_rows)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_problem_rejects_a_non_finite_entry_in_either_order(order, bad):
    A = np.ones((6, 5), order=order)
    A[4, 3] = bad
    with pytest.raises(ValueError, match="A contains 1 NaN or infinite value"):
        LeastSquaresProblem(A, np.ones(6))


def test_finite_entries_whose_squares_overflow_are_accepted():
    # squares of 1e200 overflow to infinity: no proof of a bad entry; the data are solved in
    # scaled units and the norms are those of the scaled columns
    A = np.array([[1e200, 1.0], [3e200, 2.0]])
    problem = LeastSquaresProblem(A, np.ones(2))
    norms = problem.column_squared_norms()
    assert np.all(np.isfinite(norms)) and np.all(norms > 0)


def test_problem_norms_are_the_statistics_of_the_columns():
    A = np.random.default_rng(0).standard_normal((30, 12))
    problem = LeastSquaresProblem(A, np.ones(30))
    np.testing.assert_allclose(problem.column_squared_norms(), (A**2).sum(axis=0), rtol=1e-14)
    strided = np.random.default_rng(1).standard_normal((30, 24))[:, ::2]
    problem = LeastSquaresProblem(strided, np.ones(30))
    np.testing.assert_allclose(problem.column_squared_norms(), (strided**2).sum(axis=0),
                               rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_statistics_match_the_dense_ones_in_both_formats(dtype):
    import scipy.sparse

    A = scipy.sparse.random(9, 6, density=0.4, format="csc", random_state=0, dtype=dtype)
    A = A.toarray()
    A[:, 1] = 0.0  # an empty column
    csc = scipy.sparse.csc_matrix(A)
    csr = scipy.sparse.csr_matrix(A)
    by_columns = sparse_column_statistics(csc.indptr, csc.indices, csc.data, 6, True)
    by_rows = sparse_column_statistics(csr.indptr, csr.indices, csr.data, 6, False)
    for column_result, row_result in zip(by_columns, by_rows):
        np.testing.assert_array_equal(column_result, row_result)
    largest, squares = by_columns
    np.testing.assert_array_equal(largest, np.abs(A).max(axis=0).astype(np.float64))
    np.testing.assert_allclose(squares, (A.astype(np.float64) ** 2).sum(axis=0), rtol=1e-15)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_problem_rejects_a_non_finite_sparse_entry(fmt):
    import scipy.sparse

    A = scipy.sparse.random(6, 5, density=0.5, format=fmt, random_state=1)
    A.data[2] = np.nan
    with pytest.raises(ValueError, match="A contains 1 NaN or infinite value"):
        LeastSquaresProblem(A, np.ones(6))
