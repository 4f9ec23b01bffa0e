"""One view over dense arrays, ``scipy.sparse`` matrices and ``LinearOperator`` objects.

The solvers accept any of the three as the design matrix ``A``. :func:`as_operator` checks it
once and wraps it in an :class:`Operator`, which offers the products the solvers need
(``matvec``, ``rmatvec``, ``matmat``, ``rmatmat``) and, for dense and sparse matrices, the raw
arrays the Numba kernels iterate on. :func:`lipschitz_constant` gives ``||A||_2^2``, the
Lipschitz constant of the gradient of ``0.5 ||A x - y||^2``.

scipy is imported only when a sparse matrix or a ``LinearOperator`` is actually passed.
"""

import numbers
import sys

import numpy as np

from ._validation import as_float_array, check_finite, check_scalar

__all__ = ["Operator", "as_operator", "largest_eigenvalue", "lipschitz_constant"]

# Below this many flops (min(n, p)^2 * max(n, p)) the exact spectral norm is cheaper than any
# iterative estimate worth trusting.
_EXACT_FLOPS = 5e7


def readonly(array):
    """A read-only view of ``array`` (Numba compiles read-only and writable arrays apart)."""
    view = array.view()
    view.flags.writeable = False
    return view


def _is_sparse(A):
    # Checking sys.modules first keeps scipy unimported for dense-only users.
    if "scipy.sparse" not in sys.modules:
        return False
    import scipy.sparse

    return scipy.sparse.issparse(A)


def _is_linear_operator(A):
    if "scipy.sparse.linalg" not in sys.modules:
        return False
    from scipy.sparse.linalg import LinearOperator

    return isinstance(A, LinearOperator)


