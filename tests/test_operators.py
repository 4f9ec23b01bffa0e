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


@pytest.mark.parametrize("layout", ["C", "csr", "linear_operator"])
def test_lipschitz_constant_small_is_exact(rng, layout):
    A = rng.standard_normal((30, 12))
    expected = np.linalg.norm(A, 2) ** 2
    assert lipschitz_constant(_inputs(A)[layout]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("layout", ["C", "csr", "linear_operator"])
def test_lipschitz_constant_estimate_is_safe_and_tight(rng, layout):
    A = rng.standard_normal((150, 700))  # above the exact threshold: Lanczos
    exact = np.linalg.norm(A, 2) ** 2
    estimate = lipschitz_constant(_inputs(A)[layout])
    # documented: tol 1e-4 and safety factor 1 + 10 tol: never below, at most 0.2 % above
    assert exact <= estimate <= exact * 1.002


def test_power_iteration_fallback(rng):
    D = np.diag(np.linspace(1.0, 10.0, 80))
    value = _power_iteration(aslinearoperator(D), rng.standard_normal(80), 1e-10, 10_000)
    assert value == pytest.approx(10.0, rel=1e-6)
    assert largest_eigenvalue(D.__matmul__, 80) == pytest.approx(10.0, rel=2e-3)


def test_importing_operators_does_not_import_scipy():
    code = "import sys, sparserecover.operators; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("options", "name"),
    [({"tol": -1.0}, "tol"), ({"tol": 1.0}, "tol"), ({"max_iter": 0}, "max_iter"),
     ({"max_iter": 2.5}, "max_iter"), ({"safety": 0.5}, "safety")],
)
def test_lipschitz_constant_rejects_bad_options(options, name):
    with pytest.raises(ValueError, match=name):
        lipschitz_constant(np.eye(3), **options)
