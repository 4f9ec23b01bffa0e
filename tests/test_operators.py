"""The operator view over dense / sparse / LinearOperator and the Lipschitz constant."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
from scipy.sparse.linalg import aslinearoperator

from sparserecover.operators import (
    _power_iteration,
    as_operator,
    largest_eigenvalue,
    lipschitz_constant,
)


def _inputs(A):
    return {
        "C": A,
        "F": np.asfortranarray(A),
        "csr": scipy.sparse.csr_matrix(A),
        "csc": scipy.sparse.csc_matrix(A),
        "coo": scipy.sparse.coo_matrix(A),
        "linear_operator": aslinearoperator(A),
    }


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc", "coo", "linear_operator"])
def test_products_match_the_dense_matrix(rng, layout):
    A = rng.standard_normal((7, 5))
    A[A < 0] = 0.0
    op = as_operator(_inputs(A)[layout])
    assert op.shape == (7, 5) and op.dtype == np.float64
    x, r = rng.standard_normal(5), rng.standard_normal(7)
    X, R = rng.standard_normal((5, 3)), rng.standard_normal((7, 3))
    np.testing.assert_allclose(op.matvec(x), A @ x, rtol=1e-14)
    np.testing.assert_allclose(op.rmatvec(r), A.T @ r, rtol=1e-14)
    np.testing.assert_allclose(op.matmat(X), A @ X, rtol=1e-14)
    np.testing.assert_allclose(op.rmatmat(R), A.T @ R, rtol=1e-14)


def test_formats_and_dtypes_are_kept_without_copies(rng):
    A = rng.standard_normal((4, 3)).astype(np.float32)
    assert as_operator(A).matrix is A and as_operator(A).dtype == np.float32
    csc = scipy.sparse.csc_matrix(A)
    assert as_operator(csc).matrix is csc
    assert as_operator(scipy.sparse.coo_matrix(A)).matrix.format == "csr"
    assert as_operator(np.ones((2, 2), dtype=int)).dtype == np.float64
    F = np.asfortranarray(A)
    from sparserecover.solvers._products import CsrColumns, DenseColumns, kernel_operator

    op = kernel_operator(as_operator(F))
    # a Fortran-ordered A reaches the kernels as its C-ordered transpose, not a copy
    assert isinstance(op, DenseColumns)
    assert op.M.flags.c_contiguous and np.shares_memory(op.M, F)
    assert isinstance(kernel_operator(as_operator(csc)), CsrColumns)


def test_bad_operators_raise_naming_the_argument(rng):
    with pytest.raises(ValueError, match="A must be 2-D"):
        as_operator(np.ones(3))
    with pytest.raises(ValueError, match="A contains 1 NaN"):
        as_operator(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="A contains"):
        as_operator(scipy.sparse.csr_matrix(np.array([[1.0, np.inf]])))
    with pytest.raises(TypeError, match="A must be real"):
        as_operator(np.ones((2, 2)) * 1j)
    with pytest.raises(TypeError, match="A must be a numeric array"):
        as_operator(np.array([["a"]]))
    with pytest.raises(ValueError, match="A must be non-empty"):
        as_operator(np.ones((0, 3)))


LAYOUTS = ["C", "F", "csr", "csc", "linear_operator"]


def _truth(A):
    """||A||_2^2 of the float64 copy of A, by LAPACK's SVD (relative error a few eps)."""
    return float(np.linalg.norm(np.asarray(A, dtype=np.float64), 2)) ** 2


def _rank_deficient(rng, shape, rank):
    return rng.standard_normal((shape[0], rank)) @ rng.standard_normal((rank, shape[1]))


def _badly_scaled(rng, shape):
    A = rng.standard_normal(shape)
    A[:, 0] *= 1e150
    A[:, 1] *= 1e-150
    A[0, 2] = 1e-300
    return A


# Every matrix here is small enough for the exact path (min^2 * max <= 5e7).
EXACT_MATRICES = {
    "tall": lambda rng: rng.standard_normal((700, 150)),
    # the shape on which eigvalsh of A A.T returned 1 ulp below ||A||^2 on some machines
    "wide": lambda rng: rng.standard_normal((150, 700)),
    "square": lambda rng: rng.standard_normal((200, 200)),
    "one column": lambda rng: rng.standard_normal((5000, 1)),
    "rank 3": lambda rng: _rank_deficient(rng, (150, 700), 3),
    "zero columns": lambda rng: np.hstack([rng.standard_normal((60, 20)), np.zeros((60, 5))]),
    "tiny": lambda rng: 1e-150 * rng.standard_normal((150, 700)),
    "huge": lambda rng: 1e150 * rng.standard_normal((150, 700)),
    "badly scaled": lambda rng: _badly_scaled(rng, (150, 700)),
}


