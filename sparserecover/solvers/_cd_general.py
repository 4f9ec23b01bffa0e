"""Numba kernel of working-set coordinate descent for any data fit and separable penalty.

The problem is ``F(X w + b) + sum_j pen_j(w_j)``, with ``F(z) = (1 / scale) sum_i f_i(z_i)``
a separable data fit (least squares, logistic loss, Huber loss) and ``pen`` a separable
penalty (weighted l1 plus l2, MCP, SCAD). Both travel as the small named tuples below; the
functions that use them (a coordinate's proximal step, its optimality violation, the loss
derivative at one sample, ...) are Python stubs with a Numba ``@overload`` dispatched on the
tuple's type, so a solve compiles only the data fit and the penalty it uses, as
``_products`` dispatches the products on the operator's storage.

The algorithm is skglm's (Bertrand et al., "Beyond L1: faster and better sparse models with
skglm", NeurIPS 2022): outer iterations pick a working set, cyclic coordinate descent with
Anderson extrapolation solves the problem restricted to it. A coordinate step is the
proximal map of ``pen_j`` with step ``1 / L_j`` at ``w_j - grad_j / L_j``, ``L_j`` the
Lipschitz constant of the data fit's partial derivative (exact minimization for least
squares). Non-convex penalties have no duality gap: the stopping criterion is the violation
of the first-order optimality conditions, ``max_j dist(-grad_j, partial pen_j(w_j))`` (and
``|dF/db|`` for a fitted intercept), as skglm's.

State: the kernel keeps ``s``, and ``raw = F'(z)`` (the derivative of the data fit at each
sample, times ``scale``). For least squares ``s = raw = X w - y`` is one array and updating a
coordinate is one column axpy (the centred sparse operator included); for the other fits
``s = X w + b`` and each step refreshes ``raw`` on the rows of the column it changed.
"""

import math
from collections import namedtuple

import numpy as np
from numba import types
from numba.extending import overload

from .._jit import njit
from .._prox_kernels import mcp_threshold, scad_threshold, soft_threshold
from .._selection import kth_largest
from ._cd_kernels import anderson_weights
from ._products import column_axpy, column_dot

# Data fits: F(z) = (1 / scale) sum_i f_i(z_i).
# f_i(z) = 0.5 (z - y_i)^2; the kernel's state is the residual X w - y itself.
Quadratic = namedtuple("Quadratic", ["scale"])
# f_i(z) = log(1 + exp(-y_i z)), y_i in {-1, +1}.
Logistic = namedtuple("Logistic", ["y", "scale"])
# f_i(z) = 0.5 (z - y_i)^2 for |z - y_i| <= delta, delta |z - y_i| - 0.5 delta^2 beyond.
Huber = namedtuple("Huber", ["y", "delta", "scale"])

# Penalties.
# sum_j weights_j |w_j| + 0.5 l2 w_j^2 (weights_j = 0: an unpenalized coefficient).
L1L2 = namedtuple("L1L2", ["weights", "l2"])
# MCP (Zhang 2010) and SCAD (Fan & Li 2001) of level alpha and shape gamma, on every w_j.
MCP = namedtuple("MCP", ["alpha", "gamma"])
SCAD = namedtuple("SCAD", ["alpha", "gamma"])

# Anderson extrapolation from the last _ANDERSON_K passes (skglm's choice), and how often
# (in passes) the working set's optimality violation is computed.
_ANDERSON_K = 5
_CHECK_EVERY = 10


def _kind(value):
    """The name of a kernel argument's named tuple type (for an ``@overload``)."""
    if isinstance(value, types.BaseNamedTuple):
        return value.instance_class.__name__
    return None


# ---------------------------------------------------------------------------- data fits


def curvature(fit):
    """Bound on f_i'' (compiled only): L_j = curvature * ||X_j||^2 / scale."""


@overload(curvature)
def _curvature(fit):
    value = {"Quadratic": 1.0, "Logistic": 0.25, "Huber": 1.0}[_kind(fit)]
    return lambda fit: value


