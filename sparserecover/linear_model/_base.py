"""What every sparse linear estimator shares: data preparation, intercept, sample weights.

The estimators minimise scikit-learn's objective

    1 / (2 * sum(sw)) * sum_i sw_i (y_i - x_i^T w - b)^2 + penalty(w)

which equals the solvers' objective ``0.5 * ||A w - y_c||^2 + sum(sw) * penalty(w)`` after
three exact transformations of the data (scikit-learn's `_preprocess_data` does the same):

1. the intercept is eliminated: for any w, the optimal ``b`` is
   ``y_offset - X_offset @ w`` with the *weighted* means ``X_offset``, ``y_offset``, so the
   problem in ``w`` alone has the centred data ``X - 1 X_offset^T`` and ``y - y_offset``;
2. sample weights become a row scaling by ``sqrt(sw)`` (``sum_i sw_i r_i^2 = ||sqrt(sw) r||^2``);
3. dividing by ``sum(sw)`` turns the solver's ``lam`` into ``alpha * sum(sw)``. Without weights
   ``sum(sw) = n_samples``; scikit-learn rescales the weights to sum to ``n_samples`` and uses
   ``alpha * n_samples``, which is the same problem.

Dense X is centred and scaled in one Fortran-ordered copy (coordinate descent reads columns),
or in place with ``copy=False`` (scikit-learn's ``copy_X=False``: the caller's array may then
be overwritten, as scikit-learn's is). Sparse X is
not densified (except when tiny, see ``_DENSIFY_MAX_ENTRIES``): centring would fill it in,
so the centred design is the implicit operator
``A = S - u X_offset^T`` (``S = diag(sqrt(sw)) X`` still sparse, ``u = sqrt(sw)``), which
costs one sparse product plus one dot product per matvec. It is also better conditioned than
the alternative of appending an unpenalised column of ones: on non-negative features (counts,
tf-idf) the uncentred matrix has a large leading singular value along the mean direction,
which inflates the Lipschitz constant and slows every first-order solver.
"""

import math
import warnings
from dataclasses import dataclass
from numbers import Number

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator
from sklearn.base import BaseEstimator
from sklearn.linear_model._base import _check_precomputed_gram_matrix
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from sparserecover._convergence import warn_convergence
from sparserecover._dask import is_dask
from sparserecover._validation import scale_exponent
from sparserecover.solvers._path import check_solver, enet_path
from sparserecover.solvers._problem import LeastSquaresProblem, lam_max_from_correlation

# A sparse X with at most this many entries (n_samples * n_features; 512 KB in float64) is
# centred as a dense copy instead: the solvers run their compiled loop on dense arrays, but a
# Python loop on a LinearOperator, whose fixed cost per iteration dominates on small problems.
_DENSIFY_MAX_ENTRIES = 2**16


class _CenteredSparseOperator(LinearOperator):
    """The centred, row-weighted design ``S - u offset^T`` of a sparse ``S``, kept implicit.

    ``matvec`` is ``S x - u (offset . x)`` and ``rmatvec`` is ``S^T r - offset (u . r)``: the
    rank-one correction costs O(n_samples + n_features) on top of the sparse product.
    """

    def __init__(self, S, u, offset):
        self.S = S
        self.u = u
        self.offset = offset
        super().__init__(dtype=S.dtype, shape=S.shape)

    def _matvec(self, x):
        x = np.ravel(x)
        return self.S @ x - self.u * (self.offset @ x)

    def _rmatvec(self, r):
        r = np.ravel(r)
        return self.S.T @ r - self.offset * (self.u @ r)

    def _matmat(self, X):
        return self.S @ X - np.outer(self.u, self.offset @ X)

    def _rmatmat(self, R):
        return self.S.T @ R - np.outer(self.offset, self.u @ R)

    def _adjoint(self):
        return _CenteredSparseOperator(self.S.T.tocsr(), self.offset, self.u)

    def centered_sparse(self):
        """``(S, u, offset)``: the parts the solvers' compiled column access reads
        (coordinate descent runs on the implicit centred matrix without forming it)."""
        return self.S, self.u, self.offset


