"""Spectral-filter regressors: ridge, PCA and gradient descent through one SVD.

Every filter here is a linear smoother: with ``X = U diag(s) V^T`` the coefficients are
``V diag(phi / s) U^T y`` and the fitted values ``U diag(phi) U^T y``, where ``phi`` are the
filter factors of :mod:`sparserecover.spectral`. So one thin SVD serves every regularizer, every
regularization strength, and the closed-form cross-validation of :class:`SpectralRegressorCV`.
"""

import math
import sys
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparserecover import spectral
from sparserecover._validation import scale_exponent
from sparserecover.linear_model._base import _prepare_data
from sparserecover.network._activations import resolve_activation
from sparserecover.network._features import ShallowFeatures

__all__ = ["ShallowNetworkRegressor", "SpectralRegressor", "SpectralRegressorCV"]

#: Iterations of ``regularization="gd"`` when neither ``n_iter`` nor ``n_components`` is given:
#: with the default learning rate ``1 / s_1^2``, the components with ``s >= s_1 / 10`` pass.
DEFAULT_N_ITER = 100


# ---------------------------------------------------------------------------- shared core


def _thin_svd(X):
    try:
        return scipy.linalg.svd(X, full_matrices=False, check_finite=False)
    except np.linalg.LinAlgError:  # gesdd's rare failures; the QR-iteration driver is robust
        return scipy.linalg.svd(
            X, full_matrices=False, check_finite=False, lapack_driver="gesvd"
        )


def _rank_tolerance(s, shape, dtype):
    """numpy.linalg.matrix_rank's tolerance: singular values below it are numerically zero."""
    if s.size == 0:
        return 0.0
    return float(s.max()) * max(shape) * float(np.finfo(dtype).eps)


def _center(X, Y, fit_intercept):
    """Centred copies of dense ``X`` and 2-D ``Y`` and their means (the linear models' own
    centring, without sample weights); unchanged arrays and zero offsets without intercept."""
    data = _prepare_data(X, Y, None, fit_intercept)
    return data.design, data.target, data.X_offset, data.y_offset


def _gd_n_iter(s, learning_rate, n_iter, n_components):
    """Resolve the iterations of gradient descent: given, from n_components, or the default."""
    if n_iter is not None and n_components is not None:
        raise ValueError("give n_iter or n_components for regularization='gd', not both")
    if n_iter is not None:
        return int(n_iter)
    if n_components is None:
        return DEFAULT_N_ITER
    if n_components > s.size:
        raise ValueError(
            f"n_components={n_components} exceeds the {s.size} singular values of X"
        )
    return spectral.n_iter_for_components(s, int(n_components), learning_rate=learning_rate)


def _filter(s, tol, regularization, alpha, n_components, learning_rate, n_iter):
    """Filter factors and the resolved hyper-parameters (learning_rate, n_iter)."""
    s_max = float(s.max()) if s.size else 0.0
    if regularization == "gd":
        if s_max == 0.0:  # X == 0: gradient descent never moves, whatever its step
            lr = 1.0 if learning_rate is None else float(learning_rate)
            return np.zeros_like(s), lr, (DEFAULT_N_ITER if n_iter is None else int(n_iter))
        lr = _inverse_square(s_max) if learning_rate is None else float(learning_rate)
        q = _gd_n_iter(s, lr, n_iter, n_components)
        phi = spectral.gd_mask(s, lr, q)
        phi[s <= tol] = 0  # numerically zero directions: rounding noise, not signal
        return phi, lr, q
    if regularization == "ridge":
        alpha = 1.0 if alpha is None else alpha
        phi = spectral.ridge_mask(s, alpha)
        if alpha == 0:
            phi[s <= tol] = 0  # pseudo-inverse: numerically zero singular values are dropped
        return phi, None, None
    # "pca"
    kept = s > tol
    if n_components is not None:
        if n_components > s.size:
            raise ValueError(
                f"n_components={n_components} exceeds the {s.size} singular values of X"
            )
        phi = spectral.pca_mask(s, n_components=int(n_components))
        phi[~kept] = 0
    else:
        phi = kept.astype(s.dtype)
    return phi, None, None


