"""The proximal-gradient loop (ISTA / FISTA) as a Numba kernel.

Data fit and penalty travel as the named tuples of ``_problem`` (see ``_gap``); every array
holds one column per right-hand side.
"""

import numpy as np
from numba.extending import overload

from .._jit import njit, trace
from .._prox_kernels import soft_threshold
from ._gap import all_met, duality_gap
from ._linalg import column_diff_dots, subtract
from ._products import adjoint, forward, implementation, operator_function, residual_gradient


def gradient(op, target, FY, resid, out):
    """Gradient of 0.5 ||A y - b||^2 at Y from FY = forward(Y): A.T (A y - b)."""
    subtract(FY, target, resid)
    adjoint(op, resid, out)


@overload(gradient)
def _gradient(op, target, FY, resid, out):
    def gram(op, target, FY, resid, out):
        subtract(FY, target, out)  # G y - c, for FY = G y and c = A.T b

    return implementation(op, Gram=gram, direct=gradient)


def curvature(op, X, Y, FX, FY, out):
    """out[k] = ||A d_k||^2 for d = X - Y, from FX = forward(X) and FY = forward(Y)."""
    column_diff_dots(FX, FY, FX, FY, out)


@overload(curvature)
def _curvature(op, X, Y, FX, FY, out):
    def gram(op, X, Y, FX, FY, out):
        column_diff_dots(X, Y, FX, FY, out)  # d.T G d

    return implementation(op, Gram=gram, direct=curvature)


operator_function(gradient)
operator_function(curvature)


@njit(cache=True)
def prox_gradient_step(Y, grad, step, penalty, X, out, products):
    """out = prox_{step * h}(Y - step * grad), h = sum_j W_j |x_j| + 0.5 l2 ||x||^2 (+ x >= 0).

    Also products[k] = (Y - out).T (out - X) per column, the adaptive-restart test of
    O'Donoghue & Candes, fused into the same pass over the data.
    """
    W, l2, positive = penalty.weights, penalty.l2, penalty.positive
    p, m = Y.shape
    if m == 1:
        products[0] = _prox_gradient_step_column(
            Y.reshape(p), grad.reshape(p), step[0], W.reshape(p), l2, positive, X.reshape(p),
            out.reshape(p),
        )
        return
    shrink = np.empty(m)
    for k in range(m):
        shrink[k] = 1.0 / (1.0 + step[k] * l2)
        products[k] = 0.0
    for j in range(p):
        for k in range(m):
            t = step[k]
            new = soft_threshold(Y[j, k] - t * grad[j, k], t * W[j, k]) * shrink[k]
            out[j, k] = max(new, 0.0) if positive else new
            new = out[j, k]  # as stored (float32 data is rounded)
            products[k] += (np.float64(Y[j, k]) - new) * (new - np.float64(X[j, k]))


@njit(cache=True)
def _prox_gradient_step_column(y, grad, step, w, l2, positive, x, out):
    """:func:`prox_gradient_step` for one column (1-D arrays, a unit-stride loop that LLVM
    vectorizes); returns the restart product."""
    shrink = 1.0 / (1.0 + step * l2)
    for j in range(y.shape[0]):
        new = soft_threshold(y[j] - step * grad[j], step * w[j]) * shrink
        out[j] = max(new, 0.0) if positive else new
    return _restart_product(y, out, x)


@njit(fastmath={"reassoc"}, cache=True)
def _restart_product(y, x_new, x):
    """(y - x_new).T (x_new - x) in float64 (O'Donoghue & Candes' restart test).

    Reassociation vectorizes the sum; only its sign is used, and a rounding-level change of
    a value near zero only moves one restart by an iteration.
    """
    total = 0.0
    for j in range(y.shape[0]):
        new = np.float64(x_new[j])  # as stored (float32 data is rounded)
        total += (np.float64(y[j]) - new) * (new - np.float64(x[j]))
    return total


@njit(cache=True)
def extrapolate(x_new, x_old, beta, out):
    """out = x_new + beta * (x_new - x_old), one beta per column (FISTA's momentum)."""
    if x_new.shape[1] == 1:  # 1-D views: a unit-stride loop that LLVM vectorizes
        n = x_new.shape[0]
        a, b, o, c = x_new.reshape(n), x_old.reshape(n), out.reshape(n), beta[0]
        for i in range(n):
            o[i] = a[i] + c * (a[i] - b[i])
        return
    for i in range(x_new.shape[0]):
        for k in range(x_new.shape[1]):
            out[i, k] = x_new[i, k] + beta[k] * (x_new[i, k] - x_old[i, k])


