"""What every LASSO-solver test checks against a reference solution (cvxpy's, usually)."""

import numpy as np
import pytest
import scipy.sparse


def lasso_objective(A, y, x, lam, l2=0.0):
    """0.5 ||A x - y||^2 + sum(lam |x|) + 0.5 l2 ||x||^2, computed directly in NumPy."""
    A = A.toarray() if scipy.sparse.issparse(A) else A
    r = A @ x - y
    return 0.5 * r @ r + np.sum(lam * np.abs(x)) + 0.5 * l2 * x @ x


def assert_matches(result, reference, A, y, lam, l2=0.0):
    """``result`` reaches the reference's objective, reports it, and its gap is honest."""
    assert result.converged
    objective = lasso_objective(A, y, result.x, lam, l2)
    reference_objective = lasso_objective(A, y, reference, lam, l2)
    assert objective == pytest.approx(reference_objective, rel=1e-8)
    assert result.objective == pytest.approx(objective, rel=1e-12)
    np.testing.assert_allclose(result.x, reference, rtol=0, atol=1e-5 * np.linalg.norm(reference))
    # the certificate is honest: the gap bounds the distance to the reference optimum
    assert result.gap >= objective - reference_objective - 1e-9 * abs(reference_objective)
