"""Shallow networks with fixed biases, fit by spectral filters (Lucey 2025).

``f(x) = sum_j w_j eta(scale (x - b_j))`` is linear least squares in ``w`` with the Jacobian
``A_ij = eta(scale (x_i - b_j))`` (:class:`ShallowFeatures`). Ridge, PCA and early-stopped
gradient descent are filters on the singular values of ``A`` (:mod:`sparserecover.spectral`),
fit in closed form by :class:`SpectralRegressor` (or by the real gradient-descent iterations),
chosen by GCV / leave-one-out with :class:`SpectralRegressorCV`, and combined with the features
in :class:`ShallowNetworkRegressor`. :func:`spline_smoothing` and
:func:`finite_difference_matrix` give the spline side of Proposition 3.1.
"""

from sparserecover.network._activations import ACTIVATIONS
from sparserecover.network._features import ShallowFeatures
from sparserecover.network._spectral_regressor import (
    ShallowNetworkRegressor,
    SpectralRegressor,
    SpectralRegressorCV,
)
from sparserecover.network._spline import finite_difference_matrix, spline_smoothing

__all__ = [
    "ACTIVATIONS",
    "ShallowFeatures",
    "ShallowNetworkRegressor",
    "SpectralRegressor",
    "SpectralRegressorCV",
    "finite_difference_matrix",
    "spline_smoothing",
]
