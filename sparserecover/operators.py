"""One view over dense arrays, ``scipy.sparse`` matrices and ``LinearOperator`` objects.

The solvers accept any of the three as the design matrix ``A``, and any other object with a
2-D ``shape`` and the products ``matvec`` and ``rmatvec`` (a pylops ``LinearOperator``, ...),
which becomes a scipy ``LinearOperator``. :func:`as_operator` checks it
once and wraps it in an :class:`Operator`, which offers the products the solvers need
(``matvec``, ``rmatvec``, ``matmat``, ``rmatmat``) and, for dense and sparse matrices, the raw
arrays the Numba kernels iterate on. :func:`lipschitz_constant` gives ``||A||_2^2`` (a
guaranteed upper bound on it), the Lipschitz constant of the gradient of ``0.5 ||A x - y||^2``.

scipy is imported only when a sparse matrix or a ``LinearOperator`` is actually passed.
"""

import math
import sys

import numpy as np

from ._validation import _REAL_FLOATS, as_float_array, check_finite, check_int, check_scalar

__all__ = ["Operator", "as_operator", "largest_eigenvalue", "lipschitz_constant"]

# Below this many flops (min(n, p)^2 * max(n, p)) the exact spectral norm is cheaper than any
# iterative estimate worth trusting; at most _EXACT_SIZE rows or columns it is at least as
# cheap as Lanczos, which needs about that many products anyway.
_EXACT_FLOPS = 5e7
_EXACT_SIZE = 64
# Rows (of the summed dimension) per block when the Gram matrix is accumulated: bounded memory
# for the float64 copy of float32 or scaled data.
_BLOCK_ENTRIES = 2**20
_EPS = float(np.finfo(np.float64).eps)


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


def _is_matrix_free(A):
    """Whether ``A`` is a linear operator of another library (pylops, ...): not a scipy one,
    but with a 2-D ``shape`` and the two products ``matvec`` and ``rmatvec``."""
    return (
        not isinstance(A, np.ndarray)
        and not _is_linear_operator(A)
        and callable(getattr(A, "matvec", None))
        and callable(getattr(A, "rmatvec", None))
        and len(getattr(A, "shape", ())) == 2
    )


def _linear_operator(A):
    """``A`` as a scipy ``LinearOperator`` with the same products, its own ``matmat`` and
    ``rmatmat`` too where it has them (``aslinearoperator`` would loop over columns)."""
    from scipy.sparse.linalg import LinearOperator

    products = {
        name: getattr(A, name) for name in ("matmat", "rmatmat") if callable(getattr(A, name, None))
    }
    dtype = getattr(A, "dtype", None)
    return LinearOperator(
        tuple(A.shape),
        matvec=A.matvec,
        rmatvec=A.rmatvec,
        dtype=np.float64 if dtype is None else dtype,
        **products,
    )


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
        self.shape = tuple(map(int, matrix.shape))
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


def as_operator(A, name="A", *, assume_finite=False):
    """Check a design matrix and wrap it in an :class:`Operator`.

    Parameters
    ----------
    A : array_like, scipy.sparse matrix/array or linear operator
        Two-dimensional. Dense input keeps float32/float64 (other numeric dtypes become
        float64) and its memory order; CSR and CSC matrices are used as they are, other sparse
        formats are converted to CSR once. Dense and sparse entries must be finite. A linear
        operator is a :class:`scipy.sparse.linalg.LinearOperator` or any object with a 2-D
        ``shape`` and the methods ``matvec(x)`` (``A @ x``) and ``rmatvec(r)``
        (``A.T @ r``), such as a pylops ``LinearOperator``; its ``matmat`` and ``rmatmat``
        are used too where it has them, and its ``dtype`` (default float64).
    name : str
        The argument name used in error messages.
    assume_finite : bool, default False
        Skip the check for NaN and infinity (for data the caller has checked).

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

    Any object with ``shape``, ``matvec`` and ``rmatvec`` is a matrix-free operator:

    >>> class Doubling:
    ...     shape = (3, 3)
    ...     def matvec(self, x):
    ...         return 2 * x
    ...     def rmatvec(self, r):
    ...         return 2 * r
    >>> op = as_operator(Doubling())
    >>> op.kind, op.matvec(np.ones(3))
    ('linear_operator', array([2., 2., 2.]))
    """
    if isinstance(A, Operator):
        return A
    if type(A) is np.ndarray and A.dtype.type in _REAL_FLOATS:
        return _dense_operator(A, name, assume_finite)  # (the usual case, first)
    if _is_matrix_free(A):
        A = _linear_operator(A)
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
        if not assume_finite:
            check_finite(A.data, name)
        if min(A.shape) < 1:
            raise ValueError(f"{name} must be non-empty; got shape {A.shape}")
        return Operator(A, "sparse")
    if hasattr(A, "matvec") or (callable(getattr(A, "dot", None)) and not hasattr(A, "dtype")):
        raise TypeError(
            f"{name} must be an ndarray, a scipy.sparse matrix or a linear operator (an object "
            f"with shape, matvec and rmatvec); got {type(A).__name__}"
        )
    return _dense_operator(as_float_array(A, name), name, assume_finite)


