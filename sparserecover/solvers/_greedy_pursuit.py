"""Numba kernel of ``iht(method="sp" | "cosamp")``: subspace pursuit and CoSaMP.

Both grow the support by the coordinates most correlated with the residual, fit least squares
on the enlarged set and prune it back to ``n_nonzero`` coordinates by hard thresholding: the
selection and the fits are those of the other pursuits (``hard_threshold_column``,
``_fit_support``). For a ``LinearOperator`` the loop runs as Python over the compiled leaves
(``_products.python_driver``).
"""

import numpy as np

from .._jit import njit
from ._hard_thresholding import half_squared_residual, hard_threshold_column, support_of
from ._linalg import column_dots, subtract
from ._products import adjoint, forward
from ._scaled_pursuit import CONVERGED, CYCLED, RUNNING, _fit_support, n_running


@njit(cache=True)
def pursuit_loop(op, target, X, n_nonzero, column_sq_norms, cosamp, max_iter, tol, patience,
                 callback):
    """Subspace pursuit (Dai & Milenkovic, IEEE Trans. Inf. Theory 55(5), 2009) or, with
    ``cosamp``, CoSaMP (Needell & Tropp, Appl. Comput. Harmon. Anal. 26(3), 2009), every
    column of y at once, on unit-norm columns (correlations ``|a_j.T r| / ||a_j||``,
    coefficients ``|x_j| ||a_j||``, so that the supports do not depend on the column scales).

    An iteration adds to the support T of x the n_nonzero (SP) or 2 n_nonzero (CoSaMP)
    coordinates outside T most correlated with the residual, at most n_samples coordinates in
    all, so that the fit is determined; fits least squares on that set; and keeps its
    n_nonzero largest coefficients. SP refits least squares on them (x starts as the fit on
    the n_nonzero largest correlations with y, or on x0's support); CoSaMP keeps the pruned
    coefficients as they are (x starts at x0, or 0). A column stops when its support repeats
    (SP: a fixed point), when x moves by at most tol relative to its norm, when its residual
    vanishes, or when its residual has not improved for ``patience`` iterations (SP as
    published stops at the first increase). It returns the x with the lowest residual it met
    (CoSaMP: refitted by least squares on its support).
    """
    n, m = target.shape
    p = X.shape[0]
    norms = np.sqrt(column_sq_norms)
    resid = np.empty_like(target)
    grad = np.empty_like(X)
    coef = np.zeros((p, m))
    inverse_diagonal = np.ones((p, m))  # filled by _fit_support, not used here
    previous = np.zeros((p, m))
    scaled = np.zeros((p, m))
    kept = np.zeros((p, m))
    support = np.zeros((p, m), dtype=np.bool_)
    merged = np.zeros((p, m), dtype=np.bool_)
    new_support = np.zeros((p, m), dtype=np.bool_)
    rr = np.empty(m)
    stalled = np.zeros(m, dtype=np.int64)
    status = np.zeros(m, dtype=np.int8)
    for j in range(p):
        for k in range(m):
            support[j, k] = X[j, k] != 0.0
    forward(op, X, resid)
    subtract(target, resid, resid)
    if not cosamp:
        adjoint(op, resid, grad)
        for k in range(m):
            if support_of(support, k).shape[0] == 0:
                _correlations(grad, norms, support, k, scaled)
                hard_threshold_column(scaled, k, n_nonzero, kept, support)
            _fit_support(op, target, support_of(support, k), k, p, coef,
                         inverse_diagonal, resid)
            for j in range(p):
                X[j, k] = coef[j, k]
    column_dots(resid, resid, rr)
    X_best = X.copy()
    rr_best = rr.copy()
    for j in range(p):
        for k in range(m):
            previous[j, k] = X[j, k]
    it = 0
    while it < max_iter:
        it += 1
        adjoint(op, resid, grad)
        for k in range(m):
            if status[k] != RUNNING:
                continue
            n_support = support_of(support, k).shape[0]
            n_add = min(2 * n_nonzero if cosamp else n_nonzero, p - n_support,
                        max(n - n_support, 0))
            _correlations(grad, norms, support, k, scaled)
            hard_threshold_column(scaled, k, n_add, kept, merged)
            for j in range(p):
                merged[j, k] = merged[j, k] or support[j, k]
            _fit_support(op, target, support_of(merged, k), k, p, coef,
                         inverse_diagonal, resid)
            for j in range(p):
                scaled[j, k] = coef[j, k] * norms[j]  # coef is 0 off the merged set
            hard_threshold_column(scaled, k, n_nonzero, kept, new_support)
            if cosamp:
                for j in range(p):
                    X[j, k] = coef[j, k] if new_support[j, k] else 0.0
            else:
                rr[k] = _fit_support(op, target, support_of(new_support, k), k, p,
                                     coef, inverse_diagonal, resid)
                for j in range(p):
                    X[j, k] = coef[j, k]
        if cosamp:  # the pruned coefficients are no fit: their residual takes a product
            forward(op, X, resid)
            subtract(target, resid, resid)
            column_dots(resid, resid, rr)
        for k in range(m):
            if status[k] != RUNNING:
                continue
            change = 0.0
            squared_norm = 0.0
            same = True
            for j in range(p):
                x = np.float64(X[j, k])
                change += (x - previous[j, k]) ** 2
                squared_norm += x * x
                previous[j, k] = x
                if new_support[j, k] != support[j, k]:
                    same = False
                support[j, k] = new_support[j, k]
            if rr[k] < rr_best[k] * (1.0 - 1e-12):
                rr_best[k] = rr[k]
                X_best[:, k] = X[:, k]
                stalled[k] = 0
            else:
                stalled[k] += 1
            if (same and not cosamp) or change <= tol * tol * squared_norm or rr[k] == 0.0:
                status[k] = CONVERGED
            elif stalled[k] >= patience:
                status[k] = CYCLED
        if callback is not None and callback(X):
            break
        if n_running(status) == 0:
            break
    if cosamp:
        for k in range(m):
            columns = support_of(X_best, k)
            if columns.shape[0] > 0:
                _fit_support(op, target, columns, k, p, coef, inverse_diagonal, resid)
                for j in range(p):
                    X_best[j, k] = coef[j, k]
    return X_best, it, half_squared_residual(op, target, X_best), status


@njit(cache=True)
def _correlations(grad, norms, support, k, out):
    """out[:, k] = |a_j.T r| / ||a_j|| off the support (0 on it and for zero columns)."""
    for j in range(grad.shape[0]):
        if support[j, k] or norms[j] == 0.0:
            out[j, k] = 0.0
        else:
            out[j, k] = abs(np.float64(grad[j, k])) / norms[j]
