"""SpectralRegressor, SpectralRegressorCV, ShallowNetworkRegressor: against independent math."""

import numpy as np
import pytest
import scipy.sparse
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from sparserecover.network import (
    ShallowFeatures,
    ShallowNetworkRegressor,
    SpectralRegressor,
    SpectralRegressorCV,
)
from sparserecover.spectral import n_iter_for_components


def _problem(rng, n=40, m=60, k=None):
    A = rng.standard_normal((n, m)) / np.sqrt(m)
    y = rng.standard_normal(n) if k is None else rng.standard_normal((n, k))
    return A, y


def _relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# ---------------------------------------------------------------- svd vs gd parity


@pytest.mark.parametrize(
    ("params", "k"),
    [
        ({"n_iter": 1}, None),
        ({"n_iter": 37}, None),
        ({"n_iter": 2000, "learning_rate": 0.5}, None),
        ({"n_iter": 300, "fit_intercept": True}, 3),
        ({"n_components": 10}, 2),
    ],
)
def test_svd_and_gd_solvers_give_same_predictions(rng, params, k):
    A, y = _problem(rng, k=k)
    if "learning_rate" in params:
        params = {**params, "learning_rate": params["learning_rate"] / np.linalg.norm(A, 2) ** 2}
    svd = SpectralRegressor(solver="svd", **params).fit(A, y)
    gd = SpectralRegressor(solver="gd", **params).fit(A, y)
    X_new = rng.standard_normal((25, A.shape[1]))
    assert _relative(gd.predict(X_new), svd.predict(X_new)) < 1e-8
    assert _relative(gd.coef_, svd.coef_) < 1e-8
    np.testing.assert_allclose(gd.filter_factors_, svd.filter_factors_, rtol=1e-12, atol=1e-14)
    assert gd.n_iter_ == svd.n_iter_


def test_svd_and_gd_parity_on_shallow_network_features():
    x = np.linspace(0, 1, 64)[:, None]
    y = np.sin(6 * x[:, 0]) + np.cos(17 * x[:, 0])
    common = {"activation": "tanh", "n_units": 48, "scale": 48.0, "n_iter": 10**4}
    svd = ShallowNetworkRegressor(solver="svd", **common).fit(x, y)
    gd = ShallowNetworkRegressor(solver="gd", **common).fit(x, y)
    assert _relative(gd.predict(x), svd.predict(x)) < 1e-8


def test_float32_stays_float32(rng):
    A, y = _problem(rng)
    A32, y32 = A.astype(np.float32), y.astype(np.float32)
    for solver in ("svd", "gd"):
        reg = SpectralRegressor(solver=solver, n_iter=50).fit(A32, y32)
        assert reg.coef_.dtype == np.float32
        assert reg.predict(A32).dtype == np.float32
        ref = SpectralRegressor(n_iter=50).fit(A, y)
        assert _relative(reg.predict(A), ref.predict(A)) < 1e-4


# -------------------------------------------------------- the filters themselves


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(40, 15), (15, 40)])
def test_ridge_equals_sklearn_ridge(rng, fit_intercept, shape):
    A = rng.standard_normal(shape)
    y = rng.standard_normal((shape[0], 2)) + 3.0
    ours = SpectralRegressor("ridge", alpha=0.3, fit_intercept=fit_intercept).fit(A, y)
    ref = Ridge(alpha=0.3, fit_intercept=fit_intercept, solver="svd").fit(A, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-11, atol=1e-13)


def test_pca_regression_is_least_squares_on_leading_components(rng):
    A, y = _problem(rng, n=50, m=20)
    reg = SpectralRegressor("pca", n_components=5).fit(A, y)
    _, _, Vt = np.linalg.svd(A, full_matrices=False)
    V5 = Vt[:5].T
    z, *_ = np.linalg.lstsq(A @ V5, y, rcond=None)
    np.testing.assert_allclose(reg.coef_, V5 @ z, rtol=1e-11)
    assert reg.n_active_components_ == 5
    full = SpectralRegressor("pca").fit(A, y)
    np.testing.assert_allclose(full.coef_, np.linalg.pinv(A) @ y, rtol=1e-10)


def test_gd_n_components_uses_proposition_4_2(rng):
    A, y = _problem(rng)
    reg = SpectralRegressor("gd", n_components=7).fit(A, y)
    assert reg.n_iter_ == n_iter_for_components(reg.singular_values_, 7)
    assert reg.n_active_components_ >= 7
    assert reg.learning_rate_ == pytest.approx(1 / reg.singular_values_[0] ** 2, rel=1e-14)


@pytest.mark.parametrize("regularization", ["ridge", "pca", "gd"])
def test_rank_deficient_design_gives_finite_minimum_norm_fit(rng, regularization):
    A = rng.standard_normal((30, 4)) @ rng.standard_normal((4, 12))
    A[:, 5] = 0.0
    y = rng.standard_normal(30)
    params = {"alpha": 0.0} if regularization == "ridge" else {}
    reg = SpectralRegressor(regularization, **params).fit(A, y)
    assert np.all(np.isfinite(reg.coef_))
    assert np.count_nonzero(reg.filter_factors_) <= 4
    if regularization != "gd":
        np.testing.assert_allclose(reg.coef_, np.linalg.pinv(A, rcond=1e-10) @ y, rtol=1e-9)