def sample_derivative(fit, i, z):
    """f_i'(z) (compiled only; not for least squares, whose state is its derivative)."""


@overload(sample_derivative)
def _sample_derivative(fit, i, z):
    kind = _kind(fit)
    if kind == "Logistic":
        # -y sigmoid(-y z); exp overflowing to inf gives -y / inf = -0.0: the right limit
        return lambda fit, i, z: -fit.y[i] / (1.0 + math.exp(fit.y[i] * z))
    if kind == "Huber":
        def huber(fit, i, z):
            r = z - fit.y[i]
            return min(max(r, -fit.delta), fit.delta)
        return huber
    return None


def datafit_value(fit, s):
    """F at the state ``s`` (compiled only)."""


@overload(datafit_value)
def _datafit_value(fit, s):
    kind = _kind(fit)
    if kind == "Quadratic":
        def quadratic(fit, s):
            total = 0.0
            for i in range(s.shape[0]):
                total += s[i] * s[i]
            return 0.5 * total / fit.scale
        return quadratic
    if kind == "Logistic":
        def logistic(fit, s):
            total = 0.0
            for i in range(s.shape[0]):
                m = -fit.y[i] * s[i]  # log(1 + exp(m)), without overflow
                total += m + math.log1p(math.exp(-m)) if m > 0.0 else math.log1p(math.exp(m))
            return total / fit.scale
        return logistic
    if kind == "Huber":
        def huber(fit, s):
            total = 0.0
            delta = fit.delta
            for i in range(s.shape[0]):
                r = abs(s[i] - fit.y[i])
                total += 0.5 * r * r if r <= delta else delta * (r - 0.5 * delta)
            return total / fit.scale
        return huber
    return None


def refresh(fit, s, raw):
    """raw = f'(s) on every sample (compiled only; nothing for least squares)."""


@overload(refresh)
def _refresh(fit, s, raw):
    if _kind(fit) == "Quadratic":
        return lambda fit, s, raw: None

    def general(fit, s, raw):
        for i in range(s.shape[0]):
            raw[i] = sample_derivative(fit, i, s[i])

    return general


def update_state(fit, op, j, delta, s, raw):
    """w_j changed by ``delta``: s += delta X_j, and raw on the rows of X_j (compiled only)."""


@overload(update_state)
def _update_state(fit, op, j, delta, s, raw):
    if _kind(fit) == "Quadratic":
        return lambda fit, op, j, delta, s, raw: column_axpy(op, j, delta, s)
    storage = _kind(op)
    if storage == "DenseColumns":
        def dense(fit, op, j, delta, s, raw):
            column = op.M[j]
            for i in range(column.shape[0]):
                z = s[i] + delta * column[i]
                s[i] = z
                raw[i] = sample_derivative(fit, i, z)
        return dense
    if storage == "CsrColumns":
        def csc(fit, op, j, delta, s, raw):
            for jj in range(op.indptr[j], op.indptr[j + 1]):
                i = op.indices[jj]
                z = s[i] + delta * op.data[jj]
                s[i] = z
                raw[i] = sample_derivative(fit, i, z)
        return csc
    return None


@njit(cache=True)
def _shift(fit, delta, s, raw):
    """The intercept changed by ``delta`` (not least squares: its intercept is centred out)."""
    for i in range(s.shape[0]):
        s[i] += delta
    refresh(fit, s, raw)


# ---------------------------------------------------------------------------- penalties


@njit(cache=True)
def _mcp_step(x, alpha, gamma, step):
    """argmin_z 0.5 (z - x)^2 + step MCP(z), also where it is not unique (gamma <= step):
    the middle piece is then concave, so the minimum is 0 or on the flat piece |z| >= gamma
    alpha."""
    if gamma > step:
        return mcp_threshold(x, alpha, gamma, step)
    z = x if abs(x) >= gamma * alpha else math.copysign(gamma * alpha, x)
    if 0.5 * (z - x) ** 2 + 0.5 * step * gamma * alpha * alpha < 0.5 * x * x:
        return z
    return 0.0


