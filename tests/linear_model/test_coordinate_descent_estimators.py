"""scikit-learn's coordinate-descent family, parameter by parameter, against scikit-learn.

scikit-learn 1.9 is the independent reference: the objectives are the same, so at a tight
tolerance the coefficients, intercepts, duality gaps, cross-validation errors and grids must
agree; the parameters scikit-learn added to the interface (``precompute``, ``copy_X``,
``check_input``, ``selection``, ``random_state``, ``path``, metadata routing) must mean what
they mean there. ``tests/linear_model/run_sklearn_cd_suite.py`` runs scikit-learn's own test
file with these classes.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
import sklearn.linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupKFold, KFold

import sparserecover.linear_model as sr

TIGHT = dict(tol=1e-12, max_iter=100_000)


def assert_relative_close(actual, desired, rtol=1e-6):
    """``||actual - desired|| <= rtol * ||desired||``."""
    actual, desired = np.asarray(actual, dtype=float), np.asarray(desired, dtype=float)
    assert actual.shape == desired.shape
    error = np.linalg.norm(actual - desired)
    assert error <= rtol * np.linalg.norm(desired), (error, np.linalg.norm(desired))


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def wide():
    """A wide correlated design with a sparse model, 3 targets sharing the support."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 150))
    X[:, 1:] += 0.5 * X[:, :-1]
    W = np.zeros((150, 3))
    W[:6] = rng.standard_normal((6, 3)) * 3
    Y = X @ W + 0.5 * rng.standard_normal((80, 3)) + [1.0, -2.0, 0.5]
    return X, Y


# --------------------------------------------------------------------------------- Lasso / EN


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_gram_coordinate_descent_matches_sklearn(diabetes, precompute, positive):
    X, y = diabetes
    options = dict(alpha=0.01, l1_ratio=0.7, precompute=precompute, positive=positive, **TIGHT)
    ours = sr.ElasticNet(**options).fit(X, y)
    theirs = sk.ElasticNet(**options).fit(X, y)
    assert_relative_close(ours.coef_, theirs.coef_)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8)
    # the duality gap of the objective, in scikit-learn's scale, below its bound
    assert 0 <= ours.dual_gap_ <= 1e-12 * np.mean((y - y.mean()) ** 2)


def test_a_users_gram_matrix_is_used_and_checked(diabetes, rng):
    X, y = diabetes
    X_c = X - X.mean(axis=0)
    weights = rng.uniform(0.5, 2.0, len(y))
    normalized = weights * len(y) / weights.sum()
    X_w = X_c - np.average(X_c, axis=0, weights=normalized)
    gram = (X_w * normalized[:, None]).T @ X_w
    ours = sr.Lasso(alpha=0.01, precompute=gram, **TIGHT).fit(X_w, y, sample_weight=weights)
    theirs = sk.Lasso(alpha=0.01, precompute=gram, **TIGHT).fit(X_w, y, sample_weight=weights)
    assert_relative_close(ours.coef_, theirs.coef_)
    with pytest.raises(ValueError, match=r"Gram matrix.*did not pass validation"):
        sr.Lasso(precompute=np.eye(10)).fit(X_c, y)
    with pytest.warns(UserWarning, match="Gram matrix was provided but X was centered"):
        sr.Lasso(precompute=(X + 1).T @ (X + 1)).fit(X + 1, y)


@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_selection_and_random_state(diabetes, selection):
    X, y = diabetes
    options = dict(alpha=0.02, selection=selection, random_state=3, **TIGHT)
    ours = sr.Lasso(**options).fit(X, y)
    assert_relative_close(ours.coef_, sk.Lasso(**options).fit(X, y).coef_)
    # the same random_state gives the same bits; another one the same solution
    np.testing.assert_array_equal(ours.coef_, sr.Lasso(**options).fit(X, y).coef_)
    other = sr.Lasso(**{**options, "random_state": 4}).fit(X, y)
    assert_relative_close(other.coef_, ours.coef_)


def test_multi_target_lasso_is_one_lasso_per_target(wide):
    X, Y = wide
    together = sr.ElasticNet(alpha=0.05, **TIGHT).fit(X, Y)
    theirs = sk.ElasticNet(alpha=0.05, **TIGHT).fit(X, Y)
    assert_relative_close(together.coef_, theirs.coef_)
    assert isinstance(together.n_iter_, list) and len(together.n_iter_) == 3
    assert together.dual_gap_.shape == (3,)
    for k in range(3):
        alone = sr.ElasticNet(alpha=0.05, **TIGHT).fit(X, Y[:, k])
        # (the same kernel runs column by column: only the centring's rounding differs)
        assert_relative_close(alone.coef_, together.coef_[k], rtol=1e-9)
        assert together.dual_gap_[k] <= 1e-12 * np.mean((Y[:, k] - Y[:, k].mean()) ** 2)


