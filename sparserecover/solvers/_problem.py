"""The prepared least-squares problem the solvers share, and the structures their kernels take.

A solver's kernel receives the data fit and the penalty as two named tuples, so that a
penalty (and, for the data, its operator) travels whole, as skglm's datafits and penalties
do:

- ``Datafit(op, target, yy)``: the operator in one of the forms of ``_products`` (or, run
  from Python, a ``LinearOperator``), the target ``b`` as an ``(n_samples, n_targets)``
  array (``c = A.T b`` for a Gram-matrix problem, whose operator is ``G = A.T A``), and
  ``||b_k||^2`` in float64;
- ``Penalty(weights, l2, positive, unpenalized, unpenalized_gram)``: the l1 weights as an
  ``(n_features, n_targets)`` float64 array, the elastic-net ``l2``, the sign constraint, the
  indices of the coefficients with a zero weight (in some column) and, for the dual point's
  refit of those, ``A_U.T A_U + l2 I`` in float64; both None when every coefficient is
  penalized (the kernels are then compiled without the refit).

Scale: data whose largest entry is far from 1 (beyond 2^(+-maxexp/8): 1e38 in float64, 6.6e4 in
float32) are solved in scaled units, ``A' = 2^-a A`` and ``y' = 2^-b y`` with ``max |A'|`` and
``max |y'|`` in [1/2, 1): powers of two are exact, no square overflows or underflows, and the
solution ``x = 2^(b - a) x'`` of the penalty ``lam' = 2^-(a + b) lam`` is the same (the
objective scales by ``2^2b``). Where a column of ``A`` exceeds the median column by more than
2^(maxexp/4) (1e77 in float64), one scale cannot keep the squares of both in range, and the
columns are scaled one by one, ``a_j``: the same equivalence per coefficient (a step and an
``l2`` term then have no scaled form, and are refused). The kernels see only scaled units; the
problem's methods take and return the user's (``penalty``, ``start``, ``lam_max``,
``shape_result``, ``scaled``, ``unscaled``). Data in the range run unscaled, bit for bit as
before.
"""

import math
from collections import namedtuple

import numpy as np

from .._convergence import warn_convergence
from .._validation import (
    as_float_array,
    check_finite,
    check_int,
    check_scalar,
    scale_exponent,
    scale_limit,
)
from ..operators import Operator, as_operator, readonly
from ..operators import lipschitz_constant as _lipschitz_constant
from ._column_statistics import column_statistics, sparse_column_statistics
from ._products import Gram, kernel_operator

Datafit = namedtuple("Datafit", ["op", "target", "yy"])
Penalty = namedtuple("Penalty", ["weights", "l2", "positive", "unpenalized", "unpenalized_gram"])

# Iterate on the Gram matrix when n_samples >= _GRAM_RATIO * n_features and the p x p Gram
# matrix stays small (p <= _GRAM_MAX_FEATURES: 32 MB in float64).
_GRAM_RATIO = 2
_GRAM_MAX_FEATURES = 2048

# Default relative-gap tolerance per dtype: float32 iterates stall at a relative gap of about
# 1e-6 to 1e-5 (the rounding of A x and A.T r), so 1e-6 would only exhaust max_iter.
DEFAULT_TOL = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-4}


def check_options(max_iter, tol, step, gap_freq, dtype=np.float64):
    max_iter = check_int(max_iter, "max_iter", low=0)
    tol = DEFAULT_TOL[np.dtype(dtype)] if tol is None else check_scalar(tol, "tol", low=0.0)
    if step is not None:
        step = check_scalar(step, "step", low=0.0, low_inclusive=False)
    gap_freq = check_int(gap_freq, "gap_freq", low=1)
    return max_iter, tol, step, gap_freq


def warn_not_converged(solver, max_iter, detail, stacklevel=3):
    warn_convergence(
        f"{solver} did not converge in max_iter={max_iter} iterations ({detail}); "
        "increase max_iter or tol.",
        stacklevel=stacklevel,
    )