class Operator:
    """A checked design matrix: dense ndarray, CSR/CSC sparse matrix or ``LinearOperator``.

    Build it with :func:`as_operator`; the attributes are read-only by convention.

    Parameters
    ----------
    matrix : ndarray, sparse matrix or LinearOperator
        The design matrix, already checked and converted (which :func:`as_operator`
        does).
    kind : {"dense", "sparse", "linear_operator"}
        Which of the three ``matrix`` is.

    Attributes
    ----------
    kind : {"dense", "sparse", "linear_operator"}
    shape : tuple of int
        ``(n_samples, n_features)``.
    dtype : numpy.dtype
        float32 or float64.
    matrix : ndarray, sparse matrix or LinearOperator
        The wrapped object (dense arrays and CSR/CSC matrices are not copied).

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.operators import as_operator
    >>> op = as_operator(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> op.kind, op.shape
    ('dense', (2, 2))
    >>> op.rmatvec(np.array([1.0, 1.0]))
    array([4., 6.])
    """

    def __init__(self, matrix, kind):
        self.matrix = matrix
        self.kind = kind
        self.shape = tuple(int(s) for s in matrix.shape)
        self.dtype = np.dtype(matrix.dtype)

    def __repr__(self):
        return f"Operator(kind={self.kind!r}, shape={self.shape}, dtype={self.dtype})"

    def matvec(self, x):
        """Return ``A @ x`` for a 1-D ``x``."""
        return np.asarray(self.matrix @ x).reshape(self.shape[0])

    def rmatvec(self, r):
        """Return ``A.T @ r`` for a 1-D ``r``."""
        if self.kind == "linear_operator":
            return np.asarray(self.matrix.rmatvec(r)).reshape(self.shape[1])
        return np.asarray(self.matrix.T @ r).reshape(self.shape[1])

    def matmat(self, X):
        """Return ``A @ X`` for a 2-D ``X`` (one product for all columns)."""
        if self.kind == "linear_operator":
            return np.asarray(self.matrix.matmat(X))
        return np.asarray(self.matrix @ X)

    def rmatmat(self, R):
        """Return ``A.T @ R`` for a 2-D ``R`` (one product for all columns)."""
        if self.kind == "linear_operator":
            return np.asarray(self.matrix.rmatmat(R))
        return np.asarray(self.matrix.T @ R)

    def astype(self, dtype):
        """Return an operator on the same matrix converted to ``dtype`` (self if unchanged)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.kind == "linear_operator":
            return Operator(_CastOperator(self.matrix, dtype), self.kind)
        return Operator(self.matrix.astype(dtype), self.kind)


class _CastOperator:
    """A LinearOperator whose products are cast to another dtype (built lazily)."""

    def __new__(cls, linop, dtype):
        from scipy.sparse.linalg import LinearOperator

        return LinearOperator(
            linop.shape,
            matvec=lambda x: np.asarray(linop.matvec(x), dtype=dtype),
            rmatvec=lambda r: np.asarray(linop.rmatvec(r), dtype=dtype),
            matmat=lambda X: np.asarray(linop.matmat(X), dtype=dtype),
            rmatmat=lambda R: np.asarray(linop.rmatmat(R), dtype=dtype),
            dtype=dtype,
        )


def as_operator(A, name="A"):
    """Check a design matrix and wrap it in an :class:`Operator`.

    Parameters
    ----------
    A : array_like, scipy.sparse matrix/array or scipy.sparse.linalg.LinearOperator
        Two-dimensional. Dense input keeps float32/float64 (other numeric dtypes become
        float64) and its memory order; CSR and CSC matrices are used as they are, other sparse
        formats are converted to CSR once. Dense and sparse entries must be finite.
    name : str
        The argument name used in error messages.

    Returns
    -------
    Operator

    Raises
    ------
    TypeError
        For complex, non-numeric or object input.
    ValueError
        If ``A`` is not two-dimensional, is empty, or holds NaN or infinity.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse
    >>> from sparserecover.operators import as_operator
    >>> as_operator(scipy.sparse.eye(3, format="coo")).matrix.format
    'csr'
    """
    if isinstance(A, Operator):
        return A
    if _is_linear_operator(A):
        if len(A.shape) != 2 or min(A.shape) < 1:
            raise ValueError(f"{name} must be a non-empty 2-D operator; got shape {A.shape}")
        dtype = np.dtype(A.dtype) if A.dtype is not None else np.dtype(np.float64)
        if dtype.kind == "c":
            raise TypeError(f"{name} must be real; got complex dtype {dtype}")
        if dtype not in (np.float32, np.float64):
            A = _CastOperator(A, np.float64)
        return Operator(A, "linear_operator")
    if _is_sparse(A):
        if A.ndim != 2:
            raise ValueError(f"{name} must be 2-D; got {A.ndim} dimension(s)")
        if A.format not in ("csr", "csc"):
            A = A.tocsr()
        data = as_float_array(A.data, name)
        if data is not A.data:
            A = A.copy()
            A.data = data
        check_finite(A.data, name)
        if min(A.shape) < 1:
            raise ValueError(f"{name} must be non-empty; got shape {A.shape}")
        return Operator(A, "sparse")
    if hasattr(A, "matvec") or (callable(getattr(A, "dot", None)) and not hasattr(A, "dtype")):
        raise TypeError(
            f"{name} must be an ndarray, a scipy.sparse matrix or a "
            f"scipy.sparse.linalg.LinearOperator; got {type(A).__name__}"
        )
    A = as_float_array(A, name)
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got {A.ndim} dimension(s)")
    if min(A.shape) < 1:
        raise ValueError(f"{name} must be non-empty; got shape {A.shape}")
    check_finite(A, name)
    return Operator(A, "dense")


def lipschitz_constant(A, *, tol=1e-4, max_iter=1000, safety=None, random_state=0):
    """Return ``||A||_2^2``, the Lipschitz constant of ``x -> A.T @ (A @ x - y)``.

    Exact (the largest eigenvalue of the smaller Gram matrix, by LAPACK) for dense matrices
    with ``min(n, p)^2 * max(n, p) <= 5e7``. Otherwise the largest eigenvalue of ``A.T A`` (or
    ``A A.T``, whichever is smaller) is estimated by Lanczos iteration (ARPACK through
    ``scipy.sparse.linalg.eigsh``, which needs several times fewer products than plain power
    iteration on matrices whose top singular values are close), falling back to power
    iteration if ARPACK does not converge. An iterative estimate is a Rayleigh quotient, hence
    never above the true value; it is multiplied by the safety factor so that a step ``1/L``
    stays below ``1/||A||^2`` and FISTA keeps its convergence guarantee.

    Parameters
    ----------
    A : array_like, sparse matrix or LinearOperator
    tol : float
        Relative tolerance of the iterative estimate.
    max_iter : int
        Maximum number of Lanczos / power iterations.
    safety : float, optional
        Factor applied to an iterative estimate; default ``1 + 10 * tol``. Not applied to the
        exact value.
    random_state : int
        Seed of the iterative method's start vector (the result is reproducible).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric.
    ValueError
        If ``A`` is not 2-D or has NaN or infinite entries, ``tol`` is not in (0, 1),
        ``max_iter`` is not an integer >= 1 or ``safety`` is below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.operators import lipschitz_constant
    >>> lipschitz_constant(np.diag([3.0, 1.0]))
    9.0
    """
    tol = check_scalar(tol, "tol", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    if safety is not None:
        safety = check_scalar(safety, "safety", low=1.0)
    op = as_operator(A)
    n, p = op.shape
    if op.kind == "dense" and min(n, p) ** 2 * max(n, p) <= _EXACT_FLOPS:
        M = op.matrix.astype(np.float64, copy=False)
        return _exact_largest_eigenvalue(M.T @ M if p <= n else M @ M.T)
    # Products in the operator's own dtype: a float64 vector against float32 data would make
    # numpy upcast the whole matrix at every product.
    dtype = op.dtype
    if p <= n:
        return largest_eigenvalue(
            lambda v: op.rmatvec(op.matvec(v.astype(dtype))), p, tol=tol, max_iter=max_iter,
            safety=safety, random_state=random_state,
        )
    return largest_eigenvalue(
        lambda v: op.matvec(op.rmatvec(v.astype(dtype))), n, tol=tol, max_iter=max_iter,
        safety=safety, random_state=random_state,
    )


def _exact_largest_eigenvalue(gram):
    return float(max(np.linalg.eigvalsh(gram)[-1], 0.0))


def largest_eigenvalue(matvec, size, *, tol=1e-4, max_iter=1000, safety=None, random_state=0):
    """Largest eigenvalue of a symmetric positive semidefinite operator given by ``matvec``.

    Used by :func:`lipschitz_constant` and, with the Gram matrix ``G`` itself
    (``matvec=G.__matmul__``), by the solvers' Gram-matrix iteration. Exact for ``size <= 64``
    (the matrix is formed from ``size`` products); otherwise Lanczos (ARPACK ``eigsh``, with
    power iteration as fallback), times ``safety`` (default ``1 + 10 * tol``).

    Parameters
    ----------
    matvec : callable
        ``v -> M @ v`` for a float64 vector ``v`` of length ``size``, with ``M``
        symmetric positive semidefinite.
    size : int
        The order of ``M``.
    tol : float, default=1e-4
        Relative tolerance of the Lanczos (or power) iteration.
    max_iter : int, default=1000
        Iteration limit of the Lanczos (or power) iteration.
    safety : float, optional
        Factor applied to an iterative estimate (a Rayleigh quotient, hence a lower
        bound); default ``1 + 10 * tol``.
    random_state : int, default=0
        Seed of the random start vector.

    Returns
    -------
    float
        The largest eigenvalue: exact for ``size <= 64``, else the estimate times
        ``safety``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.operators import largest_eigenvalue
    >>> largest_eigenvalue(np.diag([1.0, 4.0]).__matmul__, 2)
    4.0
    """
    if safety is None:
        safety = 1.0 + 10.0 * tol
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    def apply(v):
        return np.asarray(matvec(np.asarray(v, dtype=np.float64)), dtype=np.float64).ravel()

    if size <= 64:
        small = np.column_stack([apply(e) for e in np.eye(size)])
        return _exact_largest_eigenvalue(0.5 * (small + small.T))
    operator = LinearOperator((size, size), matvec=apply, dtype=np.float64)
    start = np.random.default_rng(random_state).standard_normal(size)
    try:
        value = eigsh(
            operator, k=1, which="LA", tol=tol, maxiter=max_iter, v0=start,
            return_eigenvectors=False,
        )[0]
    except ArpackNoConvergence:
        value = _power_iteration(operator, start, tol, max_iter)
    return float(value) * safety


def _power_iteration(gram, v, tol, max_iter):
    v = v / np.linalg.norm(v)
    value = 0.0
    for _ in range(max_iter):
        w = np.asarray(gram.matvec(v), dtype=np.float64)
        new_value = float(v @ w)
        norm = np.linalg.norm(w)
        if norm == 0.0:
            return 0.0
        v = w / norm
        if abs(new_value - value) <= tol * new_value:
            return new_value
        value = new_value
    return value
