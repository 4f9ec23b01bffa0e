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

Dense X is centred and scaled in one copy (the caller's array is never touched). Sparse X is
not densified (except when tiny, see ``_DENSIFY_MAX_ENTRIES``): centring would fill it in,
so the centred design is the implicit operator
``A = S - u X_offset^T`` (``S = diag(sqrt(sw)) X`` still sparse, ``u = sqrt(sw)``), which
costs one sparse product plus one dot product per matvec. It is also better conditioned than
the alternative of appending an unpenalised column of ones: on non-negative features (counts,
tf-idf) the uncentred matrix has a large leading singular value along the mean direction,
which inflates the Lipschitz constant and slows every first-order solver.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator
from sklearn.base import BaseEstimator
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from sparserecover._validation import scale_exponent
from sparserecover.solvers._problem import lam_max_from_correlation

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


@dataclass
class _LinearData:
    """Data ready for a solver, and what is needed to map its solution back.

    ``design`` and ``target`` define the solver's least-squares term; ``weight_sum`` is
    ``sum(sw)`` (``n_samples`` without weights) so that ``lam = alpha * weight_sum``.
    """

    design: object
    target: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray
    weight_sum: float


def _prepare_data(X, y, sample_weight, fit_intercept):
    """Centre (weighted) and sqrt-weight-scale validated ``X`` and ``y``; never modify them.

    ``X`` is a float32/float64 ndarray or CSR/CSC matrix, ``y`` an array of the same dtype,
    ``sample_weight`` None or a validated non-negative array of that dtype.
    """
    n_samples, n_features = X.shape
    dtype = X.dtype
    if fit_intercept and sparse.issparse(X) and n_samples * n_features <= _DENSIFY_MAX_ENTRIES:
        X = X.toarray()
    if sample_weight is None:
        weight_sum = float(n_samples)
        sqrt_weight = None
    else:
        weight_sum = float(np.sum(sample_weight, dtype=np.float64))
        sqrt_weight = np.sqrt(sample_weight)

    if fit_intercept:
        y_offset = np.average(y, axis=0, weights=sample_weight).astype(dtype, copy=False)
        target = y - y_offset
        if sparse.issparse(X):
            X_offset = _sparse_column_average(X, sample_weight)
        else:
            X_offset = np.average(X, axis=0, weights=sample_weight).astype(dtype, copy=False)
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = np.zeros(y.shape[1:], dtype=dtype)
        target = y
    if sqrt_weight is not None:
        target = target * (sqrt_weight if target.ndim == 1 else sqrt_weight[:, None])

    if sparse.issparse(X):
        design = X
        if sqrt_weight is not None:
            design = (sparse.diags_array(sqrt_weight) @ X).asformat(X.format)
        if fit_intercept:
            u = np.ones(n_samples, dtype=dtype) if sqrt_weight is None else sqrt_weight
            design = _CenteredSparseOperator(design, u, X_offset)
    else:
        design = X - X_offset if fit_intercept else X
        if sqrt_weight is not None:
            if design is X:
                design = X * sqrt_weight[:, None]
            else:
                design *= sqrt_weight[:, None]
    target = np.asarray(target, dtype=dtype)
    return _LinearData(design, target, X_offset, np.asarray(y_offset, dtype=dtype), weight_sum)


def _sparse_column_average(X, sample_weight):
    """Weighted column means of a sparse matrix, without densifying it (as scikit-learn)."""
    means, _ = mean_variance_axis(X, axis=0, weights=sample_weight)
    return means.astype(X.dtype, copy=False)


def _alpha_max(X, y, sample_weight, fit_intercept, positive=False, l1_ratio=1.0):
    """Smallest ``alpha`` whose solution is all zeros (scikit-learn's ``_alpha_grid``).

    ``max_j |X_c^T (sw * y_c)|_j / (sum(sw) * l1_ratio)``, computed without centring ``X``
    (``X_c^T v = X^T v - X_offset * sum(v)``); with ``positive`` only positive correlations
    count. ``y`` is 1-D here (the CV estimator is single-target, like scikit-learn's).
    """
    if fit_intercept:
        y = y - np.average(y, axis=0, weights=sample_weight)
        if sparse.issparse(X):
            X_offset = _sparse_column_average(X, sample_weight)
        else:
            X_offset = np.average(X, axis=0, weights=sample_weight)
    yw = y if sample_weight is None else y * sample_weight
    if fit_intercept:
        Xyw = X.T @ yw - X_offset * np.sum(yw, axis=0)
    else:
        Xyw = X.T @ yw
    weight_sum = X.shape[0] if sample_weight is None else sample_weight.sum()
    # (scikit-learn takes sqrt(max(Xyw**2)), which equals max(|Xyw|) in IEEE arithmetic)
    return lam_max_from_correlation(Xyw, np.ones_like(Xyw), positive) / (weight_sum * l1_ratio)


def _alpha_grid(X, y, sample_weight, fit_intercept, *, eps, n_alphas, positive=False):
    """scikit-learn's grid: geometric from ``alpha_max`` down to ``eps * alpha_max``."""
    alpha_max = _alpha_max(X, y, sample_weight, fit_intercept, positive=positive)
    resolution = np.finfo(np.float64).resolution
    # scikit-learn's test is absolute: for data beyond 2^+-128 it is taken on the data scaled
    # to 1 (by powers of two, as the solvers do), so that tiny data are not judged constant
    data = X.data if sparse.issparse(X) else X
    scale = sum(scale_exponent(float(np.max(np.abs(values), initial=0.0)), np.float64)
                for values in (data, y))
    if math.ldexp(alpha_max, -scale) <= resolution:
        # y is constant (or, with positive=True, anti-correlated with every feature): every
        # alpha gives w = 0; scikit-learn returns this degenerate grid, so do we.
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


class _SparseLinearModel(BaseEstimator):
    """Data validation, prediction and intercept shared by the sparse linear regressors
    (scikit-learn's ``LinearModel``); subclasses add the mixins and implement ``fit``."""

    def _validate_fit_data(self, X, y, sample_weight):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
        )
        y = np.asarray(y, dtype=X.dtype)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return X, y, sample_weight

    def _set_coef_and_intercept(self, x, data, fit_intercept):
        """Store the solver's ``x`` (n_features[, n_targets]) as ``coef_`` and ``intercept_``."""
        coef = np.ascontiguousarray(x.T)
        self.coef_ = coef
        if fit_intercept:
            self.intercept_ = data.y_offset - coef @ data.X_offset
            if self.intercept_.ndim == 0:
                self.intercept_ = self.intercept_[()]
        else:
            self.intercept_ = 0.0
        if not (np.all(np.isfinite(self.coef_)) and np.all(np.isfinite(self.intercept_))):
            raise ValueError(
                f"{type(self).__name__} produced non-finite coefficients; the input data "
                "may hold values too large for its dtype: scale the features"
            )

    def predict(self, X):
        """Predict with the fitted linear model, ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False
        )
        # a CSR/CSC matrix times a dense array is a dense array (safe_sparse_dot's result)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
