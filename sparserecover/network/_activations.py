"""Activation functions of the shallow network ``f(x) = sum_j w_j eta(scale (x - b_j))``.

Every activation is a vectorized function of one array, returning an array of the same shape
and floating dtype (float32 stays float32).
"""

import numpy as np
from scipy.special import erf, expit

__all__ = ["ACTIVATIONS", "resolve_activation"]


def heaviside(t):
    """Unit step ``[t >= 0]``; the value at 0 is 1.

    Right-continuous on purpose: with biases on the sample grid, the Heaviside design matrix is
    then exactly the inverse of the first-order ("same" convolution) finite-difference matrix,
    the discrete form of the paper's Proposition 3.1 (see :func:`finite_difference_matrix`).
    """
    return (t >= 0).astype(t.dtype)


def relu(t):
    """``max(t, 0)``."""
    return np.maximum(t, 0)


def relu2(t):
    """``max(t, 0)^2``, the paper's third-order (``r = 3``) spline activation."""
    positive = np.maximum(t, 0)
    return positive * positive


def tanh(t):
    """Hyperbolic tangent."""
    return np.tanh(t)


def gelu(t):
    """Gaussian error linear unit, the exact erf form ``t * (1 + erf(t / sqrt(2))) / 2``.

    Not the tanh approximation (PyTorch's ``approximate="none"``).
    """
    return (t * (0.5 * (1 + erf(t / np.sqrt(2).astype(t.dtype))))).astype(t.dtype, copy=False)


def silu(t):
    """Sigmoid linear unit (swish), ``t / (1 + exp(-t))``, overflow-free."""
    return (t * expit(t)).astype(t.dtype, copy=False)


def sinc(t):
    """Normalized sinc ``sin(pi t) / (pi t)``, 1 at 0 (``numpy.sinc``): zeros at the integers."""
    return np.sinc(t)


def gaussian(t):
    """Gaussian bump ``exp(-t^2 / 2)``."""
    return np.exp(-0.5 * t * t)


#: Name -> vectorized activation. Any callable mapping an array to an array of the same shape
#: can be used instead of a name.
ACTIVATIONS = {
    "heaviside": heaviside,
    "relu": relu,
    "relu2": relu2,
    "tanh": tanh,
    "gelu": gelu,
    "silu": silu,
    "sinc": sinc,
    "gaussian": gaussian,
}


def resolve_activation(activation):
    """Return the callable behind ``activation`` (a name in ACTIVATIONS or a callable)."""
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(
        f"activation must be one of {sorted(ACTIVATIONS)} or a callable; got {activation!r}"
    )
