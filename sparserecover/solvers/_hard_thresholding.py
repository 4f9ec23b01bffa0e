"""Numba kernels of normalized IHT and hard thresholding pursuit (``iht(method="niht" |
"htp")``); the hard threshold they share with the scaled pursuit.
"""

import numpy as np

from .._jit import njit, trace
from .._selection import keep_largest
from ._linalg import column_dots, solve_psd, subtract
from ._products import adjoint, forward, gather_columns


@njit(cache=True)
def hard_threshold_column(V, k, n_nonzero, out, support):
    """out[:, k] = V[:, k] on its n_nonzero largest magnitudes (ties: lower index), else 0.

    ``support[:, k]`` gets the kept set: the selection of ``prox.project_k_sparse``.
    """
    p = V.shape[0]
    magnitude = np.empty(p)
    for j in range(p):
        magnitude[j] = abs(V[j, k])
    keep = np.empty(p, dtype=np.bool_)
    keep_largest(magnitude, n_nonzero, keep)
    for j in range(p):
        support[j, k] = keep[j]
        out[j, k] = V[j, k] if keep[j] else 0.0


@njit(cache=True)
def support_of(M, k):
    """The rows j where ``M[j, k]`` is nonzero (True), ascending: ``np.flatnonzero(M[:, k])``.

    Written out: Numba's ``np.flatnonzero`` and ``np.count_nonzero`` compile anew for every
    array type they meet, each at several times the cost of this loop.
    """
    count = 0
    for j in range(M.shape[0]):
        if M[j, k] != 0:
            count += 1
    rows = np.empty(count, dtype=np.int64)
    count = 0
    for j in range(M.shape[0]):
        if M[j, k] != 0:
            rows[count] = j
            count += 1
    return rows


@njit(cache=True)
def support_least_squares(op, target, support, X, k, n_nonzero, A_S):
    """X[:, k] = argmin ||A z - y_k|| over z supported on support[:, k] (HTP's refit).

    Normal equations in float64 (``A_S`` is a float64 buffer), solved by Cholesky: 10x faster
    than an SVD-based lstsq at these sizes, and accurate for the well-conditioned supports
    HTP selects.
    """
    columns = support_of(support, k)
    gather_columns(op, columns, X.shape[0], A_S)
    rhs = np.empty(target.shape[0])
    for i in range(target.shape[0]):
        rhs[i] = target[i, k]
    z = solve_psd(np.dot(A_S.T, A_S), np.dot(A_S.T, rhs), None)
    X[:, k] = 0.0
    for a in range(columns.shape[0]):
        X[columns[a], k] = z[a]