@njit(cache=True)
def _scad_value(z, alpha, gamma):
    a = abs(z)
    if a <= alpha:
        return alpha * a
    if a <= gamma * alpha:
        return (2.0 * gamma * alpha * a - a * a - alpha * alpha) / (2.0 * (gamma - 1.0))
    return 0.5 * alpha * alpha * (gamma + 1.0)


@njit(cache=True)
def _scad_step(x, alpha, gamma, step):
    """argmin_z 0.5 (z - x)^2 + step SCAD(z), also for gamma <= 1 + step (concave middle
    piece: the minimum is on the l1 piece or on the flat piece)."""
    if gamma > 1.0 + step:
        return scad_threshold(x, alpha, gamma, step)
    a = abs(x)
    z1 = min(max(a - step * alpha, 0.0), alpha)
    z3 = max(a, gamma * alpha)
    f1 = 0.5 * (z1 - a) ** 2 + step * _scad_value(z1, alpha, gamma)
    f3 = 0.5 * (z3 - a) ** 2 + step * _scad_value(z3, alpha, gamma)
    return math.copysign(z3 if f3 < f1 else z1, x) + 0.0


def proximal_step(pen, j, x, step):
    """argmin_z 0.5 (z - x)^2 + step pen_j(z) (compiled only)."""


@overload(proximal_step)
def _proximal_step(pen, j, x, step):
    kind = _kind(pen)
    if kind == "L1L2":
        return lambda pen, j, x, step: (soft_threshold(x, step * pen.weights[j])
                                        / (1.0 + step * pen.l2))
    if kind == "MCP":
        return lambda pen, j, x, step: _mcp_step(x, pen.alpha, pen.gamma, step)
    if kind == "SCAD":
        return lambda pen, j, x, step: _scad_step(x, pen.alpha, pen.gamma, step)
    return None


def violation(pen, j, w, g):
    """dist(-g, partial pen_j(w)), g the data fit's partial derivative (compiled only)."""


@overload(violation)
def _violation(pen, j, w, g):
    kind = _kind(pen)
    if kind == "L1L2":
        def l1l2(pen, j, w, g):
            if w == 0.0:
                return max(abs(g) - pen.weights[j], 0.0)
            return abs(g + pen.l2 * w + math.copysign(pen.weights[j], w))
        return l1l2
    if kind == "MCP":
        def mcp(pen, j, w, g):
            alpha, gamma = pen.alpha, pen.gamma
            if w == 0.0:
                return max(abs(g) - alpha, 0.0)
            if abs(w) < alpha * gamma:  # MCP'(w) = alpha sign(w) - w / gamma
                return abs(g + math.copysign(alpha, w) - w / gamma)
            return abs(g)
        return mcp
    if kind == "SCAD":
        def scad(pen, j, w, g):
            alpha, gamma = pen.alpha, pen.gamma
            if w == 0.0:
                return max(abs(g) - alpha, 0.0)
            if abs(w) <= alpha:
                return abs(g + math.copysign(alpha, w))
            if abs(w) <= alpha * gamma:
                return abs(g + (math.copysign(alpha * gamma, w) - w) / (gamma - 1.0))
            return abs(g)
        return scad
    return None


def penalty_value(pen, j, w):
    """pen_j(w) (compiled only)."""


@overload(penalty_value)
def _penalty_value(pen, j, w):
    kind = _kind(pen)
    if kind == "L1L2":
        return lambda pen, j, w: pen.weights[j] * abs(w) + 0.5 * pen.l2 * w * w

    if kind == "MCP":
        def mcp(pen, j, w):
            alpha, gamma = pen.alpha, pen.gamma
            a = abs(w)
            if a <= gamma * alpha:
                return alpha * a - 0.5 * a * a / gamma
            return 0.5 * gamma * alpha * alpha
        return mcp
    if kind == "SCAD":
        return lambda pen, j, w: _scad_value(w, pen.alpha, pen.gamma)
    return None


