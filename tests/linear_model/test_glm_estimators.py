"""MCP, SCAD, Huber and logistic estimators against skglm and scikit-learn.

The references solve the same objectives independently: skglm's estimators (its own
working-set coordinate descent and, for logistic regression, proximal Newton), scikit-learn's
``LogisticRegression`` (liblinear, saga) and ``HuberRegressor`` (whose fixed-scale problem is
our Huber objective, see :func:`test_huber_matches_sklearn_huber_regressor`). Both sides run
to a tight tolerance, so coefficients agree to 1e-6. MCP and SCAD are not convex; on the
problems below (more samples than features, or a sparse solution) the stationary point is
unique in practice, so both solvers find it (at a weaker penalty on the wide problem,
alpha=0.2 without intercept, the two solvers' different coordinate orders end at different
stationary points: a property of the non-convex problem, not a fault of either; there each
solver, started from the other's solution, stays on it: both are stationary points by both
solvers' optimality tests).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.linear_model import (
    MCPRegressor,
    SCADRegressor,
    SparseHuberRegressor,
    SparseLogisticRegression,
)

skglm = pytest.importorskip("skglm")

TOL = 1e-10


def _regression(n_samples, n_features, seed, sparse_x=False):
    rng = np.random.default_rng(seed)
    if sparse_x:
        # entries of variance 1 / density: columns of unit mean square, as the dense ones
        X = scipy.sparse.random(n_samples, n_features, density=0.2, random_state=seed,
                                format="csc", data_rvs=lambda k: rng.normal(0, 5**0.5, k))
        dense = X.toarray()
    else:
        X = dense = rng.standard_normal((n_samples, n_features))
    coef = np.zeros(n_features)
    coef[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]
    y = dense @ coef + 2.0 + 0.5 * rng.standard_normal(n_samples)
    return X, y


def _skglm_penalized(name, alpha, gamma, fit_intercept):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Quadratic
    from skglm.penalties import SCAD, MCPenalty
    from skglm.solvers import AndersonCD

    penalty = MCPenalty(alpha, gamma) if name == "mcp" else SCAD(alpha, gamma)
    return GeneralizedLinearEstimator(
        Quadratic(), penalty,
        AndersonCD(tol=TOL, max_iter=1000, fit_intercept=fit_intercept))


@pytest.mark.parametrize("name", ["mcp", "scad"])
@pytest.mark.parametrize("sparse_x", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("shape", "alpha"), [((200, 50), 0.05), ((80, 300), 0.3)])
def test_penalized_regression_matches_skglm(name, sparse_x, fit_intercept, shape, alpha):
    X, y = _regression(*shape, seed=0, sparse_x=sparse_x)
    gamma = 3.0 if name == "mcp" else 3.7
    Estimator = MCPRegressor if name == "mcp" else SCADRegressor
    ours = Estimator(alpha=alpha, gamma=gamma, fit_intercept=fit_intercept, tol=TOL,
                     max_iter=1000).fit(X, y)
    reference = _skglm_penalized(name, alpha, gamma, fit_intercept).fit(X, y)
    assert ours.stop_crit_ <= TOL
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["mcp", "scad"])
@pytest.mark.parametrize("sparse_x", [False, True])
@pytest.mark.filterwarnings("ignore:.*is faster on contiguous arrays")  # skglm's own code
def test_wide_problem_solutions_are_stationary_for_both_solvers(name, sparse_x):
    """The wide problem at a weak penalty, where the two solvers from zero may end at
    different stationary points: skglm started at our solution does not move from it (its
    optimality test holds there to TOL), and ours started at skglm's does not move either."""
    from skglm.datafits import Quadratic
    from skglm.penalties import SCAD, MCPenalty
    from skglm.solvers import AndersonCD

    X, y = _regression(80, 300, seed=0, sparse_x=sparse_x)
    alpha, gamma = 0.2, (3.0 if name == "mcp" else 3.7)
    Estimator = MCPRegressor if name == "mcp" else SCADRegressor
    ours = Estimator(alpha=alpha, gamma=gamma, fit_intercept=False, tol=TOL,
                     max_iter=1000).fit(X, y)
    penalty = MCPenalty(alpha, gamma) if name == "mcp" else SCAD(alpha, gamma)
    solver = AndersonCD(tol=TOL, max_iter=1000, fit_intercept=False)
    from_zero = solver.solve(X, y, Quadratic(), penalty)[0]
    from_ours = solver.solve(X, y, Quadratic(), penalty, w_init=ours.coef_.copy(),
                             Xw_init=np.asarray(X @ ours.coef_))[0]
    np.testing.assert_allclose(from_ours, ours.coef_, rtol=0, atol=1e-8)
    restarted = Estimator(alpha=alpha, gamma=gamma, fit_intercept=False, tol=TOL,
                          max_iter=1000, warm_start=True)
    restarted.coef_ = from_zero.copy()
    restarted.fit(X, y)
    np.testing.assert_allclose(restarted.coef_, from_zero, rtol=0, atol=1e-8)