# the parameter names of each estimator class (``_SparseLinearModel._get_param_names``)
_PARAM_NAMES = {}


@dataclass
class _LinearData:
    """Data ready for a solver, and what is needed to map its solution back.

    ``design`` and ``target`` define the solver's least-squares term; ``weight_sum`` is
    ``sum(sw)`` (``n_samples`` without weights) so that ``lam = alpha * weight_sum``. Or,
    without them, ``gram = (G, c, yy)``: the term's Gram matrix ``design.T design``,
    ``design.T target`` and ``||target||^2`` (see :func:`_training_grams`).
    """

    design: object
    target: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray
    weight_sum: float
    gram: tuple = None


def _prepare_data(X, y, sample_weight, fit_intercept, copy=True):
    """Centre (weighted) and sqrt-weight-scale validated ``X`` and ``y``.

    ``X`` is a float32/float64 ndarray or CSR/CSC matrix, ``y`` an array of the same dtype,
    ``sample_weight`` None or a validated non-negative array of that dtype. ``y`` and sparse
    ``X`` are never modified; a dense ``X`` is centred and scaled in place when ``copy`` is
    False and it is writable (else in a Fortran-ordered copy, or used as it is when there is
    nothing to do).
    """
    n_samples, n_features = X.shape
    dtype = X.dtype
    is_sparse = sparse.issparse(X)
    if fit_intercept and is_sparse and n_samples * n_features <= _DENSIFY_MAX_ENTRIES:
        X = X.toarray()
        is_sparse = False
    if sample_weight is None:
        weight_sum = float(n_samples)
        sqrt_weight = None
    else:
        weight_sum = float(np.sum(sample_weight, dtype=np.float64))
        sqrt_weight = np.sqrt(sample_weight)

    if fit_intercept:
        # (np.average without weights is the mean, through slower layers of checks)
        y_offset = (np.add.reduce(y, axis=0) / n_samples if sample_weight is None
                    else np.average(y, axis=0, weights=sample_weight)).astype(dtype, copy=False)
        target = y - y_offset
        if is_sparse:
            X_offset = _sparse_column_average(X, sample_weight)
        else:
            X_offset = _column_average(X, sample_weight)
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = np.zeros(y.shape[1:], dtype=dtype)
        target = y
    if sqrt_weight is not None:
        target = target * (sqrt_weight if target.ndim == 1 else sqrt_weight[:, None])

    if is_sparse:
        design = X
        if sqrt_weight is not None:
            design = (sparse.diags_array(sqrt_weight) @ X).asformat(X.format)
        if fit_intercept:
            u = np.ones(n_samples, dtype=dtype) if sqrt_weight is None else sqrt_weight
            design = _CenteredSparseOperator(design, u, X_offset)
    elif fit_intercept or sqrt_weight is not None:
        # (numpy's transposing copy and then an in-place subtraction are faster than one
        # subtraction into a Fortran-ordered array)
        design = X if not copy and X.flags.writeable else np.array(X, order="F", copy=True)
        if fit_intercept:
            design -= X_offset
        if sqrt_weight is not None:
            np.multiply(design, sqrt_weight[:, None], out=design)
    else:
        design = X
    target = np.asarray(target, dtype=dtype)
    return _LinearData(design, target, X_offset, np.asarray(y_offset, dtype=dtype), weight_sum)


def _column_average(X, sample_weight):
    """Weighted column means of dense ``X`` in its dtype (a product with the weights: no
    ``n_samples x n_features`` temporary, which ``np.average`` makes)."""
    if sample_weight is None:  # X.mean(axis=0), bit for bit, without its Python layer
        return np.add.reduce(X, axis=0) / X.shape[0]
    return ((sample_weight @ X) / np.sum(sample_weight)).astype(X.dtype, copy=False)