def _inverse_square(s_max):
    """``1 / s_max^2``, the default learning rate, or a ValueError where float64 cannot hold it
    (``s_max`` beyond about 1.3e154 or below 7.5e-155)."""
    root = 1.0 / s_max
    value = root * root
    if not (math.isfinite(value) and value >= sys.float_info.min):
        raise ValueError(
            f"the default learning rate 1 / s_max^2 is beyond float64 for the largest singular "
            f"value of X, s_max = {s_max:.3g}: rescale X"
        )
    return value


def _gain(phi, s):
    """``phi / s`` with 0 where ``s == 0`` (the filters make phi/s bounded elsewhere)."""
    return np.divide(phi, s, out=np.zeros_like(s), where=s > 0)


def _as_2d(y):
    return (y[:, None], True) if y.ndim == 1 else (y, False)


def _finish(estimator, coef, X_offset, Y_offset, was_1d):
    """Store coef_ (sklearn layout) and intercept_."""
    intercept = Y_offset - X_offset @ coef
    if was_1d:
        estimator.coef_ = coef[:, 0]
        estimator.intercept_ = float(intercept[0]) if estimator.fit_intercept else 0.0
    else:
        estimator.coef_ = np.ascontiguousarray(coef.T)
        estimator.intercept_ = intercept


_COMMON_CONSTRAINTS = {
    "regularization": [StrOptions({"ridge", "pca", "gd"})],
    "alpha": [Interval(Real, 0, None, closed="left"), None],
    "n_components": [Interval(Integral, 1, None, closed="left"), None],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "n_iter": [Interval(Integral, 0, None, closed="left"), None],
    "solver": [StrOptions({"svd", "gd"})],
    "fit_intercept": ["boolean"],
}


class _SpectralTagsMixin:
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = False
        return tags


class _LinearPredictionMixin:
    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray, shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return X @ self.coef_.T + self.intercept_


# ---------------------------------------------------------------------- SpectralRegressor


