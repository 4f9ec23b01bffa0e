"""MCP, SCAD, Huber and logistic estimators against skglm and scikit-learn.

The references solve the same objectives independently: skglm's estimators (its own
working-set coordinate descent and, for logistic regression, proximal Newton), scikit-learn's
``LogisticRegression`` (liblinear, saga) and ``HuberRegressor`` (whose fixed-scale problem is
our Huber objective, see :func:`test_huber_matches_sklearn_huber_regressor`). Both sides run
to a tight tolerance, so coefficients agree to 1e-6. MCP and SCAD are not convex; on the
problems below (more samples than features, or a sparse solution) the stationary point is
unique in practice, so both solvers find it (at a weaker penalty on the wide problem,
alpha=0.2 without intercept, the two solvers' different coordinate orders end at different
stationary points: a property of the non-convex problem, not a fault of either).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.linear_model import MCPRegressor, SCADRegressor

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
