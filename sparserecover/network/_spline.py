"""The spline connection (Lucey 2025, Proposition 3.1 and Appendix A), in discrete form.

Discrete spline smoothing (Appendix A, Eq. 20) estimates a function ``f`` on a fine grid
``t_0 < ... < t_{M-1}`` of spacing ``h`` from samples ``y_i`` at grid points:

    min_f  ||S f - y||^2 + penalty * h * ||D_r f / h^r||^2,

with ``S`` the rows of the identity at the sample points and ``D_r`` the r-th order
finite-difference matrix ("same" convolution, zero padding on the left). ``h ||D_r f/h^r||^2``
is the Riemann sum of Eq. 3's ``int |f^(r)(x)|^2 dx``. Substituting ``w = D_r f`` turns it into
ridge regression on the features ``B = D_r^{-1}`` (Eq. 21), whose columns are discrete
truncated powers:

- r = 1: ``B_ij = [t_i >= t_j]``, exactly the Heaviside features ``H(x - b_j)`` with biases on
  the grid (``H(0) = 1``);
- r = 2: ``B_ij = (i - j + 1)_+``, exactly ``ReLU(x - b_j) / h`` with ``b_j = t_j - h``;
- r = 3: ``B_ij = (i - j + 1)(i - j + 2) / 2`` for ``i >= j``: *not* a ReLU^2 column. ReLU^2
  features with ``b_j = t_j - h`` satisfy ``B_relu2 = h^2 D_3^{-1} (I + Z)`` (``Z`` the shift
  down), so their ridge solution is spline smoothing with the penalty
  ``||(I + Z)^{-1} D_3 f||^2``: the third-order difference seen through a two-tap average, equal
  to ``||D_3 f||^2 / 4`` up to ``O(h)`` for smooth ``f``. The equivalence with third-order
  splines is therefore asymptotic (``M -> infinity``, as the paper says of Eq. 4), not exact.
"""

from math import comb

import numpy as np

from sparserecover._validation import as_float_array, check_finite, check_int, check_scalar

__all__ = ["finite_difference_matrix", "spline_smoothing"]


def finite_difference_matrix(n, order, *, boundary="same", dtype=np.float64):
    """The ``order``-th backward finite-difference matrix (unscaled binomial filter).

    Row ``i`` computes ``sum_k (-1)^k C(order, k) f_{i-k}``.

    Parameters
    ----------
    n : int
        Length of the signal (``>= 1``).
    order : int
        Order ``r >= 0`` (0 is the identity).
    boundary : {"same", "valid"}, default="same"
        ``"same"``: square ``(n, n)`` lower-triangular matrix, values left of the signal taken
        as 0 (the paper's choice; nonsingular, unit diagonal). ``"valid"``: only the
        ``n - order`` rows that need no padding, shape ``(n - order, n)``.
    dtype : dtype, default=float64

    Returns
    -------
    D : ndarray

    Raises
    ------
    ValueError
        If ``n < 1`` or ``order < 0``.

    Examples
    --------
    >>> from sparserecover.network import finite_difference_matrix
    >>> finite_difference_matrix(4, 2)
    array([[ 1.,  0.,  0.,  0.],
           [-2.,  1.,  0.,  0.],
           [ 1., -2.,  1.,  0.],
           [ 0.,  1., -2.,  1.]])
    >>> finite_difference_matrix(4, 2, boundary="valid")
    array([[ 1., -2.,  1.,  0.],
           [ 0.,  1., -2.,  1.]])
    """
    n, order = check_int(n, "n", low=1), check_int(order, "order", low=0)
    if boundary not in ("same", "valid"):
        raise ValueError(f"boundary must be 'same' or 'valid'; got {boundary!r}")
    D = np.zeros((n, n), dtype=dtype)
    for k in range(min(order, n - 1) + 1):
        D[np.arange(k, n), np.arange(n - k)] = (-1) ** k * comb(order, k)
    if boundary == "valid":
        if order >= n:
            raise ValueError(f"boundary='valid' needs order < n; got order={order}, n={n}")
        return D[order:]
    return D


def spline_smoothing(x, y, grid, order, penalty, *, boundary="same"):
    """Discrete spline smoothing on a uniform grid (the paper's Eq. 20).

    Minimizes ``||S f - y||^2 + penalty * h * ||D f / h^order||^2`` over the values ``f`` on
    ``grid``, with ``S`` picking the grid points at ``x`` and ``D`` from
    :func:`finite_difference_matrix`.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Sample positions; each must be a point of ``grid`` (to 1e-9 of its spacing).
    y : array_like, shape (n_samples,)
        Samples.
    grid : array_like, shape (n_grid,)
        Uniform, increasing grid (``n_grid >= 2``).
    order : int
        Order ``r`` of the penalized derivative.
    penalty : float
        ``lambda >= 0`` of Eq. 3.
    boundary : {"same", "valid"}, default="same"

    Returns
    -------
    f : ndarray, shape (n_grid,)
        The smoothed function on the grid.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.network import spline_smoothing
    >>> grid = np.linspace(0, 1, 5)
    >>> f = spline_smoothing(grid, 2 * grid + 1, grid, order=2, penalty=1.0, boundary="valid")
    >>> np.round(f, 10)  # a straight line has no second derivative: kept exactly
    array([1. , 1.5, 2. , 2.5, 3. ])
    """
    x = check_finite(as_float_array(x, "x", dtype=np.float64), "x")
    y = check_finite(as_float_array(y, "y", dtype=np.float64), "y")
    grid = check_finite(as_float_array(grid, "grid", dtype=np.float64), "grid")
    penalty = check_scalar(penalty, "penalty", low=0.0)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-D of one length; got {x.shape} and {y.shape}")
    if grid.ndim != 1 or grid.size < 2:
        raise ValueError("grid must be 1-D with at least 2 points")
    spacing = np.diff(grid)
    h = float(spacing.mean())
    if h <= 0 or np.max(np.abs(spacing - h)) > 1e-9 * h:
        raise ValueError("grid must be uniform and increasing")
    index = np.rint((x - grid[0]) / h).astype(np.int64)
    if np.any(index < 0) or np.any(index >= grid.size) or np.any(
        np.abs(grid[np.clip(index, 0, grid.size - 1)] - x) > 1e-9 * h
    ):
        raise ValueError("every x must be a point of grid")
    D = finite_difference_matrix(grid.size, order, boundary=boundary) / h**order
    # Least squares on the stacked system [S; sqrt(penalty h) D] f ~ [y; 0]: the normal
    # equations would square a condition number that grows like h^(-2 order).
    S = np.zeros((x.size, grid.size))
    S[np.arange(x.size), index] = 1.0
    stacked = np.vstack([S, np.sqrt(penalty * h) * D])
    rhs = np.concatenate([y, np.zeros(D.shape[0])])
    # minimum-norm solution where the system is singular (boundary="valid", few samples)
    return np.linalg.lstsq(stacked, rhs, rcond=None)[0]