class SpectralRegressor(_LinearPredictionMixin, _SpectralTagsMixin, RegressorMixin, BaseEstimator):
    """Least squares regularized by a filter on the singular values of the design matrix.

    Solves ``X w ~= y`` as ``w = V diag(phi(s) / s) U^T y`` for ``X = U diag(s) V^T`` (Lucey
    2025, Eqs. 7, 9, 14), with the filter factors ``phi``:

    - ``"ridge"``: ``s^2 / (s^2 + alpha)``, the minimizer of ``||y - X w||^2 + alpha ||w||^2``
      (the same objective and coefficients as ``sklearn.linear_model.Ridge(alpha)``);
    - ``"pca"``: 1 on the ``n_components`` largest singular values (PCA regression);
    - ``"gd"``: ``1 - (1 - lr s^2)^q``, exactly the weights after ``q = n_iter`` steps of
      full-batch gradient descent on ``0.5 ||y - X w||^2`` from ``w = 0``.

    Parameters
    ----------
    regularization : {"ridge", "pca", "gd"}, default="gd"
    alpha : float, optional
        Ridge penalty (``>= 0``); ``None`` means 1. Used by ``"ridge"`` only.
    n_components : int, optional
        ``"pca"``: the number of principal components kept (``None``: every numerically
        nonzero singular value, i.e. the minimum-norm least-squares solution). ``"gd"``: when
        ``n_iter`` is None, run the iterations that let ``n_components`` components pass the
        mask (:func:`sparserecover.spectral.n_iter_for_components`, Proposition 4.2).
    learning_rate : float, optional
        Step size of ``"gd"``; ``None`` means ``1 / s_max^2``. ``lr s_max^2 >= 2`` diverges
        and is a ValueError.
    n_iter : int, optional
        Iterations ``q`` of ``"gd"``; ``None`` means from ``n_components`` if given, else 100.
    solver : {"svd", "gd"}, default="svd"
        ``"svd"``: one thin SVD, then the filter. ``"gd"``: run the gradient-descent iterations
        themselves (Numba; ``regularization="gd"`` only); same predictions up to rounding.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (by centering). The paper has none.

    Attributes
    ----------
    coef_ : ndarray, shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray, shape (n_targets,)
        0.0 when ``fit_intercept=False``.
    singular_values_ : ndarray, shape (min(n_samples, n_features),)
        Singular values of the (centered) design matrix, descending.
    filter_factors_ : ndarray, shape (min(n_samples, n_features),)
        The mask ``phi`` applied to them; 0 on numerically zero singular values (below
        ``numpy.linalg.matrix_rank``'s tolerance ``s_max * max(X.shape) * eps``).
    n_active_components_ : int
        Number of filter factors ``>= 1 - 1/e`` (the mask threshold of Proposition 4.2).
    learning_rate_ : float or None
        The step size used by ``"gd"`` (None otherwise).
    n_iter_ : int or None
        The iterations used by ``"gd"`` (None otherwise).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.network import SpectralRegressor
    >>> X = np.array([[1.0, 0.0], [0.0, 0.5], [0.0, 0.0]])
    >>> y = np.array([1.0, 1.0, 0.0])
    >>> reg = SpectralRegressor(regularization="gd", n_iter=2).fit(X, y)
    >>> reg.filter_factors_                      # 1 - (1 - s^2 / s_max^2)^2
    array([1.    , 0.4375])
    >>> reg.coef_                                # phi / s * U^T y
    array([1.   , 0.875])
    """

    _parameter_constraints: ClassVar[dict] = dict(_COMMON_CONSTRAINTS)

    def __init__(
        self,
        regularization="gd",
        alpha=None,
        n_components=None,
        learning_rate=None,
        n_iter=None,
        solver="svd",
        fit_intercept=False,
    ):
        self.regularization = regularization
        self.alpha = alpha
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.solver = solver
        self.fit_intercept = fit_intercept

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the filtered least-squares solution.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Dense design matrix (sparse input is a TypeError: the filters need its SVD).
        y : array-like, shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : SpectralRegressor
        """
        if self.solver == "gd" and self.regularization != "gd":
            raise ValueError(
                f"solver='gd' runs gradient descent; it needs regularization='gd', "
                f"got {self.regularization!r} (use solver='svd')"
            )
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float64, np.float32]
        )
        Y, was_1d = _as_2d(np.asarray(y, dtype=X.dtype))
        Xc, Yc, X_offset, Y_offset = _center(X, Y, self.fit_intercept)
        if self.solver == "svd":
            U, s, Vt = _thin_svd(Xc)
        else:
            s = scipy.linalg.svdvals(Xc, check_finite=False)
        tol = _rank_tolerance(s, Xc.shape, X.dtype)
        phi, lr, q = _filter(
            s, tol, self.regularization, self.alpha, self.n_components, self.learning_rate,
            self.n_iter,
        )
        if self.solver == "svd":
            coef = Vt.T @ (_gain(phi, s)[:, None] * (U.T @ Yc))
        else:
            from sparserecover.network._kernels import gd_least_squares

            coef = gd_least_squares(
                np.ascontiguousarray(Xc), np.ascontiguousarray(Yc), X.dtype.type(lr), q
            )
        _finish(self, coef, X_offset, Y_offset, was_1d)
        self.singular_values_ = s
        self.filter_factors_ = phi
        self.n_active_components_ = int(
            np.count_nonzero(phi >= spectral.DEFAULT_MASK_THRESHOLD)
        )
        self.learning_rate_, self.n_iter_ = lr, q
        return self



# -------------------------------------------------------------------- SpectralRegressorCV


def _default_candidates(regularization, s, tol):
    if regularization == "ridge":
        s_max = (float(s.max()) if s.size else 1.0) or 1.0
        with np.errstate(over="ignore", under="ignore"):
            alphas = s_max * s_max * np.logspace(-8, 1, 46)
        if not np.all(np.isfinite(alphas) & (alphas >= sys.float_info.min)):
            raise ValueError(
                "the default alphas, s_max^2 * logspace(-8, 1), are beyond float64 for the "
                f"largest singular value of X, s_max = {s_max:.3g}: rescale X"
            )
        return alphas
    if regularization == "pca":
        return np.arange(1, max(1, int(np.count_nonzero(s > tol))) + 1)
    return np.unique(np.round(np.geomspace(1, 1e6, 61)).astype(np.int64))


class SpectralRegressorCV(
    _LinearPredictionMixin, _SpectralTagsMixin, RegressorMixin, BaseEstimator
):
    """:class:`SpectralRegressor` with its strength chosen by GCV or leave-one-out, from one SVD.

    Every filter is a linear smoother with hat matrix ``H = U diag(phi) U^T`` (plus
    ``11^T / n`` with an intercept), so for each candidate the residuals ``r = y - H y``, the
    generalized cross-validation score ``mean(r^2) / (1 - tr(H) / n)^2`` (Golub, Heath & Wahba
    1979) and the leave-one-out errors ``r_i / (1 - H_ii)`` cost ``O(n min(n, p))`` after a
    single SVD: early stopping is selected without running gradient descent even once.

    The leave-one-out shortcut is exact for ridge (it equals refitting without sample ``i``).
    For PCA and gradient descent it is the usual linear-smoother approximation: refitting
    without a sample changes the SVD itself (and the default learning rate ``1/s_max^2``), so
    true refits differ by a few percent (e.g. 0.0581 vs 0.0577 at ``q = 100`` on 40 noisy
    samples of a tanh network).

    Parameters
    ----------
    regularization : {"ridge", "pca", "gd"}, default="gd"
        Which strength is selected: ``alpha``, ``n_components`` or ``n_iter``.
    alphas : array-like, optional
        Ridge candidates (``> 0``); ``None``: 46 values ``s_max^2 * logspace(-8, 1)``.
    n_components : int or array-like of int, optional
        PCA candidates; an int ``K`` means 1 to ``min(K, rank)``; ``None``: 1 to the numerical
        rank.
    n_iters : array-like of int, optional
        Gradient-descent candidates; ``None``: 61 geometrically spaced values from 1 to 10^6.
    learning_rate : float, optional
        Step size of ``"gd"``; ``None`` means ``1 / s_max^2``.
    criterion : {"gcv", "loo"}, default="gcv"
    fit_intercept : bool, default=False

    Attributes
    ----------
    alpha_ : float or None
        The selected ridge penalty (None unless ``regularization="ridge"``).
    n_components_ : int or None
        The selected number of components (None unless ``regularization="pca"``).
    n_iter_ : int or None
        The selected iterations (None unless ``regularization="gd"``).
    candidates_ : ndarray
        The candidate values, in the order of ``cv_scores_``.
    cv_scores_ : ndarray
        Mean squared GCV or leave-one-out error of each candidate (inf where undefined,
        e.g. ``tr(H) = n``, ``H_ii = 1``).
    coef_ : ndarray, shape (n_features,) or (n_targets, n_features)
        Coefficients of the selected model.
    intercept_ : float or ndarray, shape (n_targets,)
        0.0 when ``fit_intercept=False``.
    singular_values_ : ndarray, shape (min(n_samples, n_features),)
        Singular values of the (centered) design matrix, descending.
    filter_factors_ : ndarray, shape (min(n_samples, n_features),)
        The selected mask.
    n_active_components_ : int
        Number of filter factors ``>= 1 - 1/e``.
    learning_rate_ : float or None
        The step size of ``"gd"`` (None otherwise).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.network import ShallowFeatures, SpectralRegressorCV
    >>> x = np.linspace(0, 1, 60)[:, None]
    >>> y = np.sin(2 * np.pi * x[:, 0]) + 0.1 * np.random.default_rng(0).standard_normal(60)
    >>> A = ShallowFeatures("tanh", n_units=60, scale=60).fit_transform(x)
    >>> cv = SpectralRegressorCV(regularization="gd").fit(A, y)
    >>> 1 <= cv.n_iter_ < 10**6
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "regularization": [StrOptions({"ridge", "pca", "gd"})],
        "alphas": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "n_iters": ["array-like", None],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "criterion": [StrOptions({"gcv", "loo"})],
        "fit_intercept": ["boolean"],
    }

    def __init__(
        self,
        regularization="gd",
        alphas=None,
        n_components=None,
        n_iters=None,
        learning_rate=None,
        criterion="gcv",
        fit_intercept=False,
    ):
        self.regularization = regularization
        self.alphas = alphas
        self.n_components = n_components
        self.n_iters = n_iters
        self.learning_rate = learning_rate
        self.criterion = criterion
        self.fit_intercept = fit_intercept

    def _candidates(self, s, tol):
        given = {"ridge": self.alphas, "pca": self.n_components, "gd": self.n_iters}[
            self.regularization
        ]
        if given is None:
            return _default_candidates(self.regularization, s, tol)
        if self.regularization == "pca" and np.ndim(given) == 0:
            rank = max(1, int(np.count_nonzero(s > tol)))
            return np.arange(1, min(int(given), rank) + 1)
        values = np.asarray(given)
        if values.ndim != 1 or values.size == 0:
            raise ValueError("the candidate grid must be a non-empty 1-D array")
        if self.regularization == "ridge":
            if values.dtype.kind not in "iuf" or not np.all(np.isfinite(values)) or np.any(
                values <= 0
            ):
                raise ValueError("alphas must be finite and > 0")
            return values.astype(np.float64)
        name = "n_components" if self.regularization == "pca" else "n_iters"
        low = 1 if self.regularization == "pca" else 0
        if values.dtype.kind not in "iu" or np.any(values < low):
            raise ValueError(f"{name} must hold integers >= {low}")
        return values.astype(np.int64)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Select the regularization strength and fit with it.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : SpectralRegressorCV
        """
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float64, np.float32]
        )
        Y, was_1d = _as_2d(np.asarray(y, dtype=X.dtype))
        n_samples = X.shape[0]
        Xc, Yc, X_offset, Y_offset = _center(X, Y, self.fit_intercept)
        U, s, Vt = _thin_svd(Xc)
        tol = _rank_tolerance(s, Xc.shape, X.dtype)
        candidates = self._candidates(s, tol)
        self.learning_rate_ = None  # set by _phi for regularization="gd"
        # Scores from 2^-k y, scaled to 1 where the squares of y would over- or underflow
        # (powers of two: the choice and the coefficients are those of y itself).
        k = scale_exponent(float(np.max(np.abs(Yc), initial=0.0)), Yc.dtype)
        Yc = np.ldexp(Yc, -k).astype(Yc.dtype, copy=False) if k else Yc
        UtY = U.T @ Yc
        offset = 1.0 if self.fit_intercept else 0.0  # the intercept's column of H: 11^T / n
        leverage_basis = U * U  # H_ii = sum_k phi_k U_ik^2
        scores = np.empty(candidates.size)
        for index, value in enumerate(candidates):
            phi = self._phi(s, tol, value)
            residual = Yc - U @ (phi[:, None] * UtY)
            if self.criterion == "gcv":
                denominator = 1.0 - (phi.sum() + offset) / n_samples
                scores[index] = (
                    np.mean(residual**2) / denominator**2 if denominator > 1e-12 else np.inf
                )
            else:
                leverage = leverage_basis @ phi + offset / n_samples
                if np.any(leverage >= 1.0 - 1e-12):
                    scores[index] = np.inf
                else:
                    scores[index] = np.mean((residual / (1.0 - leverage)[:, None]) ** 2)
        best = int(np.argmin(scores))  # ties: the first, i.e. the smoothest on default grids
        if k:
            with np.errstate(over="ignore", under="ignore"):
                scores = np.ldexp(scores, 2 * k)
            if np.any(np.isinf(scores) & np.isfinite(np.ldexp(scores, -2 * k))):
                raise ValueError("the squared errors of y overflow float64: divide y by a "
                                 "constant (the coefficients scale with it)")
        self.candidates_, self.cv_scores_ = candidates, scores
        value = candidates[best]
        self.alpha_ = float(value) if self.regularization == "ridge" else None
        self.n_components_ = int(value) if self.regularization == "pca" else None
        self.n_iter_ = int(value) if self.regularization == "gd" else None
        phi = self._phi(s, tol, value)
        coef = Vt.T @ (_gain(phi, s)[:, None] * UtY)
        if k:
            with np.errstate(over="ignore"):
                coef = np.ldexp(coef, k).astype(Yc.dtype, copy=False)
            if not np.all(np.isfinite(coef)):
                raise ValueError("the coefficients overflow float64 at this scale of X and y: "
                                 "rescale X or y")
        _finish(self, coef, X_offset, Y_offset, was_1d)
        self.singular_values_, self.filter_factors_ = s, phi
        self.n_active_components_ = int(
            np.count_nonzero(phi >= spectral.DEFAULT_MASK_THRESHOLD)
        )
        return self

    def _phi(self, s, tol, value):
        if self.regularization == "ridge":
            phi, _, _ = _filter(s, tol, "ridge", float(value), None, None, None)
        elif self.regularization == "pca":
            phi, _, _ = _filter(s, tol, "pca", None, min(int(value), s.size), None, None)
        else:
            phi, lr, _ = _filter(s, tol, "gd", None, None, self.learning_rate, int(value))
            self.learning_rate_ = lr
        return phi



# ---------------------------------------------------------------- ShallowNetworkRegressor


class ShallowNetworkRegressor(_SpectralTagsMixin, RegressorMixin, BaseEstimator):
    """A shallow network with fixed biases whose weights are fit by a spectral filter.

    ``f(x) = sum_j w_j eta(scale (x - b_j)) (+ intercept)``: :class:`ShallowFeatures` then
    :class:`SpectralRegressor`, in one estimator with flat parameters (so ``clone``,
    ``set_params`` and ``GridSearchCV`` see every one of them).

    Parameters
    ----------
    activation : str or callable, default="tanh"
        Activation ``eta``: a name in :data:`ACTIVATIONS` or a vectorized callable.
    n_units : int, default=1024
        Width ``M``.
    scale : float, optional
        ``scale > 0`` multiplying ``x - b``; ``None`` means 1.
    bias_range : (float, float), optional
        Range of the equally spaced biases; ``None`` means the training data's range.
    regularization : {"ridge", "pca", "gd"}, default="gd"
        The filter on the singular values of the Jacobian (see :class:`SpectralRegressor`).
    alpha : float, optional
        Ridge penalty; ``None`` means 1.
    n_components : int, optional
        Components kept by ``"pca"``, or passed by ``"gd"`` when ``n_iter`` is None.
    learning_rate : float, optional
        Step size of ``"gd"``; ``None`` means ``1 / s_max^2``.
    n_iter : int, optional
        Iterations of ``"gd"``; ``None`` means from ``n_components`` if given, else 100.
    solver : {"svd", "gd"}, default="svd"
        One SVD then the mask, or the real gradient-descent iterations (Numba).
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (the paper has none).
    random_state : int, RandomState or None, default=None
        Seeds the projection directions when ``X`` has several features.

    Attributes
    ----------
    features_ : ShallowFeatures
        The fitted feature map.
    regressor_ : SpectralRegressor
        The fitted spectral regressor on the features.
    coef_ : ndarray, shape (n_units,) or (n_targets, n_units)
        The network weights ``w``.
    intercept_ : float or ndarray, shape (n_targets,)
        0.0 when ``fit_intercept=False`` (the paper's network has no intercept).
    singular_values_ : ndarray, shape (min(n_samples, n_units),)
        Singular values of the network's Jacobian ``A``, descending.
    filter_factors_ : ndarray, shape (min(n_samples, n_units),)
        The mask applied to them.
    n_active_components_ : int
        Number of filter factors ``>= 1 - 1/e``.
    learning_rate_ : float or None
        The step size of ``"gd"`` (None otherwise).
    n_iter_ : int or None
        The iterations of ``"gd"`` (None otherwise).
    n_features_in_ : int
        Number of input features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.network import ShallowNetworkRegressor
    >>> x = np.linspace(0, 1, 50)[:, None]
    >>> y = np.sin(2 * np.pi * x[:, 0])
    >>> net = ShallowNetworkRegressor("tanh", n_units=50, scale=50, n_components=12).fit(x, y)
    >>> net.n_iter_, net.n_active_components_
    (172, 12)
    >>> bool(np.abs(net.predict(x) - y).max() < 0.1)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **ShallowFeatures._parameter_constraints,
        **_COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        activation="tanh",
        n_units=1024,
        scale=None,
        bias_range=None,
        regularization="gd",
        alpha=None,
        n_components=None,
        learning_rate=None,
        n_iter=None,
        solver="svd",
        fit_intercept=False,
        random_state=None,
    ):
        self.activation = activation
        self.n_units = n_units
        self.scale = scale
        self.bias_range = bias_range
        self.regularization = regularization
        self.alpha = alpha
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the features of ``X`` and fit the weights.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : ShallowNetworkRegressor
        """
        resolve_activation(self.activation)
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float64, np.float32]
        )
        self.features_ = ShallowFeatures(
            activation=self.activation, n_units=self.n_units, scale=self.scale,
            bias_range=self.bias_range, random_state=self.random_state,
        )
        A = self.features_.fit_transform(X)
        self.regressor_ = SpectralRegressor(
            regularization=self.regularization, alpha=self.alpha,
            n_components=self.n_components, learning_rate=self.learning_rate,
            n_iter=self.n_iter, solver=self.solver, fit_intercept=self.fit_intercept,
        ).fit(A, y)
        for name in (
            "coef_", "intercept_", "singular_values_", "filter_factors_",
            "n_active_components_", "learning_rate_", "n_iter_",
        ):
            setattr(self, name, getattr(self.regressor_, name))
        return self

    def predict(self, X):
        """Evaluate the network at ``X``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray, shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.regressor_.predict(self.features_.transform(X))