@njit(cache=True)
def proximal_gradient(fit, penalty, X, step, tol, atol, max_iter, gap_freq, accelerate,
                      restart, FX_new, backtrack, history, callback, verbose):
    """ISTA / FISTA on 0.5 ||A x - b||^2 + sum W |x| + 0.5 l2 ||x||^2, every column at once.

    FISTA: Beck & Teboulle (2009), with the gradient-based adaptive restart of O'Donoghue &
    Candes (2015): momentum is reset when (y_k - x_{k+1}).T (x_{k+1} - x_k) > 0. Stops when
    every column meets ``gap <= max(tol * P(x), atol)`` (``_gap.column_met``), tested every
    ``gap_freq`` iterations.

    ``FX_new`` is None where the gradient A.T (A y_k - b) takes one pass over A
    (``_products.residual_gradient``: dense problems with few columns, CSR), and the duality
    gap the products A @ x_k and A.T @ r. Otherwise it is a buffer for A @ x_{k+1}: one product
    A @ x_{k+1} and one A.T @ (A y_k - b) per iteration, with A y_k extrapolated from A x_{k+1}
    and A x_k (which the momentum combination leaves exact), and one more A.T product per gap.
    ``backtrack`` (not None: that loop only) halves a column's step until
    ||A d||^2 <= ||d||^2 / step for d = x_{k+1} - y_k, the sufficient-decrease condition of
    Beck & Teboulle for a quadratic f. ``history`` is None or the buffers ``(n_iter,
    objective, gap)`` to record each gap evaluation in; the count recorded is returned.
    Options passed as None are not compiled at all. ``X`` and ``step`` are updated in place.
    """
    op = fit.op
    m = X.shape[1]
    X_old = X.copy()
    X_new = np.empty_like(X)
    Y = X.copy()
    grad = np.empty_like(X)
    FX = np.empty_like(fit.target)  # A x (G x for Gram problems); only at gaps if fused
    forward(op, X, FX)
    FY = FX.copy()
    resid = np.empty_like(fit.target)
    G = np.empty_like(X)
    Z = np.zeros_like(X)
    FZ = np.empty_like(fit.target)
    primal = np.empty(m)
    gap = np.empty(m)
    scaling = np.empty(m)
    t = np.ones(m)
    beta = np.zeros(m)
    products = np.empty(m)

    duality_gap(fit, penalty, FX, X, resid, G, Z, FZ, primal, gap, scaling)
    # int64 zeros, not literals: a literal argument compiles _record once more for it
    n_recorded = _record(history, np.int64(0), np.int64(0), primal, gap)
    converged = all_met(primal, gap, tol, atol)
    if verbose:
        trace("iteration", 0, "objective", primal.sum(), "gap", gap.sum())
    it = 0
    checked = True
    while not converged and it < max_iter:
        it += 1
        if FX_new is None:
            residual_gradient(op, fit.target, Y, resid, grad)
            prox_gradient_step(Y, grad, step, penalty, X, X_new, products)
        else:
            gradient(op, fit.target, FY, resid, grad)
            prox_gradient_step(Y, grad, step, penalty, X, X_new, products)
            forward(op, X_new, FX_new)
            if backtrack is not None:
                _backtrack(op, Y, grad, step, penalty, X, X_new, FY, FX_new, products)
        if accelerate:
            for k in range(m):
                t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t[k] * t[k]))
                beta[k] = (t[k] - 1.0) / t_next
                t[k] = t_next
                if restart and products[k] > 0.0:
                    t[k] = 1.0
                    beta[k] = 0.0
        extrapolate(X_new, X, beta, Y)
        if FX_new is not None:
            extrapolate(FX_new, FX, beta, FY)
            _copy(FX_new, FX)  # (not a swap: Numba compiles only one branch for an unassigned
            # argument that is None)
        X_old, X, X_new = X, X_new, X_old
        checked = False
        stop = False
        if callback is not None:
            stop = callback(X)
        if it % gap_freq == 0 or it == max_iter or stop:
            if FX_new is None:
                forward(op, X, FX)
            duality_gap(fit, penalty, FX, X, resid, G, Z, FZ, primal, gap, scaling)
            checked = True
            converged = all_met(primal, gap, tol, atol)
            n_recorded = _record(history, n_recorded, it, primal, gap)
            if verbose:
                trace("iteration", it, "objective", primal.sum(), "gap", gap.sum())
        if stop:
            break
    if not checked:
        if FX_new is None:
            forward(op, X, FX)
        duality_gap(fit, penalty, FX, X, resid, G, Z, FZ, primal, gap, scaling)
        converged = all_met(primal, gap, tol, atol)
    return X, it, primal, gap, converged, n_recorded


@njit(cache=True)
def _copy(source, out):
    for i in range(source.shape[0]):
        for k in range(source.shape[1]):
            out[i, k] = source[i, k]


@njit(cache=True)
def _backtrack(op, Y, grad, step, penalty, X, X_new, FY, FX_new, products):
    """Halve each column's step until the quadratic upper bound holds at X_new (recomputing
    X_new and FX_new = A X_new)."""
    m = X.shape[1]
    quadratic = np.empty(m)
    sq_step = np.empty(m)
    while True:
        curvature(op, X_new, Y, FX_new, FY, quadratic)
        column_diff_dots(X_new, Y, X_new, Y, sq_step)
        accepted = True
        for k in range(m):
            # the 1e-12 slack keeps rounding from shrinking an already valid step
            if quadratic[k] * step[k] > sq_step[k] * (1.0 + 1e-12):
                step[k] *= 0.5
                accepted = False
        if accepted:
            return
        prox_gradient_step(Y, grad, step, penalty, X, X_new, products)
        forward(op, X_new, FX_new)


@njit(cache=True)
def _record(history, n_recorded, it, primal, gap):
    """Record a gap evaluation in ``history`` (None: nothing); the new count."""
    if history is None:
        return n_recorded
    hist_iter, hist_primal, hist_gap = history
    if n_recorded >= hist_iter.shape[0]:
        return n_recorded
    hist_iter[n_recorded] = it
    for k in range(primal.shape[0]):
        hist_primal[n_recorded, k] = primal[k]
        hist_gap[n_recorded, k] = gap[k]
    return n_recorded + 1
