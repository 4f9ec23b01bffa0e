"""sparserecover.verify: the cvxpy reference and the solution certificate."""

import sys
import warnings

import numpy as np
import pytest

from sparserecover import fista
from sparserecover.verify import check_lasso, lasso

pytest.importorskip("cvxpy")


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def test_lasso_on_the_identity_is_soft_thresholding():
    y = np.array([3.0, -0.5, -2.0, 1.5])
    weights = np.array([1.0, 1.0, 0.5, 0.0])
    np.testing.assert_allclose(lasso(np.eye(4), y, weights), _soft(y, weights), atol=1e-8)
    np.testing.assert_allclose(lasso(np.eye(4), y, 1.0, l2=3.0), _soft(y, 1.0) / 4, atol=1e-8)
    np.testing.assert_allclose(lasso(np.eye(4), y, 1.0, positive=True),
                               np.maximum(y - 1.0, 0), atol=1e-8)
    Y = np.column_stack([y, -y])
    np.testing.assert_allclose(lasso(np.eye(4), Y, np.array([1.0, 1.7])),
                               np.column_stack([_soft(y, 1.0), _soft(-y, 1.7)]), atol=1e-8)


def test_check_lasso_certifies_the_solution_and_flags_a_perturbation(rng):
    A = rng.standard_normal((30, 50))
    y = A[:, :3] @ np.array([2.0, -1.0, 1.5]) + 0.1 * rng.standard_normal(30)
    lam = 0.1 * np.max(np.abs(A.T @ y))
    x = fista(A, y, lam, tol=1e-13).x
    good = check_lasso(x, A, y, lam, reference="cvxpy")
    assert good.duality_gap <= 1e-12 * good.objective
    assert good.kkt_violation <= 1e-6 * lam
    assert abs(good.objective_gap) <= 1e-9 * good.objective
    perturbed = x + 0.01 * rng.standard_normal(50)
    bad = check_lasso(perturbed, A, y, lam, reference=x)
    assert bad.kkt_violation > 1e-3 * lam
    assert bad.objective_gap > 0
    assert bad.duality_gap >= bad.objective_gap  # the gap bounds the suboptimality


def test_check_lasso_two_dimensional(rng):
    A = rng.standard_normal((20, 10))
    Y = rng.standard_normal((20, 2))
    X = fista(A, Y, 1.0, tol=1e-13).x
    check = check_lasso(X, A, Y, 1.0, positive=False)
    assert check.objective.shape == check.duality_gap.shape == (2,)
    assert np.all(check.duality_gap <= 1e-11 * check.objective)


def test_check_lasso_positive_with_negative_correlations_is_quiet(rng):
    # a coordinate whose gradient points below zero constrains no dual scaling under x >= 0:
    # its ratio is infinite, without a numpy overflow warning
    A = rng.standard_normal((40, 100))
    y = A[:, :3] @ np.array([200.0, -100.0, 150.0]) + 5.0 * rng.standard_normal(40)
    lam = 0.05 * np.max(A.T @ y)  # above 4: lam / (the smallest float) overflows
    x = fista(A, y, lam, positive=True, tol=1e-12).x
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = check_lasso(x, A, y, lam, positive=True)
    assert check.duality_gap <= 1e-11 * check.objective
    assert abs(check.objective - lasso_objective(A, y, lam, x)) <= 1e-12 * check.objective


def lasso_objective(A, y, lam, x):
    return 0.5 * np.sum((A @ x - y) ** 2) + lam * np.sum(np.abs(x))


def test_missing_cvxpy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cvxpy", None)
    with pytest.raises(ImportError, match=r"sparserecover\[verify\]"):
        lasso(np.eye(2), np.ones(2), 0.1)


def test_check_lasso_names_a_badly_shaped_x_or_reference():
    A, y = np.eye(3), np.ones(3)
    with pytest.raises(ValueError, match=r"x has shape \(5,\); expected \(3,\)"):
        check_lasso(np.ones(5), A, y, 0.1)
    with pytest.raises(ValueError, match="x contains"):
        check_lasso(np.array([np.nan, 0.0, 0.0]), A, y, 0.1)
    with pytest.raises(ValueError, match="reference has shape"):
        check_lasso(np.ones(3), A, y, 0.1, reference=np.ones(2))
    with pytest.raises(ValueError, match="reference must be"):
        check_lasso(np.ones(3), A, y, 0.1, reference="x")