@njit(cache=True)
def iht_loop(op, target, X, n_nonzero, fixed_step, pursuit, max_iter, tol, callback, verbose):
    """Normalized IHT (Blumensath & Davies, IEEE J. Sel. Topics Signal Process. 2010), every
    column at once; with ``pursuit``, hard thresholding pursuit (Foucart, SIAM J. Numer. Anal.
    2011): least squares on each new support.

    Step: mu = ||g_S||^2 / ||A g_S||^2 for the gradient g = A.T (y - A x) restricted to the
    current support S (a constant ``fixed_step > 0`` replaces it). When the support changes,
    mu must not exceed omega = (1 - c) ||x_new - x||^2 / ||A (x_new - x)||^2 and is divided
    by kappa (1 - c) until it does (c = 0.01, kappa = 2, the paper's values). Stops when
    ||x_new - x|| <= tol ||x_new|| for every column (HTP: or its support is unchanged).
    """
    n, m = target.shape
    p = X.shape[0]
    c, kappa = 0.01, 2.0
    FX = np.empty_like(target)
    resid = np.empty_like(target)
    grad = np.empty_like(X)
    G_S = np.empty_like(X)
    FG = np.empty_like(target)
    V = np.empty_like(X)
    X_new = np.empty_like(X)
    D = np.empty_like(X)
    FD = np.empty_like(target)
    support = np.zeros(X.shape, dtype=np.bool_)
    new_support = np.zeros(X.shape, dtype=np.bool_)
    A_S = np.empty((n, n_nonzero))  # float64 for the normal equations
    mu = np.empty(m)
    num = np.empty(m)
    den = np.empty(m)
    change = np.empty(m)
    size = np.empty(m)
    rr_previous = np.empty(m)
    rr_previous[:] = np.inf
    forward(op, X, FX)
    subtract(target, FX, resid)
    adjoint(op, resid, grad)
    for k in range(m):
        if support_of(X, k).shape[0] == 0:
            # start: the support of H_k(A.T y)
            hard_threshold_column(grad, k, n_nonzero, V, support)
        else:
            for j in range(p):
                support[j, k] = X[j, k] != 0.0
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        if fixed_step > 0.0:
            mu[:] = fixed_step
        else:
            for j in range(p):
                for k in range(m):
                    G_S[j, k] = grad[j, k] if support[j, k] else 0.0
            forward(op, G_S, FG)
            column_dots(G_S, G_S, num)
            column_dots(FG, FG, den)
            for k in range(m):
                mu[k] = num[k] / den[k] if den[k] > 0.0 else 0.0
        while True:
            _extrapolate_step(X, grad, mu, V)
            for k in range(m):
                hard_threshold_column(V, k, n_nonzero, X_new, new_support)
            if pursuit:
                for k in range(m):
                    support_least_squares(op, target, new_support, X_new, k, n_nonzero, A_S)
            subtract(X_new, X, D)
            changed = np.zeros(m, dtype=np.bool_)
            for j in range(p):
                for k in range(m):
                    if new_support[j, k] != support[j, k]:
                        changed[k] = True
            if fixed_step <= 0.0 and not pursuit and not changed.any():
                # same support: x_new = x + mu g_S, so A (x_new - x) = mu A g_S, known
                for i in range(n):
                    for k in range(m):
                        FD[i, k] = mu[k] * FG[i, k]
                break
            forward(op, D, FD)
            if fixed_step > 0.0 or pursuit:
                break
            column_dots(D, D, num)
            column_dots(FD, FD, den)
            shrunk = False
            for k in range(m):
                if changed[k] and den[k] > 0.0 and mu[k] > (1.0 - c) * num[k] / den[k]:
                    mu[k] = mu[k] / (kappa * (1.0 - c))
                    shrunk = True
            if not shrunk:
                break
        column_dots(D, D, change)
        column_dots(X_new, X_new, size)
        same_support = not changed.any()
        for j in range(p):
            for k in range(m):
                X[j, k] = X_new[j, k]
                support[j, k] = new_support[j, k]
        # A x_new = A x + A (x_new - x); refreshed exactly below every 20 iterations
        for i in range(n):
            for k in range(m):
                FX[i, k] += FD[i, k]
        if it % 20 == 0:
            forward(op, X, FX)
        subtract(target, FX, resid)
        converged = True
        for k in range(m):
            if not change[k] <= tol * tol * size[k]:
                converged = False
        stop = False
        if pursuit and it > 1:
            # x is the least-squares fit on a support that reproduces itself: a fixed point
            if same_support:
                converged = True
            else:
                # a least-squares fit on a new support that does not lower the residual means
                # HTP is cycling between supports (Foucart 2011 guarantees descent only under
                # RIP conditions): stop, not converged
                column_dots(resid, resid, num)
                stagnated = True
                for k in range(m):
                    if num[k] < rr_previous[k] * (1.0 - 1e-12):
                        stagnated = False
                if stagnated:
                    stop = True
        if pursuit:
            column_dots(resid, resid, rr_previous)
        if callback is not None:
            stop = stop or callback(X)
        if verbose:
            trace("iteration", it, "squared change", change.sum(), "squared norm", size.sum())
        if converged or stop:
            break
        adjoint(op, resid, grad)
    return X, it, half_squared_residual(op, target, X), converged


@njit(cache=True)
def half_squared_residual(op, target, X):
    """0.5 ||y_k - A x_k||^2 for every column k, in float64."""
    resid = np.empty_like(target)
    forward(op, X, resid)
    subtract(target, resid, resid)
    objective = np.empty(X.shape[1])
    column_dots(resid, resid, objective)
    return 0.5 * objective


@njit(cache=True)
def _extrapolate_step(X, grad, mu, out):
    """out = X + mu * grad, one mu per column (IHT's gradient step)."""
    for j in range(X.shape[0]):
        for k in range(X.shape[1]):
            out[j, k] = X[j, k] + mu[k] * grad[j, k]