def test_float32_sparse_and_weights(wide, rng):
    X, Y = wide
    y = Y[:, 0]
    weights = rng.uniform(0.5, 2.0, len(y))
    X_sparse = sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0))
    for design in (X, X_sparse):
        ours = sr.Lasso(alpha=0.05, **TIGHT).fit(design, y, sample_weight=weights)
        theirs = sk.Lasso(alpha=0.05, **TIGHT).fit(design, y, sample_weight=weights)
        assert_relative_close(ours.coef_, theirs.coef_)
        single = sr.Lasso(alpha=0.05, tol=1e-6).fit(design.astype(np.float32),
                                                    y.astype(np.float32))
        assert single.coef_.dtype == np.float32 and np.asarray(single.dual_gap_).dtype == np.float32
        assert_relative_close(single.coef_, sk.Lasso(alpha=0.05, **TIGHT).fit(design, y).coef_,
                              1e-3)


def test_warm_start_continues_the_iterations(wide):
    # scikit-learn's semantics: two fits of max_iter iterations from a warm start are one fit
    # of twice as many
    X, Y = wide
    y = Y[:, 0]
    twice = sr.ElasticNet(alpha=0.05, max_iter=2, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        twice.fit(X, y).fit(X, y)
        once = sr.ElasticNet(alpha=0.05, max_iter=4).fit(X, y)
    np.testing.assert_allclose(twice.coef_, once.coef_, rtol=1e-10, atol=1e-12)
    # a warm start at the solution runs no pass (the gap is tested first)
    converged = sr.ElasticNet(alpha=0.05, warm_start=True).fit(X, y)
    assert converged.n_iter_ > 0 and converged.fit(X, y).n_iter_ == 0


def test_copy_x_and_check_input(diabetes):
    X, y = diabetes
    X = np.asfortranarray(X)
    before = X.copy()
    reference = sr.Lasso(alpha=0.05).fit(X, y)
    sr.Lasso(alpha=0.05, copy_X=True).fit(X, y, check_input=False)
    np.testing.assert_array_equal(X, before)
    overwritten = sr.Lasso(alpha=0.05, copy_X=False).fit(X, y, check_input=False)
    assert not np.array_equal(X, before)  # centred in place, as scikit-learn's copy_X=False
    np.testing.assert_allclose(overwritten.coef_, reference.coef_, rtol=1e-12)
    with pytest.raises(ValueError, match="Fortran"):
        sr.Lasso().fit(np.ascontiguousarray(before), y, check_input=False)


def test_alpha_zero_and_convergence_warnings_are_sklearns(diabetes):
    X, y = diabetes
    with pytest.warns(UserWarning, match="With alpha=0, this algorithm does not converge"):
        sr.Lasso(alpha=0, max_iter=5).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge.*Duality gap"):
        sr.Lasso(alpha=1e-4, max_iter=1, tol=1e-14).fit(X, y)


def test_sparse_coef_and_path(diabetes):
    X, y = diabetes
    model = sr.Lasso(alpha=0.5).fit(X, y)
    assert sp.issparse(model.sparse_coef_) and model.sparse_coef_.shape == (1, 10)
    np.testing.assert_array_equal(model.sparse_coef_.toarray()[0], model.coef_)
    X_c, y_c = X - X.mean(axis=0), y - y.mean()
    for ours, theirs in ((sr.ElasticNet.path, sk.enet_path), (sr.LassoCV.path, sk.lasso_path)):
        alphas, coefs, gaps, n_iter = ours(X_c, y_c, alphas=5, tol=1e-12, max_iter=100_000,
                                           return_n_iter=True)
        ref_alphas, ref_coefs, _ = theirs(X_c, y_c, alphas=5, tol=1e-12, max_iter=100_000)
        np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
        assert_relative_close(coefs, ref_coefs)
        assert gaps.shape == (5,) and len(n_iter) == 5
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        sr.ElasticNet.path(X_c, y_c, normalize=True)


# --------------------------------------------------------------------------------- CV


@pytest.mark.parametrize("precompute", ["auto", False])
def test_elastic_net_cv_matches_sklearn(diabetes, precompute):
    X, y = diabetes
    options = dict(l1_ratio=[0.2, 0.9], alphas=12, cv=KFold(4, shuffle=True, random_state=0),
                   precompute=precompute, **TIGHT)
    ours = sr.ElasticNetCV(**options).fit(X, y)
    theirs = sk.ElasticNetCV(**options).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    assert ours.alphas_.shape == (2, 12) and ours.mse_path_.shape == (2, 12, 4)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-7)
    assert (ours.alpha_, ours.l1_ratio_) == (theirs.alpha_, theirs.l1_ratio_)
    assert_relative_close(ours.coef_, theirs.coef_)