def _sparse_column_average(X, sample_weight):
    """Weighted column means of a sparse matrix, without densifying it (as scikit-learn)."""
    means, _ = mean_variance_axis(X, axis=0, weights=sample_weight)
    return means.astype(X.dtype, copy=False)


def _training_grams(X, y, sample_weight, trains, fit_intercept):
    """The prepared data of each training set ``trains[k]`` of dense ``X`` (1-D ``y``), as
    Gram matrices (``_LinearData.gram``), from one pass over ``X``.

    The Gram matrix of a training set is the whole data's minus that of the rows left out,
    and when the left-out sets are disjoint (k-fold) the whole data's is their sum: the rows
    are multiplied once, where a Gram matrix per training set costs ``k - 1`` times as much
    (scikit-learn's folds). Sums are taken around the data's (weighted) mean, and each
    training set is centred on its own mean by the exact rank-one correction
    ``sum_i w_i (x_i - m)(x_i - m)^T - s s^T / W`` (``s = sum_i w_i (x_i - m)``,
    ``W = sum_i w_i``), whose terms stay small: no cancellation.
    """
    n_samples = X.shape[0]
    weights = np.ones(n_samples) if sample_weight is None else sample_weight.astype(np.float64)
    if fit_intercept:
        x_shift = _column_average(X, sample_weight)
        y_shift = float(np.average(y, weights=sample_weight))
    else:
        x_shift = np.zeros(X.shape[1], dtype=X.dtype)
        y_shift = 0.0

    def sums(rows):
        block = X[rows] - x_shift
        w = weights[rows]
        r = y[rows].astype(np.float64) - y_shift
        weighted = block if sample_weight is None else block * w[:, None].astype(X.dtype)
        return [
            (weighted.T @ block).astype(np.float64),  # sum w (x - m)(x - m)^T
            w @ block,  # sum w (x - m)
            (weighted.T @ r.astype(X.dtype)).astype(np.float64),  # sum w (x - m)(y - m_y)
            float(w @ r),  # sum w (y - m_y)
            float(w @ (r * r)),  # sum w (y - m_y)^2
            float(w.sum()),
        ]

    left_out = []
    counts = np.zeros(n_samples, dtype=np.int64)
    for train in trains:
        out = np.ones(n_samples, dtype=bool)
        out[train] = False
        counts += out
        left_out.append(np.flatnonzero(out))
    left_out_sums = [sums(rows) for rows in left_out]
    if counts.max() <= 1:  # disjoint: the whole is their sum and the rows in none
        total = sums(np.flatnonzero(counts == 0))
        for part in left_out_sums:
            total = [a + b for a, b in zip(total, part)]
    else:
        total = sums(np.arange(n_samples))
    grams = []
    for part in left_out_sums:
        G, s, c, t, yy, weight = (a - b for a, b in zip(total, part))
        if fit_intercept:
            G = G - np.outer(s, s) / weight
            c = c - s * (t / weight)
            yy = yy - t * t / weight
            X_offset = (x_shift + s / weight).astype(X.dtype)
            y_offset = np.asarray(y_shift + t / weight, dtype=X.dtype)
        else:
            X_offset = np.zeros(X.shape[1], dtype=X.dtype)
            y_offset = np.zeros((), dtype=X.dtype)
        grams.append(_LinearData(None, None, X_offset, y_offset, weight,
                                 (G.astype(X.dtype), c.astype(X.dtype), max(yy, 0.0))))
    return grams


