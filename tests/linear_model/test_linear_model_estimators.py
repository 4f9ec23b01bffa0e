"""Lasso, ElasticNet, LassoCV and IHTRegressor against scikit-learn's estimators.

scikit-learn's coordinate descent is the independent reference: the objective is the same, so
at a tight tolerance the coefficients must agree (the lasso solution is unique on these
designs: the columns are in general position).
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from joblib._parallel_backends import ThreadingBackend
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparserecover.linear_model import ElasticNet, IHTRegressor, Lasso, LassoCV, _base

# diabetes' columns have unit norm, so its objective is flat: a gap of 1e-10 * ||y||^2 / n
# still leaves 5e-5 relative error in the coefficients; 1e-14 pins them to 1e-7.
TIGHT = dict(tol=1e-14, max_iter=100_000)
# the random sparse design has columns of norm ~2.5: 1e-12 is as tight there
SPARSE_TIGHT = dict(tol=1e-12, max_iter=100_000)


def assert_relative_close(actual, desired, rtol=1e-5):
    """``||actual - desired|| <= rtol * ||desired||`` (entrywise rtol is meaningless at 0)."""
    actual, desired = np.asarray(actual, dtype=float), np.asarray(desired, dtype=float)
    assert actual.shape == desired.shape
    error = np.linalg.norm(actual - desired)
    assert error <= rtol * np.linalg.norm(desired), (error, np.linalg.norm(desired))


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def sparse_problem():
    rng = np.random.default_rng(1)
    X = sp.random(120, 60, density=0.15, format="csr", random_state=2, dtype=np.float64)
    w = np.zeros(60)
    w[:6] = rng.standard_normal(6) * 3
    y = X @ w + 0.1 * rng.standard_normal(120) + 2.0
    return X, y


@pytest.fixture(params=["implicit operator", "dense copy"])
def sparse_centring(request, monkeypatch):
    """Run a test with both ways of centring sparse X: the implicit operator, and the dense
    copy used for tiny matrices (the test problems are tiny, so force the operator)."""
    if request.param == "implicit operator":
        monkeypatch.setattr(_base, "_DENSIFY_MAX_ENTRIES", 0)
    return request.param


def _fit_pair(ours, theirs, X, y, sample_weight=None):
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)
    assert_relative_close(ours.coef_, theirs.coef_)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-6, atol=1e-8)
    return ours, theirs


# ---------------------------------------------------------------------------------------------
# the same coefficients as scikit-learn


@pytest.mark.parametrize("alpha", [0.5, 0.02])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_matches_sklearn_on_diabetes(diabetes, alpha, fit_intercept, positive):
    X, y = diabetes
    options = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive, **TIGHT)
    ours, _ = _fit_pair(Lasso(**options), sk.Lasso(**options), X, y)
    # scikit-learn's stopping bound, which our tol means: gap <= tol * ||y_c||^2 / n_samples
    y_c = y - y.mean() if fit_intercept else y
    assert ours.dual_gap_ <= 1e-14 * np.mean(y_c**2)


@pytest.mark.parametrize("l1_ratio", [0.3, 0.9])
def test_elastic_net_matches_sklearn_on_diabetes(diabetes, l1_ratio):
    X, y = diabetes
    options = dict(alpha=0.01, l1_ratio=l1_ratio, **TIGHT)
    _fit_pair(ElasticNet(**options), sk.ElasticNet(**options), X, y)


def test_sample_weight_matches_sklearn(diabetes, rng):
    X, y = diabetes
    sample_weight = rng.uniform(0.2, 3.0, size=len(y))
    sample_weight[:20] = 0.0
    _fit_pair(Lasso(alpha=0.05, **TIGHT), sk.Lasso(alpha=0.05, **TIGHT), X, y, sample_weight)
    options = dict(alpha=0.02, l1_ratio=0.5, **TIGHT)
    _fit_pair(ElasticNet(**options), sk.ElasticNet(**options), X, y, sample_weight)


def test_multi_output_matches_sklearn(diabetes):
    X, y = diabetes
    Y = np.column_stack([y, X @ np.arange(10.0) * 30 + 5.0, -0.5 * y])
    ours, _ = _fit_pair(Lasso(alpha=0.1, **TIGHT), sk.Lasso(alpha=0.1, **TIGHT), X, Y)
    assert ours.coef_.shape == (3, 10)
    assert ours.intercept_.shape == ours.dual_gap_.shape == (3,)
    assert ours.predict(X).shape == (len(y), 3)
    options = dict(alpha=0.01, l1_ratio=0.7, positive=True, **TIGHT)
    _fit_pair(ElasticNet(**options), sk.ElasticNet(**options), X, Y)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_design_matches_sklearn(sparse_problem, rng, fit_intercept, sparse_centring):
    X, y = sparse_problem
    options = dict(alpha=0.01, fit_intercept=fit_intercept, **SPARSE_TIGHT)
    _fit_pair(Lasso(**options), sk.Lasso(**options), X, y)
    sample_weight = rng.uniform(0.5, 2.0, size=X.shape[0])
    options = dict(alpha=0.005, l1_ratio=0.6, fit_intercept=fit_intercept, **SPARSE_TIGHT)
    _fit_pair(ElasticNet(**options), sk.ElasticNet(**options), X, y, sample_weight)


@pytest.mark.parametrize("solver", ["fista", "ista", "cd", "auto"])
def test_solvers_agree(diabetes, solver):
    X, y = diabetes
    ours = Lasso(alpha=0.3, solver=solver, tol=1e-10, max_iter=200_000).fit(X, y)
    theirs = sk.Lasso(alpha=0.3, tol=1e-10, max_iter=100_000).fit(X, y)
    assert_relative_close(ours.coef_, theirs.coef_)


def test_default_tolerance_meets_sklearn_gap_bound(diabetes):
    # tol has scikit-learn's meaning: dual gap <= tol * ||y_c||^2 / n_samples.
    X, y = diabetes
    for tol in (1e-3, 1e-6):
        model = Lasso(alpha=0.01, tol=tol, max_iter=100_000).fit(X, y)
        assert model.dual_gap_ <= tol * np.mean((y - y.mean()) ** 2)


# ---------------------------------------------------------------------------------------------
# LassoCV


def test_lasso_cv_matches_sklearn(diabetes):
    X, y = diabetes
    cv = KFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        # every alpha meets scikit-learn's rule: the path solver's own warnings about its
        # stricter relative tolerance (gap 2.04e-14 > 2e-14 once) must not reach the user
        warnings.simplefilter("error")
        ours = LassoCV(cv=cv, alphas=30, **TIGHT).fit(X, y)
    theirs = sk.LassoCV(cv=cv, alphas=30, **TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == theirs.alpha_
    assert_relative_close(ours.coef_, theirs.coef_)


def test_lasso_cv_summarizes_missed_alphas_once_per_fold(diabetes):
    # with max_iter=2 most alphas miss scikit-learn's rule, and each fold says so once
    X, y = diabetes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LassoCV(cv=3, alphas=10, max_iter=2, tol=1e-12).fit(X, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    folds = [m for m in messages if "alphas of a fold's path: Objective did not converge" in m]
    assert len(folds) == 3
    assert len(messages) == 4  # and the final refit's (a Lasso at alpha_)
    assert messages[-1].startswith("Objective did not converge")


def test_lasso_cv_with_weights_and_alphas_array_matches_sklearn(
    sparse_problem, rng, sparse_centring
):
    X, y = sparse_problem
    sample_weight = rng.uniform(0.5, 2.0, size=X.shape[0])
    alphas = [0.001, 0.1, 0.01, 0.003, 0.03]
    options = dict(cv=3, alphas=alphas, **SPARSE_TIGHT)
    ours = LassoCV(**options).fit(X, y, sample_weight=sample_weight)
    theirs = sk.LassoCV(**options).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(ours.alphas_, theirs.alphas_)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == theirs.alpha_
    # the grid of sklearn with weights and positive=True
    grid = LassoCV(cv=3, alphas=5, positive=True).fit(X, y, sample_weight)
    sk_grid = sk.LassoCV(cv=3, alphas=5, positive=True).fit(X, y, sample_weight)
    np.testing.assert_allclose(grid.alphas_, sk_grid.alphas_, rtol=1e-12)


class _RecordingBackend(ThreadingBackend):
    """joblib's threading backend, counting how often a Parallel call configures it."""

    n_configured = 0

    def configure(self, *args, **kwargs):
        type(self).n_configured += 1
        return super().configure(*args, **kwargs)