class LeastSquaresProblem:
    """A checked ``(A, y)`` pair prepared once for any number of solves (e.g. a path).

    Holds the operator, ``y`` as a C-contiguous ``(n_samples, n_targets)`` copy in the
    problem dtype, ``||y_k||^2`` in float64 and, lazily, what the solvers need: the Gram
    matrix (FISTA on tall designs), a column-ordered copy (coordinate descent), the column
    norms and the Lipschitz constant.

    ``gram`` is "auto", a bool, or ``A.T A`` itself (an ``(n_features, n_features)`` array
    computed by the caller, e.g. scikit-learn's ``precompute``); ``Xy`` optionally gives
    ``A.T y`` with it. ``assume_finite`` skips the NaN/infinity checks of data the caller
    has checked.
    """

    def __init__(self, A, y, *, gram="auto", Xy=None, assume_finite=False):
        # A is checked below, from the statistics of its columns (one pass for both)
        op = as_operator(A, "A", assume_finite=True)
        y = as_float_array(y, "y")
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D; got {y.ndim} dimensions")
        n_samples, n_features = op.shape
        if y.shape[0] != n_samples:
            raise ValueError(
                f"A and y have inconsistent shapes: A is {op.shape} (n_samples={n_samples}) "
                f"but y has {y.shape[0]} samples"
            )
        if y.ndim == 2 and y.shape[1] < 1:
            raise ValueError("y must have at least one column")
        if not assume_finite:
            check_finite(y, "y")
        # One dtype end to end: mixing float64 y into float32 BLAS would upcast every product.
        dtype = op.dtype if op.dtype == y.dtype else np.result_type(op.dtype, y.dtype)
        self.op = op if op.dtype == dtype else op.astype(dtype)
        self.dtype = dtype
        self.y_ndim = y.ndim
        # a fresh writable copy: the kernels then see one array type whatever the caller's y
        self.Y = np.array(y.reshape(n_samples, -1), dtype=dtype, order="C", copy=True)
        self.n_samples, self.n_features = n_samples, n_features
        self.n_targets = self.Y.shape[1]
        statistics = _column_statistics(self.op)
        if statistics is not None and not assume_finite and not _all_finite(*statistics):
            # raises, with the count of bad values
            check_finite(self.op.matrix.data if self.op.kind == "sparse" else self.op.matrix,
                         "A")
        # Scaled units (see the module docstring): A' = 2^-a A (a per column, or one a),
        # y' = 2^-b y.
        a = _column_exponents(self.op, dtype, statistics)
        b = scale_exponent(float(max(np.maximum.reduce(self.Y, axis=None),
                                     -np.minimum.reduce(self.Y, axis=None))), dtype)
        if _nonzero(a):
            self.op = _scaled_operator(self.op, -a)
        if b:
            np.ldexp(self.Y, -b, out=self.Y)
        # x = 2^(b - a) x', lam = 2^(a + b) lam', objective and gap = 2^2b (scaled ones); with
        # one a, step = 2^-2a step' and l2 = 2^2a l2'
        self._exponents = {"x": b - a, "lam": a + b, "objective": 2 * b}
        if not isinstance(a, np.ndarray):
            self._exponents.update(step=-2 * a, l2=2 * a)
        self.yy = np.einsum("ik,ik->k", self.Y, self.Y, dtype=np.float64)
        if b:  # (unscaled, every |y| < 2^128: ||y||^2 cannot overflow)
            with np.errstate(over="ignore"):
                objective_finite = np.all(np.isfinite(self.unscaled(self.yy, "objective")))
        if b and not objective_finite:
            raise ValueError(
                f"y is too large: ||y||^2 overflows float64 (max |y| = {math.ldexp(1.0, b):.3g}),"
                " and with it the objective; divide y by a constant (the solution and lam "
                "scale with it)"
            )
        self._cache = {}
        if statistics is not None and not _nonzero(a):  # (the norms of the scaled A otherwise)
            self._cache["norms"] = statistics[1]
        if isinstance(gram, str) and gram == "auto":
            gram = (
                self.op.kind != "linear_operator"
                and n_samples >= _GRAM_RATIO * n_features
                and n_features <= _GRAM_MAX_FEATURES
            )
        elif isinstance(gram, np.ndarray):
            if gram.shape != (n_features, n_features):
                raise ValueError(f"the Gram matrix must have shape {(n_features, n_features)}; "
                                 f"got {gram.shape}")
            # the caller's A.T A and A.T y, in the scaled units of A and y as well
            exponent = np.broadcast_to(a, (n_features,))[:, None]
            gram = np.ldexp(gram, -(exponent + exponent.T))
            if Xy is not None:
                Xy = np.ldexp(np.asarray(Xy).reshape(n_features, -1), -(exponent + b))
            self._cache["gram"] = self._gram_datafit(gram, Xy)
            gram = True
        elif gram and self.op.kind == "linear_operator":
            raise ValueError("gram=True needs a dense or sparse A, not a LinearOperator")
        self.gram = bool(gram)

    @classmethod
    def from_gram(cls, G, c, yy, n_samples):
        """A problem known only by ``G = A.T A``, ``c = A.T y`` (``(n_features,)`` or
        ``(n_features, n_targets)``) and ``yy = ||y_k||^2``, e.g. assembled from blocks of
        rows: coordinate descent and its Gram-form duality gap need nothing else (there is
        no float64 recomputation from A: pass ``certify=False``)."""
        self = cls.__new__(cls)
        c = np.asarray(c)
        self.op = None
        self.dtype = np.result_type(G.dtype, c.dtype)
        self.y_ndim = c.ndim
        self.n_samples, self.n_features = int(n_samples), G.shape[0]
        self.n_targets = 1 if c.ndim == 1 else c.shape[1]
        self.yy = np.atleast_1d(np.asarray(yy, dtype=np.float64))
        self.gram = True
        self._exponents = {"x": 0, "lam": 0, "objective": 0, "step": 0, "l2": 0}  # unscaled
        self._cache = {}
        self._cache["gram"] = self._gram_datafit(G, c)
        return self

    def unscaled(self, value, kind):
        """``value`` (a float or array) of ``kind`` ("x", "lam", "objective", "step" or "l2")
        from scaled units to the user's; unchanged (the same object) when unscaled. "x" and
        "lam" arrays have the features along their first axis. None for a step of a problem
        scaled column by column (it has none in the user's units)."""
        if kind not in self._exponents:
            return None
        return _shift(value, self._exponents[kind])

    def scaled(self, value, kind):
        """``value`` of ``kind`` from the user's units to scaled ones (see :meth:`unscaled`);
        a ValueError for a nonzero step or ``l2`` of a problem scaled column by column."""
        if kind not in self._exponents:
            if not value:
                return value
            raise ValueError(
                f"{kind}={value:g} has no equivalent for a design with columns more than 1e77 "
                "times larger than most (solved with each column scaled to 1): rescale the "
                "columns of A to similar magnitudes"
            )
        return _shift(value, -self._exponents[kind])

    def user_callback(self, callback):
        """``callback`` called with the iterate in the user's units."""
        if callback is None or not _nonzero(self._exponents["x"]):
            return callback
        return lambda X: callback(self.unscaled(X, "x"))

    def _cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def x_shape(self):
        if self.y_ndim == 1:
            return (self.n_features,)
        return (self.n_features, self.n_targets)

    def datafit(self):
        """The :data:`Datafit` FISTA and coordinate descent iterate on: Gram form if
        ``self.gram``, else direct."""
        if not self.gram:
            return self.direct_datafit()
        return self._cached("gram", self._gram_datafit)

    def _gram_datafit(self, G=None, Xy=None):
        if G is None:
            A = self.op.matrix
            G = A.T @ A
            G = G.toarray() if hasattr(G, "toarray") else G
        if Xy is None:
            c = self.op.rmatmat(self.Y)
        else:
            c = np.asarray(Xy).reshape(self.n_features, self.n_targets)
        G = np.ascontiguousarray(G, dtype=self.dtype)
        c = np.ascontiguousarray(c, dtype=self.dtype)
        return Datafit(Gram(readonly(G)), c, self.yy)

    def direct_datafit(self, dtype=None):
        """The :data:`Datafit` without the Gram matrix, optionally converted to ``dtype``
        (kept, so that a path over float32 data converts A once)."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)

        def compute():
            op = self.op.astype(dtype)
            Y = self.Y.astype(dtype, copy=False)
            if op.kind == "linear_operator":
                return Datafit(op.matrix, Y, self.yy)
            return Datafit(kernel_operator(op), Y, self.yy)

        return self._cached(("direct", dtype), compute)

    @property
    def has_columns(self):
        """Whether coordinate descent can run: column access to A (dense, sparse, or the
        implicit centred sparse matrix of ``_products.kernel_operator``) or the Gram matrix."""
        return self.op is None or self.op.kind != "linear_operator" or hasattr(
            self.op.matrix, "centered_sparse")

    def column_datafit(self):
        """The :data:`Datafit` with column access for coordinate descent: a C-ordered dense
        ``A`` is copied once to Fortran order, a CSR matrix converted once to CSC."""
        fit = self._cache.get("columns")
        if fit is not None:
            return fit
        if not self.has_columns:
            raise TypeError("A must be a dense or sparse matrix for coordinate descent; got a "
                            "LinearOperator (use fista)")

        return self._cached(
            "columns", lambda: Datafit(kernel_operator(self.op, columns=True), self.Y, self.yy)
        )

    def column_squared_norms(self, block=64):
        """``||a_j||^2`` for every column of A, in float64: the diagonal of the Gram matrix
        when there is one (coordinate descent's exact curvature on it).

        A LinearOperator costs min(n_samples, n_features) products, in blocks of ``block``
        unit vectors from the smaller side.
        """
        norms = self._cache.get("norms")
        if norms is not None:
            return norms
        if self.gram:
            return self._cached("norms", lambda: np.diag(self.datafit().op.G).astype(np.float64))
        if self.op.kind == "linear_operator" and self.has_columns:
            return self._cached("norms", lambda: _centered_squared_norms(self.op.matrix))
        return self._cached("norms", lambda: _column_squared_norms(self.op, block))

    def lipschitz_constant(self):
        """An upper bound on ``||A||_2^2`` (exact up to rounding, or a safe Lanczos estimate
        that multiplies by the Gram matrix if there is one, see ``operators``)."""
        return self._cached("lipschitz", lambda: _lipschitz_constant(
            self.op, gram=self.datafit().op.G if self.gram else None))

    def weights(self, lam, name="lam"):
        """Broadcast ``lam`` to a float64 ``(n_features, n_targets)`` array of weights."""
        lam_array = np.asarray(lam)
        if lam_array.dtype.kind not in "iuf" or lam_array.dtype.kind == "b":
            raise TypeError(f"{name} must be a real number or array; got dtype {lam_array.dtype}")
        lam_array = lam_array.astype(np.float64)
        check_finite(lam_array, name)
        if np.any(lam_array < 0):
            raise ValueError(f"{name} must be >= 0; got a minimum of {lam_array.min()}")
        if self.y_ndim == 1:
            allowed = "a scalar or shape (n_features,)"
        else:
            allowed = (
                "a scalar, shape (n_targets,) (one per column), (n_features, 1) (one per "
                "coefficient) or (n_features, n_targets)"
            )
        if lam_array.ndim > self.y_ndim:
            raise ValueError(f"{name} must be {allowed}; got shape {lam_array.shape}")
        try:
            W = np.broadcast_to(lam_array, self.x_shape)
        except ValueError:
            raise ValueError(
                f"{name} must be {allowed} with n_features={self.n_features}"
                + ("" if self.y_ndim == 1 else f", n_targets={self.n_targets}")
                + f"; got shape {lam_array.shape}"
            ) from None
        return np.array(W.reshape(self.n_features, self.n_targets), order="C")

    def penalty(self, W, l2, positive):
        """The :data:`Penalty` of weights ``W`` (from :meth:`weights`), ``l2`` and ``positive``
        (in the user's units), for the kernels (in scaled units)."""
        # (every weight nonzero, the usual case, is one reduction; the indices take three)
        all_penalized = bool(W.all())
        W = np.array(W, dtype=np.float64, order="C")
        if _nonzero(self._exponents["lam"]):
            # A positive weight stays positive (zero means unpenalized) and finite: below the
            # smallest normal number or above 2^500 it changes no solution of scaled data.
            np.clip(self.scaled(W, "lam"), np.finfo(np.float64).tiny, 2.0**500,
                    out=W, where=W > 0)
        l2 = float(self.scaled(float(l2), "l2"))
        if all_penalized:
            return Penalty(W, l2, bool(positive), None, None)
        unpenalized = np.flatnonzero((W == 0).any(axis=1))
        return Penalty(W, l2, bool(positive), unpenalized,
                       self._unpenalized_gram(unpenalized, l2))

    def _unpenalized_gram(self, unpenalized, l2):
        """``A_U.T A_U + l2 I`` in float64 for the columns ``unpenalized`` (from the Gram
        matrix when there is one)."""
        if unpenalized.size == 0:
            return np.empty((0, 0))
        if self.op is None:
            gram_U = self.datafit().op.G[np.ix_(unpenalized, unpenalized)].astype(np.float64)
        else:
            A_U = self.columns(unpenalized)
            gram_U = A_U.T @ A_U
        return np.ascontiguousarray(gram_U + l2 * np.eye(unpenalized.size))

    def columns(self, indices):
        """``A[:, indices]`` as a float64 ndarray (one product for a LinearOperator)."""
        op = self.op
        if op.kind == "dense":
            return op.matrix[:, indices].astype(np.float64)
        if op.kind == "sparse":
            return op.matrix[:, indices].toarray().astype(np.float64)
        E = np.zeros((self.n_features, indices.size), dtype=self.dtype)
        E[indices, np.arange(indices.size)] = 1
        return np.asarray(op.matmat(E), dtype=np.float64)

    def lam_max(self, W, l2=0.0, positive=False):
        """Smallest ``lam`` for which ``lam * W`` zeroes every penalized coefficient.

        ``max_j |A_j.T r| / W_j`` over penalized j, where r is the residual of the (ridge,
        with ``l2``) fit of the unpenalized coefficients alone (r = y when there are none);
        only positive correlations count with ``positive``. The maximum is over all targets:
        one grid serves every column.
        """
        penalized = W > 0
        if not penalized.any():
            return 0.0
        R = self.Y.astype(np.float64)
        unpenalized = np.flatnonzero((W == 0).any(axis=1))
        if unpenalized.size:
            A_U = self.columns(unpenalized)
            gram_U = self._unpenalized_gram(unpenalized, self.scaled(float(l2), "l2"))
            R = R - A_U @ np.linalg.lstsq(gram_U, A_U.T @ R, rcond=None)[0]
        correlation = np.asarray(self.op.rmatmat(R.astype(self.dtype)), dtype=np.float64)
        with np.errstate(over="ignore"):
            correlation = self.unscaled(correlation, "lam")
        lam_max = lam_max_from_correlation(correlation, W, positive)
        if not math.isfinite(lam_max):
            raise ValueError("lam_max, the smallest penalty that zeroes every coefficient, "
                             "overflows float64: rescale A or y")
        return lam_max

    def start(self, x0, positive=False):
        """A fresh ``(n_features, n_targets)`` start array (x0 is copied, never modified)."""
        X = np.zeros((self.n_features, self.n_targets), dtype=self.dtype)
        if x0 is None:
            return X
        x0 = as_float_array(x0, "x0")
        if x0.shape != self.x_shape:
            raise ValueError(f"x0 must have shape {self.x_shape}; got {x0.shape}")
        check_finite(x0, "x0")
        with np.errstate(over="ignore"):
            X[...] = self.scaled(x0.reshape(X.shape), "x")
        if not np.all(np.isfinite(X)):
            raise ValueError("x0 is too large for the scale of A and y (it overflows float64 "
                             "where A and y are scaled to 1)")
        if positive:
            np.maximum(X, 0, out=X)
        return X

    def shape_result(self, X, values):
        """Return x (1-D for 1-D y) and per-column objective values (floats for 1-D y), from
        scaled units to the user's."""
        if _nonzero(self._exponents["x"]):
            scaled_largest = float(np.max(np.abs(X), initial=0.0))
            with np.errstate(over="ignore", under="ignore"):
                X = self.unscaled(X, "x")
            largest = float(np.max(np.abs(X), initial=0.0))
            if not math.isfinite(largest) or (scaled_largest and largest < np.finfo(X.dtype).tiny):
                what = "underflows" if math.isfinite(largest) else "overflows"
                raise ValueError(
                    f"the solution {what} {X.dtype} at this scale of A and y (its entries "
                    "scale with max|y| / max|A|); rescale A or y"
                )
        if self.y_ndim == 1 and not self._exponents["objective"]:  # (the usual case, short)
            return X.reshape(self.n_features).copy(), [float(v[0]) for v in values]
        values = [self.unscaled(np.asarray(v, dtype=np.float64), "objective") for v in values]
        if self.y_ndim == 1:
            return X.reshape(self.n_features).copy(), [float(v[0]) for v in values]
        return X, list(values)


def lam_max_from_correlation(correlation, W, positive):
    """``max_j |c_j| / W_j`` over the penalized coefficients (``W_j > 0``; ``c_j`` itself with
    ``positive``, where only positive correlations count), and 0 if none is penalized: the
    smallest penalty scale ``lam`` at which ``lam * W`` zeroes every penalized coefficient,
    for the correlations ``c = A.T r`` with the residual r of the unpenalized fit."""
    penalized = W > 0
    correlation = np.broadcast_to(correlation, W.shape)
    if not positive:
        correlation = np.abs(correlation)
    return float(np.max(correlation[penalized] / W[penalized], initial=0.0))


def _centered_squared_norms(A):
    """``||S_j - offset_j u||^2`` for the centred sparse matrix ``A = S - u offset^T``:
    ``sum_i S_ij^2 - 2 offset_j u.S_j + offset_j^2 ||u||^2``, from the nonzeros of S."""
    S, u, offset = A.centered_sparse()
    offset = offset.astype(np.float64)
    squares = S.copy()
    squares.data = squares.data.astype(np.float64) ** 2
    u = u.astype(np.float64)
    norms = (np.asarray(squares.sum(axis=0)).ravel() - 2.0 * offset * np.asarray(u @ S).ravel()
             + offset**2 * (u @ u))
    return np.maximum(norms, 0.0)


def _column_statistics(op):
    """``(largest, squares)``, the largest magnitude and the squared norm of every column of a
    dense or sparse operator's matrix, in one pass in its storage order (the kernels of the
    ``_column_statistics`` module); None for a LinearOperator."""
    A = op.matrix
    if op.kind == "linear_operator":
        return None
    if op.kind == "sparse":
        return sparse_column_statistics(readonly(A.indptr), readonly(A.indices),
                                        readonly(A.data), A.shape[1], A.format == "csc")
    if A.flags.c_contiguous:
        return column_statistics(readonly(A), True)
    if A.flags.f_contiguous:
        return column_statistics(readonly(A.T), False)
    return column_statistics(readonly(np.ascontiguousarray(A)), True)


def _all_finite(largest, squares):
    """Whether the entries behind :func:`column_statistics` are all finite: an infinity makes
    its column's ``largest`` infinite, a NaN its column's sum of squares NaN (a sum of finite
    squares may overflow to infinity, which proves nothing)."""
    return bool(np.isfinite(largest).all()) and not np.isnan(squares).any()


def _column_squared_norms(op, block):
    if op.kind != "linear_operator":
        return _column_statistics(op)[1]
    n_samples, n_features = op.shape
    norms = np.zeros(n_features)
    size = min(n_samples, n_features)
    for start in range(0, size, block):
        stop = min(start + block, size)
        E = np.zeros((size, stop - start), dtype=op.dtype)
        E[np.arange(start, stop), np.arange(stop - start)] = 1
        if n_samples <= n_features:  # rows of A.T E: sum_i A[i, j]^2 over this block of i
            norms += np.sum(np.asarray(op.rmatmat(E), dtype=np.float64) ** 2, axis=1)
        else:  # A E: whole columns
            norms[start:stop] = np.sum(np.asarray(op.matmat(E), dtype=np.float64) ** 2, axis=0)
    return norms


def _column_exponents(op, dtype, statistics=None):
    """The scaling of A (module docstring): 0 for data in range, one exponent ``a`` for data
    beyond it, or one per column (an int array) for columns too different for one scale.
    ``statistics``: those of A's columns (:func:`_column_statistics`)."""
    if op.kind == "linear_operator":
        return 0
    largest = (statistics if statistics is not None else _column_statistics(op))[0]
    highest_value = float(largest.max())
    if not highest_value > 0:
        return 0
    limit = scale_limit(dtype)
    # Columns far below the others matter to no solution at float64 precision (their squares
    # may underflow harmlessly); a column far above the bulk would sink all others. (frexp's
    # exponent grows with the value: the spread of the columns' exponents is that of the
    # largest and the smallest nonzero maximum; the exponents of every column, and their
    # median, slow next to a small solve, are needed only for a spread that wide.)
    highest = math.frexp(highest_value)[1]
    lowest_value = float(largest.min())
    if not lowest_value > 0:  # (a zero column: the smallest nonzero one)
        lowest_value = float(largest.min(where=largest > 0, initial=highest_value))
    lowest = math.frexp(lowest_value)[1]
    if highest - lowest > 2 * limit:
        exponents = np.frexp(largest.astype(np.float64))[1].astype(np.int64)
        if highest - np.median(exponents[largest > 0]) > 2 * limit:
            return np.where(largest > 0, exponents, 0)
    return scale_exponent(highest_value, dtype)


def _scaled_operator(op, exponents):
    """``2^exponents A`` (one exponent, or one per column) for a dense or sparse operator (a
    copy)."""
    A = op.matrix
    if op.kind == "dense":
        return Operator(np.ldexp(A, exponents).astype(op.dtype, copy=False), "dense")
    A = A.copy()
    if np.ndim(exponents):
        exponents = exponents[_entry_columns(A)]
    A.data = np.ldexp(A.data, exponents).astype(op.dtype, copy=False)
    return Operator(A, "sparse")


def _entry_columns(A):
    """The column of each stored entry of a CSR or CSC matrix."""
    if A.format == "csr":
        return A.indices
    return np.repeat(np.arange(A.shape[1]), np.diff(A.indptr))


def _nonzero(exponent):
    """Whether a scale exponent (an int, or an int array of one per column) is not all 0
    (``np.any`` and ``np.ndim`` cost microseconds on a Python int, on every call of a small
    fit)."""
    if isinstance(exponent, np.ndarray):
        return bool(exponent.any())
    return exponent != 0


def _shift(value, exponent):
    """``value * 2^exponent``, the exponents (if an array) along the first axis of value."""
    if not _nonzero(exponent):
        return value
    if isinstance(exponent, np.ndarray) and exponent.ndim:
        exponent = np.reshape(exponent, (-1,) + (1,) * (np.ndim(value) - 1))
    elif np.ndim(value) == 0:
        try:
            return math.ldexp(float(value), int(exponent))
        except OverflowError:
            return math.copysign(math.inf, value)
    return np.ldexp(value, exponent).astype(np.asarray(value).dtype, copy=False)
