"""ISTA / FISTA against cvxpy (sparserecover.verify.lasso) and their documented behaviour."""

import warnings

import numpy as np
import pytest
import scipy.sparse
from _lasso_reference import assert_matches, lasso_objective
from scipy.sparse.linalg import aslinearoperator
from sklearn.exceptions import ConvergenceWarning

from sparserecover import fista, ista
from sparserecover.verify import check_lasso, lasso

pytest.importorskip("cvxpy")


def _problem(rng, n=60, p=150, k=8, noise=0.1):
    A = rng.standard_normal((n, p))
    x_true = np.zeros(p)
    x_true[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * 3
    y = A @ x_true + noise * rng.standard_normal(n)
    lam_max = np.max(np.abs(A.T @ y))
    return A, y, lam_max


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc", "linear_operator"])
def test_fista_matches_cvxpy_on_every_operator(rng, layout):
    A, y, lam_max = _problem(rng)
    lam = lam_max / 10
    if layout == "F":
        A_in = np.asfortranarray(A)
    elif layout in ("csr", "csc"):
        A[np.abs(A) < 0.8] = 0.0  # genuinely sparse (about 40 % nonzeros)
        y = A @ rng.standard_normal(A.shape[1]) * (rng.random(A.shape[1]) < 0.05)[0]
        y = y + rng.standard_normal(A.shape[0])
        lam = np.max(np.abs(A.T @ y)) / 10
        A_in = scipy.sparse.csr_matrix(A) if layout == "csr" else scipy.sparse.csc_matrix(A)
    elif layout == "linear_operator":
        A_in = aslinearoperator(A)
    else:
        A_in = A
    result = fista(A_in, y, lam, tol=1e-12)
    assert_matches(result, lasso(A, y, lam), A, y, lam)


def test_ista_matches_cvxpy(rng):
    A, y, lam_max = _problem(rng, n=40, p=60)
    lam = lam_max / 5
    result = ista(A, y, lam, tol=1e-12, max_iter=100_000)
    assert_matches(result, lasso(A, y, lam), A, y, lam)


def test_weighted_with_unpenalized_coefficients(rng):
    A, y, lam_max = _problem(rng)
    weights = rng.uniform(0.5, 2.0, A.shape[1]) * lam_max / 10
    weights[[0, 5, 17]] = 0.0  # unpenalized: the dual point needs the refit
    result = fista(A, y, weights, tol=1e-12)
    assert_matches(result, lasso(A, y, weights), A, y, weights)
    assert result.gap <= 1e-12 * result.objective


@pytest.mark.parametrize("l2", [0.0, 5.0])
def test_positive_and_elastic_net(rng, l2):
    A, y, lam_max = _problem(rng)
    lam = lam_max / 20
    result = fista(A, y, lam, positive=True, l2=l2, tol=1e-12)
    assert np.all(result.x >= 0)
    assert_matches(result, lasso(A, y, lam, positive=True, l2=l2), A, y, lam, l2)


def test_elastic_net_weighted_positive_with_unpenalized(rng):
    A, y, lam_max = _problem(rng, n=50, p=80)
    weights = np.full(80, lam_max / 10)
    weights[:2] = 0.0
    result = fista(A, y, weights, positive=True, l2=2.0, tol=1e-12)
    reference = lasso(A, y, weights, positive=True, l2=2.0)
    assert_matches(result, reference, A, y, weights, 2.0)


@pytest.mark.parametrize("solver, backtracking", [(fista, True), (ista, False)])
def test_gram_iteration_with_backtracking_and_ista(rng, solver, backtracking):
    A, y, lam_max = _problem(rng, n=200, p=20, k=4, noise=1.0)
    lam = lam_max / 20
    result = solver(A, y, lam, tol=1e-12, backtracking=backtracking, max_iter=100_000)
    direct = fista(A, y, lam, tol=1e-12, gram=False)
    assert result.converged
    np.testing.assert_allclose(result.x, direct.x, atol=1e-7)


def test_gram_iteration_matches_cvxpy(rng):
    # n_samples >> n_features: the Gram-matrix loop is used ("auto")
    A, y, lam_max = _problem(rng, n=300, p=40, k=5, noise=1.0)
    weights = np.full(40, lam_max / 50)
    weights[3] = 0.0
    result = fista(A, y, weights, tol=1e-12)
    assert_matches(result, lasso(A, y, weights), A, y, weights)
    direct = fista(A, y, weights, tol=1e-12, gram=False)
    np.testing.assert_allclose(result.x, direct.x, atol=1e-7)


def test_two_dimensional_y_with_one_lam_per_column(rng):
    A, y, lam_max = _problem(rng)
    Y = np.column_stack([y, rng.standard_normal(A.shape[0]), -2 * y])
    lams = np.array([lam_max / 10, lam_max / 30, lam_max / 5])
    result = fista(A, Y, lams, tol=1e-12)
    assert result.x.shape == (A.shape[1], 3)
    assert result.objective.shape == result.gap.shape == (3,)
    assert result.converged
    reference = lasso(A, Y, lams)
    for k in range(3):
        objective = lasso_objective(A, Y[:, k], result.x[:, k], lams[k])
        assert objective == pytest.approx(lasso_objective(A, Y[:, k], reference[:, k], lams[k]),
                                          rel=1e-8)
        np.testing.assert_allclose(result.x[:, k], reference[:, k],
                                   atol=1e-5 * np.linalg.norm(reference[:, k]))
        single = fista(A, Y[:, k], lams[k], tol=1e-12)
        np.testing.assert_allclose(result.x[:, k], single.x, atol=1e-8)


def test_two_dimensional_y_per_coefficient_weights(rng):
    A, y, lam_max = _problem(rng, n=40, p=50)
    Y = np.column_stack([y, y[::-1]])
    weights = rng.uniform(0.1, 1.0, (50, 1)) * lam_max / 5
    result = fista(A, Y, weights, tol=1e-11)
    for k in range(2):
        np.testing.assert_allclose(result.x[:, k], fista(A, Y[:, k], weights[:, 0],
                                                           tol=1e-11).x, atol=1e-7)


@pytest.mark.parametrize("backtracking, restart", [(True, True), (False, False), (True, False)])
def test_backtracking_and_restart_reach_the_same_solution(rng, backtracking, restart):
    A, y, lam_max = _problem(rng)
    lam = lam_max / 10
    reference = fista(A, y, lam, tol=1e-12)
    result = fista(A, y, lam, tol=1e-12, backtracking=backtracking, restart=restart)
    assert result.converged
    np.testing.assert_allclose(result.x, reference.x, atol=1e-7)


def test_restart_cuts_iterations_on_a_correlated_design(rng):
    n, p = 80, 200
    base = rng.standard_normal((n, p))
    A = np.cumsum(base, axis=1) / np.sqrt(np.arange(1, p + 1))  # strongly correlated columns
    y = A[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(n)
    lam = np.max(np.abs(A.T @ y)) / 50
    with_restart = fista(A, y, lam, tol=1e-8, max_iter=100_000)
    without = fista(A, y, lam, tol=1e-8, max_iter=100_000, restart=False)
    assert with_restart.converged and without.converged
    assert with_restart.n_iter < without.n_iter


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_float32_stays_float32(rng, kind):
    A, y, lam_max = _problem(rng)
    A32, y32 = A.astype(np.float32), y.astype(np.float32)
    if kind == "csr":
        A32 = scipy.sparse.csr_matrix(A32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the float32 default tol (1e-4) is reachable
        result = fista(A32, y32, lam_max / 10)
    assert result.x.dtype == np.float32
    assert isinstance(result.gap, float)
    assert result.converged
    reference = fista(A, y, lam_max / 10, tol=1e-12)
    # the float64 gap is a true bound also for the float32 iterate
    assert result.objective - reference.objective <= result.gap + 1e-12 * reference.objective
    assert result.gap <= 1e-4 * result.objective


def test_check_lasso_agrees_with_the_solver(rng):
    A, y, lam_max = _problem(rng)
    weights = np.full(A.shape[1], lam_max / 10)
    weights[2] = 0.0
    result = fista(A, y, weights, tol=1e-10, l2=0.5)
    check = check_lasso(result.x, A, y, weights, l2=0.5, reference="cvxpy")
    assert check.objective == pytest.approx(result.objective, rel=1e-12)
    assert check.duality_gap == pytest.approx(result.gap, rel=1e-3, abs=1e-12 * result.objective)
    assert check.kkt_violation < 1e-4 * lam_max
    assert abs(check.objective_gap) <= 1e-9 * check.objective


def test_warm_start_from_the_solution_stops_at_once(rng):
    A, y, lam_max = _problem(rng)
    first = fista(A, y, lam_max / 10, tol=1e-10)
    x0 = first.x.copy()
    again = fista(A, y, lam_max / 10, tol=1e-10, x0=x0)
    assert again.n_iter == 0
    np.testing.assert_array_equal(x0, first.x)  # x0 not modified
    closer = fista(A, y, lam_max / 10.2, tol=1e-10, x0=first.x, gap_freq=1)
    cold = fista(A, y, lam_max / 10.2, tol=1e-10, gap_freq=1)
    assert closer.n_iter < cold.n_iter


def test_inputs_are_not_modified(rng):
    A, y, lam_max = _problem(rng)
    weights = np.full(A.shape[1], lam_max / 10)
    x0 = rng.standard_normal(A.shape[1])
    copies = [a.copy() for a in (A, y, weights, x0)]
    fista(A, y, weights, x0=x0, positive=True)
    for original, copy in zip((A, y, weights, x0), copies):
        np.testing.assert_array_equal(original, copy)


def test_callback_is_called_and_can_stop(rng):
    A, y, lam_max = _problem(rng)
    seen = []

    def callback(x):
        seen.append(x.copy())
        return len(seen) == 7

    result = fista(A, y, lam_max / 10, callback=callback, tol=1e-12)
    assert len(seen) == 7 and result.n_iter == 7
    assert seen[-1].shape == (A.shape[1],)
    np.testing.assert_array_equal(seen[-1], result.x)
    assert not result.converged


def test_history_and_verbose(rng, capsys):
    A, y, lam_max = _problem(rng)
    result = fista(A, y, lam_max / 10, history=True, gap_freq=1, tol=1e-9, verbose=True)
    hist = result.history
    assert hist["n_iter"][0] == 0 and hist["n_iter"][-1] == result.n_iter
    assert hist["objective"].shape == hist["gap"].shape == (result.n_iter + 1,)
    assert hist["gap"][-1] == pytest.approx(result.gap)
    progress = capsys.readouterr()
    assert "gap" in progress.err and progress.out == ""  # progress goes to stderr


def test_convergence_warning(rng):
    A, y, lam_max = _problem(rng)
    with pytest.warns(ConvergenceWarning, match="fista did not converge"):
        result = fista(A, y, lam_max / 100, max_iter=3, tol=1e-12)
    assert not result.converged and result.n_iter == 3


def test_lam_zero_solution_and_large_lam(rng):
    A, y, lam_max = _problem(rng)
    result = fista(A, y, lam_max * 1.01)
    assert result.n_iter == 0 and np.all(result.x == 0) and result.converged
    assert result.gap == 0.0


@pytest.mark.parametrize("l2", [0.0, 1.0])
@pytest.mark.parametrize("gram", [True, False])
def test_unpenalized_problem_converges_to_the_closed_form(rng, l2, gram):
    # Regression: with every weight zero (least squares, or ridge with l2 > 0) the gap used
    # to equal the objective even at the exact solution, so the solver ran to max_iter.
    A = rng.standard_normal((40, 10))
    y = rng.standard_normal(40)
    reference = np.linalg.solve(A.T @ A + l2 * np.eye(10), A.T @ y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result = fista(A, y, 0.0, l2=l2, tol=1e-12, gram=gram)
        at_solution = fista(A, y, 0.0, l2=l2, x0=reference, gram=gram)
    assert result.converged and result.n_iter < 10_000
    np.testing.assert_allclose(result.x, reference, rtol=0, atol=1e-5 * np.linalg.norm(reference))
    assert at_solution.converged and at_solution.n_iter == 0
    assert at_solution.gap <= 1e-12 * at_solution.objective


def test_bad_input_names_the_argument(rng):
    A, y, _ = _problem(rng, n=10, p=20)
    bad_A = A.copy()
    bad_A[0, 0] = np.nan
    with pytest.raises(ValueError, match="A contains"):
        fista(bad_A, y, 1.0)
    with pytest.raises(ValueError, match="y contains"):
        fista(A, np.full(10, np.inf), 1.0)
    with pytest.raises(ValueError, match="inconsistent shapes"):
        fista(A, y[:-1], 1.0)
    with pytest.raises(ValueError, match="inconsistent shapes"):
        fista(aslinearoperator(A[:-1]), y, 1.0)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        fista(A, y, -1.0)
    with pytest.raises(ValueError, match="lam must be a scalar or shape"):
        fista(A, y, np.ones(19))
    with pytest.raises(ValueError, match="lam contains"):
        fista(A, y, np.nan)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        fista(A, y, 1.0, l2=-1.0)
    with pytest.raises(ValueError, match="x0 must have shape"):
        fista(A, y, 1.0, x0=np.zeros(19))
    with pytest.raises(ValueError, match="step must be > 0"):
        fista(A, y, 1.0, step=0.0)
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        fista(A, y, 1.0, max_iter=-1)
    with pytest.raises(ValueError, match="A must be 2-D"):
        fista(A[0], y, 1.0)
    with pytest.raises(TypeError, match="A must be real"):
        fista(A + 1j, y, 1.0)
    with pytest.raises(TypeError, match="callback must be callable"):
        fista(A, y, 1.0, callback=3)


# ------------------------------------------------------- the one-pass gradient of the loop


def _gamma(k, u):
    """Higham's gamma_k = k u / (1 - k u): the relative error bound of a k-term dot product
    in any summation order, with or without fused multiply-adds (Accuracy and Stability of
    Numerical Algorithms, 2002, Lemma 3.1 and Sec. 3.1)."""
    return k * u / (1 - k * u)


def _gradient_error_bound(A, Z, B, u):
    """A bound on |computed - exact| for r = A Z - B and g = A.T r in unit roundoff u.

    r_i is a dot product of p terms minus b_i: |dr| <= gamma_{p+2} (|A| |Z| + |B|). g_j sums
    n terms a_ij r_i: its own rounding gamma_{n+1} |A|.T |r|, plus the propagated |A|.T |dr|.
    (One extra term in each gamma covers a final subtraction or accumulation into zero.)
    """
    n, p = A.shape
    abs_A = np.abs(A)
    bound_r = _gamma(p + 2, u) * (abs_A @ np.abs(Z) + np.abs(B))
    r = A @ Z - B
    bound_g = _gamma(n + 1, u) * (abs_A.T @ (np.abs(r) + bound_r)) + abs_A.T @ bound_r
    return bound_r, bound_g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("layout", ["C", "F", "csr"])
def test_one_pass_gradient_equals_the_two_products(rng, layout, n_targets, dtype):
    from sparserecover.solvers import _products
    from sparserecover.solvers._problem import LeastSquaresProblem

    n, p = 37, 53  # not multiples of 4: the blocked loops' remainders run too
    A = rng.standard_normal((n, p))
    A[rng.random((n, p)) < 0.5] = 0.0
    A = A.astype(dtype)
    Z = rng.standard_normal((p, n_targets)).astype(dtype)
    B = rng.standard_normal((n, n_targets)).astype(dtype)
    A_in = {"C": A, "F": np.asfortranarray(A), "csr": scipy.sparse.csr_matrix(A)}[layout]
    problem = LeastSquaresProblem(A_in, B if n_targets > 1 else B[:, 0], gram=False)
    op, target, _ = problem.datafit()
    assert _products.fuses(op, n_targets)
    resid, grad = np.empty((n, n_targets), dtype), np.empty((p, n_targets), dtype)
    _products.compiled_caller(_products.residual_gradient)(op, target, Z, resid, grad)
    assert resid.dtype == grad.dtype == dtype

    # the two-product reference: A @ Z, then A.T @ (A Z - B), each through its own kernel
    AZ, grad_reference = np.empty((n, n_targets), dtype), np.empty((p, n_targets), dtype)
    _products.compiled_caller(_products.forward)(op, Z, AZ)
    resid_reference = AZ - B
    _products.compiled_caller(_products.adjoint)(op, resid_reference, grad_reference)

    # exact values in a wider type (float64 for float32 data, long double for float64 data,
    # whose own rounding is added to the bound: it is float64's on platforms without one)
    wide = np.float64 if dtype == np.float32 else np.longdouble
    A_w, Z_w, B_w = A.astype(wide), Z.astype(wide), B.astype(wide)
    exact_resid = A_w @ Z_w - B_w
    exact_grad = A_w.T @ exact_resid
    bound_r, bound_g = _gradient_error_bound(A_w, Z_w, B_w, np.finfo(dtype).eps / 2)
    wide_r, wide_g = _gradient_error_bound(A_w, Z_w, B_w, np.finfo(wide).eps / 2)
    for computed in (resid, resid_reference):
        assert np.all(np.abs(computed - exact_resid) <= bound_r + wide_r)
    for computed in (grad, grad_reference):
        assert np.all(np.abs(computed - exact_grad) <= bound_g + wide_g)
    # hence the two agree within the sum of their bounds
    assert np.all(np.abs(grad - grad_reference) <= 2 * (bound_g + wide_g))
    # and the bound is tight enough to mean something: a few hundred ulps of |A|.T |A| |Z|
    scale = np.abs(A_w).T @ (np.abs(A_w) @ np.abs(Z_w) + np.abs(B_w))
    assert np.all(bound_g <= 4 * (n + p + 4) * np.finfo(dtype).eps * scale)


def test_one_pass_gradient_is_used_where_it_applies(rng):
    from sparserecover.solvers import _products
    from sparserecover.solvers._problem import LeastSquaresProblem

    A = rng.standard_normal((20, 30))
    y = rng.standard_normal(20)
    kinds = {"C": A, "F": np.asfortranarray(A), "csr": scipy.sparse.csr_matrix(A),
             "csc": scipy.sparse.csc_matrix(A)}
    for name, A_in in kinds.items():
        op = LeastSquaresProblem(A_in, y, gram=False).datafit().op
        fusable = [_products.fuses(op, m)
                   for m in (1, _products.FUSED_MAX_TARGETS, _products.FUSED_MAX_TARGETS + 1)]
        expected = {"C": [True, True, False], "F": [True, True, False],
                    "csr": [True, True, True], "csc": [False, False, False]}[name]
        assert fusable == expected, name


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc"])
def test_many_columns_agree_with_one_column_at_a_time(rng, layout):
    # 10 columns: beyond _FUSED_MAX_TARGETS, dense problems run on two matrix products per
    # iteration, single columns on the one-pass gradient; CSC always on the two products.
    A, y, lam_max = _problem(rng, n=30, p=45)
    Y = y[:, None] * rng.uniform(0.5, 1.5, 10) + 0.1 * rng.standard_normal((30, 10))
    A_in = {"C": A, "F": np.asfortranarray(A), "csr": scipy.sparse.csr_matrix(A),
            "csc": scipy.sparse.csc_matrix(A)}[layout]
    lam = lam_max / 10
    together = fista(A_in, Y, lam, tol=1e-12, gram=False)
    assert together.converged
    for k in range(10):
        alone = fista(A_in, Y[:, k], lam, tol=1e-12, gram=False)
        np.testing.assert_allclose(together.x[:, k], alone.x, rtol=0,
                                   atol=1e-6 * np.linalg.norm(alone.x))
        assert together.objective[k] == pytest.approx(alone.objective, rel=1e-10)
