"""Spectral filters: ridge, PCA and gradient descent as masks on singular values.

For a design matrix ``A = U diag(s) V^T`` every regularizer here yields the solution

    w = V diag(phi(s) / s) U^T y,

where the *filter factors* (the paper's "mask") ``phi(s)`` lie in ``[0, 1]`` (Lucey 2025,
"Gradient Descent as a Shrinkage Operator for Spectral Bias", Eqs. 7-10, 14-15):

- ridge, ``min ||A w - y||^2 + alpha ||w||^2``: ``phi = s^2 / (s^2 + alpha)`` (Eq. 8);
- PCA regression (truncated SVD): ``phi = 1`` on the kept singular values, else 0 (Eq. 10);
- ``q`` steps of gradient descent on ``0.5 ||A w - y||^2`` from ``w = 0`` with learning rate
  ``lr``: ``phi = 1 - (1 - lr s^2)^q`` exactly (Appendix B, a Neumann series), and its
  gradient-flow approximation ``phi = 1 - exp(-lr q s^2)`` (Eq. 15).

The masks act elementwise, so ``s`` may be in any order; the functions that speak of "the
K-th singular value" (:func:`n_iter_for_components`, ``pca_mask(n_components=...)``) rank
``s`` by value themselves. ``learning_rate=None`` means ``1 / max(s)^2``, the paper's
"iteration efficient" choice. Masks are computed in float64 and returned in the dtype of ``s``
(float32 stays float32, integers become float64).
"""

import math

import numpy as np

from sparserecover._validation import as_float_array, check_finite, check_int, check_scalar

__all__ = [
    "DEFAULT_MASK_THRESHOLD",
    "active_components",
    "gd_mask",
    "n_iter_for_components",
    "pca_mask",
    "ridge_mask",
]

#: ``1 - 1/e``: with ``learning_rate = 1 / s_1^2`` and the gradient-flow mask, a singular value
#: ``s_K`` reaches this mask value after exactly ``q = (s_1 / s_K)^2`` iterations, the paper's
#: Eq. 17 (Proposition 4.2 and Appendix C: the squared active-window width equals ``q``).
DEFAULT_MASK_THRESHOLD = 1.0 - math.exp(-1.0)

_KINDS = ("discrete", "flow")


def _check_singular_values(s):
    """Validate ``s`` and return (float64 working copy, output dtype)."""
    array = as_float_array(s, "s")
    if array.ndim != 1:
        raise ValueError(f"s must be a 1-D array of singular values; got shape {array.shape}")
    check_finite(array, "s")
    if np.any(array < 0):
        raise ValueError("s must be nonnegative (singular values)")
    return array.astype(np.float64), array.dtype


def _check_kind(kind):
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}")


def _check_n_iter(n_iter, kind):
    """Iterations: an integer >= 0 for gradient descent, a real >= 0 (a time) for the flow."""
    if kind == "discrete":
        return check_int(n_iter, "n_iter", low=0)
    return check_scalar(n_iter, "n_iter", low=0.0)


def _resolve_learning_rate(s64, learning_rate, kind):
    """Return the learning rate, None for ``1 / max(s)^2``; reject values for which gradient
    descent diverges."""
    s_max = float(s64.max()) if s64.size else 0.0
    if learning_rate is None:
        if s_max == 0.0:
            raise ValueError("learning_rate=None means 1 / max(s)^2, but every s is 0")
        return None
    learning_rate = check_scalar(learning_rate, "learning_rate", low=0.0, low_inclusive=False)
    # Gradient descent multiplies the error along singular direction k by (1 - lr s_k^2) at
    # each step; it diverges once |1 - lr s_max^2| >= 1, i.e. lr s_max^2 >= 2.
    product = (learning_rate * s_max) * s_max
    if kind == "discrete" and product >= 2.0:
        raise ValueError(
            f"learning_rate={learning_rate:g} makes gradient descent diverge: "
            f"learning_rate * max(s)^2 = {product:g} >= 2 "
            f"(use learning_rate < {2.0 / s_max / s_max:g}, e.g. None for 1 / max(s)^2)"
        )
    return learning_rate