# ---------------------------------------------------------------------------- solver


@njit(cache=True)
def objective(fit, pen, w, s):
    """F + sum_j pen_j(w_j) at (w, s)."""
    value = datafit_value(fit, s)
    for j in range(w.shape[0]):
        value += penalty_value(pen, j, w[j])
    return value


@njit(cache=True)
def _ws_objective(fit, pen, w, ws, s):
    value = datafit_value(fit, s)
    for a in range(ws.shape[0]):
        value += penalty_value(pen, ws[a], w[ws[a]])
    return value


@njit(cache=True)
def _violations(fit, op, pen, w, raw, features, out):
    """out[a] = the optimality violation of feature ``features[a]``; returns their max."""
    largest = 0.0
    for a in range(features.shape[0]):
        j = features[a]
        out[a] = violation(pen, j, w[j], column_dot(op, j, raw) / fit.scale)
        largest = max(largest, out[a])
    return largest


@njit(cache=True)
def _intercept_gradient(fit, raw):
    """dF/db = sum_i f_i'(z_i) / scale."""
    total = 0.0
    for i in range(raw.shape[0]):
        total += raw[i]
    return total / fit.scale


@njit(cache=True)
def _epoch(fit, op, pen, w, ws, s, raw, lipschitz):
    for a in range(ws.shape[0]):
        j = ws[a]
        if lipschitz[j] == 0.0:
            continue  # an all-zero column: w_j stays as it is
        old = w[j]
        step = 1.0 / lipschitz[j]
        new = proximal_step(pen, j, old - step * (column_dot(op, j, raw) / fit.scale), step)
        if new != old:
            w[j] = new
            update_state(fit, op, j, new - old, s, raw)


@njit(cache=True)
def _select_working_set(w, opt, ws_size):
    """The support and the features of largest violation, ``ws_size`` in all at least
    (skglm's rule); ties in index order."""
    p = w.shape[0]
    score = opt.copy()
    for j in range(p):
        if w[j] != 0.0:
            score[j] = np.inf
    threshold = kth_largest(score, ws_size - 1)
    ws = np.empty(ws_size, dtype=np.int64)
    n = 0
    for j in range(p):
        if score[j] > threshold:
            ws[n] = j
            n += 1
    for j in range(p):
        if n == ws_size:
            break
        if score[j] == threshold:
            ws[n] = j
            n += 1
    return ws


@njit(cache=True)
def _anderson(fit, op, pen, w, ws, intercept, s, raw, last, last_s):
    """Anderson extrapolation of the last iterates (rows of ``last``: w on ``ws`` then the
    intercept; rows of ``last_s``: the state, affine in them), kept if it lowers the
    objective. Returns the intercept."""
    K = last.shape[0] - 1
    n_ws = ws.shape[0]
    # (without an intercept its column is constant: no effect on the weights)
    c = anderson_weights(last)
    if c.shape[0] == 0:
        return intercept
    current = _ws_objective(fit, pen, w, ws, s)
    for a in range(n_ws + 1):
        value = 0.0
        for q in range(K):
            value += c[q] * last[q + 1, a]
        if a < n_ws:
            w[ws[a]] = value
        else:
            intercept = value
    for i in range(s.shape[0]):
        value = 0.0
        for q in range(K):
            value += c[q] * last_s[q + 1, i]
        s[i] = value
    refresh(fit, s, raw)
    if _ws_objective(fit, pen, w, ws, s) < current:
        return intercept
    for a in range(n_ws):  # back to the last iterate
        w[ws[a]] = last[K, a]
    for i in range(s.shape[0]):
        s[i] = last_s[K, i]
    refresh(fit, s, raw)
    return last[K, n_ws]


