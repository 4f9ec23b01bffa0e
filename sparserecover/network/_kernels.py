"""Numba kernel: plain full-batch gradient descent for least squares."""

import numpy as np
from numba import njit


@njit(cache=True)
def gd_least_squares(A, Y, learning_rate, n_iter):  # pragma: no cover - compiled
    """``n_iter`` steps of ``W <- W + lr A^T (Y - A W)`` from ``W = 0``.

    The gradient of ``0.5 ||A W - Y||_F^2``; A is (n, m), Y is (n, k), both C-contiguous and of
    one float dtype, ``learning_rate`` of that dtype.
    """
    n, m = A.shape
    k = Y.shape[1]
    At = np.ascontiguousarray(A.T)
    W = np.zeros((m, k), dtype=A.dtype)
    AW = np.empty((n, k), dtype=A.dtype)
    gradient = np.empty((m, k), dtype=A.dtype)
    for _ in range(n_iter):
        np.dot(A, W, AW)
        residual = Y - AW
        np.dot(At, residual, gradient)
        W += learning_rate * gradient
    return W