def _scaled_squares(s64, learning_rate):
    """``lr s^2``, where ``learning_rate=None`` means ``1 / max(s)^2``: then ``(s / max(s))^2``,
    which no scale of ``s`` overflows (``1 / max(s)^2`` itself does beyond 1.3e154)."""
    if learning_rate is None:
        ratio = s64 / s64.max()
        return ratio * ratio
    # (lr s) s rather than lr s^2: no overflow of s^2 for huge s with a matching small lr.
    return (learning_rate * s64) * s64


def _discrete_mask(x, n_iter):
    """``1 - (1 - x)^q`` for ``x = lr s^2`` in ``[0, 2)``, accurate for tiny ``x``."""
    if n_iter == 0:
        return np.zeros_like(x)
    phi = np.empty_like(x)
    converging = x <= 1.0
    with np.errstate(divide="ignore"):
        # log1p keeps every digit of x when x is far below machine epsilon, where the naive
        # 1 - (1 - x)^q rounds to 0 instead of q*x.
        phi[converging] = -np.expm1(n_iter * np.log1p(-x[converging]))
    # 1 < x < 2: the factor 1 - x is negative, GD overshoots and oscillates; |1 - x| < 1 so it
    # still converges, and the mask exceeds 1 after odd numbers of steps.
    over = ~converging
    sign = -1.0 if n_iter % 2 else 1.0
    phi[over] = 1.0 - sign * np.power(x[over] - 1.0, n_iter)
    return phi