def _cases(matrices):
    """(name, dtype) pairs: float64 for all, float32 for those within float32's range."""
    extreme = ("tiny", "huge", "badly scaled")
    return [(name, dtype) for name in matrices for dtype in (np.float64, np.float32)
            if dtype == np.float64 or name not in extreme]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("matrix", "dtype"), _cases(EXACT_MATRICES))
def test_lipschitz_constant_exact_path_is_a_tight_upper_bound(layout, matrix, dtype):
    A = EXACT_MATRICES[matrix](np.random.default_rng(0)).astype(dtype)
    truth = _truth(A)  # the float64 truth, for float32 data too
    bound = lipschitz_constant(_inputs(A)[layout])
    assert truth <= bound <= truth * (1 + 1e-6)


def test_lipschitz_constant_exact_path_against_mpmath():
    # 40 digits: the reference is exact to far below the bound's margin
    mpmath = pytest.importorskip("mpmath")
    rng = np.random.default_rng(3)
    for A in (rng.standard_normal((30, 12)), _rank_deficient(rng, (12, 40), 2),
              np.vander(np.linspace(0.1, 1.0, 16), 8)):
        with mpmath.workdps(40):
            M = mpmath.matrix(A.tolist())
            gram = M.T * M if A.shape[1] <= A.shape[0] else M * M.T
            truth = max(mpmath.eigsy(gram, eigvals_only=True))
            bound = lipschitz_constant(A)
            assert truth <= bound <= truth * (1 + mpmath.mpf("1e-10"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lipschitz_constant_refuses_a_result_that_overflows(layout):
    A = np.random.default_rng(0).standard_normal((150, 700))
    A[:, 3] = 1e300  # forming A.T A overflowed, and eigvalsh did not converge
    with pytest.raises(ValueError, match="overflows float64"):
        lipschitz_constant(_inputs(A)[layout])
    with pytest.raises(ValueError, match="overflows float64"):
        lipschitz_constant(_inputs(np.vstack([A, A]).T)[layout])  # iterative path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lipschitz_constant_of_zero_is_zero(layout):
    assert lipschitz_constant(_inputs(np.zeros((30, 12)))[layout]) == 0.0
    assert lipschitz_constant(_inputs(np.zeros((2000, 1000)))[layout]) == 0.0


ITERATIVE_MATRICES = {
    "tall": lambda rng: rng.standard_normal((2000, 1000)),
    "wide": lambda rng: rng.standard_normal((700, 1500)),
    "rank 5": lambda rng: _rank_deficient(rng, (1500, 800), 5),
    "tiny": lambda rng: 1e-150 * rng.standard_normal((2000, 1000)),
    "huge": lambda rng: 1e150 * rng.standard_normal((2000, 1000)),
    "badly scaled": lambda rng: _badly_scaled(rng, (2000, 1000)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("matrix", "dtype"), _cases(ITERATIVE_MATRICES))
def test_lipschitz_constant_estimate_is_safe_and_tight(layout, matrix, dtype):
    A = ITERATIVE_MATRICES[matrix](np.random.default_rng(0)).astype(dtype)
    truth = _truth(A)
    estimate = lipschitz_constant(_inputs(A)[layout])
    # documented: tol 1e-4 and safety factor 1 + 10 tol: never below, at most 0.2 % above
    assert truth <= estimate <= truth * 1.002


@pytest.mark.parametrize(
    ("shape", "scale", "dtype", "rtol"),
    [
        ((6000, 400), 1.0, np.float64, 2e-3),  # p^3 > 5e7: Lanczos on the Gram matrix
        ((6000, 400), 1.0, np.float32, 2e-3),
        ((20000, 300), 1.0, np.float64, 1e-6),  # exact, from the float64 Gram matrix
        ((20000, 300), 1e-150, np.float64, 1e-6),
        ((20000, 300), 1e150, np.float64, 1e-6),
        ((20000, 300), 1.0, np.float32, 2e-3),  # a float32 Gram matrix: Lanczos on it
        ((100000, 20), 1.0, np.float32, 1e-6),  # exact, from A in float64
    ],
)
def test_lipschitz_constant_from_a_gram_matrix(shape, scale, dtype, rtol):
    # Tall problems the solvers iterate on through their Gram matrix, formed in A's dtype.
    A = (scale * np.random.default_rng(1).standard_normal(shape)).astype(dtype)
    truth = _truth(A)
    estimate = lipschitz_constant(A, gram=A.T @ A)
    assert truth <= estimate <= truth * (1 + rtol)


def test_lipschitz_constant_checks_the_gram_matrix_shape():
    with pytest.raises(ValueError, match="gram must have shape"):
        lipschitz_constant(np.ones((6000, 400)), gram=np.eye(3))


@pytest.mark.parametrize("gram", [True, False])
@pytest.mark.parametrize("shape", [(300, 40), (6000, 400)])
def test_float32_problem_bound_holds_against_the_float64_truth(gram, shape):
    from sparserecover.solvers._problem import LeastSquaresProblem

    rng = np.random.default_rng(2)
    A = rng.standard_normal(shape).astype(np.float32)
    problem = LeastSquaresProblem(A, rng.standard_normal(shape[0]).astype(np.float32),
                                  gram=gram)
    truth = _truth(A)
    assert truth <= problem.lipschitz_constant() <= truth * 1.002


def test_power_iteration_fallback(rng):
    D = np.diag(np.linspace(1.0, 10.0, 80))
    value, vector = _power_iteration(aslinearoperator(D), rng.standard_normal(80), 1e-10, 10_000)
    assert value == pytest.approx(10.0, rel=1e-6)
    assert value == pytest.approx(vector @ D @ vector, rel=1e-12)
    assert 10.0 <= largest_eigenvalue(D.__matmul__, 80) <= 10.0 * 1.002


def test_importing_operators_does_not_import_scipy():
    code = "import sys, sparserecover.operators; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("options", "name", "error"),
    [({"tol": -1.0}, "tol", ValueError), ({"tol": 1.0}, "tol", ValueError),
     ({"max_iter": 0}, "max_iter", ValueError), ({"max_iter": 2.5}, "max_iter", TypeError),
     ({"safety": 0.5}, "safety", ValueError)],
)
def test_lipschitz_constant_rejects_bad_options(options, name, error):
    with pytest.raises(error, match=name):
        lipschitz_constant(np.eye(3), **options)


class _Products:
    """The least a matrix-free operator has: a shape and the two products (no dtype)."""

    def __init__(self, A):
        self.shape, self._A = A.shape, A

    def matvec(self, x):
        return self._A @ x

    def rmatvec(self, r):
        return self._A.T @ r


def _matrix_free(A, kind):
    if kind == "pylops":
        pylops = pytest.importorskip("pylops")
        return pylops.MatrixMult(A)
    return _Products(A)


@pytest.mark.parametrize("kind", ["pylops", "duck"])
@pytest.mark.parametrize("solver", ["fista", "ista", "iht", "lasso_path"])
def test_matrix_free_operators_of_other_libraries_give_the_dense_solution(rng, kind, solver):
    # the same problem through the dense kernels and through the operator's own products
    import sparserecover as sr

    A = rng.standard_normal((30, 60))
    x_true = np.zeros(60)
    x_true[[2, 20, 41]] = [1.5, -2.0, 1.0]
    y = A @ x_true + 0.01 * rng.standard_normal(30)
    op = _matrix_free(A, kind)
    if solver == "lasso_path":
        lams, coefs, _ = sr.lasso_path(op, y, n_lams=5, tol=1e-12)
        dense_lams, dense_coefs, _ = sr.lasso_path(A, y, n_lams=5, tol=1e-12, solver="fista")
        np.testing.assert_allclose(lams, dense_lams, rtol=1e-12)
        np.testing.assert_allclose(coefs, dense_coefs, rtol=1e-7, atol=1e-9)
        return
    penalty = 3 if solver == "iht" else 1.0
    options = {} if solver == "iht" else {"tol": 1e-12, "max_iter": 100_000}
    result = getattr(sr, solver)(op, y, penalty, **options)
    dense = getattr(sr, solver)(A, y, penalty, **options)
    assert result.converged and dense.converged
    np.testing.assert_allclose(result.x, dense.x, rtol=1e-7, atol=1e-9)
    if solver == "iht":
        np.testing.assert_array_equal(np.flatnonzero(result.x), [2, 20, 41])


def test_matrix_free_operators_keep_their_dtype_and_block_products(rng):
    pylops = pytest.importorskip("pylops")
    A = rng.standard_normal((6, 4)).astype(np.float32)
    op = as_operator(pylops.MatrixMult(A, dtype=np.float32))
    assert op.kind == "linear_operator" and op.dtype == np.float32 and op.shape == (6, 4)
    X = rng.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(op.matmat(X), A @ X, rtol=1e-6)
    assert as_operator(_Products(A)).dtype == np.float64  # no dtype: float64


def test_an_object_with_matvec_only_is_refused(rng):
    class Forward:
        shape = (3, 3)

        def matvec(self, x):
            return x

    with pytest.raises(TypeError, match="matvec and rmatvec"):
        as_operator(Forward())
