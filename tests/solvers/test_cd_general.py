"""The general working-set solver's coordinate steps and kernels, against brute force.

A coordinate step minimizes ``0.5 (z - x)^2 + step * pen(z)`` over one real z. For MCP with
``gamma <= step`` and SCAD with ``gamma <= 1 + step`` (features of small norm) that problem
is not convex and the proximal maps' closed forms do not apply; the step must still be its
global minimizer, checked here on a fine grid.
"""

import numpy as np
import pytest
import scipy.sparse

from sparserecover.solvers._cd_general import (
    L1L2,
    MCP,
    SCAD,
    Huber,
    Logistic,
    Quadratic,
    _mcp_step,
    _scad_step,
    objective,
)
from sparserecover.solvers._glm import glm_solve


def _mcp(z, alpha, gamma):
    a = np.abs(z)
    return np.where(a <= gamma * alpha, alpha * a - a**2 / (2 * gamma), 0.5 * gamma * alpha**2)


def _scad(z, alpha, gamma):
    a = np.abs(z)
    return np.where(a <= alpha, alpha * a, np.where(
        a <= gamma * alpha, (2 * gamma * alpha * a - a**2 - alpha**2) / (2 * (gamma - 1)),
        0.5 * alpha**2 * (gamma + 1)))


@pytest.mark.parametrize("step", [0.1, 1.0, 2.9, 3.0, 5.0, 40.0])
@pytest.mark.parametrize(("name", "gamma"), [("mcp", 3.0), ("scad", 3.7)])
def test_coordinate_step_is_the_global_minimizer(name, gamma, step):
    alpha = 0.7
    grid = np.linspace(-12.0, 12.0, 480_001)
    pen = _mcp if name == "mcp" else _scad
    solve = _mcp_step if name == "mcp" else _scad_step
    for x in np.linspace(-9.0, 9.0, 181):
        values = 0.5 * (grid - x) ** 2 + step * pen(grid, alpha, gamma)
        z = solve(x, alpha, gamma, step)
        best = values.min()
        ours = 0.5 * (z - x) ** 2 + step * pen(np.array(z), alpha, gamma)
        # the grid's spacing is 5e-5: its minimum is above the true one by at most ~1e-8
        assert ours <= best + 1e-12, (x, z, grid[values.argmin()])


# the combinations the estimators do not use (theirs are tested with the estimators), on
# both storages of X
@pytest.mark.parametrize(("datafit", "penalty", "sparse_x"), [
    ("quadratic", "l1l2", False), ("logistic", "mcp", True), ("huber", "scad", False),
    ("logistic", "scad", False), ("huber", "mcp", True)])
def test_solution_is_stationary_and_not_worse_than_zero(datafit, penalty, sparse_x):
    """Every combination compiles and ends within tol of the optimality conditions, at an
    objective no larger than the start's (w = 0)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 30))
    y = X[:, :3] @ np.array([2.0, -1.0, 1.0]) + 0.3 * rng.standard_normal(60)
    if sparse_x:
        X[rng.random(X.shape) < 0.5] = 0.0
        X = scipy.sparse.csc_matrix(X)
    n = X.shape[0]
    # noisy labels: on separable data the logistic loss with a penalty flat at infinity
    # (MCP, SCAD) has no minimizer
    labels = np.sign(y + 2.0 * rng.standard_normal(n))
    fit = {"quadratic": Quadratic(float(n)),
           "logistic": Logistic(labels, float(n)),
           "huber": Huber(y, 1.0, float(n))}[datafit]
    pen = {"l1l2": L1L2(np.full(30, 0.05), 0.01), "mcp": MCP(0.05, 3.0),
           "scad": SCAD(0.05, 3.7)}[penalty]
    intercept = datafit != "quadratic"
    w, b, _, _, violation = glm_solve(X, fit, pen, target=y, fit_intercept=intercept,
                                      tol=1e-10, max_iter=200)
    assert violation <= 1e-10
    z = np.asarray(X @ w).ravel() + b
    state = z - y if datafit == "quadratic" else z
    start = -y if datafit == "quadratic" else np.zeros(n)
    assert objective(fit, pen, w, state) <= objective(fit, pen, np.zeros(30), start)