def test_lasso_cv_weights_positive_and_sparse(wide, rng):
    X, Y = wide
    y = Y[:, 1]
    weights = rng.uniform(0.5, 2.0, len(y))
    for design in (X, sp.csc_matrix(np.where(np.abs(X) > 0.8, X, 0.0))):
        options = dict(alphas=8, cv=3, positive=True, **TIGHT)
        ours = sr.LassoCV(**options).fit(design, y, sample_weight=weights)
        theirs = sk.LassoCV(**options).fit(design, y, sample_weight=weights)
        np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
        np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
        assert ours.alpha_ == theirs.alpha_


def test_groups_are_routed_to_the_splitter(diabetes):
    X, y = diabetes
    groups = np.arange(len(y)) % 7
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        sr.LassoCV(cv=GroupKFold(3)).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        ours = sr.LassoCV(cv=GroupKFold(3), alphas=10).fit(X, y, groups=groups)
        theirs = sk.LassoCV(cv=GroupKFold(3), alphas=10).fit(X, y, groups=groups)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-3)
    assert ours.alpha_ == theirs.alpha_


# --------------------------------------------------------------------------------- multi-task


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("sparse_x", [False, True])
def test_multi_task_matches_sklearn(wide, rng, l1_ratio, sparse_x):
    X, Y = wide
    if sparse_x:
        X = sp.csc_matrix(np.where(np.abs(X) > 0.8, X, 0.0))
    weights = rng.uniform(0.5, 2.0, len(Y))
    options = dict(alpha=0.1, l1_ratio=l1_ratio, **TIGHT)
    ours = sr.MultiTaskElasticNet(**options).fit(X, Y, sample_weight=weights)
    theirs = sk.MultiTaskElasticNet(**options).fit(X, Y, sample_weight=weights)
    assert_relative_close(ours.coef_, theirs.coef_)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-7)
    # rows are zero together; the gap certifies the whole problem
    support = np.abs(ours.coef_).sum(axis=0) > 0
    assert np.all((ours.coef_ != 0) == support)
    assert 0 <= ours.dual_gap_ <= ours.eps_ / len(Y)
    np.testing.assert_allclose(ours.eps_, theirs.eps_, rtol=1e-12)


def test_multi_task_lasso_float32_and_one_task(wide):
    X, Y = wide
    single = sr.MultiTaskLasso(alpha=0.1).fit(X.astype(np.float32), Y.astype(np.float32))
    assert single.coef_.dtype == np.float32
    assert_relative_close(single.coef_, sr.MultiTaskLasso(alpha=0.1).fit(X, Y).coef_, 1e-3)
    # one task: the row-group penalty is the lasso's
    one = sr.MultiTaskLasso(alpha=0.1, **TIGHT).fit(X, Y[:, :1])
    np.testing.assert_array_equal(one.coef_[0], sr.Lasso(alpha=0.1, **TIGHT).fit(X, Y[:, 0]).coef_)
    with pytest.raises(ValueError, match="For mono-task outputs, use Lasso"):
        sr.MultiTaskLasso().fit(X, Y[:, 0])


def test_multi_task_cv_matches_sklearn(wide):
    X, Y = wide
    options = dict(alphas=10, cv=3, **TIGHT)
    for ours_cls, theirs_cls, extra in (
        (sr.MultiTaskLassoCV, sk.MultiTaskLassoCV, {}),
        (sr.MultiTaskElasticNetCV, sk.MultiTaskElasticNetCV, {"l1_ratio": [0.5, 1.0]}),
    ):
        ours = ours_cls(**options, **extra).fit(X, Y)
        theirs = theirs_cls(**options, **extra).fit(X, Y)
        np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
        np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
        assert ours.alpha_ == theirs.alpha_
        assert_relative_close(ours.coef_, theirs.coef_)
    with pytest.raises(ValueError, match="For multi-task outputs, use MultiTaskLassoCV"):
        sr.LassoCV().fit(X, Y)
