"""Working-set coordinate descent against cvxpy and FISTA; gap-safe screening is safe."""

import warnings

import numpy as np
import pytest
import scipy.sparse
from _lasso_reference import assert_matches
from scipy.sparse.linalg import aslinearoperator
from sklearn.exceptions import ConvergenceWarning

from sparserecover import fista
from sparserecover.solvers import coordinate_descent
from sparserecover.verify import lasso

pytest.importorskip("cvxpy")


def _problem(rng, n=60, p=150, k=8, noise=0.1, rho=0.0):
    A = rng.standard_normal((n, p))
    if rho:
        for j in range(1, p):  # neighbouring-feature correlation rho (hard for CD)
            A[:, j] = rho * A[:, j - 1] + np.sqrt(1 - rho**2) * A[:, j]
    x_true = np.zeros(p)
    x_true[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * 3
    y = A @ x_true + noise * rng.standard_normal(n)
    return A, y, np.max(np.abs(A.T @ y))


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc"])
def test_matches_cvxpy_and_fista_on_every_matrix_format(rng, layout):
    A, y, lam_max = _problem(rng, rho=0.5)
    if layout in ("csr", "csc"):
        A[np.abs(A) < 0.8] = 0.0
        lam_max = np.max(np.abs(A.T @ y))
    A_in = {"C": A, "F": np.asfortranarray(A), "csr": scipy.sparse.csr_matrix(A),
            "csc": scipy.sparse.csc_matrix(A)}[layout]
    lam = lam_max / 20
    result = coordinate_descent(A_in, y, lam, tol=1e-12)
    assert_matches(result, lasso(A, y, lam), A, y, lam)
    reference = fista(A_in, y, lam, tol=1e-12)
    np.testing.assert_allclose(result.x, reference.x, rtol=0, atol=1e-6 * np.linalg.norm(result.x))


def test_weighted_positive_elastic_net_with_unpenalized_coefficients(rng):
    A, y, lam_max = _problem(rng)
    lam = lam_max / 10 * rng.uniform(0.5, 2.0, A.shape[1])
    lam[[0, 7]] = 0.0
    result = coordinate_descent(A, y, lam, positive=True, l2=0.5, tol=1e-12)
    reference = lasso(A, y, lam, positive=True, l2=0.5)
    assert_matches(result, reference, A, y, lam, l2=0.5)
    assert np.all(result.x >= 0)
    fista_x = fista(A, y, lam, positive=True, l2=0.5, tol=1e-12).x
    np.testing.assert_allclose(result.x, fista_x, rtol=0, atol=1e-6 * np.linalg.norm(fista_x))


@pytest.mark.parametrize("l2", [0.0, 1.0])
def test_unpenalized_problem_is_least_squares_or_ridge(rng, l2):
    A = rng.standard_normal((40, 10))
    y = rng.standard_normal(40)
    reference = np.linalg.solve(A.T @ A + l2 * np.eye(10), A.T @ y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result = coordinate_descent(A, y, 0.0, l2=l2, tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.x, reference, rtol=0, atol=1e-5 * np.linalg.norm(reference))


def test_two_dimensional_y_and_float32(rng):
    A, y, lam_max = _problem(rng, n=40, p=80)
    Y = np.column_stack([y, rng.standard_normal(40)])
    lams = np.array([lam_max / 10, np.max(np.abs(A.T @ Y[:, 1])) / 5])
    result = coordinate_descent(A, Y, lams, tol=1e-12)
    assert result.x.shape == (80, 2) and result.gap.shape == (2,) and result.converged
    for k in range(2):
        assert_matches(
            type(result)(x=result.x[:, k], n_iter=0, converged=True,
                         objective=result.objective[k], gap=result.gap[k]),
            lasso(A, Y[:, k], lams[k]), A, Y[:, k], lams[k],
        )
    result32 = coordinate_descent(A.astype(np.float32), y.astype(np.float32), lam_max / 10)
    assert result32.x.dtype == np.float32 and result32.converged
    assert result32.gap <= 1e-4 * result32.objective


@pytest.mark.parametrize("layout", ["C", "F", "csc", "float32"])
def test_each_column_of_a_2d_y_has_the_bits_of_its_solve_alone(rng, layout):
    # lams from near lam_max to lam_max / 50 (columns that end at different outer
    # iterations) and a zero column (done at once)
    A, _, _ = _problem(rng, n=50, p=120, rho=0.5)
    Y = np.column_stack([A @ (rng.standard_normal(120) * (rng.uniform(size=120) < 0.05))
                         + 0.1 * rng.standard_normal(50) for _ in range(11)])
    Y[:, 4] = 0.0
    lams = np.maximum(np.max(np.abs(A.T @ Y), axis=0), 1.0) / np.geomspace(1.1, 50, 11)
    if layout == "float32":
        A, Y = A.astype(np.float32), Y.astype(np.float32)
    A_in = {"C": A, "F": np.asfortranarray(A), "csc": scipy.sparse.csc_matrix(A),
            "float32": A}[layout]
    tol = 1e-5 if layout == "float32" else 1e-12
    together = coordinate_descent(A_in, Y, lams, tol=tol)
    assert together.converged
    assert not np.any(together.x[:, 4])  # y = 0: x = 0
    for k in range(11):
        alone = coordinate_descent(A_in, Y[:, k], lams[k], tol=tol)
        np.testing.assert_array_equal(together.x[:, k], alone.x)
        assert together.n_iter_columns[k] == alone.n_iter
        assert together.gap[k] == alone.gap
    if layout != "float32":  # and the solutions are cvxpy's (the first, a middle, the last)
        for k in (0, 5, 10):
            assert_matches(
                type(together)(x=together.x[:, k], n_iter=0, converged=True,
                               objective=together.objective[k], gap=together.gap[k]),
                lasso(A, Y[:, k], lams[k]), A, Y[:, k], lams[k],
            )


def test_float32_asked_below_its_rounding_floor_stops_with_a_warning(rng):
    # float32 coefficients cannot certify a relative gap of 1e-13: the solve ends when its
    # gap stops decreasing, long before max_iter, and says so
    A, y, lam_max = _problem(rng, n=60, p=150, rho=0.5)
    A32, y32 = A.astype(np.float32), y.astype(np.float32)
    with pytest.warns(ConvergenceWarning, match="the gap stopped decreasing"):
        result = coordinate_descent(A32, y32, lam_max / 50, tol=1e-13, max_iter=1_000_000)
    assert not result.converged and result.n_iter < 10_000
    reference = coordinate_descent(A, y, lam_max / 50, tol=1e-13)
    # the float64 certificate of the float32 iterate is a true bound, and near float32's floor
    assert result.objective - reference.objective <= result.gap + 1e-12 * reference.objective
    assert result.gap <= 1e-5 * result.objective


def test_screening_never_discards_a_feature_of_the_cvxpy_solution(rng):
    A, y, lam_max = _problem(rng, n=50, p=200, k=10, rho=0.3)
    for divisor in (2, 5, 20):
        lam = lam_max / divisor
        reference = lasso(A, y, lam)
        support = np.abs(reference) > 1e-6 * np.abs(reference).max()
        # a warm start near the solution gives a small gap and so a large screened set
        for x0 in (None, reference):
            result = coordinate_descent(A, y, lam, x0=x0, tol=1e-12, ws_start=5)
            assert result.n_screened > 0
            # a screened feature is set to zero and never revisited, so one wrongly screened
            # would be zero here
            assert np.all(result.x[support] != 0)
            np.testing.assert_allclose(result.x, reference, rtol=0,
                                       atol=1e-5 * np.linalg.norm(reference))
            # what screening discards is zero in the cvxpy solution
            assert result.n_screened <= A.shape[1] - support.sum()


def test_screening_and_extrapolation_do_not_change_the_solution(rng):
    A, y, lam_max = _problem(rng, rho=0.6)
    screened = coordinate_descent(A, y, lam_max / 30, tol=1e-12)
    plain = coordinate_descent(A, y, lam_max / 30, tol=1e-12, screen=False, anderson=False)
    assert plain.n_screened == 0 and screened.n_screened > 0
    assert screened.converged and plain.converged
    np.testing.assert_allclose(screened.x, plain.x, rtol=0, atol=1e-5 * np.linalg.norm(plain.x))


def test_convergence_warning_and_bad_input(rng):
    A, y, lam_max = _problem(rng)
    with pytest.warns(ConvergenceWarning, match="coordinate_descent did not converge"):
        result = coordinate_descent(A, y, lam_max / 100, max_iter=2, tol=1e-14)
    assert not result.converged
    with pytest.raises(TypeError, match="LinearOperator"):
        coordinate_descent(aslinearoperator(A), y, 1.0)
    with pytest.raises(ValueError, match="lam"):
        coordinate_descent(A, y, -1.0)
    with pytest.raises(ValueError, match="ws_start"):
        coordinate_descent(A, y, 1.0, ws_start=0)


@pytest.mark.parametrize("sparse", [False, True])
def test_lasso_path_cd_matches_fista_path_and_scikit_learn(rng, sparse):
    from sklearn.linear_model import lasso_path as sklearn_lasso_path

    from sparserecover import lasso_path

    A, y, _ = _problem(rng, n=50, p=120, rho=0.4)
    if sparse:
        A[np.abs(A) < 0.5] = 0.0
    A_in = scipy.sparse.csc_matrix(A) if sparse else A
    lams, coefs, gaps = lasso_path(A_in, y, n_lams=15, eps=1e-2, tol=1e-12)  # "auto": cd
    _, fista_coefs, _ = lasso_path(A_in, y, lams, solver="fista", tol=1e-12)
    scale = np.abs(fista_coefs).max()
    np.testing.assert_allclose(coefs, fista_coefs, rtol=0, atol=1e-6 * scale)
    assert np.all(gaps <= 1e-12 * (0.5 * y @ y))
    _, sklearn_coefs, _ = sklearn_lasso_path(A, y, alphas=lams / A.shape[0], tol=1e-14,
                                             max_iter=100_000)
    np.testing.assert_allclose(coefs, sklearn_coefs, rtol=0, atol=1e-6 * scale)


def test_lasso_path_solver_choice(rng):
    from sparserecover import lasso_path
    from sparserecover.solvers._path import check_solver
    from sparserecover.solvers._problem import LeastSquaresProblem

    def choose(A, y):
        return check_solver("auto", LeastSquaresProblem(A, y))

    A, y, _ = _problem(rng, n=30, p=120)
    assert choose(A, y) == "cd"
    assert choose(np.vstack([A] * 3), np.tile(y, 3)) == "cd"
    assert choose(A[:, :50], y) == "fista"  # few features
    assert choose(aslinearoperator(A), y) == "fista"
    with pytest.raises(TypeError, match="LinearOperator"):
        lasso_path(aslinearoperator(A), y, n_lams=2, solver="cd")
    with pytest.raises(ValueError, match="solver"):
        lasso_path(A, y, n_lams=2, solver="newton")


def test_verbose_reports_progress_on_stderr(rng, capsys):
    A, y, lam_max = _problem(rng)
    quiet = coordinate_descent(A, y, lam_max / 10, tol=1e-10)
    loud = coordinate_descent(A, y, lam_max / 10, tol=1e-10, verbose=True)
    progress = capsys.readouterr()
    assert "gap" in progress.err and "outer" in progress.err and progress.out == ""
    np.testing.assert_array_equal(loud.x, quiet.x)  # the same iterations, only reported