@njit(cache=True)
def _cd_subproblem(fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept,
                   target, max_epochs):
    """Coordinate descent on the working set ``ws`` until its violation is at most
    ``target`` (tested every ``_CHECK_EVERY`` passes), at most ``max_epochs`` passes: an
    intercept step after each pass, Anderson extrapolation every ``_ANDERSON_K`` passes.
    Returns ``(intercept, passes)``."""
    n = s.shape[0]
    n_ws = ws.shape[0]
    intercept_lipschitz = curvature(fit) * n / fit.scale
    opt_ws = np.empty(n_ws)
    last = np.empty((_ANDERSON_K + 1, n_ws + 1))
    last_s = np.empty((_ANDERSON_K + 1, n))
    epochs = 0
    for epoch in range(max_epochs):
        _epoch(fit, op, pen, w, ws, s, raw, lipschitz)
        if fit_intercept:
            delta = -_intercept_gradient(fit, raw) / intercept_lipschitz
            if delta != 0.0:
                intercept += delta
                _shift(fit, delta, s, raw)
        epochs += 1
        row = epoch % (_ANDERSON_K + 1)
        for a in range(n_ws):
            last[row, a] = w[ws[a]]
        last[row, n_ws] = intercept
        for i in range(n):
            last_s[row, i] = s[i]
        if row == _ANDERSON_K:
            intercept = _anderson(fit, op, pen, w, ws, intercept, s, raw, last, last_s)
        if epoch % _CHECK_EVERY == 0:
            inner = _violations(fit, op, pen, w, raw, ws, opt_ws)
            if fit_intercept:
                inner = max(inner, abs(_intercept_gradient(fit, raw)))
            if inner <= target:
                break
    return intercept, epochs


# Proximal Newton (Lee, Sun & Saunders, SIAM J. Optim. 24(3), 2014; skglm's ProxNewton for
# the logistic loss): at most this many coordinate-descent passes on each quadratic model,
# and step halvings in each line search.
_NEWTON_PASSES = 20
_MAX_HALVINGS = 20


def sample_hessian(fit, i, z):
    """f_i''(z) (compiled only; the data fits solved by proximal Newton)."""


@overload(sample_hessian)
def _sample_hessian(fit, i, z):
    if _kind(fit) == "Logistic":
        def logistic(fit, i, z):
            p = 1.0 / (1.0 + math.exp(-z))  # sigmoid(z); y^2 = 1
            return p * (1.0 - p)
        return logistic
    return None


def weighted_column_dot(op, j, h, v):
    """sum_i A_ij h_i v_i (compiled only)."""


@overload(weighted_column_dot)
def _weighted_column_dot(op, j, h, v):
    storage = _kind(op)
    if storage == "DenseColumns":
        def dense(op, j, h, v):
            column = op.M[j]
            total = 0.0
            for i in range(column.shape[0]):
                total += column[i] * h[i] * v[i]
            return total
        return dense
    if storage == "CsrColumns":
        def csc(op, j, h, v):
            total = 0.0
            for jj in range(op.indptr[j], op.indptr[j + 1]):
                i = op.indices[jj]
                total += op.data[jj] * h[i] * v[i]
            return total
        return csc
    return None


def weighted_column_square(op, j, h):
    """sum_i A_ij^2 h_i (compiled only)."""


@overload(weighted_column_square)
def _weighted_column_square(op, j, h):
    storage = _kind(op)
    if storage == "DenseColumns":
        def dense(op, j, h):
            column = op.M[j]
            total = 0.0
            for i in range(column.shape[0]):
                total += column[i] * column[i] * h[i]
            return total
        return dense
    if storage == "CsrColumns":
        def csc(op, j, h):
            total = 0.0
            for jj in range(op.indptr[j], op.indptr[j + 1]):
                total += op.data[jj] * op.data[jj] * h[op.indices[jj]]
            return total
        return csc
    return None