@pytest.mark.parametrize("make", [
    lambda: (MCPRegressor(alpha=0.05), _regression(100, 30, seed=5)),
    lambda: (SCADRegressor(alpha=0.05, fit_intercept=False), _regression(100, 30, seed=5)),
    lambda: (SparseHuberRegressor(alpha=0.02, epsilon=1.0),
             _with_outliers(*_regression(100, 30, seed=5), seed=5)),
    lambda: (SparseLogisticRegression(alpha=0.01), _classification(120, 30, seed=5)),
    lambda: (SparseLogisticRegression(alpha=0.01), _classification(120, 30, seed=5,
                                                                    n_classes=3)),
])
def test_warm_start_continues_from_the_previous_fit(make):
    """A converged fit refitted with ``warm_start=True`` on the same data starts at its own
    solution: no coordinate-descent pass, the same coefficients; on other data of the same
    shape it reaches what a fit from zero reaches."""
    model, (X, y) = make()
    model.set_params(tol=TOL).fit(X, y)
    coef, intercept = model.coef_.copy(), np.copy(model.intercept_)
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_epochs_ == 0
    np.testing.assert_array_equal(model.coef_, coef)
    np.testing.assert_array_equal(model.intercept_, intercept)
    X_other = X[::-1] if not scipy.sparse.issparse(X) else X[::-1].tocsc()
    continued = model.fit(X_other, y).coef_.copy()
    fresh = clone(model).set_params(warm_start=False).fit(X_other, y).coef_
    np.testing.assert_allclose(continued, fresh, rtol=0, atol=1e-6)


