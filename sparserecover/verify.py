"""Independent checks of LASSO solutions: a cvxpy reference solver and a certificate check.

cvxpy is imported only inside :func:`lasso` (install the ``verify`` extra:
``pip install sparserecover[verify]``); :func:`check_lasso` needs numpy only, unless asked to
compare with the cvxpy solution.
"""

import math
from dataclasses import dataclass

import numpy as np

from sparserecover._validation import as_float_array, check_finite, check_scalar

__all__ = ["LassoCheck", "check_lasso", "lasso"]


def _import_cvxpy():
    try:
        import cvxpy
    except ImportError as error:
        raise ImportError(
            "sparserecover.verify.lasso needs cvxpy; install it with "
            "`pip install sparserecover[verify]` (or `pip install cvxpy`)"
        ) from error
    return cvxpy


def _dense_problem(A, y, lam):
    """A as a float64 ndarray, Y as (n, m), weights as (p, m), and whether y was 1-D.

    Built from the inputs alone (not from the solvers' own preparation), so that a check does
    not share what it checks.
    """
    if hasattr(A, "matmat") and not hasattr(A, "toarray"):  # a LinearOperator
        M = np.asarray(A.matmat(np.eye(A.shape[1])), dtype=np.float64)
    elif hasattr(A, "toarray"):  # a scipy.sparse matrix
        M = np.asarray(A.toarray(), dtype=np.float64)
    else:
        M = as_float_array(A, "A", dtype=np.float64)
    if M.ndim != 2:
        raise ValueError(f"A must be 2-D; got {M.ndim} dimension(s)")
    check_finite(M, "A")
    Y = as_float_array(y, "y", dtype=np.float64)
    if Y.ndim not in (1, 2) or Y.shape[0] != M.shape[0]:
        raise ValueError(f"y must have shape ({M.shape[0]},) or ({M.shape[0]}, n_targets); "
                         f"got {Y.shape}")
    check_finite(Y, "y")
    one_d = Y.ndim == 1
    Y = Y.reshape(M.shape[0], -1)
    W = as_float_array(lam, "lam", dtype=np.float64)
    check_finite(W, "lam")
    if np.any(W < 0):
        raise ValueError(f"lam must be >= 0; got a minimum of {W.min()}")
    # broadcast as the solvers do: to x's shape, (n_features,) or (n_features, n_targets)
    try:
        W = np.broadcast_to(W, (M.shape[1],) if one_d else (M.shape[1], Y.shape[1]))
    except ValueError:
        raise ValueError(f"lam of shape {np.shape(lam)} does not fit A {M.shape} and y "
                         f"{np.shape(y)}") from None
    W = W.reshape(M.shape[1], Y.shape[1])
    return M, Y, W, one_d


def lasso(A, y, lam, *, positive=False, l2=0.0, tol=1e-10):
    """Solve the LASSO with cvxpy (Clarabel interior point, tight tolerances).

    Minimizes ``0.5 ||A x - y||^2 + sum_j lam_j |x_j| + 0.5 l2 ||x||^2`` (over ``x >= 0``
    with ``positive``), column by column for 2-D ``y``, with ``lam`` broadcast as in
    :func:`sparserecover.fista`. Meant for small problems (a few hundred variables): it
    forms ``A`` densely.

    Parameters
    ----------
    A : ndarray, sparse matrix or LinearOperator
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    lam : float or ndarray
    positive : bool
    l2 : float
    tol : float
        Clarabel's absolute and relative gap and feasibility tolerances.

    Returns
    -------
    ndarray of float64, shape (n_features,) or (n_features, n_targets)

    Raises
    ------
    ImportError
        If cvxpy is not installed (it is in the ``verify`` extra).

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.verify import lasso
    >>> np.round(lasso(np.eye(2), np.array([3.0, 0.5]), 1.0), 6)
    array([2., 0.])
    """
    cp = _import_cvxpy()
    M, Y, W, one_d = _dense_problem(A, y, lam)
    l2 = check_scalar(l2, "l2", low=0.0)
    # Clarabel's tolerances are absolute: solve in units where max |A| and max |y_k| are about
    # 1 (powers of two, exact); the solution is 2^(b - a) times that of 2^-a A, 2^-b y_k.
    a = math.frexp(float(np.max(np.abs(M), initial=0.0)))[1]
    M = np.ldexp(M, -a)
    p = M.shape[1]
    X = np.empty((p, Y.shape[1]))
    for k in range(Y.shape[1]):
        b = math.frexp(float(np.max(np.abs(Y[:, k]), initial=0.0)))[1]
        x = cp.Variable(p, nonneg=bool(positive))
        objective = (0.5 * cp.sum_squares(M @ x - np.ldexp(Y[:, k], -b))
                     + np.ldexp(W[:, k], -a - b) @ cp.abs(x))
        if l2 > 0:
            objective = objective + 0.5 * math.ldexp(l2, -2 * a) * cp.sum_squares(x)
        problem = cp.Problem(cp.Minimize(objective))
        problem.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol,
                      max_iter=500)
        if problem.status not in ("optimal", "optimal_inaccurate") or x.value is None:
            raise RuntimeError(f"cvxpy did not solve the problem: status {problem.status}")
        X[:, k] = np.ldexp(x.value, b - a)
    if not np.all(np.isfinite(X)):
        raise ValueError("the solution overflows float64 at this scale of A and y")
    return X[:, 0] if one_d else X