@njit(cache=True)
def _newton_direction(fit, op, pen, w, ws, intercept, s, raw, h, fit_intercept, target,
                      trial, dz):
    """The proximal Newton step's target: coordinate descent on the quadratic model
    ``g.d + 0.5 d.T X.T H X d + pen(w + d)`` over ``ws`` (and the intercept), from d = 0,
    to violation ``target`` or ``_NEWTON_PASSES`` passes. ``trial`` receives w + d on ``ws``
    then the intercept's, ``dz`` receives X d (+ its intercept part). Returns the passes."""
    n = s.shape[0]
    n_ws = ws.shape[0]
    scale = fit.scale
    curv = np.empty(n_ws)
    grad = np.empty(n_ws)
    for a in range(n_ws):
        j = ws[a]
        curv[a] = weighted_column_square(op, j, h) / scale
        grad[a] = column_dot(op, j, raw) / scale
        trial[a] = w[j]
    h_sum = 0.0
    g_b = 0.0
    for i in range(n):
        dz[i] = 0.0
        h_sum += h[i]
        g_b += raw[i]
    h_sum /= scale
    g_b /= scale
    trial[n_ws] = intercept
    passes = 0
    for _ in range(_NEWTON_PASSES):
        largest = 0.0
        for a in range(n_ws):
            if curv[a] == 0.0:
                continue
            j = ws[a]
            g = grad[a] + weighted_column_dot(op, j, h, dz) / scale
            old = trial[a]
            step = 1.0 / curv[a]
            new = proximal_step(pen, j, old - step * g, step)
            largest = max(largest, violation(pen, j, old, g))
            if new != old:
                trial[a] = new
                column_axpy(op, j, new - old, dz)
        if fit_intercept and h_sum > 0.0:
            hz = 0.0
            for i in range(n):
                hz += h[i] * dz[i]
            g = g_b + hz / scale
            largest = max(largest, abs(g))
            delta = -g / h_sum
            trial[n_ws] += delta
            for i in range(n):
                dz[i] += delta
        passes += 1
        if largest <= target:
            break
    return passes
@njit(cache=True)
def _newton_subproblem(fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept,
                       target, max_steps):
    """Proximal Newton on the working set ``ws`` until its violation is at most ``target``,
    at most ``max_steps`` steps: the direction of :func:`_newton_direction` (to 0.3 times
    ``target``), then a backtracking line search from a unit step, halved until
    ``pen(w_t) - pen(w) + t grad F(w_t).d < 0`` (skglm's rule: the objective decreases
    along d at w_t). Returns ``(intercept, coordinate-descent passes)``."""
    n = s.shape[0]
    n_ws = ws.shape[0]
    scale = fit.scale
    h = np.empty(n)
    trial = np.empty(n_ws + 1)
    base = np.empty(n_ws + 1)
    dz = np.empty(n)
    s0 = np.empty(n)
    opt_ws = np.empty(n_ws)
    passes = 0
    for _ in range(max_steps):
        for i in range(n):
            h[i] = sample_hessian(fit, i, s[i])
        passes += _newton_direction(fit, op, pen, w, ws, intercept, s, raw, h, fit_intercept,
                                    0.3 * target, trial, dz)
        moved = False
        old_penalty = 0.0
        for a in range(n_ws):
            base[a] = w[ws[a]]
            old_penalty += penalty_value(pen, ws[a], base[a])
            moved = moved or trial[a] != base[a]
        base[n_ws] = intercept
        moved = moved or trial[n_ws] != intercept
        if not moved:
            break
        for i in range(n):
            s0[i] = s[i]
        step = 1.0
        for _halving in range(_MAX_HALVINGS):
            change = -old_penalty
            for a in range(n_ws):
                w[ws[a]] = base[a] + step * (trial[a] - base[a])
                change += penalty_value(pen, ws[a], w[ws[a]])
            intercept = base[n_ws] + step * (trial[n_ws] - base[n_ws])
            for i in range(n):
                s[i] = s0[i] + step * dz[i]
            refresh(fit, s, raw)
            slope = 0.0
            for a in range(n_ws):
                slope += column_dot(op, ws[a], raw) / scale * (trial[a] - base[a])
            if fit_intercept:
                slope += _intercept_gradient(fit, raw) * (trial[n_ws] - base[n_ws])
            if change + step * slope < 0.0:
                break
            step *= 0.5
        inner = _violations(fit, op, pen, w, raw, ws, opt_ws)
        if fit_intercept:
            inner = max(inner, abs(_intercept_gradient(fit, raw)))
        if inner <= target:
            break
    return intercept, passes


