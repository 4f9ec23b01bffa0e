"""The NumPy path of small problems against the compiled kernels, cvxpy and the size rule.

Coordinate descent's two implementations are compared on every test of ``test_cd.py`` (an
autouse fixture runs each twice); here FISTA/ISTA's, step for step.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from scipy.sparse.linalg import aslinearoperator
from sklearn.exceptions import ConvergenceWarning

from sparserecover.solvers import _fista, _numpy_fista, _path
from sparserecover.solvers._problem import LeastSquaresProblem


def _problem(rng, n=40, p=90, k=5, rho=0.5):
    A = rng.standard_normal((n, p))
    for j in range(1, p):  # neighbouring-feature correlation: restarts and many iterations
        A[:, j] = rho * A[:, j - 1] + np.sqrt(1 - rho**2) * A[:, j]
    x_true = np.zeros(p)
    x_true[rng.choice(p, k, replace=False)] = 2.0
    y = A @ x_true + 0.1 * rng.standard_normal(n)
    return A, y, np.max(np.abs(A.T @ y))


def _both(A, y, lam, **options):
    """(NumPy result, compiled result) of the proximal-gradient loop on fresh problems."""
    settings = dict(accelerate=True, restart=True, backtracking=False, positive=False, l2=0.0,
                    step=None, max_iter=5000, tol=1e-10, gap_freq=10, solver="fista")
    settings.update(options)
    results = []
    for solve in (_numpy_fista.solve, _fista._solve):
        problem = LeastSquaresProblem(A, y)
        if solve is _fista._solve:  # no defaults for these there
            settings = dict(dict(history=False, callback=None, verbose=False), **settings)
        results.append(solve(problem, problem.weights(lam), problem.start(None), **settings))
    return results


CASES = {
    "fista": {},
    "ista": dict(accelerate=False, restart=False, tol=1e-6),
    "no restart": dict(restart=False),
    "backtracking": dict(backtracking=True),
    "positive elastic net": dict(positive=True, l2=2.0),
}


@pytest.mark.parametrize("case", CASES)
def test_numpy_fista_takes_the_compiled_drivers_steps(rng, case):
    A, y, lam_max = _problem(rng)
    ours, compiled = _both(A, y, lam_max / 20, **CASES[case])
    assert ours.converged and compiled.converged
    # the same iteration: the same number of steps, the same iterate up to rounding
    assert ours.n_iter == compiled.n_iter
    np.testing.assert_allclose(ours.x, compiled.x, rtol=0, atol=1e-10 * np.linalg.norm(ours.x))
    assert ours.objective == pytest.approx(compiled.objective, rel=1e-13)
    assert ours.gap == pytest.approx(compiled.gap, rel=1e-4, abs=1e-12 * ours.objective)
    assert ours.step == compiled.step


@pytest.mark.parametrize("kind", ["weights", "two targets", "float32", "csr", "tall (Gram)",
                                  "linear operator"])
def test_numpy_fista_matches_compiled_and_cvxpy_on_every_input_kind(rng, kind):
    pytest.importorskip("cvxpy")
    from sparserecover.verify import lasso

    A, y, lam_max = _problem(rng)
    lam = lam_max / 20
    A_in, y_in, tol = A, y, 1e-12
    if kind == "weights":
        lam = lam * rng.uniform(0.5, 2.0, A.shape[1])
        lam[[0, 3]] = 0.0  # unpenalized: the dual point comes from the refit
    elif kind == "two targets":
        y_in = np.column_stack([y, A[:, 10:13] @ np.ones(3)])
    elif kind == "float32":
        A_in, y_in, tol = A.astype(np.float32), y.astype(np.float32), 1e-5
    elif kind == "csr":
        A[np.abs(A) < 0.7] = 0.0
        A_in = scipy.sparse.csr_matrix(A)
        lam = np.max(np.abs(A.T @ y)) / 20
    elif kind == "tall (Gram)":
        A, y, lam_max = _problem(rng, n=120, p=40)
        A_in, y_in, lam = A, y, lam_max / 20
    else:
        A_in = aslinearoperator(A)
    ours, compiled = _both(A_in, y_in, lam, tol=tol)
    assert ours.converged and compiled.converged
    assert ours.n_iter == compiled.n_iter
    assert np.asarray(ours.x).dtype == np.asarray(y_in).dtype
    np.testing.assert_allclose(ours.x, compiled.x, rtol=0,
                               atol=(1e-5 if kind == "float32" else 1e-9) * np.linalg.norm(ours.x))
    assert np.all(np.asarray(ours.gap) <= tol * np.asarray(ours.objective))
    y_first = y_in[:, 0] if kind == "two targets" else y
    x_first = ours.x[:, 0] if kind == "two targets" else ours.x
    reference = lasso(A, y_first.astype(np.float64), lam)
    np.testing.assert_allclose(x_first, reference, rtol=0,
                               atol=(1e-3 if kind == "float32" else 1e-6)
                               * np.linalg.norm(reference))


def test_history_callback_and_verbose_as_the_compiled_driver(rng, capsys):
    A, y, lam_max = _problem(rng)
    ours, compiled = _both(A, y, lam_max / 10, history=True, gap_freq=1)
    for key in ("n_iter", "objective", "gap"):
        np.testing.assert_allclose(ours.history[key], compiled.history[key], rtol=1e-9,
                                   atol=1e-12 * ours.objective)
    seen = []

    def stop_at_five(x):
        seen.append(x.shape)
        return len(seen) == 5

    problem = LeastSquaresProblem(A, y)
    result = _numpy_fista.solve(problem, problem.weights(lam_max / 10), problem.start(None),
                                accelerate=True, restart=True, backtracking=False,
                                positive=False, l2=0.0, step=None, max_iter=100, tol=1e-14,
                                gap_freq=10, solver="fista", callback=stop_at_five,
                                verbose=True)
    assert result.n_iter == 5 and seen == [(A.shape[1],)] * 5
    assert "iteration 5 objective" in capsys.readouterr().out


def test_convergence_warning_on_both_numpy_solvers(rng):
    A, y, lam_max = _problem(rng)
    for solver in ("fista", "cd"):
        problem = LeastSquaresProblem(A, y)
        with pytest.warns(ConvergenceWarning, match=f"{solver} did not converge"):
            result = _path.solve(problem, problem.weights(lam_max / 100), problem.start(None),
                                 solver, positive=False, l2=0.0, max_iter=3, tol=1e-14,
                                 gap_freq=10, name=solver)
        assert not result.converged


def test_the_size_alone_chooses_the_path(rng, monkeypatch):
    limit = _numpy_fista.NUMPY_MAX_ENTRIES
    at_limit = LeastSquaresProblem(np.ones((16, limit // 16)), np.ones(16))
    above = LeastSquaresProblem(np.ones((16, limit // 16 + 1)), np.ones(16))
    two_targets = LeastSquaresProblem(np.ones((16, limit // 16)), np.ones((16, 2)))
    assert _numpy_fista.use_numpy(at_limit)
    assert not _numpy_fista.use_numpy(above) and not _numpy_fista.use_numpy(two_targets)
    # and the NumPy path is taken without Numba having been consulted: a compiled kernel that
    # raised would show
    A, y, _ = _problem(rng)

    def no_compiled_kernels(*args, **kwargs):
        raise AssertionError("the compiled path ran")

    monkeypatch.setattr(_path, "_solve", no_compiled_kernels)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        _, coefs, gaps = _path.lasso_path(A, y, n_lams=5, solver="fista", tol=1e-10)
    assert coefs.shape == (A.shape[1], 5) and np.all(gaps >= 0)



def test_a_call_with_many_solves_takes_the_compiled_path(monkeypatch):
    # A path or a cross-validation solves the same small problem many times: past
    # NUMPY_MAX_WORK entries x solves the compiled loops repay Numba's start-up.
    problem = LeastSquaresProblem(np.ones((16, 64)), np.ones(16))
    most = _numpy_fista.NUMPY_MAX_WORK // (16 * 64)
    assert _numpy_fista.use_numpy(problem, n_solves=most)
    assert not _numpy_fista.use_numpy(problem, n_solves=most + 1)

    from sklearn.datasets import load_diabetes

    from sparserecover import LassoCV
    from sparserecover.solvers import _numpy_cd

    X, y = load_diabetes(return_X_y=True)
    numpy_solves = []  # n_samples of every problem the NumPy path solved

    def recording(solve):
        def wrapper(problem, *args, **kwargs):
            numpy_solves.append(problem.n_samples)
            return solve(problem, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(_numpy_fista, "solve", recording(_numpy_fista.solve))
    monkeypatch.setattr(_numpy_cd, "coordinate_descent",
                        recording(_numpy_cd.coordinate_descent))
    # 5 folds x 100 alphas on ~354 x 10 entries (1.8e6 entries x solves): compiled; only the
    # final refit on all 442 rows, one solve, runs in NumPy
    LassoCV(cv=5).fit(X, y)
    assert numpy_solves == [442]
    # one path of 100 lams on the whole data (4.4e5 entries x solves): NumPy
    _path.lasso_path(X, y, solver="fista")
    assert numpy_solves == [442] * 101


def test_the_process_runs_compiled_once_its_numpy_budget_is_spent(rng):
    # rent, then buy: after NUMPY_MAX_WORK entries x solves in NumPy (about Numba's start-up
    # in NumPy's slower solves), small problems run compiled, and give the same fit
    from sparserecover import Lasso

    A, y, _ = _problem(rng)  # 40 x 90
    problem = LeastSquaresProblem(A, y)
    n_numpy = -(-_numpy_fista.NUMPY_MAX_WORK // A.size)
    assert all(_numpy_fista.use_numpy(problem) for _ in range(n_numpy))
    assert not _numpy_fista.use_numpy(problem)
    assert _numpy_fista._numpy_work == n_numpy * A.size

    _numpy_fista._numpy_work = 0
    in_numpy = Lasso(alpha=0.05, tol=1e-10).fit(A, y)
    _numpy_fista._numpy_work = _numpy_fista.NUMPY_MAX_WORK
    compiled = Lasso(alpha=0.05, tol=1e-10).fit(A, y)
    assert _numpy_fista._numpy_work == _numpy_fista.NUMPY_MAX_WORK  # nothing more in NumPy
    # the same iteration (measured: the same 130 epochs, coefficients 2e-16 apart relatively)
    assert in_numpy.n_iter_ == compiled.n_iter_
    scale = np.max(np.abs(compiled.coef_))
    np.testing.assert_allclose(in_numpy.coef_, compiled.coef_, rtol=0, atol=1e-13 * scale)
