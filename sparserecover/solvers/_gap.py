"""The duality gap and its dual point, for the solvers' Numba kernels.

The data fit travels as ``fit = Datafit(op, target, yy)`` and the penalty as
``penalty = Penalty(weights, l2, positive, unpenalized, unpenalized_gram)`` (see
``_problem``): for every column k of ``X``, the primal objective is

    P(x) = 0.5 ||A x - b||^2 + sum_j W_jk |x_j| + 0.5 l2 ||x||^2     (x >= 0 if positive)

``target`` is b for direct problems and c = A.T b for Gram problems (whose ``op`` is G);
``yy`` holds ||b_k||^2. Reductions accumulate in float64 also for float32 data.
"""

import numpy as np
from numba.extending import overload

from .._jit import njit
from ._linalg import column_dots, solve_psd, subtract
from ._products import adjoint, forward, implementation, operator_function


@njit(cache=True)
def primal_terms(X, penalty, rr, primal, xx):
    """primal = 0.5 rr + sum_j W_j |x_j| + 0.5 l2 ||x||^2; xx = ||x||^2 (per column)."""
    W = penalty.weights
    m = X.shape[1]
    for k in range(m):
        primal[k] = 0.5 * rr[k]
        xx[k] = 0.0
    for j in range(X.shape[0]):
        for k in range(m):
            v = np.float64(X[j, k])
            primal[k] += W[j, k] * abs(v)
            xx[k] += v * v
    for k in range(m):
        primal[k] += 0.5 * penalty.l2 * xx[k]


@njit(cache=True)
def refit_unpenalized(G, X, penalty, Z):
    """Z[U] = least-squares correction of the unpenalized coordinates, zero elsewhere.

    With g = A.T r - l2 x, solving (A_S.T A_S + l2 I) z = g_S moves the residual so that
    A_S.T r' - l2 (x + z)_S = 0: the rescaled residual then satisfies the dual constraints of
    the unpenalized coordinates S exactly (up to rounding). With ``positive``, a coordinate
    at zero whose gradient pushes it down (g_j <= 0) already satisfies its one-sided
    constraint and is left out of S.
    """
    W, l2, unpenalized = penalty.weights, penalty.l2, penalty.unpenalized
    Z[:] = 0.0
    n_u = unpenalized.shape[0]
    for k in range(X.shape[1]):
        selected = np.zeros(n_u, dtype=np.bool_)
        n_selected = 0
        for a in range(n_u):
            j = unpenalized[a]
            if W[j, k] == 0.0 and (
                not penalty.positive or X[j, k] > 0.0 or G[j, k] - l2 * X[j, k] > 0.0
            ):
                selected[a] = True
                n_selected += 1
        if n_selected == 0:
            continue
        sub = np.empty((n_selected, n_selected))
        rhs = np.empty(n_selected)
        ia = 0
        for a in range(n_u):
            if not selected[a]:
                continue
            ib = 0
            for b in range(n_u):
                if selected[b]:
                    sub[ia, ib] = penalty.unpenalized_gram[a, b]
                    ib += 1
            j = unpenalized[a]
            rhs[ia] = G[j, k] - l2 * X[j, k]
            ia += 1
        z = solve_psd(sub, rhs, None)  # copes with collinear unpenalized columns
        ia = 0
        for a in range(n_u):
            if selected[a]:
                Z[unpenalized[a], k] = z[ia]
                ia += 1


@njit(cache=True)
def gap_from_dual_scaling(G, X, Z, penalty, rr, yr, primal, gap, scaling):
    """Duality gap at x with the dual point theta = s * r (Z: unpenalized refit, may be 0).

    With g = A.T r - l2 (x + z), the rescaled residual theta = s r is dual feasible when
    s |g_j| <= W_j (s g_j <= W_j with ``positive``): s = min(1, min_j W_j / |g_j|). In the
    augmented form of the elastic net ([A; sqrt(l2) I], [y; 0]) the dual objective is
    D(theta) = s y.T r - 0.5 s^2 (||r||^2 + l2 ||x + z||^2). Unpenalized coordinates
    (W_j = 0) need g_j = 0 (see :func:`_violates_unpenalized`). ``scaling[k]`` receives s
    (gap-safe screening needs the dual point itself).
    """
    W, l2, positive = penalty.weights, penalty.l2, penalty.positive
    p, m = X.shape
    for k in range(m):
        scale = 0.0
        xx = 0.0
        for j in range(p):
            v = np.float64(X[j, k]) + Z[j, k]
            xx += v * v
            scale = max(scale, abs(np.float64(G[j, k]) - l2 * v), W[j, k])
        residual_norm = np.sqrt(max(rr[k], 0.0) + l2 * xx)
        s = 1.0
        if _violates_unpenalized(penalty.unpenalized, penalty, G, X, Z, k, scale,
                                 residual_norm):
            s = 0.0
        if s > 0.0:
            for j in range(p):
                if W[j, k] == 0.0:
                    continue
                g = np.float64(G[j, k]) - l2 * (np.float64(X[j, k]) + Z[j, k])
                bound = abs(g) if not positive else g
                if bound * s > W[j, k]:
                    s = W[j, k] / bound
        dual = s * yr[k] - 0.5 * s * s * (rr[k] + l2 * xx)
        gap[k] = max(primal[k] - dual, 0.0)
        scaling[k] = s