def ridge_mask(s, alpha):
    """Ridge-regression filter factors ``s^2 / (s^2 + alpha)``.

    Parameters
    ----------
    s : array_like, shape (n,)
        Singular values (nonnegative, finite, any order).
    alpha : float
        Ridge penalty of ``||A w - y||^2 + alpha ||w||^2``, ``alpha >= 0``.

    Returns
    -------
    phi : ndarray, shape (n,)
        Filter factors in ``[0, 1]``, in the dtype of ``s``. With ``alpha = 0`` this is 1 on
        nonzero singular values and 0 on zero ones (the minimum-norm least-squares solution).

    Raises
    ------
    TypeError
        If ``s`` is not numeric.
    ValueError
        If ``s`` has negative, NaN or infinite entries, or ``alpha`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.spectral import ridge_mask
    >>> ridge_mask(np.array([2.0, 1.0, 0.0]), 1.0)
    array([0.8, 0.5, 0. ])
    """
    s64, dtype = _check_singular_values(s)
    alpha = check_scalar(alpha, "alpha", low=0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # 1 / (1 + (sqrt(alpha)/s)^2): no overflow of s^2, and s = 0 gives 0 for alpha > 0.
        ratio = math.sqrt(alpha) / s64
        phi = 1.0 / (1.0 + ratio * ratio)
    phi[s64 == 0.0] = 0.0
    return phi.astype(dtype, copy=False)


def pca_mask(s, n_components=None, threshold=None):
    """PCA-regression (truncated SVD) filter factors: 1 on the kept singular values, else 0.

    Parameters
    ----------
    s : array_like, shape (n,)
        Singular values (nonnegative, finite, any order).
    n_components : int, optional
        Keep the ``n_components`` largest singular values (``0 <= n_components <= n``); ties
        are broken in favour of the lower index.
    threshold : float, optional
        Keep the singular values strictly greater than ``threshold`` (>= 0), Eq. 10's hard
        threshold.

    Give at most one of ``n_components`` and ``threshold``. With neither, every nonzero
    singular value is kept (the minimum-norm least-squares solution). Zero singular values are
    never kept.

    Returns
    -------
    phi : ndarray, shape (n,)
        Zeros and ones, in the dtype of ``s``.

    Raises
    ------
    TypeError
        If ``s`` is not numeric.
    ValueError
        If ``s`` has negative, NaN or infinite entries, both ``n_components`` and ``threshold``
        are given, ``n_components`` is outside ``[0, n]`` or ``threshold`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.spectral import pca_mask
    >>> pca_mask(np.array([3.0, 2.0, 1.0, 0.5]), n_components=2)
    array([1., 1., 0., 0.])
    >>> pca_mask(np.array([3.0, 2.0, 1.0, 0.5]), threshold=0.75)
    array([1., 1., 1., 0.])
    """
    s64, dtype = _check_singular_values(s)
    if n_components is not None and threshold is not None:
        raise ValueError("give at most one of n_components and threshold")
    phi = np.zeros_like(s64)
    if n_components is not None:
        n_components = check_int(n_components, "n_components", low=0, high=s64.size)
        order = np.argsort(-s64, kind="stable")
        phi[order[:n_components]] = 1.0
    else:
        threshold = 0.0 if threshold is None else check_scalar(threshold, "threshold", low=0.0)
        phi[s64 > threshold] = 1.0
    phi[s64 == 0.0] = 0.0
    return phi.astype(dtype, copy=False)


def gd_mask(s, learning_rate, n_iter, kind="discrete"):
    """Gradient-descent filter factors (the paper's Proposition 4.1).

    ``kind="discrete"``: ``1 - (1 - lr s^2)^q``, exactly what ``q`` steps of gradient descent
    ``w <- w + lr A^T (y - A w)`` from ``w = 0`` give (Appendix B). ``kind="flow"``:
    ``1 - exp(-lr q s^2)``, the gradient-flow approximation (Eq. 15).

    Parameters
    ----------
    s : array_like, shape (n,)
        Singular values (nonnegative, finite, any order).
    learning_rate : float or None
        Step size ``lr > 0``; ``None`` means ``1 / max(s)^2``. For ``kind="discrete"`` it must
        satisfy ``lr * max(s)^2 < 2``, else gradient descent diverges (ValueError). For
        ``1 < lr s^2 < 2`` GD overshoots and the discrete mask exceeds 1 after odd ``q``.
    n_iter : int or float
        Number of iterations ``q >= 0`` (an integer for ``"discrete"``; any real ``>= 0``, a
        time, for ``"flow"``).
    kind : {"discrete", "flow"}, default="discrete"

    Returns
    -------
    phi : ndarray, shape (n,)
        Filter factors, in the dtype of ``s``. The discrete mask is computed as
        ``-expm1(q * log1p(-lr s^2))``, accurate to a few ulps even when ``lr s^2`` is far
        below machine epsilon (where ``1 - (1 - lr s^2)^q`` rounds to 0).

    Raises
    ------
    TypeError
        If ``s`` is not numeric, or ``n_iter`` is not an integer for ``kind="discrete"``.
    ValueError
        If ``s`` has negative, NaN or infinite entries, ``learning_rate`` is not positive or
        makes gradient descent diverge (``learning_rate * max(s)**2 >= 2``), ``n_iter`` is
        negative, or ``kind`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.spectral import gd_mask
    >>> gd_mask(np.array([1.0, 0.5]), learning_rate=1.0, n_iter=2)
    array([1.    , 0.4375])
    >>> gd_mask(np.array([1.0, 0.0]), learning_rate=None, n_iter=1.0, kind="flow")
    array([0.63212056, 0.        ])
    """
    s64, dtype = _check_singular_values(s)
    _check_kind(kind)
    n_iter = _check_n_iter(n_iter, kind)
    if s64.size == 0:
        return np.zeros(0, dtype=dtype)
    learning_rate = _resolve_learning_rate(s64, learning_rate, kind)
    x = _scaled_squares(s64, learning_rate)
    if kind == "discrete":
        phi = _discrete_mask(x, n_iter)
    else:
        phi = -np.expm1(-n_iter * x)
    return phi.astype(dtype, copy=False)


def _check_mask_threshold(mask_threshold):
    return check_scalar(
        mask_threshold, "mask_threshold", low=0.0, high=1.0, low_inclusive=False,
        high_inclusive=False,
    )


def n_iter_for_components(
    s, n_components, learning_rate=None, mask_threshold=DEFAULT_MASK_THRESHOLD, kind="discrete"
):
    """Iterations needed for the ``n_components`` largest singular values to pass the mask.

    The paper's Proposition 4.2 (Eq. 16), reconstructed from the mask: the smallest integer
    ``q`` such that the mask at the K-th largest singular value ``s_K`` reaches
    ``mask_threshold`` ``tau``. For the discrete mask, ``1 - (1 - lr s_K^2)^q >= tau`` gives

        q >= log(1 - tau) / log(1 - lr s_K^2),

    and for the flow ``q >= -log(1 - tau) / (lr s_K^2)``. With ``lr = 1 / s_1^2`` and
    ``tau = 1 - 1/e`` (the defaults) the flow relation is the paper's Eq. 17,
    ``q = (s_1 / s_K)^2``; the discrete one differs from it by less than one iteration plus
    ``O(1)`` for ``s_K << s_1``.

    Parameters
    ----------
    s : array_like, shape (n,)
        Singular values (nonnegative, finite, any order).
    n_components : int
        ``K``, in ``[1, n]``.
    learning_rate : float, optional
        ``None`` means ``1 / max(s)^2``; see :func:`gd_mask` for the admissible range.
    mask_threshold : float, default=1 - 1/e
        ``tau`` in ``(0, 1)``.
    kind : {"discrete", "flow"}, default="discrete"

    Returns
    -------
    n_iter : int
        The smallest ``q`` with ``gd_mask(s, learning_rate, q, kind)`` at ``s_K`` >= ``tau``
        (checked against :func:`gd_mask` itself, so the two agree exactly).

    Raises
    ------
    ValueError
        If ``s_K = 0``: no number of iterations lets a zero singular value pass.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.spectral import n_iter_for_components
    >>> s = 1.0 / (2 * np.arange(1, 6) - 1)      # Heaviside-like spectrum 1, 1/3, 1/5, ...
    >>> n_iter_for_components(s, 3, kind="flow")  # (s_1 / s_3)^2 = 25
    25
    """
    s64, _ = _check_singular_values(s)
    _check_kind(kind)
    n_components = check_int(n_components, "n_components", low=1, high=s64.size)
    tau = _check_mask_threshold(mask_threshold)
    learning_rate = _resolve_learning_rate(s64, learning_rate, kind)
    # lr s^2 is increasing in s: the K-th largest of them belongs to s_K
    x = float(np.sort(_scaled_squares(s64, learning_rate))[::-1][n_components - 1])
    if x == 0.0:
        raise ValueError(
            f"the {n_components}-th largest singular value of s is 0"
            + ("" if np.sort(s64)[::-1][n_components - 1] == 0 else
               " to float64 precision next to the learning rate (lr s^2 underflows)")
            + ": no number of iterations lets it pass the mask"
        )
    if kind == "discrete":
        if x >= 1.0:
            return 1  # one step already gives mask lr s_K^2 >= 1 > tau
        estimate = math.log1p(-tau) / math.log1p(-x)
    else:
        estimate = -math.log1p(-tau) / x

    def mask_at(q):
        q = int(q)
        if kind == "discrete":
            return float(_discrete_mask(np.array([x]), q)[0])
        return float(-math.expm1(-q * x))

    # The closed form is exact up to rounding; settle the last iteration with the mask itself.
    n_iter = max(1, math.ceil(estimate))
    while n_iter > 1 and mask_at(n_iter - 1) >= tau:
        n_iter -= 1
    while mask_at(n_iter) < tau:
        n_iter += 1
    return n_iter


def active_components(
    s, learning_rate, n_iter, mask_threshold=DEFAULT_MASK_THRESHOLD, kind="discrete"
):
    """Number of singular values whose gradient-descent mask reaches ``mask_threshold``.

    The inverse of :func:`n_iter_for_components`: how many principal components ``q``
    iterations keep "active" (the paper's bandwidth ``K``).

    Parameters
    ----------
    s : array_like, shape (n,)
        Singular values (nonnegative, finite, any order).
    learning_rate : float or None
        ``None`` means ``1 / max(s)^2``.
    n_iter : int or float
        Iterations, as in :func:`gd_mask`.
    mask_threshold : float, default=1 - 1/e
        ``tau`` in ``(0, 1)``.
    kind : {"discrete", "flow"}, default="discrete"

    Returns
    -------
    n_active : int
        ``count(gd_mask(s, learning_rate, n_iter, kind) >= tau)``.

    Raises
    ------
    TypeError
        If ``s`` is not numeric, or ``n_iter`` is not an integer for ``kind="discrete"``.
    ValueError
        As :func:`gd_mask`, and if ``mask_threshold`` is outside ``(0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.spectral import active_components
    >>> s = 1.0 / (2 * np.arange(1, 6) - 1)
    >>> active_components(s, None, 25, kind="flow")
    3
    """
    s64, _ = _check_singular_values(s)
    tau = _check_mask_threshold(mask_threshold)
    # The float64 mask, also for float32 s: rounding to float32 must not move the count.
    phi = gd_mask(s64, learning_rate, n_iter, kind=kind)
    return int(np.count_nonzero(phi >= tau))