def solve_subproblem(fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept,
                     target, max_epochs):
    """The working set's solver (compiled only): proximal Newton for the logistic loss with
    the convex penalty (the loss's curvature varies by orders of magnitude across samples,
    which coordinate steps of bound 1/4 ignore), coordinate descent otherwise (a Newton
    model of a non-convex penalty's problem need not give a descent direction)."""


@overload(solve_subproblem)
def _solve_subproblem(fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept,
                      target, max_epochs):
    if _kind(fit) == "Logistic" and _kind(pen) == "L1L2":
        return (lambda fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept,
                target, max_epochs: _newton_subproblem(
                    fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept, target,
                    max_epochs))
    return (lambda fit, op, pen, w, ws, intercept, s, raw, lipschitz, fit_intercept, target,
            max_epochs: _cd_subproblem(fit, op, pen, w, ws, intercept, s, raw, lipschitz,
                                       fit_intercept, target, max_epochs))


@njit(cache=True)
def working_set_cd(fit, op, pen, w, intercept, s, norms2, fit_intercept, tol, max_iter,
                   max_epochs, ws_start):
    """Minimize ``F(X w + b) + sum_j pen_j(w_j)`` from ``w`` (float64, updated in place),
    ``intercept`` and the state ``s`` that matches them (see the module docstring).

    Outer iterations (at most ``max_iter``): the violation of every coordinate's optimality
    condition; stop when the largest (with the intercept's) is at most ``tol``; else a
    working set of the support and the most violating features, ``max(ws_start, 2 nnz)`` in
    all, solved (:func:`solve_subproblem`: coordinate descent, or proximal Newton for the
    logistic loss) until its own violation is below 0.3 times the outer one (``tol`` when
    it holds every feature), with at most ``max_epochs`` passes (Newton steps).

    Returns ``(w, intercept, s, n_iter, n_epochs, violation)``: ``n_iter`` counts the
    working sets solved, at least 1 (an optimal start counts as one, whose violation is
    computed and found within ``tol``); ``n_epochs`` the coordinate-descent passes.
    """
    n = s.shape[0]
    p = w.shape[0]
    raw = s if _kind_is_quadratic(fit) else np.empty(n)
    refresh(fit, s, raw)
    lipschitz = np.empty(p)
    for j in range(p):
        lipschitz[j] = curvature(fit) * norms2[j] / fit.scale
    features = np.arange(p)
    opt = np.empty(p)
    n_iter = 0
    n_epochs = 0
    while True:
        crit = _violations(fit, op, pen, w, raw, features, opt)
        if fit_intercept:
            crit = max(crit, abs(_intercept_gradient(fit, raw)))
        if crit <= tol or n_iter == max_iter:
            break
        n_iter += 1
        nnz = 0
        for j in range(p):
            if w[j] != 0.0:
                nnz += 1
        ws_size = max(min(ws_start, p), min(2 * nnz, p))
        ws = _select_working_set(w, opt, ws_size)
        target = tol if ws.shape[0] == p else 0.3 * crit
        intercept, epochs = solve_subproblem(fit, op, pen, w, ws, intercept, s, raw,
                                             lipschitz, fit_intercept, target, max_epochs)
        n_epochs += epochs
    return w, intercept, s, max(n_iter, 1), n_epochs, crit


def _kind_is_quadratic(fit):
    """Whether the data fit is least squares (compiled only: a constant per type)."""


@overload(_kind_is_quadratic)
def _kind_is_quadratic_typed(fit):
    value = _kind(fit) == "Quadratic"
    return lambda fit: value

