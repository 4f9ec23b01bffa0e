"""IHTRegressor with its default method, "htp-scaled": what the default was chosen for."""

import numpy as np
import pytest
from sklearn.linear_model import OrthogonalMatchingPursuit

from sparserecover import IHTRegressor


def _sparse_regression(rng, n=60, p=40, k=8, noise=0.5):
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.choice([-1.0, 1.0], k) * rng.uniform(1, 3, k)
    return X, X @ w + 2.0 + noise * rng.standard_normal(n), w


def test_sample_weights_equal_repeated_rows(rng):
    # the fit depends on the data only through X.T X, X.T y and ||y|| (after centring), so
    # integer weights and repeated rows give the same supports and coefficients; hard cases
    # included (k/n near the limit, noisy: several draws stop on cycling supports)
    for _ in range(10):
        X, y, _w = _sparse_regression(rng, n=30, p=40, k=10)
        weights = rng.integers(0, 4, size=30)
        weighted = IHTRegressor(n_nonzero_coefs=10).fit(X, y, sample_weight=weights)
        repeated = IHTRegressor(n_nonzero_coefs=10).fit(
            np.repeat(X, weights, axis=0), np.repeat(y, weights)
        )
        np.testing.assert_array_equal(weighted.support_, repeated.support_)
        np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9, atol=1e-12)
        assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-9, abs=1e-12)


def test_finds_the_support_whatever_the_feature_scales(rng):
    # features on scales from 1e-2 to 1e2, every true coefficient of the same importance
    # (|w_j| ||x_j|| alike): the ranking uses each column's norm, so the support is found;
    # OMP (scikit-learn's, which ranks by |x_j.T r| alone) misses it
    X, _, w = _sparse_regression(rng, n=100, p=200, k=10, noise=0.0)
    scales = 10.0 ** rng.uniform(-2, 2, 200)
    y = X @ w + 0.3 * rng.standard_normal(100) + 2.0
    model = IHTRegressor(n_nonzero_coefs=10).fit(X * scales, y)
    np.testing.assert_array_equal(np.flatnonzero(model.support_), np.flatnonzero(w))
    np.testing.assert_allclose(model.coef_ * scales, w, atol=0.2)
    omp = OrthogonalMatchingPursuit(n_nonzero_coefs=10).fit(X * scales, y)
    assert not np.array_equal(np.flatnonzero(omp.coef_), np.flatnonzero(w))
    assert model.score(X * scales, y) > omp.score(X * scales, y)


@pytest.mark.parametrize("method", ["htp-scaled", "htp", "niht", "sp", "cosamp"])
def test_every_method_fits_an_exactly_sparse_model(rng, method):
    X, _, w = _sparse_regression(rng, n=80, p=40, k=4, noise=0.0)
    y = X @ w - 1.5
    model = IHTRegressor(n_nonzero_coefs=4, method=method).fit(X, y)
    np.testing.assert_array_equal(model.support_, w != 0)
    np.testing.assert_allclose(model.coef_, w, atol=1e-6)
    assert model.intercept_ == pytest.approx(-1.5, abs=1e-6)