def test_zero_design_gives_zero_coefficients():
    reg = SpectralRegressor().fit(np.zeros((5, 3)), np.arange(5.0))
    np.testing.assert_array_equal(reg.coef_, 0.0)


def test_multi_output_equals_column_by_column(rng):
    A, Y = _problem(rng, k=3)
    joint = SpectralRegressor(n_iter=40).fit(A, Y)
    assert joint.coef_.shape == (3, A.shape[1])
    for j in range(3):
        single = SpectralRegressor(n_iter=40).fit(A, Y[:, j])
        np.testing.assert_allclose(joint.coef_[j], single.coef_, rtol=1e-12)


def test_bad_parameters(rng):
    A, y = _problem(rng)
    with pytest.raises(TypeError, match=r"[Ss]parse"):
        SpectralRegressor().fit(scipy.sparse.csr_matrix(A), y)
    with pytest.raises(ValueError, match="regularization='gd'"):
        SpectralRegressor("ridge", solver="gd").fit(A, y)
    with pytest.raises(ValueError, match="not both"):
        SpectralRegressor(n_iter=3, n_components=3).fit(A, y)
    with pytest.raises(ValueError, match="diverge"):
        SpectralRegressor(learning_rate=10.0).fit(A, y)
    with pytest.raises(ValueError, match="exceeds"):
        SpectralRegressor("pca", n_components=41).fit(A, y)
    with pytest.raises(ValueError, match="alpha"):
        SpectralRegressor("ridge", alpha=-1.0).fit(A, y)


# ----------------------------------------------------------------------- CV


def _brute_force_loo(A, y, make):
    errors = []
    for i in range(A.shape[0]):
        keep = np.arange(A.shape[0]) != i
        model = make().fit(A[keep], y[keep])
        errors.append(y[i] - model.predict(A[i : i + 1])[0])
    return np.mean(np.square(errors))


def test_loo_closed_form_equals_refitting_for_ridge(rng):
    A, y = _problem(rng, n=15, m=8)
    alphas = [0.01, 0.3, 5.0]
    for fit_intercept in (False, True):
        cv = SpectralRegressorCV("ridge", alphas=alphas, criterion="loo",
                                 fit_intercept=fit_intercept).fit(A, y)
        expected = [
            _brute_force_loo(A, y, lambda a=a, f=fit_intercept: Ridge(alpha=a, fit_intercept=f))
            for a in alphas
        ]
        np.testing.assert_allclose(cv.cv_scores_, expected, rtol=1e-10)
        assert cv.alpha_ == alphas[int(np.argmin(expected))]


def test_gcv_matches_explicit_hat_matrix(rng):
    A, y = _problem(rng, n=25, m=40)
    n_iters = [1, 10, 100]
    cv = SpectralRegressorCV("gd", n_iters=n_iters).fit(A, y)
    for q, score in zip(n_iters, cv.cv_scores_):
        U, s, _ = np.linalg.svd(A, full_matrices=False)
        phi = 1 - (1 - s**2 / s[0] ** 2) ** q
        H = U @ np.diag(phi) @ U.T
        residual = y - H @ y
        expected = np.mean(residual**2) / (1 - np.trace(H) / 25) ** 2
        assert score == pytest.approx(expected, rel=1e-10)


def test_cv_selects_the_refit_model_and_early_stopping(rng):
    x = np.linspace(0, 1, 80)[:, None]
    y = np.sin(2 * np.pi * x[:, 0]) + 0.3 * rng.standard_normal(80)
    A = ShallowFeatures("tanh", n_units=80, scale=80.0).fit_transform(x)
    cv = SpectralRegressorCV("gd", criterion="loo").fit(A, y)
    refit = SpectralRegressor("gd", n_iter=cv.n_iter_).fit(A, y)
    np.testing.assert_allclose(cv.coef_, refit.coef_, rtol=1e-12)
    # noisy data: neither 1 iteration nor interpolation is chosen
    assert 1 < cv.n_iter_ < 10**5
    pca = SpectralRegressorCV("pca", n_components=30, criterion="gcv").fit(A, y)
    assert 1 <= pca.n_components_ <= 30


# ------------------------------------------------------- ShallowNetworkRegressor


def test_network_equals_features_then_regressor(rng):
    x = rng.uniform(size=(30, 1))
    y = np.sin(5 * x[:, 0])
    net = ShallowNetworkRegressor("gelu", n_units=25, scale=10.0, n_iter=500).fit(x, y)
    A = ShallowFeatures("gelu", n_units=25, scale=10.0).fit(x)
    reg = SpectralRegressor(n_iter=500).fit(A.transform(x), y)
    x_new = rng.uniform(size=(7, 1))
    np.testing.assert_allclose(net.predict(x_new), reg.predict(A.transform(x_new)), rtol=1e-13)
    np.testing.assert_allclose(net.singular_values_, reg.singular_values_)


def test_network_works_with_clone_and_grid_search(rng):
    x = rng.uniform(size=(40, 1))
    y = np.sin(6 * x[:, 0]) + 0.1 * rng.standard_normal(40)
    net = ShallowNetworkRegressor("tanh", n_units=32, scale=32.0)
    assert clone(net).get_params() == net.get_params()
    search = GridSearchCV(net, {"n_iter": [1, 30, 1000], "activation": ["tanh", "sinc"]}, cv=3)
    search.fit(x, y)
    assert search.best_params_["n_iter"] in (30, 1000)