def test_lasso_cv_folds_run_through_the_users_joblib_backend(diabetes):
    X, y = diabetes
    serial = LassoCV(cv=3, alphas=10).fit(X, y)
    joblib.register_parallel_backend("recording", _RecordingBackend)
    with joblib.parallel_config(backend="recording", n_jobs=2):
        parallel = LassoCV(cv=3, alphas=10).fit(X, y)
    assert _RecordingBackend.n_configured >= 1
    np.testing.assert_array_equal(serial.mse_path_, parallel.mse_path_)
    assert serial.alpha_ == parallel.alpha_


@pytest.mark.parametrize("shape", [(60, 150), (150, 20)])
def test_lasso_cv_paths_of_every_solver_match_sklearn(rng, shape):
    # wide designs run a warm-started solve per alpha (any solver); tall ones lasso_path
    X = rng.standard_normal(shape)
    y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + 0.5 * rng.standard_normal(shape[0])
    reference = sk.LassoCV(cv=3, alphas=8, eps=0.05, **TIGHT).fit(X, y)
    for solver in ("fista", "ista", "cd", "auto"):
        ours = LassoCV(cv=3, alphas=8, eps=0.05, solver=solver, **TIGHT).fit(X, y)
        np.testing.assert_allclose(ours.mse_path_, reference.mse_path_, rtol=1e-6)
        assert ours.alpha_ == reference.alpha_