def _dense_operator(A, name, assume_finite):
    """The :class:`Operator` of a float32/float64 ndarray ``A``, checked."""
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got {A.ndim} dimension(s)")
    if min(A.shape) < 1:
        raise ValueError(f"{name} must be non-empty; got shape {A.shape}")
    if not assume_finite:
        check_finite(A, name)
    return Operator(A, "dense")


def lipschitz_constant(A, *, tol=1e-4, max_iter=1000, safety=None, random_state=0, gram=None):
    """Return an upper bound on ``||A||_2^2``, the Lipschitz constant of ``x -> A.T @ (A @ x - y)``.

    Exact up to rounding when ``min(n, p)^2 * max(n, p) <= 5e7`` (and, for dense and sparse
    matrices, whenever ``min(n, p) <= 64``): the largest eigenvalue of the smaller Gram matrix,
    formed in float64 and computed by LAPACK, plus a bound on the rounding errors of both steps:
    never below ``||A||_2^2``, and above it by a relative ``2.2e-16 * (max(n, p) + min(n, p)^2)
    * min(n, p)`` at most (below 1e-7 unless ``max(n, p) > 7e6``).
    Otherwise the largest eigenvalue of ``A.T A`` (or ``A A.T``, whichever is smaller) is
    estimated by Lanczos iteration (ARPACK through ``scipy.sparse.linalg.eigsh``, which needs
    several times fewer products than plain power iteration on matrices whose top singular
    values are close), falling back to power iteration if ARPACK does not converge. The estimate
    ``theta`` is a Rayleigh quotient, hence never above the true value; the result is
    ``max(safety * theta, theta + ||r||)``, ``r`` the residual of the Ritz vector, which bounds
    the distance from ``theta`` to the eigenvalue it approximates. A step ``1/L`` so stays below
    ``1/||A||^2`` and FISTA keeps its convergence guarantee. Dense and sparse entries of any
    magnitude are handled by scaling with a power of two, which is exact.

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
    gram : ndarray of shape (p, p), optional
        ``A.T @ A`` as the caller computed it already, in ``A``'s dtype. In float64 and with
        ``p^3 <= 5e7`` (or ``p <= 64``), the exact value comes from it (with the same
        rounding-error bound); otherwise the iterative estimate multiplies by it instead of by
        ``A`` and ``A.T``, unless the exact value from ``A`` is cheap.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric.
    ValueError
        If ``A`` is not 2-D or has NaN or infinite entries, ``||A||_2^2`` over- or underflows
        float64 (nonzero, below 2.2e-308),
        ``tol`` is not in (0, 1), ``max_iter`` is not an integer >= 1 or ``safety`` is below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.operators import lipschitz_constant
    >>> L = lipschitz_constant(np.diag([3.0, 1.0]))
    >>> bool(9.0 <= L <= 9.0 * (1 + 1e-12))
    True
    """
    tol = check_scalar(tol, "tol", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", low=1)
    if safety is not None:
        safety = check_scalar(safety, "safety", low=1.0)
    op = as_operator(A)
    n, p = op.shape
    small, large = min(n, p), max(n, p)
    if gram is not None:
        gram = np.asarray(gram)
        if gram.shape != (p, p):
            raise ValueError(f"gram must have shape {(p, p)}; got {gram.shape}")
        # max |G_ij| is on the diagonal of a Gram matrix; NaN or inf there means overflow
        max_abs = float(np.max(np.diagonal(gram)))
        if max_abs == 0.0:
            return 0.0
        k = _exponent(max_abs)
        # A float64 A.T @ A has the rounding errors of the Gram matrix the exact path forms
        # (its underflow is negligible unless the entries are near 2^-1000): the same bound.
        if gram.dtype == np.float64 and k > -1000 and (p**3 <= _EXACT_FLOPS or p <= _EXACT_SIZE):
            return _scale_back(_gram_eigenvalue_bound(np.ldexp(gram, -k), n), k)
    if small**2 * large <= _EXACT_FLOPS or (small <= _EXACT_SIZE and op.kind != "linear_operator"):
        return _exact_lipschitz_constant(op)
    options = {"tol": tol, "max_iter": max_iter, "safety": safety, "random_state": random_state}
    if gram is not None:
        return _scale_back(largest_eigenvalue(
            lambda v: gram @ np.ldexp(v, -k).astype(gram.dtype), p, **options), k)
    # Scaled products 2^-k A.T (2^-k A v), with max |2^-k A_ij| in [1/2, 1) (for a
    # LinearOperator, the largest entry of one product A v instead): no overflow or underflow
    # whatever the scale of A. Products in the operator's own dtype: a float64 vector against
    # float32 data would make numpy upcast the whole matrix at every product.
    first, second = (op.matvec, op.rmatvec) if p <= n else (op.rmatvec, op.matvec)
    if op.kind == "linear_operator":
        probe = np.random.default_rng(random_state).standard_normal(small).astype(op.dtype)
        k, max_abs = _exponent(float(np.max(np.abs(first(probe / np.linalg.norm(probe)))))), None
    else:
        max_abs = _max_abs(op)
        if max_abs == 0.0:
            return 0.0
        k = _exponent(max_abs)

    def apply(v):
        product = second(first(np.ldexp(v, -k).astype(op.dtype)))
        return np.ldexp(np.asarray(product, dtype=np.float64), -k)

    return _scale_back(largest_eigenvalue(apply, small, **options), 2 * k, max_abs)


def _max_abs(op):
    data = op.matrix.data if op.kind == "sparse" else op.matrix
    if data.size == 0:
        return 0.0
    return float(max(data.max(), -data.min()))  # two passes, no |A| temporary


def _exponent(max_abs):
    """``k`` such that ``max_abs / 2**k`` is in [1/2, 1) (0 for 0): the exact scaling."""
    if not np.isfinite(max_abs):
        raise ValueError(_overflow_message())
    return math.frexp(max_abs)[1]


def _overflow_message(max_abs=None, what="overflows"):
    entry = "" if max_abs is None else f" (largest |A_ij| is {max_abs:.3g})"
    return f"||A||_2^2 {what} float64{entry}; rescale A"


def _scale_back(value, exponent, max_abs=None):
    """``value * 2**exponent``, or a ValueError if it over- or underflows float64 (a
    subnormal bound, 1 / L infinite, would help no one)."""
    try:
        result = math.ldexp(value, exponent)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(_overflow_message(max_abs))
    if 0.0 < value and result < sys.float_info.min:
        raise ValueError(_overflow_message(max_abs, "underflows"))
    return result


def _exact_lipschitz_constant(op):
    """Upper bound on ``||A||_2^2`` from the smaller Gram matrix of ``A``, formed in float64."""
    n, p = op.shape
    A = op.matrix
    if op.kind == "linear_operator":
        # The operator's entries, from min(n, p) products with the identity.
        if p <= n:
            A = np.asarray(op.matmat(np.eye(p, dtype=op.dtype)))
        else:
            A = np.asarray(op.rmatmat(np.eye(n, dtype=op.dtype))).T
        check_finite(A, "A")
        op = Operator(A, "dense")
    max_abs = _max_abs(op)
    if max_abs == 0.0:
        return 0.0
    k = _exponent(max_abs)
    if op.kind == "sparse":
        M = A.astype(np.float64)
        M.data = np.ldexp(M.data, -k)
        gram = (M.T @ M if p <= n else M @ M.T).toarray()
    else:
        # Sum the Gram matrix over blocks of the summed dimension (rows of ``A`` if p <= n),
        # each converted to float64 and scaled by 2^-k (exact) so that no product overflows.
        rows = A if p <= n else A.T
        gram = np.zeros((rows.shape[1],) * 2)
        step = max(1, _BLOCK_ENTRIES // rows.shape[1])
        for start in range(0, rows.shape[0], step):
            block = np.ascontiguousarray(rows[start:start + step], dtype=np.float64)
            if k:
                block = np.ldexp(block, -k)
            gram += block.T @ block
    return _scale_back(_gram_eigenvalue_bound(gram, max(n, p)), 2 * k, max_abs)


def _gram_eigenvalue_bound(gram, n_summed):
    """An upper bound on the largest eigenvalue of the exact ``X.T @ X``, from ``gram``, its
    floating-point value in float64 (``n_summed`` rows of ``X``; 0 if ``gram`` is exact).

    Two rounding errors separate LAPACK's largest eigenvalue of ``gram`` from the truth
    (u = eps / 2, q the order, m = n_summed, f = ||X||_F^2 <= trace(gram) (1 + (m + q) u)):
    - forming it: ``|fl(X.T X) - X.T X| <= gamma_m |X|.T |X|`` entrywise, ``gamma_m = m u /
      (1 - m u)``, for any order of summation and with underflow negligible at the scale the
      callers choose (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.13),
      so the 2-norm of the error is at most ``gamma_m f``;
    - the eigensolver: the computed eigenvalues are exact for ``gram + E`` with
      ``||E||_2 <= p(q) u ||gram||_2`` (LAPACK Users' Guide, 3rd ed., section 4.7.1; Golub &
      Van Loan, Matrix Computations, 4th ed., section 8.3). LAPACK leaves p(q) unspecified ("a
      modestly growing function"); worst-case analyses of Householder reduction give a small
      multiple of q^2 (Higham, section 19.3), and we take p(q) = 2 q^2.
    Weyl's inequality (Golub & Van Loan, corollary 8.1.6) adds the two norms to the eigenvalue;
    ``eps (m trace + q^2 ||gram||_F)`` covers both sums with a factor of about 2 to spare,
    including the rounding of the margin itself. Relative to the eigenvalue it is at most
    ``eps (m + q^2) q`` (trace <= q top): 2.2e-8 where m q^2 <= 5e7.
    """
    top = float(np.linalg.eigvalsh(gram)[-1])
    trace = float(np.trace(gram))
    margin = _EPS * (n_summed * max(trace, 0.0) + gram.shape[0] ** 2 * np.linalg.norm(gram))
    return math.nextafter(max(top, 0.0) + margin, math.inf)


def largest_eigenvalue(matvec, size, *, tol=1e-4, max_iter=1000, safety=None, random_state=0):
    """Largest eigenvalue of a symmetric positive semidefinite operator given by ``matvec``.

    Used by :func:`lipschitz_constant` and, with the Gram matrix ``G`` itself
    (``matvec=G.__matmul__``), by the solvers' Gram-matrix iteration. Exact up to rounding for
    ``size <= 64`` (the matrix is formed from ``size`` products; LAPACK's eigenvalue plus a
    bound on its rounding error, never below the eigenvalue of the matrix the products give);
    otherwise the Lanczos estimate ``theta`` (ARPACK ``eigsh``, with power iteration where
    ARPACK fails), returned as ``max(safety * theta, theta + ||r||)`` with ``r`` the residual of
    the Ritz vector.

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
        An upper bound on the largest eigenvalue: within a relative ``2.2e-16 * size^2.5``
        for ``size <= 64``, else the bound above on the iterative estimate.

    Notes
    -----
    A Ritz value ``theta`` with unit Ritz vector ``x`` has an eigenvalue of ``M`` within
    ``||M x - theta x||`` (Parlett, The Symmetric Eigenvalue Problem, theorem 4.5.1); ARPACK
    stops when that residual is below ``tol * theta``, so ``safety`` (10 times that) is the
    larger term unless the iteration stopped early. The eigenvalue found is the largest one
    unless the random start vector is nearly orthogonal to its eigenvector, an event whose
    probability Kuczyński and Woźniakowski (SIAM J. Matrix Anal. Appl. 13, 1992) bound.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.operators import largest_eigenvalue
    >>> value = largest_eigenvalue(np.diag([1.0, 4.0]).__matmul__, 2)
    >>> bool(4.0 <= value <= 4.0 * (1 + 1e-12))
    True
    """
    if safety is None:
        safety = 1.0 + 10.0 * tol
    from scipy.sparse.linalg import ArpackError, LinearOperator, eigsh

    def apply(v):
        return np.asarray(matvec(np.asarray(v, dtype=np.float64)), dtype=np.float64).ravel()

    if size <= _EXACT_SIZE:
        small = np.column_stack([apply(e) for e in np.eye(size)])
        return _gram_eigenvalue_bound(0.5 * (small + small.T), 0)
    operator = LinearOperator((size, size), matvec=apply, dtype=np.float64)
    start = np.random.default_rng(random_state).standard_normal(size)
    try:
        values, vectors = eigsh(
            operator, k=1, which="LA", tol=tol, maxiter=max_iter, v0=start,
        )
        theta, x = float(values[0]), vectors[:, 0]
    except ArpackError:  # no convergence, or a breakdown (M v = 0 for the start vector)
        theta, x = _power_iteration(operator, start, tol, max_iter)
    residual = np.linalg.norm(apply(x) - theta * x) / np.linalg.norm(x)
    if residual == 0.0:  # M x = 0: the zero matrix, or x in its null space
        return max(theta * safety, 0.0)
    return max(theta * safety, math.nextafter(theta + residual, math.inf))


def _power_iteration(gram, v, tol, max_iter):
    """Return ``(theta, v)``: the last unit iterate ``v`` and its Rayleigh quotient."""
    v = v / np.linalg.norm(v)
    theta = 0.0
    for iteration in range(max_iter):
        w = np.asarray(gram.matvec(v), dtype=np.float64)
        previous, theta = theta, float(v @ w)
        norm = np.linalg.norm(w)
        if norm == 0.0 or abs(theta - previous) <= tol * theta or iteration == max_iter - 1:
            break
        v = w / norm
    return theta, v
