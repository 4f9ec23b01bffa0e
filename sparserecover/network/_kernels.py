"""Numba kernel: plain full-batch gradient descent for least squares."""

import numpy as np

from .._jit import njit


@njit(cache=True)
def gd_least_squares(A, Y, learning_rate, n_iter):  # pragma: no cover - compiled
    """``n_iter`` steps of ``w <- w + lr A^T (y - A w)`` from ``w = 0``, per column of Y.

    The gradient of ``0.5 ||A w - y||^2``; A is (n, m), Y is (n, k), both C-contiguous and of
    one float dtype, ``learning_rate`` of that dtype. Column by column with matrix-vector
    products (BLAS gemv, both reading the one array A) and no allocation inside the loop: for
    the usual single target a (n, m) @ (m, 1) matrix product is markedly slower than gemv, and
    a transposed copy of A doubles the memory traffic once A outgrows the cache.
    """
    n, m = A.shape
    W = np.zeros((m, Y.shape[1]), dtype=A.dtype)
    w = np.empty(m, dtype=A.dtype)
    fitted = np.empty(n, dtype=A.dtype)
    gradient = np.empty(m, dtype=A.dtype)
    for column in range(Y.shape[1]):
        y = np.ascontiguousarray(Y[:, column])
        w[:] = 0
        for _ in range(n_iter):
            np.dot(A, w, fitted)
            for i in range(n):
                fitted[i] = y[i] - fitted[i]  # the residual, in place
            np.dot(fitted, A, gradient)  # A^T r from A itself: one copy of A in cache
            for j in range(m):
                w[j] += learning_rate * gradient[j]
        for j in range(m):
            W[j, column] = w[j]
    return W