@dataclass
class LassoCheck:
    """Certificate of a candidate LASSO solution (see :func:`check_lasso`).

    All values are float64, one per column of ``y`` (arrays) for 2-D ``y``.

    Attributes
    ----------
    objective : float or ndarray
        ``P(x)``.
    duality_gap : float or ndarray
        ``P(x) - D(theta)`` for the rescaled residual (the solvers' formula, recomputed here
        in numpy): an upper bound on ``P(x) - min P``.
    kkt_violation : float or ndarray
        Largest violation of the optimality conditions, with ``g = A.T (y - A x) - l2 x``:
        ``|g_j - lam_j sign(x_j)|`` where ``x_j != 0``, ``max(|g_j| - lam_j, 0)`` where
        ``x_j = 0`` (``max(g_j - lam_j, 0)`` with ``positive``; plus ``max(-x_j, 0)``).
    reference_objective, objective_gap : float, ndarray or None
        With ``reference``: ``P(x_ref)`` and ``P(x) - P(x_ref)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.verify import check_lasso
    >>> check = check_lasso(np.array([1.0]), np.eye(1), np.array([2.0]), 0.5,
    ...                     reference=np.array([1.5]))
    >>> check.kkt_violation, check.objective_gap
    (0.5, 0.125)
    """

    objective: object
    duality_gap: object
    kkt_violation: object
    reference_objective: object = None
    objective_gap: object = None


def _objective(M, Y, W, X, l2):
    R = M @ X - Y
    return 0.5 * np.sum(R * R, axis=0) + np.sum(W * np.abs(X), axis=0) + 0.5 * l2 * np.sum(
        X * X, axis=0
    )


def check_lasso(x, A, y, lam, *, positive=False, l2=0.0, reference=None):
    """Objective, duality gap and KKT violation of a candidate LASSO solution ``x``.

    Parameters
    ----------
    x : ndarray of shape (n_features,) or (n_features, n_targets)
    A, y, lam, positive, l2
        The problem, as in :func:`sparserecover.fista`.
    reference : None, "cvxpy" or ndarray
        Also report ``P(x) - P(x_ref)`` against a given solution or the cvxpy one.

    Returns
    -------
    LassoCheck

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``A``, ``y`` and ``lam`` are inconsistent, or ``lam`` is
        negative.
    ImportError
        With ``reference="cvxpy"`` when cvxpy is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.verify import check_lasso
    >>> check = check_lasso(np.array([2.0, 0.0]), np.eye(2), np.array([3.0, 0.5]), 1.0)
    >>> check.objective, check.duality_gap, check.kkt_violation
    (2.625, 0.0, 0.0)
    """
    M, Y, W, one_d = _dense_problem(A, y, lam)
    expected_shape = (M.shape[1],) + (() if one_d else (Y.shape[1],))
    X = as_float_array(x, "x", dtype=np.float64)
    if X.shape != expected_shape:
        raise ValueError(f"x has shape {X.shape}; expected {expected_shape} (A and y's shapes)")
    check_finite(X, "x")
    X = X.reshape(M.shape[1], -1)
    R = Y - M @ X
    G = M.T @ R - l2 * X
    objective = _objective(M, Y, W, X, l2)
    # Refit of the unpenalized coefficients before scaling the residual (see fista's notes).
    Z = np.zeros_like(X)
    for k in range(X.shape[1]):
        free = (W[:, k] == 0) & ((not positive) | (X[:, k] > 0) | (G[:, k] > 0))
        if free.any():
            sub = M[:, free].T @ M[:, free] + l2 * np.eye(int(free.sum()))
            Z[free, k] = np.linalg.lstsq(sub, G[free, k], rcond=None)[0]
    R2 = R - M @ Z
    G2 = M.T @ R2 - l2 * (X + Z)
    bound = G2 if positive else np.abs(G2)
    scale = np.ones(X.shape[1])
    for k in range(X.shape[1]):
        penalized = W[:, k] > 0
        tolerance = np.sqrt(np.finfo(np.float64).eps) * max(
            np.max(np.abs(G2[:, k]), initial=0.0), np.max(W[:, k], initial=0.0)
        )
        if np.any(bound[~penalized, k] > tolerance):
            scale[k] = 0.0
            continue
        with np.errstate(over="ignore"):  # a bound <= 0 (positive) constrains nothing: inf
            ratios = W[penalized, k] / np.maximum(bound[penalized, k], np.finfo(np.float64).tiny)
        scale[k] = min(1.0, np.min(ratios, initial=np.inf))
    dual = scale * np.sum(Y * R2, axis=0) - 0.5 * scale**2 * (
        np.sum(R2 * R2, axis=0) + l2 * np.sum((X + Z) ** 2, axis=0)
    )
    gap = np.maximum(objective - dual, 0.0)
    nonzero = X != 0
    violation = np.where(nonzero, np.abs(G - W * np.sign(X)), 0.0)
    at_zero = np.maximum((G if positive else np.abs(G)) - W, 0.0)
    violation = np.where(nonzero, violation, at_zero)
    if positive:
        violation = np.maximum(violation, np.maximum(-X, 0.0))
    kkt = violation.max(axis=0)

    ref_objective = objective_gap = None
    if reference is not None:
        if isinstance(reference, str):
            if reference != "cvxpy":
                raise ValueError(f'reference must be None, "cvxpy" or an array; got {reference!r}')
            X_ref = lasso(A, y, lam, positive=positive, l2=l2)
        else:
            X_ref = as_float_array(reference, "reference", dtype=np.float64)
            if X_ref.shape != expected_shape:
                raise ValueError(
                    f"reference has shape {X_ref.shape}; expected {expected_shape}, like x"
                )
        X_ref = X_ref.reshape(X.shape)
        ref_objective = _objective(M, Y, W, X_ref, l2)
        objective_gap = objective - ref_objective

    def out(value):
        if value is None:
            return None
        return float(value[0]) if one_d else value

    return LassoCheck(out(objective), out(gap), out(kkt), out(ref_objective), out(objective_gap))