def _alpha_max(X, y, sample_weight, fit_intercept, positive=False, l1_ratio=1.0):
    """Smallest ``alpha`` whose solution is all zeros (scikit-learn's ``_alpha_grid``).

    ``max_j |X_c^T (sw * y_c)|_j / (sum(sw) * l1_ratio)``, computed without centring ``X``
    (``X_c^T v = X^T v - X_offset * sum(v)``); with ``positive`` only positive correlations
    count. For 2-D ``y`` (the multi-task penalty) ``|.|_j`` is the 2-norm of row j.
    """
    if fit_intercept:
        y = y - np.average(y, axis=0, weights=sample_weight)
        if sparse.issparse(X):
            X_offset = _sparse_column_average(X, sample_weight)
        else:
            X_offset = np.average(X, axis=0, weights=sample_weight)
    if sample_weight is None:
        yw = y
    else:
        yw = y * (sample_weight if y.ndim == 1 else sample_weight[:, None])
    if fit_intercept:
        offset = X_offset if y.ndim == 1 else X_offset[:, None]
        Xyw = X.T @ yw - offset * np.sum(yw, axis=0)
    else:
        Xyw = X.T @ yw
    Xyw = np.asarray(Xyw)
    weight_sum = X.shape[0] if sample_weight is None else sample_weight.sum()
    if Xyw.ndim == 2:  # scikit-learn's formula, for the same bits
        return float(np.sqrt(np.max(np.sum(Xyw**2, axis=1)))) / (weight_sum * l1_ratio)
    # (scikit-learn takes sqrt(max(Xyw**2)), which equals max(|Xyw|) in IEEE arithmetic)
    return lam_max_from_correlation(Xyw, np.ones_like(Xyw), positive) / (weight_sum * l1_ratio)


def _alpha_grid(X, y, sample_weight, fit_intercept, *, eps, n_alphas, positive=False,
                l1_ratio=1.0):
    """scikit-learn's grid: geometric from ``alpha_max`` down to ``eps * alpha_max``."""
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please supply a "
            "grid by providing your estimator with the appropriate `alphas=` argument."
        )
    alpha_max = _alpha_max(X, y, sample_weight, fit_intercept, positive=positive,
                           l1_ratio=l1_ratio)
    data = X.data if sparse.issparse(X) else X
    maxima = [float(np.max(np.abs(values), initial=0.0)) for values in (data, y)]
    return _alpha_grid_from_max(alpha_max, maxima, eps=eps, n_alphas=n_alphas)


def _alpha_grid_from_max(alpha_max, maxima, *, eps, n_alphas, l1_ratio=1.0):
    """:func:`_alpha_grid` from ``alpha_max`` and the largest magnitudes of X and y."""
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please supply a "
            "grid by providing your estimator with the appropriate `alphas=` argument."
        )
    resolution = np.finfo(np.float64).resolution
    # scikit-learn's test is absolute: for data beyond 2^+-128 it is taken on the data scaled
    # to 1 (by powers of two, as the solvers do), so that tiny data are not judged constant
    scale = sum(scale_exponent(value, np.float64) for value in maxima)
    if math.ldexp(alpha_max, -scale) <= resolution:
        # y is constant (or, with positive=True, anti-correlated with every feature): every
        # alpha gives w = 0; scikit-learn returns this degenerate grid, so do we.
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _gram_option(precompute, data, n_samples, fit_intercept, check_gram=True):
    """The ``gram`` of :class:`~sparserecover.solvers._problem.LeastSquaresProblem` for
    scikit-learn's ``precompute`` (its ``_pre_fit`` rule): never for sparse ``X``; "auto" is
    ``n_samples > n_features``; a Gram matrix is used when ``X`` needed no centring (after a
    check of one entry against ``X``, with scikit-learn's error), else recomputed with
    scikit-learn's warning."""
    design = data.design
    if sparse.issparse(design) or isinstance(design, LinearOperator):
        return False
    n_features = design.shape[1]
    if not isinstance(precompute, (str, bool, np.bool_)):
        if fit_intercept and not np.allclose(data.X_offset, np.zeros(n_features)):
            warnings.warn(
                "Gram matrix was provided but X was centered to fit intercept: recomputing "
                "Gram matrix.",
                UserWarning,
                stacklevel=4,
            )
            precompute = "auto"
        else:
            gram = np.asarray(precompute)
            if check_gram:
                _check_precomputed_gram_matrix(
                    design, gram, np.zeros(n_features), np.ones(n_features))
            return gram
    if isinstance(precompute, str):
        return n_samples > n_features
    return bool(precompute)