# ---------------------------------------------------------------------------------------------
# sparse and dense, dtypes, warm start, warnings


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_and_dense_give_the_same_fit(sparse_problem, rng, fmt, sparse_centring):
    X, y = sparse_problem
    X = X.asformat(fmt)
    sample_weight = rng.uniform(0.5, 2.0, size=X.shape[0])
    for model in (
        Lasso(alpha=0.01, **SPARSE_TIGHT),
        ElasticNet(alpha=0.01, positive=True, **SPARSE_TIGHT),
        IHTRegressor(n_nonzero_coefs=6),
    ):
        sparse_fit = pickle.loads(pickle.dumps(model)).fit(X, y, sample_weight=sample_weight)
        dense_fit = model.fit(X.toarray(), y, sample_weight=sample_weight)
        assert_relative_close(sparse_fit.coef_, dense_fit.coef_, rtol=1e-6)
        np.testing.assert_allclose(sparse_fit.intercept_, dense_fit.intercept_, rtol=1e-6)
        np.testing.assert_allclose(sparse_fit.predict(X), dense_fit.predict(X.toarray()))


def test_sparse_input_is_not_densified_nor_modified(rng):
    X = sp.random(400, 300, density=0.02, format="csc", random_state=3)
    y = rng.standard_normal(400)
    data = _base._prepare_data(X, y, rng.uniform(1, 2, 400), fit_intercept=True)
    assert isinstance(data.design, _base._CenteredSparseOperator)
    assert sp.issparse(data.design.S) and data.design.S.nnz == X.nnz
    X_before = X.copy()
    Lasso(alpha=0.01).fit(X, y)
    assert (X != X_before).nnz == 0


@pytest.mark.parametrize(
    "Estimator",
    # The convex fits at tol=1e-6: at the default 1e-4, diabetes' coefficients are determined
    # to about 1e-3 only, and two fits may stop anywhere within that. LassoCV on a grid whose
    # errors are not within tol of each other (on the default grid the flat minimum of
    # diabetes' errors lets alpha_ differ by a grid step).
    [
        lambda: Lasso(tol=1e-6),
        lambda: ElasticNet(tol=1e-6),
        IHTRegressor,
        lambda: LassoCV(alphas=[1.0, 0.1, 0.01], tol=1e-6),
    ],
)
def test_float32_stays_float32(diabetes, Estimator):
    X, y = diabetes
    model = Estimator().fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    reference = Estimator().fit(X, y)
    assert_relative_close(model.coef_, reference.coef_, rtol=1e-3)