def test_warm_start_with_other_features_is_an_error():
    X, y = _regression(100, 30, seed=6)
    model = MCPRegressor(alpha=0.05, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start=True .* shape \(30,\).* \(20,\)"):
        model.fit(X[:, :20], y)


@pytest.mark.parametrize("Estimator", [MCPRegressor, SCADRegressor])
def test_penalized_regression_float32_and_input_unchanged(Estimator):
    X, y = _regression(100, 30, seed=1)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    before = X32.copy()
    model32 = Estimator(alpha=0.05, tol=1e-6).fit(X32, y32)
    model64 = Estimator(alpha=0.05, tol=1e-6).fit(X, y)
    assert model32.coef_.dtype == np.float32
    np.testing.assert_array_equal(X32, before)
    np.testing.assert_allclose(model32.coef_, model64.coef_, atol=1e-4)


def test_mcp_large_gamma_is_the_lasso():
    from sparserecover import Lasso

    X, y = _regression(100, 30, seed=2)
    mcp = MCPRegressor(alpha=0.1, gamma=1e12, tol=1e-12, max_iter=1000).fit(X, y)
    lasso = Lasso(alpha=0.1, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(mcp.coef_, lasso.coef_, atol=1e-7)


def test_non_convergence_warns():
    X, y = _regression(100, 30, seed=3)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        MCPRegressor(alpha=0.01, tol=1e-14, max_iter=1, max_epochs=1).fit(X, y)


@parametrize_with_checks([MCPRegressor(), SCADRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(estimator)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


# ---------------------------------------------------------------------------- logistic


def _classification(n_samples, n_features, seed, sparse_x=False, n_classes=2):
    X, _ = _regression(n_samples, n_features, seed, sparse_x)
    rng = np.random.default_rng(seed + 100)
    dense = X.toarray() if sparse_x else X
    scores = dense[:, :3] @ rng.standard_normal((3, n_classes)) + rng.standard_normal(
        (n_samples, n_classes))
    labels = np.array(["a", "b", "c", "d"])[:n_classes]
    if n_classes == 2:
        return X, labels[(scores[:, 0] > 0.3).astype(int)]
    return X, labels[np.argmax(scores, axis=1)]


@pytest.mark.parametrize("sparse_x", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("shape", "alpha", "l1_ratio"),
                         [((300, 40), 0.01, 1.0), ((100, 400), 0.02, 1.0),
                          ((150, 60), 0.02, 0.5)])
def test_logistic_matches_skglm(sparse_x, fit_intercept, shape, alpha, l1_ratio):
    X, y = _classification(*shape, seed=4, sparse_x=sparse_x)
    ours = SparseLogisticRegression(alpha=alpha, l1_ratio=l1_ratio,
                                    fit_intercept=fit_intercept, tol=TOL).fit(X, y)
    reference = skglm.SparseLogisticRegression(
        alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=TOL, max_iter=100,
    ).fit(X, y)
    assert ours.stop_crit_ <= TOL
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, np.atleast_1d(reference.intercept_), rtol=0,
                               atol=1e-6)


def test_logistic_multiclass_matches_skglm():
    X, y = _classification(300, 30, seed=5, n_classes=3)
    ours = SparseLogisticRegression(alpha=0.01, tol=TOL).fit(X, y)
    reference = skglm.SparseLogisticRegression(alpha=0.01, tol=TOL, max_iter=100).fit(X, y)
    assert ours.coef_.shape == (3, 30)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ours.predict(X), ours.classes_[np.argmax(proba, axis=1)])


@pytest.mark.parametrize("sparse_x", [False, True])
def test_logistic_matches_liblinear(sparse_x):
    from sklearn.linear_model import LogisticRegression

    X, y = _classification(300, 40, seed=6, sparse_x=sparse_x)
    alpha = 0.01
    ours = SparseLogisticRegression(alpha=alpha, fit_intercept=False, tol=TOL).fit(X, y)
    # liblinear penalizes its intercept: compared without one
    reference = LogisticRegression(
        l1_ratio=1.0, C=1.0 / (alpha * X.shape[0]), solver="liblinear", fit_intercept=False,
        tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    # the model's probabilities, 1 / (1 + exp(-x.w)), as scikit-learn's
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_logistic_matches_saga_with_intercept():
    from sklearn.linear_model import LogisticRegression

    X, y = _classification(200, 20, seed=7)
    alpha = 0.01
    ours = SparseLogisticRegression(alpha=alpha, tol=TOL).fit(X, y)
    reference = LogisticRegression(
        l1_ratio=1.0, C=1.0 / (alpha * X.shape[0]), solver="saga", tol=1e-13,
        max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=0, atol=1e-6)


# ---------------------------------------------------------------------------- Huber


def _skglm_huber(alpha, epsilon, l1_ratio, fit_intercept):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Huber
    from skglm.penalties import L1, L1_plus_L2
    from skglm.solvers import AndersonCD

    penalty = L1(alpha) if l1_ratio == 1.0 else L1_plus_L2(alpha, l1_ratio)
    return GeneralizedLinearEstimator(
        Huber(epsilon), penalty,
        AndersonCD(tol=TOL, max_iter=1000, fit_intercept=fit_intercept))


def _with_outliers(X, y, seed):
    y = y.copy()
    rng = np.random.default_rng(seed)
    rows = rng.choice(y.shape[0], y.shape[0] // 10, replace=False)
    y[rows] += rng.choice([-20.0, 20.0], rows.shape[0])
    return X, y


@pytest.mark.parametrize("sparse_x", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("shape", "alpha", "l1_ratio"),
                         [((200, 50), 0.02, 1.0), ((80, 300), 0.1, 1.0),
                          ((150, 40), 0.05, 0.5)])
def test_huber_matches_skglm(sparse_x, fit_intercept, shape, alpha, l1_ratio):
    X, y = _with_outliers(*_regression(*shape, seed=8, sparse_x=sparse_x), seed=8)
    ours = SparseHuberRegressor(alpha=alpha, epsilon=1.0, l1_ratio=l1_ratio,
                                fit_intercept=fit_intercept, tol=TOL).fit(X, y)
    reference = _skglm_huber(alpha, 1.0, l1_ratio, fit_intercept).fit(X, y)
    assert ours.stop_crit_ <= TOL
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=0, atol=1e-6)


def test_huber_matches_sklearn_huber_regressor():
    """HuberRegressor minimizes over (w, b, sigma)
    ``sum_i (sigma + H_eps(r_i / sigma) sigma) + a ||w||^2`` with
    ``H_eps(z) = z^2`` (|z| <= eps), ``2 eps |z| - eps^2`` beyond; at its ``scale_`` the
    problem in (w, b) is ``(2 / sigma) sum_i huber_{eps sigma}(r_i) + a ||w||^2``, i.e. ours
    at ``epsilon = eps sigma``, ``alpha = a sigma / n`` and ``l1_ratio = 0``.

    HuberRegressor's L-BFGS-B stops on scipy's default relative decrease (``ftol``), about
    1e-5 from the optimum here whatever its ``tol``; its solution is polished by the same
    L-BFGS-B on scikit-learn's own loss and gradient with that test off."""
    from scipy.optimize import minimize
    from sklearn.linear_model import HuberRegressor
    from sklearn.linear_model._huber import _huber_loss_and_gradient

    X, y = _with_outliers(*_regression(200, 20, seed=9), seed=9)
    epsilon, a = 1.35, 1.0
    fitted = HuberRegressor(epsilon=epsilon, alpha=a, tol=1e-12, max_iter=100_000).fit(X, y)
    start = np.concatenate([fitted.coef_, [fitted.intercept_, fitted.scale_]])
    bounds = [(None, None)] * (X.shape[1] + 1) + [(1e-10, None)]
    polished = minimize(_huber_loss_and_gradient, start,
                        args=(X, y, epsilon, a, np.ones(X.shape[0])),
                        method="L-BFGS-B", jac=True, bounds=bounds,
                        options={"ftol": 0.0, "gtol": 1e-13, "maxiter": 100_000}).x
    coef, intercept, sigma = polished[:-2], polished[-2], polished[-1]
    ours = SparseHuberRegressor(alpha=a * sigma / X.shape[0], epsilon=epsilon * sigma,
                                l1_ratio=0.0, tol=TOL).fit(X, y)
    np.testing.assert_allclose(ours.coef_, coef, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, intercept, rtol=0, atol=1e-6)


@parametrize_with_checks([SparseHuberRegressor(), SparseLogisticRegression()])
def test_sklearn_compatible_glm(estimator, check):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(estimator)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