@njit(cache=True)
def _violates_unpenalized(unpenalized, penalty, G, X, Z, k, scale, residual_norm):
    """Whether column k's dual point breaks an unpenalized coordinate's constraint g_j = 0.

    The refit makes it hold up to the rounding of g_j = [A_j; sqrt(l2) e_j].T
    [r; -sqrt(l2) (x + z)]. By Cauchy-Schwarz that rounding is a multiple of
    sqrt(||A_j||^2 + l2) * sqrt(||r||^2 + l2 ||x + z||^2) (the diagonal of
    ``unpenalized_gram`` gives the first factor): a violation above sqrt(machine epsilon)
    times that bound, or times the largest |g_j| or W_j (``scale``), makes s = 0, a valid but
    useless dual point. (A tolerance from |g| and W alone collapses to zero when every weight
    is zero, and then the exact least-squares or ridge solution got a relative gap of 1.)
    ``unpenalized`` is None when every coefficient is penalized.
    """
    if unpenalized is None:
        return False
    relative_rounding = np.sqrt(np.finfo(Z.dtype).eps)
    for a in range(unpenalized.shape[0]):
        j = unpenalized[a]
        if penalty.weights[j, k] != 0.0:
            continue
        g = np.float64(G[j, k]) - penalty.l2 * (np.float64(X[j, k]) + Z[j, k])
        bound = abs(g) if not penalty.positive else g
        zero_tol = relative_rounding * max(
            scale, np.sqrt(max(penalty.unpenalized_gram[a, a], 0.0)) * residual_norm
        )
        if bound > zero_tol:
            return True
    return False


def residual_terms(op, target, yy, FX, X, resid, G, rr, yr):
    """rr = ||r||^2, yr = b.T r and G = A.T r for the residual r = b - A x, from FX = A x."""
    subtract(target, FX, resid)
    column_dots(resid, resid, rr)
    column_dots(target, resid, yr)
    adjoint(op, resid, G)


@overload(residual_terms)
def _residual_terms(op, target, yy, FX, X, resid, G, rr, yr):
    def gram(op, target, yy, FX, X, resid, G, rr, yr):
        # with FX = G x and c = A.T b: ||r||^2 = x.T G x - 2 c.T x + ||b||^2, b.T r =
        # ||b||^2 - c.T x and A.T r = c - G x
        subtract(target, FX, G)
        column_dots(X, FX, rr)
        column_dots(target, X, yr)
        for k in range(rr.shape[0]):
            rr[k] = max(rr[k] - 2.0 * yr[k] + yy[k], 0.0)
            yr[k] = yy[k] - yr[k]

    return implementation(op, Gram=gram, direct=residual_terms)


def refit_terms(op, target, Z, FZ, resid, G, rr, yr):
    """The terms of :func:`residual_terms` for the refit's residual r' = r - A z (FZ = A z)."""
    subtract(resid, FZ, resid)
    column_dots(resid, resid, rr)
    column_dots(target, resid, yr)
    adjoint(op, resid, G)


@overload(refit_terms)
def _refit_terms(op, target, Z, FZ, resid, G, rr, yr):
    def gram(op, target, Z, FZ, resid, G, rr, yr):
        # ||r'||^2 = ||r||^2 - 2 z.T A.T r + z.T G z, b.T r' = b.T r - c.T z
        m = rr.shape[0]
        tmp = np.empty(m)
        column_dots(Z, G, tmp)
        for k in range(m):
            rr[k] -= 2.0 * tmp[k]
        column_dots(Z, FZ, tmp)
        for k in range(m):
            rr[k] = max(rr[k] + tmp[k], 0.0)
        column_dots(target, Z, tmp)
        for k in range(m):
            yr[k] -= tmp[k]
        subtract(G, FZ, G)

    return implementation(op, Gram=gram, direct=refit_terms)


operator_function(residual_terms)
operator_function(refit_terms)


@njit(cache=True)
def _refit(unpenalized, fit, penalty, X, resid, G, Z, FZ, rr, yr):
    """The unpenalized refit Z and the residual terms after it (Z = 0 without unpenalized
    coefficients, ``unpenalized`` None)."""
    if unpenalized is None:
        Z[:] = 0.0
        return
    refit_unpenalized(G, X, penalty, Z)
    forward(fit.op, Z, FZ)
    refit_terms(fit.op, fit.target, Z, FZ, resid, G, rr, yr)


@njit(cache=True)
def duality_gap(fit, penalty, FX, X, resid, G, Z, FZ, primal, gap, scaling):
    """Fill primal[k] = P(x_k) and gap[k] = P(x_k) - D(theta_k) for every column k.

    On return ``G`` holds A.T r' (r' the residual after the unpenalized refit ``Z``) and
    ``scaling`` the dual scaling s: theta = s r'. Uses FX = forward(X).
    """
    m = X.shape[1]
    rr = np.empty(m)
    yr = np.empty(m)
    xx = np.empty(m)
    residual_terms(fit.op, fit.target, fit.yy, FX, X, resid, G, rr, yr)
    primal_terms(X, penalty, rr, primal, xx)
    _refit(penalty.unpenalized, fit, penalty, X, resid, G, Z, FZ, rr, yr)
    gap_from_dual_scaling(G, X, Z, penalty, rr, yr, primal, gap, scaling)


@njit(cache=True)
def column_met(primal, gap, tol, atol):
    """The stopping rule for one column: ``gap <= max(tol * primal, atol)``.

    ``tol`` is the relative tolerance of the functional solvers, ``atol`` the absolute one
    of the estimators (scikit-learn's ``tol * ||y||^2``); the unused one is zero.
    """
    return gap <= max(tol * primal, atol)


@njit(cache=True)
def all_met(primal, gap, tol, atol):
    """Whether every column meets :func:`column_met` (``atol`` per column)."""
    for k in range(primal.shape[0]):
        if not column_met(primal[k], gap[k], tol, atol[k]):
            return False
    return True