def test_warm_start_reuses_the_solution(diabetes):
    X, y = diabetes
    model = Lasso(alpha=0.01, warm_start=True, tol=1e-8, max_iter=10_000).fit(X, y)
    first = model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < first
    cold = Lasso(alpha=0.01, tol=1e-8, max_iter=10_000).fit(X, y)
    assert cold.n_iter_ == first


def test_convergence_warning_when_max_iter_is_too_small(diabetes):
    X, y = diabetes
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        Lasso(alpha=0.001, max_iter=1, tol=1e-14).fit(X, y)


def test_input_is_not_modified(diabetes, rng):
    X, y = diabetes
    X, y = X.copy(), y.copy()
    sample_weight = rng.uniform(0.5, 2, size=len(y))
    copies = X.copy(), y.copy(), sample_weight.copy()
    for model in (Lasso(alpha=0.1), IHTRegressor(), LassoCV(cv=3, alphas=5)):
        model.fit(X, y, sample_weight=sample_weight)
    for before, after in zip(copies, (X, y, sample_weight)):
        np.testing.assert_array_equal(before, after)


# ---------------------------------------------------------------------------------------------
# IHTRegressor


def test_iht_recovers_a_sparse_model_like_omp(rng):
    X = rng.standard_normal((80, 40))
    w = np.zeros(40)
    w[[3, 11, 25, 31]] = [2.0, -1.5, 3.0, 1.0]
    y = X @ w + 4.0
    ours = IHTRegressor(n_nonzero_coefs=4).fit(X, y)
    omp = sk.OrthogonalMatchingPursuit(n_nonzero_coefs=4).fit(X, y)
    np.testing.assert_array_equal(np.flatnonzero(ours.support_), [3, 11, 25, 31])
    np.testing.assert_allclose(ours.coef_, omp.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, omp.intercept_, atol=1e-6)


def test_iht_default_sparsity_and_multi_output(rng):
    X = rng.standard_normal((60, 30))
    Y = X[:, :3] @ rng.standard_normal((3, 2))
    model = IHTRegressor().fit(X, Y)
    assert model.n_nonzero_coefs_ == 3  # max(1, int(0.1 * 30)), as OrthogonalMatchingPursuit
    assert model.coef_.shape == model.support_.shape == (2, 30)
    assert np.all(model.support_.sum(axis=1) <= 3)


# ---------------------------------------------------------------------------------------------
# scikit-learn machinery


def test_pipeline_grid_search(diabetes):
    X, y = diabetes
    lasso = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso()), {"lasso__alpha": [0.1, 1.0, 10.0]}, cv=3
    ).fit(X, y)
    assert lasso.best_params_["lasso__alpha"] in (0.1, 1.0, 10.0)
    iht = GridSearchCV(
        make_pipeline(StandardScaler(), IHTRegressor()),
        {"ihtregressor__n_nonzero_coefs": [1, 4, 8]},
        cv=3,
    ).fit(X, y)
    # one feature under-fits the diabetes target; more are better
    assert iht.best_params_["ihtregressor__n_nonzero_coefs"] in (4, 8)
    assert iht.best_score_ > 0.4


@pytest.mark.parametrize(
    "model", [Lasso(alpha=0.1), ElasticNet(alpha=0.01), LassoCV(cv=3, alphas=5), IHTRegressor()]
)
def test_pickle_round_trip(diabetes, model):
    X, y = diabetes
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.get_params() == model.get_params()


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("model", "match"),
    [
        (Lasso(alpha=-1.0), "alpha"),
        (ElasticNet(l1_ratio=1.5), "l1_ratio"),
        (Lasso(solver="newton"), "solver"),
        (Lasso(max_iter=0), "max_iter"),
        (LassoCV(eps=0.0), "eps"),
        (IHTRegressor(n_nonzero_coefs=0), "n_nonzero_coefs"),
        (IHTRegressor(n_nonzero_coefs=11), "n_nonzero_coefs=11"),
    ],
)
def test_bad_parameters_are_named(diabetes, model, match):
    X, y = diabetes
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)


def test_bad_data_is_named(diabetes):
    X, y = diabetes
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso().fit(X_nan, y)
    with pytest.raises(ValueError, match="alphas"):
        LassoCV(alphas=[0.1, -1.0]).fit(X, y)
    with pytest.raises(ValueError, match=r"[Nn]egative"):
        Lasso().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Lasso().fit(X, y[:-1])
