"""Input checking and the prepared least-squares problem shared by the solvers."""

import numbers

import numpy as np

from .._convergence import warn_convergence
from .._validation import as_float_array, check_finite, check_scalar
from ..operators import (
    DENSE,
    GRAM,
    LINEAR_OPERATOR,
    as_operator,
    readonly,
)
from ..operators import lipschitz_constant as _lipschitz_constant

# Iterate on the Gram matrix when n_samples >= _GRAM_RATIO * n_features and the p x p Gram
# matrix stays small (p <= _GRAM_MAX_FEATURES: 32 MB in float64).
_GRAM_RATIO = 2
_GRAM_MAX_FEATURES = 2048


def check_int(value, name, *, low, high=None):
    """Return ``value`` as int after checking it is an integer in [low, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    value = int(value)
    if high is None and value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}")
    if high is not None and not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value}")
    return value


class LeastSquaresProblem:
    """A checked ``(A, y)`` pair prepared once for any number of solves (e.g. a path).

    Holds the operator in the kernels' form (direct or Gram), ``y`` as a C-contiguous
    ``(n_samples, n_targets)`` array of the problem dtype, ``||y_k||^2`` in float64 and,
    lazily, the Lipschitz constant.
    """

    def __init__(self, A, y, *, gram="auto"):
        op = as_operator(A, "A")
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
        check_finite(y, "y")
        # One dtype end to end: mixing float64 y into float32 BLAS would upcast every product.
        dtype = np.result_type(op.dtype, y.dtype)
        self.op = op.astype(dtype)
        self.dtype = dtype
        self.y_ndim = y.ndim
        self.Y = np.ascontiguousarray(y.reshape(n_samples, -1), dtype=dtype)
        self.n_samples, self.n_features = n_samples, n_features
        self.n_targets = self.Y.shape[1]
        self.yy = readonly(np.einsum("ik,ik->k", self.Y, self.Y, dtype=np.float64))
        if gram == "auto":
            gram = (
                self.op.kind != "linear_operator"
                and n_samples >= _GRAM_RATIO * n_features
                and n_features <= _GRAM_MAX_FEATURES
            )
        elif gram and self.op.kind == "linear_operator":
            raise ValueError("gram=True needs a dense or sparse A, not a LinearOperator")
        self.gram = bool(gram)
        self._lipschitz = None
        self._gram_args = None
        self._direct = {}

    @property
    def x_shape(self):
        if self.y_ndim == 1:
            return (self.n_features,)
        return (self.n_features, self.n_targets)

    def kernel_problem(self):
        """Return ``(op_tuple, target)`` for the kernels (Gram form if ``self.gram``)."""
        if not self.gram:
            return self.direct_problem()
        if self._gram_args is None:
            A = self.op.matrix
            G = A.T @ A
            G = np.ascontiguousarray(G.toarray() if hasattr(G, "toarray") else G)
            c = np.ascontiguousarray(self.op.rmatmat(self.Y), dtype=self.dtype)
            empty_index = readonly(np.empty(0, dtype=np.uint32))
            empty_data = readonly(np.empty(0, dtype=self.dtype))
            self._gram_args = (
                (GRAM, False, readonly(G), empty_index, empty_index, empty_data), readonly(c)
            )
        return self._gram_args

    def direct_problem(self, dtype=None):
        """``(op_tuple, target)`` without the Gram matrix, optionally converted to ``dtype``.

        Converted copies are kept, so a path over float32 data converts A once.
        """
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if dtype not in self._direct:
            op = self.op.astype(dtype)
            Y = self.Y.astype(dtype, copy=False)
            if op.kind == "linear_operator":
                self._direct[dtype] = ((LINEAR_OPERATOR, op.matrix), Y)
            else:
                self._direct[dtype] = (op.kernel_args(), readonly(Y))
        return self._direct[dtype]

    def lipschitz_constant(self):
        """An upper bound on ``||A||_2^2`` (exact up to rounding, or a safe Lanczos estimate
        that multiplies by the Gram matrix if there is one, see ``operators``)."""
        if self._lipschitz is None:
            gram = self.kernel_problem()[0][2] if self.gram else None
            self._lipschitz = _lipschitz_constant(self.op, gram=gram)
        return self._lipschitz

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
        return readonly(np.ascontiguousarray(W.reshape(self.n_features, self.n_targets)))

    def start(self, x0, positive=False):
        """A fresh ``(n_features, n_targets)`` start array (x0 is copied, never modified)."""
        X = np.zeros((self.n_features, self.n_targets), dtype=self.dtype)
        if x0 is None:
            return X
        x0 = as_float_array(x0, "x0")
        if x0.shape != self.x_shape:
            raise ValueError(f"x0 must have shape {self.x_shape}; got {x0.shape}")
        check_finite(x0, "x0")
        X[...] = x0.reshape(X.shape)
        if positive:
            np.maximum(X, 0, out=X)
        return X

    def unpenalized(self, W, l2):
        """Indices with a zero weight (in some column) and ``A_U.T A_U + l2 I`` in float64."""
        unpenalized = readonly(np.flatnonzero((W == 0).any(axis=1)))
        if unpenalized.size == 0:
            return unpenalized, readonly(np.empty((0, 0)))
        op = self.op
        if op.kind == "dense":
            A_U = op.matrix[:, unpenalized].astype(np.float64)
        elif op.kind == "sparse":
            A_U = op.matrix[:, unpenalized].toarray().astype(np.float64)
        else:
            E = np.zeros((self.n_features, unpenalized.size), dtype=self.dtype)
            E[unpenalized, np.arange(unpenalized.size)] = 1
            A_U = np.asarray(op.matmat(E), dtype=np.float64)
        gram_U = A_U.T @ A_U + l2 * np.eye(unpenalized.size)
        return unpenalized, readonly(np.ascontiguousarray(gram_U))

    def shape_result(self, X, values):
        """Return x (1-D for 1-D y) and per-column values (floats for 1-D y)."""
        if self.y_ndim == 1:
            return X.reshape(self.n_features).copy(), [float(v[0]) for v in values]
        return X, list(values)


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


def warn_not_converged(solver, max_iter, detail):
    warn_convergence(
        f"{solver} did not converge in max_iter={max_iter} iterations ({detail}); "
        "increase max_iter or tol.",
        stacklevel=3,
    )


__all__ = ["DENSE", "LeastSquaresProblem", "check_int", "check_options", "warn_not_converged"]
