"""lasso_path against scikit-learn's coordinate-descent path (lam = alpha * n_samples)."""

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_diabetes
from sklearn.linear_model import enet_path
from sklearn.linear_model import lasso_path as sklearn_lasso_path

from sparserecover import fista, lasso_path


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _sklearn_path(X, y, **kwargs):
    # tol far below ours: scikit-learn's coordinate descent is the reference here
    return sklearn_lasso_path(X, y, eps=1e-3, alphas=100, tol=1e-14, max_iter=1_000_000,
                              **kwargs)


@pytest.mark.parametrize("positive", [False, True])
def test_equals_sklearn_lasso_path_on_diabetes(diabetes, positive):
    X, y = diabetes
    alphas, expected, _ = _sklearn_path(X, y, positive=positive)
    lams, coefs, gaps = lasso_path(X, y, tol=1e-12, positive=positive)
    np.testing.assert_allclose(lams, alphas * X.shape[0], rtol=1e-14)
    assert coefs.shape == expected.shape == (10, 100)
    np.testing.assert_allclose(coefs, expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    assert gaps.shape == (100,) and np.all(gaps >= 0)


def test_sparse_design_and_float32(diabetes):
    X, y = diabetes
    dense = lasso_path(X, y, n_lams=20, tol=1e-10)
    sparse = lasso_path(scipy.sparse.csc_matrix(X), y, n_lams=20, tol=1e-10)
    np.testing.assert_allclose(sparse[1], dense[1], atol=1e-6 * np.abs(dense[1]).max())
    lams32, coefs32, _ = lasso_path(X.astype(np.float32), y.astype(np.float32), n_lams=20,
                                    tol=1e-5)
    assert coefs32.dtype == np.float32
    np.testing.assert_allclose(lams32, dense[0], rtol=1e-5)


def test_elastic_net_point_equals_sklearn_enet_path(diabetes):
    X, y = diabetes
    n = X.shape[0]
    alpha, l1_ratio = 0.05, 0.7
    _, expected, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=[alpha], tol=1e-14,
                               max_iter=1_000_000)
    # sklearn: 1/(2n)||y - Xw||^2 + alpha*l1_ratio*|w|_1 + alpha*(1-l1_ratio)/2*||w||^2
    _, coefs, _ = lasso_path(X, y, [n * alpha * l1_ratio], l2=n * alpha * (1 - l1_ratio),
                             tol=1e-13)
    np.testing.assert_allclose(coefs[:, 0], expected[:, 0], atol=1e-7 * np.abs(expected).max())


def test_two_dimensional_y_and_given_lams(rng):
    A = rng.standard_normal((40, 30))
    Y = A[:, :3] @ rng.standard_normal((3, 2)) + 0.1 * rng.standard_normal((40, 2))
    lams = np.array([0.5, 5.0, 2.0])
    out_lams, coefs, gaps = lasso_path(A, Y, lams, tol=1e-12)
    np.testing.assert_array_equal(out_lams, [5.0, 2.0, 0.5])  # sorted, decreasing
    assert coefs.shape == (2, 30, 3) and gaps.shape == (2, 3)
    for k in range(2):
        for i, lam in enumerate(out_lams):
            np.testing.assert_allclose(coefs[k, :, i], fista(A, Y[:, k], lam, tol=1e-12).x,
                                       atol=1e-7)


def test_default_grid_starts_where_the_solution_vanishes(rng):
    A = rng.standard_normal((30, 20))
    y = rng.standard_normal(30)
    weights = rng.uniform(0.5, 2.0, 20)
    weights[4] = 0.0  # unpenalized: lam_max is computed after fitting it
    lams, coefs, _ = lasso_path(A, y, n_lams=5, weights=weights, tol=1e-12)
    penalized = weights > 0
    assert np.all(coefs[penalized, 0] == 0) and coefs[4, 0] != 0
    slightly_more = fista(A, y, weights * lams[0] * 0.99, tol=1e-12)
    assert np.count_nonzero(slightly_more.x[penalized]) >= 1


def test_warm_start_makes_the_path_cheaper_than_cold_solves(diabetes):
    X, y = diabetes
    lams, _, _ = lasso_path(X, y, n_lams=10, tol=1e-10)
    cold = sum(fista(X, y, lam, tol=1e-10).n_iter for lam in lams)
    warm, x = 0, None
    for lam in lams:
        result = fista(X, y, lam, tol=1e-10, x0=x)
        warm, x = warm + result.n_iter, result.x
    assert warm < cold


def test_ista_path_matches_the_fista_path(diabetes):
    X, y = diabetes
    _, fista_coefs, _ = lasso_path(X, y, n_lams=5, eps=0.1, tol=1e-12)
    _, ista_coefs, _ = lasso_path(X, y, n_lams=5, eps=0.1, tol=1e-12, solver="ista",
                                  max_iter=1_000_000)
    np.testing.assert_allclose(ista_coefs, fista_coefs, atol=1e-6 * np.abs(fista_coefs).max())


def test_bad_input(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="lams must be >= 0"):
        lasso_path(X, y, [1.0, -1.0])
    with pytest.raises(ValueError, match="lams must be a non-empty 1-D array"):
        lasso_path(X, y, [])
    with pytest.raises(ValueError, match="eps must be > 0"):
        lasso_path(X, y, eps=0.0)
    with pytest.raises(ValueError, match="n_lams must be >= 1"):
        lasso_path(X, y, n_lams=0)
    with pytest.raises(ValueError, match="solver must be one of"):
        lasso_path(X, y, solver="lars")
    with pytest.raises(ValueError, match="weights must be >= 0"):
        lasso_path(X, y, weights=-np.ones(10))
