"""Shallow-network features: the Jacobian ``A_ij = eta(scale (x_i - b_j))`` as a transformer."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from sparserecover.network._activations import resolve_activation

__all__ = ["ShallowFeatures"]


def _check_bias_range(bias_range):
    if bias_range is None:
        return None
    bias_range = np.asarray(bias_range, dtype=np.float64)
    if bias_range.shape != (2,) or not np.all(np.isfinite(bias_range)):
        raise ValueError(f"bias_range must be None or two finite numbers; got {bias_range!r}")
    if bias_range[0] > bias_range[1]:
        raise ValueError(f"bias_range must be (low, high) with low <= high; got {bias_range!r}")
    return bias_range


class ShallowFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Features of a shallow network with fixed, equally spaced biases.

    ``transform(X)[i, j] = eta(scale * (z_ij - b_j))``, the Jacobian of
    ``f(x) = sum_j w_j eta(scale (x - b_j))`` with respect to the weights ``w`` (Eq. 6 of
    Lucey 2025). For one input feature ``z_ij = x_i``. For ``d > 1`` input features, each
    unit sees its own projection ``z_ij = p_j^T x_i`` of the standardized input, with
    ``p_j`` random unit vectors: the projection matrix ``P`` (``d x n_units``) is full rank
    with probability one, the initialization the paper's Appendix E recommends over a rank-one
    projection, whose principal components lose their smoothness ordering.

    Parameters
    ----------
    activation : str or callable, default="tanh"
        A name in :data:`ACTIVATIONS` (heaviside, relu, relu2, tanh, gelu, silu, sinc,
        gaussian) or a vectorized callable.
    n_units : int, default=1024
        Width ``M`` of the network (number of features).
    scale : float, optional
        ``scale > 0`` multiplying ``x - b``; ``None`` means 1.
    bias_range : (float, float), optional
        Biases are ``n_units`` equally spaced values from ``bias_range[0]`` to
        ``bias_range[1]``. ``None`` means the range of the training data (of each unit's
        projection when ``d > 1``).
    random_state : int, RandomState or None, default=None
        Seeds the projection directions (used only when ``d > 1``).

    Attributes
    ----------
    biases_ : ndarray, shape (n_units,)
        The biases ``b_j``.
    projection_ : ndarray, shape (n_features, n_units) or None
        The unit-norm directions ``p_j`` as columns (None for one input feature).
    mean_ : ndarray, shape (n_features,) or None
        Mean subtracted before the projection (None for one input feature).
    std_ : ndarray, shape (n_features,) or None
        Scale divided out before the projection (1 for constant columns; None for one input
        feature).
    n_features_in_ : int
        Number of input features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.network import ShallowFeatures
    >>> x = np.linspace(0, 1, 5)[:, None]
    >>> ShallowFeatures("heaviside", n_units=3).fit_transform(x)
    array([[1., 0., 0.],
           [1., 0., 0.],
           [1., 1., 0.],
           [1., 1., 0.],
           [1., 1., 1.]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "activation": [callable, str],
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "scale": [Interval(Real, 0, None, closed="neither"), None],
        "bias_range": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(
        self, activation="tanh", n_units=1024, scale=None, bias_range=None, random_state=None
    ):
        self.activation = activation
        self.n_units = n_units
        self.scale = scale
        self.bias_range = bias_range
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Choose the biases (and, for several input features, the projection).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : ShallowFeatures
        """
        resolve_activation(self.activation)
        bias_range = _check_bias_range(self.bias_range)
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        n_features = X.shape[1]
        if n_features == 1:
            self.mean_ = self.std_ = self.projection_ = None
            z = X
        else:
            self.mean_ = X.mean(axis=0)
            std = X.std(axis=0)
            self.std_ = np.where(std > 0, std, 1.0)
            rng = check_random_state(self.random_state)
            directions = rng.standard_normal((n_features, self.n_units))
            directions /= np.linalg.norm(directions, axis=0)
            self.projection_ = directions.astype(X.dtype)
            z = self._project(X)
        positions = np.linspace(0.0, 1.0, self.n_units)
        if bias_range is not None:
            biases = bias_range[0] + positions * (bias_range[1] - bias_range[0])
        else:
            # each unit's bias at its own relative position in the range of what it sees
            low, high = z.min(axis=0), z.max(axis=0)
            biases = low + positions * (high - low)
        self.biases_ = np.asarray(biases, dtype=X.dtype)
        self._n_features_out = self.n_units
        return self

    def _project(self, X):
        return ((X - self.mean_) / self.std_).astype(X.dtype, copy=False) @ self.projection_

    def transform(self, X):
        """Return the design matrix ``A`` of shape (n_samples, n_units).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        A : ndarray, shape (n_samples, n_units)
            In the dtype of ``X`` (float32 stays float32).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        z = X if self.projection_ is None else self._project(X)
        biases = self.biases_.astype(X.dtype, copy=False)
        scale = 1.0 if self.scale is None else self.scale
        t = (z - biases) * X.dtype.type(scale)
        activation = resolve_activation(self.activation)
        features = np.asarray(activation(t))
        if features.shape != t.shape:
            raise ValueError(
                f"activation returned shape {features.shape} for input of shape {t.shape}"
            )
        return features.astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