class _SparseLinearModel(BaseEstimator):
    """Data validation, prediction and intercept shared by the sparse linear regressors
    (scikit-learn's ``LinearModel``); subclasses add the mixins and implement ``fit``."""

    _non_finite_message = (
        "{name} produced non-finite coefficients; the input data may hold values too large "
        "for its dtype: scale the features"
    )

    @classmethod
    def _get_param_names(cls):
        """scikit-learn's parameter names (those of ``__init__``), inspected once per class:
        ``inspect.signature`` costs tens of microseconds, and every ``fit`` validates its
        parameters through ``get_params`` (a class whose ``__init__`` is replaced is
        inspected anew)."""
        init = cls.__init__
        cached = _PARAM_NAMES.get(cls)
        if cached is None or cached[0] is not init:
            cached = _PARAM_NAMES[cls] = (init, super()._get_param_names())
        return list(cached[1])

    def _validate_fit_data(self, X, y, sample_weight, *, check_input=True, copy=True):
        """Validated ``X`` (float32/float64 ndarray or CSR/CSC matrix), ``y`` in its dtype and
        ``sample_weight`` (None for None or a number, as scikit-learn's linear models).

        Without ``copy`` (``copy_X=False``) dense ``X`` is made Fortran-ordered once here, to
        be centred in place. ``check_input=False`` skips the checks, as scikit-learn's
        ``check_input=False`` does: ``X`` must then be float32/float64 in Fortran order (or
        CSR/CSC), the format scikit-learn requires there.
        """
        if is_dask(X) or is_dask(y):
            raise TypeError(
                f"{type(self).__name__} takes NumPy arrays or scipy.sparse matrices; a dask X "
                "is fitted by Lasso, ElasticNet, LassoCV and ElasticNetCV"
            )
        if check_input:
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                order=None if copy else "F",
                multi_output=True,
                y_numeric=True,
            )
        elif not sparse.issparse(X) and not (
            isinstance(X, np.ndarray) and X.dtype in (np.float32, np.float64)
            and (X.flags.f_contiguous or sample_weight is not None)
        ):
            # (with sample weights X is rescaled into a copy, as in scikit-learn)
            raise ValueError(
                "with check_input=False, X must be a float32 or float64 Fortran-ordered "
                "ndarray or a CSR/CSC matrix (as scikit-learn's check_input=False requires)"
            )
        y = np.asarray(y, dtype=X.dtype)
        if sample_weight is not None and isinstance(sample_weight, Number):
            sample_weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return X, y, sample_weight

    def _set_coef_and_intercept(self, x, data, fit_intercept):
        """Store the solver's ``x`` (n_features[, n_targets]) as ``coef_`` and ``intercept_``."""
        coef = np.ascontiguousarray(x.T)
        self.coef_ = coef
        finite = True
        if fit_intercept:
            intercept = data.y_offset - coef @ data.X_offset
            if intercept.ndim == 0:  # (math.isfinite: a NumPy reduction costs microseconds)
                intercept = intercept[()]
                finite = math.isfinite(intercept)
            else:
                finite = bool(np.isfinite(intercept).all())
            self.intercept_ = intercept
        else:
            self.intercept_ = 0.0
        if not (finite and np.isfinite(coef).all()):
            raise ValueError(
                self._non_finite_message.format(name=type(self).__name__))

    def predict(self, X):
        """Predict with the fitted linear model, ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values; a dask array, not yet computed, for a dask ``X``.
        """
        check_is_fitted(self)
        if is_dask(X):
            from sparserecover._dask import predict_dask

            return predict_dask(self, X)
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False
        )
        # a CSR/CSC matrix times a dense array is a dense array (safe_sparse_dot's result)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


@dataclass
class _PathResult:
    """The solvers' path on prepared data: coefficients ``(n_targets, n_features, n_alphas)``,
    duality gaps ``(n_targets, n_alphas)`` and iterations ``(n_targets, n_alphas)`` (both per
    target, the gaps in the solvers' scale), convergence per alpha, and scikit-learn's
    absolute tolerance ``tol * ||y_c||^2`` per target."""

    coefs: np.ndarray
    gaps: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    tolerance: np.ndarray


