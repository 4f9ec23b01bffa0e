"""Products of a dense design with vectors of its own precision: a few columns by blocks of
eight rows of the design, more through BLAS 3."""

import numpy as np
import pytest

from sparserecover.operators import readonly
from sparserecover.solvers._products import (
    FUSED_MAX_TARGETS,
    _same_precision_matmat,
    _same_precision_rmatmat,
)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(13, 9), (16, 24), (3, 5), (0, 4), (4, 0)])
@pytest.mark.parametrize("n_columns", [1, 3, FUSED_MAX_TARGETS, FUSED_MAX_TARGETS + 1])
def test_products_are_those_of_numpy_to_rounding(rng, dtype, shape, n_columns):
    n, p = shape
    M = rng.standard_normal((n, p)).astype(dtype)
    X = rng.standard_normal((p, n_columns)).astype(dtype)
    R = rng.standard_normal((n, n_columns)).astype(dtype)
    forward = np.full((n, n_columns), np.nan, dtype=dtype)
    _same_precision_matmat(readonly(M), X, forward)
    adjoint = np.full((p, n_columns), np.nan, dtype=dtype)
    _same_precision_rmatmat(readonly(M), R, adjoint)
    # the rounding of sums of at most 24 terms in the design's precision
    eps = np.finfo(dtype).eps
    scale = np.abs(M).astype(np.float64)
    exact_forward = M.astype(np.longdouble) @ X.astype(np.longdouble)
    exact_adjoint = M.T.astype(np.longdouble) @ R.astype(np.longdouble)
    np.testing.assert_allclose(forward, exact_forward.astype(np.float64), rtol=0,
                               atol=32 * eps * float(np.max(scale @ np.abs(X), initial=0)))
    np.testing.assert_allclose(adjoint, exact_adjoint.astype(np.float64), rtol=0,
                               atol=32 * eps * float(np.max(scale.T @ np.abs(R), initial=0)))


def test_each_column_has_the_bits_it_has_alone(rng):
    # a column's sums do not depend on the columns beside it
    M = rng.standard_normal((21, 30))
    X = rng.standard_normal((30, FUSED_MAX_TARGETS))
    R = rng.standard_normal((21, FUSED_MAX_TARGETS))
    forward = np.empty((21, FUSED_MAX_TARGETS))
    adjoint = np.empty((30, FUSED_MAX_TARGETS))
    _same_precision_matmat(M, X, forward)
    _same_precision_rmatmat(M, R, adjoint)
    for k in range(FUSED_MAX_TARGETS):
        alone = np.empty((21, 1))
        _same_precision_matmat(M, np.ascontiguousarray(X[:, k:k + 1]), alone)
        np.testing.assert_array_equal(forward[:, k], alone[:, 0])
        alone = np.empty((30, 1))
        _same_precision_rmatmat(M, np.ascontiguousarray(R[:, k:k + 1]), alone)
        np.testing.assert_array_equal(adjoint[:, k], alone[:, 0])