def _fit_path(data, alphas, l1_ratio, *, solver, positive, max_iter, tol, x0=None, gram=False,
              Xy=None, random_state=None, multi_task=False, certify=True):
    """The elastic-net path on prepared data, each alpha to scikit-learn's stopping rule.

    scikit-learn's coordinate descent stops when the duality gap is at most
    ``tol * ||y_c||^2`` (``y_c`` the weighted, centred target, in the solvers' scaling, per
    target): that is the solvers' absolute stopping rule. ``solver="auto"`` is coordinate
    descent (scikit-learn's algorithm; the multi-task penalty has no other); ``gram`` and
    ``Xy`` as in ``LeastSquaresProblem`` (never "auto"
    here); ``random_state`` a ``RandomState`` for coordinate descent's
    ``selection="random"``; ``certify=False`` for paths whose gaps are not reported (the
    cross-validation folds): float32 and Gram solves keep the kernels' gaps instead of
    recomputing them from the data in float64.
    """
    if data.gram is not None:
        problem = LeastSquaresProblem.from_gram(*data.gram, data.weight_sum)
    else:
        # (validated finite; a centring that overflowed ends in scikit-learn's error on the
        # coefficients, as in scikit-learn)
        problem = LeastSquaresProblem(data.design, data.target, gram=gram, Xy=Xy,
                                      assume_finite=True)
    # one task: the row-group penalty is the lasso's (||w_j||_2 = |w_j|), solved as one
    multi_task = multi_task and problem.n_targets > 1
    if multi_task or (solver == "auto" and problem.has_columns):
        solver = "cd"
    solver = check_solver(solver, problem)
    alphas = np.asarray(alphas, dtype=np.float64)
    # scikit-learn's tol * ||y||^2, per target; of the whole Y for the multi-task penalty
    atol = tol * (problem.yy.sum(keepdims=True) if multi_task else problem.yy)
    coefs, gaps, n_iter, converged = enet_path(
        problem, alphas * (l1_ratio * data.weight_sum),
        np.ones((problem.n_features, problem.n_targets)),
        l2s=alphas * ((1.0 - l1_ratio) * data.weight_sum), positive=bool(positive),
        solver=solver, tol=0.0, atol=atol[0] if multi_task else atol, max_iter=max_iter,
        x0=x0, random_state=random_state, multi_task=multi_task, update_tol=tol,
        certify=certify,
    )
    return _PathResult(coefs, gaps, n_iter, converged, atol)


# scikit-learn's error for non-finite coefficients (sklearn/linear_model/_coordinate_descent.py)
_NON_FINITE = (
    "Coordinate descent iterations resulted in non-finite parameter values. The input data "
    "may contain large values and need to be preprocessed."
)

# scikit-learn's ConvergenceWarning (sklearn/linear_model/_cd_fast.pyx), word for word
_NOT_CONVERGED = (
    "Objective did not converge. You might want to increase the number of iterations, check "
    "the scale of the features or consider increasing regularisation."
)
_ZERO_L1 = (
    "Linear regression models with a zero l1 penalization strength are more efficiently "
    "fitted using one of the solvers implemented in sklearn.linear_model.Ridge/RidgeCV "
    "instead."
)


def _warn_not_converged(path, index, l1_reg, stacklevel, prefix=""):
    """scikit-learn's ConvergenceWarning for the solve ``index`` of ``path`` (the largest gap
    over targets, in the solvers' scale, and its tolerance)."""
    gaps = path.gaps[:, index]
    k = int(np.argmax(gaps - path.tolerance))
    message = (f"{prefix}{_NOT_CONVERGED} Duality gap: {gaps[k]:.6e}, tolerance: "
               f"{path.tolerance[k]:.3e}")
    if l1_reg < np.finfo(np.float64).eps:
        message += "\n" + _ZERO_L1
    warn_convergence(message, stacklevel=stacklevel + 1)
