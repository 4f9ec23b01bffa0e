"""ISTA and FISTA for the (weighted, positive, elastic-net) LASSO with a duality-gap stop."""

import numpy as np

from .._validation import check_scalar
from ._certificate import certified_result, exact_gap
from ._problem import LeastSquaresProblem, check_options
from ._products import fuses, select_driver
from ._proximal_gradient import proximal_gradient

_OPTIONS_DOC = """
    A : ndarray, scipy.sparse matrix or scipy.sparse.linalg.LinearOperator
        Design matrix of shape (n_samples, n_features). Dense and CSR/CSC matrices run in
        compiled (Numba) loops; a ``LinearOperator`` runs a Python loop with the same
        arithmetic (its ``matmat``/``rmatmat`` are called once per iteration each).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Observations. With 2-D ``y`` every column is an independent problem, and all are
        solved together with matrix-matrix products.
    lam : float or ndarray
        Penalty weights, >= 0: a scalar; shape (n_features,) for 1-D ``y`` (one weight per
        coefficient); for 2-D ``y`` shape (n_targets,) (one per column), (n_features, 1)
        (one per coefficient) or (n_features, n_targets). A zero weight leaves its
        coefficient unpenalized (meant for a few coefficients, e.g. an intercept column).
    x0 : ndarray, optional
        Warm start, of the shape of the solution (copied, never modified; clipped at 0 with
        ``positive``). Default zeros.
    max_iter : int, default 10000
    tol : float, optional
        Stop when ``gap <= tol * objective`` for every column. Default 1e-6 for float64 data
        and 1e-4 for float32 data (float32 iterates stall at a relative gap of about 1e-6 to
        1e-5: the rounding of the float32 products).
    positive : bool, default False
        Constrain ``x >= 0``.
    l2 : float, default 0.0
        Elastic-net term ``0.5 * l2 * ||x||^2``.
    step : float, optional
        Constant step; default ``1 / ||A||_2^2`` (see
        :func:`sparserecover.operators.lipschitz_constant`), or with ``backtracking`` the
        initial step ``1 / (||A g||^2 / ||g||^2)`` for ``g = A.T y``. Without
        ``backtracking``, a step above ``1 / ||A||_2^2`` (the bound for which the iteration
        provably converges; 1% slack for the rounding of ``lipschitz_constant``) is a
        ValueError: the iteration could diverge.
    backtracking : bool, default False
        Beck-Teboulle backtracking: halve a column's step until the quadratic upper bound
        holds. For when ``||A||_2`` is unknown or costly; each halving costs a product.
    gap_freq : int, default 10
        Evaluate the duality gap (one extra ``A.T`` product) every ``gap_freq`` iterations.
    history : bool, default False
        Record objective and gap at every evaluation (set ``gap_freq=1`` for every iteration)
        in ``SolverResult.history``.
    callback : callable, optional
        ``callback(x)`` after every iteration with the current iterate (a view of the
        solution's shape; do not modify it); returning True stops the solver. A callback
        runs the loop in Python (products and updates stay compiled).
    verbose : bool, default False
        Print objective and gap at every evaluation (runs the loop in Python as well).
    gram : {"auto", True, False}
        Iterate on the precomputed ``G = A.T A`` and ``A.T y``: one p x p product per
        iteration instead of two n x p ones. "auto" does when ``n_samples >= 2 n_features``
        and ``n_features <= 2048`` (dense or sparse ``A``).
"""

_RETURNS_DOC = """
    Returns
    -------
    SolverResult
        ``x`` (dtype of ``A``/``y``: float32 stays float32), ``n_iter``, ``converged``,
        ``objective`` and ``gap`` (float64; arrays with one entry per column for 2-D ``y``).
        ``gap`` is ``P(x) - D(theta)`` for the rescaled residual ``theta``, an upper bound on
        ``objective - optimum``. For float32 data, and for Gram iterations, the returned gap is
        recomputed once in float64 from ``A`` itself (a float32 ``LinearOperator``'s own
        products stay float32).

    Raises
    ------
    ValueError, TypeError
        For NaN/inf, inconsistent shapes (naming ``A``, ``y``, ``lam`` or ``x0``), ``lam < 0``,
        ``l2 < 0``, a non-positive ``step`` or a constant one above ``1 / ||A||_2^2``, or data
        whose objective overflows float64 (``||y||^2`` beyond 1.8e308). Data of any other
        scale are solved in scaled units (a power of two, exact): the solution is the same as
        for ``A`` and ``y`` scaled to 1.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When ``max_iter`` is reached first (``converged`` is then False).
"""

_GAP_DOC = """
    Notes
    -----
    Objective, for each column of ``y``::

        P(x) = 0.5 ||A x - y||^2 + sum_j lam_j |x_j| + 0.5 l2 ||x||^2   (x >= 0 if positive)

    Duality gap: with ``r = y - A x`` and ``g = A.T r - l2 x``, the dual point is
    ``theta = s r`` with ``s = min(1, min_j lam_j / |g_j|)`` (``lam_j / g_j`` over ``g_j > 0``
    when ``positive``), which is feasible for the dual of the elastic net written as a LASSO on
    ``[A; sqrt(l2) I]``, and ``D(theta) = s y.T r - 0.5 s^2 (||r||^2 + l2 ||x||^2)``.
    Unpenalized coefficients (``lam_j = 0``) require ``A_j.T theta = l2 x_j`` exactly; the dual
    point is then built from the residual after a least-squares refit of those coefficients
    (the projection that makes the constraint hold), so the gap stays informative.
"""


def initial_steps(problem, step, backtracking):
    """One step per column, in the problem's scaled units: ``step`` (the user's) if given, else
    ``1 / L`` (or, to backtrack from, the Rayleigh quotient of A.T A at A.T y, a lower bound on
    ||A||^2)."""
    if step is not None:
        step = problem.scaled(step, "step")
    else:
        if backtracking:
            g = problem.op.rmatmat(problem.Y).astype(np.float64)
            Ag = problem.op.matmat(g.astype(problem.dtype)).astype(np.float64)
            gg, AgAg = float(np.sum(g * g)), float(np.sum(Ag * Ag))
            step = gg / AgAg if AgAg > 0 else 1.0
        else:
            lipschitz = problem.lipschitz_constant()
            step = 1.0 / lipschitz if lipschitz > 0 else 1.0
    return np.full(problem.n_targets, step, dtype=np.float64)


# A constant step may exceed 1/L by this factor: L is an upper bound on ||A||_2^2, above it by
# at most 0.1% (lipschitz_constant's iterative estimate; far less when exact), and FISTA's
# momentum iteration stays stable up to step ||A||_2^2 < 4/3.
_STEP_SLACK = 1.01


def check_step(problem, step):
    """Refuse a constant step above the stable bound ``1 / ||A||_2^2`` (beyond it proximal
    gradient may diverge, and without backtracking nothing would bring it back)."""
    lipschitz = problem.lipschitz_constant()
    if problem.scaled(step, "step") * lipschitz > _STEP_SLACK:
        bound = problem.unscaled(1.0 / lipschitz, "step")
        raise ValueError(
            f"step={step:g} is above the stable bound 1 / ||A||_2^2 = {bound:.6g} of a "
            "constant step; leave step=None (1 / ||A||_2^2), or pass backtracking=True to "
            "start from a larger step"
        )


def proximal_solve(problem, penalty, X, *, accelerate, restart=True, backtracking=False,
                   step=None, tol, atol, max_iter, gap_freq=10, history=False, callback=None,
                   verbose=False, solver=None):
    """Run the proximal-gradient kernel on a prepared problem; return a SolverResult.

    Stops when every column has ``gap <= max(tol * objective, atol)``. With ``solver`` (the
    public function's name) a result that missed ``tol`` gets a ConvergenceWarning.
    """
    steps = initial_steps(problem, step, backtracking)
    atol = np.broadcast_to(atol, problem.n_targets).astype(np.float64)
    loop, wrapped = select_driver(proximal_gradient, problem.datafit().op, problem,
                                  problem.user_callback(callback), verbose)
    m = problem.n_targets
    records = [(np.zeros(0, np.int64), np.zeros((0, m)), np.zeros((0, m)))]

    def run(fit, X, max_iter):
        # the options a call does not use are passed as None, and not compiled
        two_products = backtracking or not fuses(fit.op, m)
        FX_new = np.empty_like(fit.target) if two_products else None
        n_records = max_iter // gap_freq + 2
        buffers = ((np.zeros(n_records, np.int64), np.zeros((n_records, m)),
                    np.zeros((n_records, m))) if history else None)
        X, n_iter, primal, gap, converged, n_recorded = loop(
            fit, penalty, X, steps, tol, atol, max_iter, gap_freq, accelerate, restart,
            FX_new, True if backtracking else None, buffers, wrapped, bool(verbose))
        if history:
            records.append(tuple(buffer[:n_recorded] for buffer in buffers))
        return X, n_iter, primal, gap, converged

    X, n_iter, primal, gap, converged = run(problem.datafit(), X, max_iter)
    if problem.gram and converged and n_iter < max_iter:
        exact_primal, exact_gap_ = exact_gap(problem, X, penalty)
        if not np.all(exact_gap_ <= np.maximum(tol * exact_primal, atol)):
            # The Gram form's gap, from ||y||^2 - 2 c.T x + x.T G x, cancels to about
            # eps ||y||^2: finish on A itself, whose gap resolves the tolerance asked for.
            X, more, primal, gap, converged = run(problem.direct_datafit(), X, max_iter - n_iter)
            if history:
                records[-1][0][:] += n_iter
            n_iter += more
    hist = None
    if history:
        hist_iter, hist_primal, hist_gap = (np.concatenate(parts) for parts in zip(*records))
        if problem.y_ndim == 1:
            hist_primal, hist_gap = hist_primal[:, 0], hist_gap[:, 0]
        hist = {"n_iter": hist_iter, "objective": problem.unscaled(hist_primal, "objective"),
                "gap": problem.unscaled(hist_gap, "objective")}
    with np.errstate(over="ignore", under="ignore"):
        steps = problem.unscaled(steps, "step")
    if steps is None or not np.all(np.isfinite(steps) & (steps >= np.finfo(np.float64).tiny)):
        # no step in the user's units: 1 / ||A||^2 beyond float64 (A beyond 1e154 or
        # 1e-154), or a design scaled column by column
        steps = None
    elif problem.y_ndim == 1:
        steps = float(steps[0])
    return certified_result(
        problem, X, n_iter, primal, gap, converged, penalty, tol, atol, solver=solver,
        max_iter=max_iter, stacklevel=4, history=hist, step=steps,
    )


def _proximal_front(A, y, lam, *, x0, max_iter, tol, positive, l2, step, backtracking,
                    restart, gap_freq, history, callback, verbose, gram, accelerate, solver):
    problem = LeastSquaresProblem(A, y, gram=gram)
    W = problem.weights(lam)
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, step, gap_freq = check_options(max_iter, tol, step, gap_freq, problem.dtype)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable; got {type(callback).__name__}")
    if step is not None and not backtracking:
        check_step(problem, step)
    X = problem.start(x0, positive=bool(positive))
    return proximal_solve(
        problem, problem.penalty(W, l2, positive), X, accelerate=accelerate,
        restart=bool(restart), backtracking=bool(backtracking), step=step, tol=tol, atol=0.0,
        max_iter=max_iter, gap_freq=gap_freq, history=bool(history), callback=callback,
        verbose=verbose, solver=solver,
    )


def fista(A, y, lam, *, x0=None, max_iter=10_000, tol=None, positive=False, l2=0.0, step=None,
          backtracking=False, restart=True, gap_freq=10, history=False, callback=None,
          verbose=False, gram="auto"):
    return _proximal_front(
        A, y, lam, x0=x0, max_iter=max_iter, tol=tol, positive=positive, l2=l2, step=step,
        backtracking=backtracking, restart=restart, gap_freq=gap_freq, history=history,
        callback=callback, verbose=verbose, gram=gram, accelerate=True, solver="fista",
    )


def ista(A, y, lam, *, x0=None, max_iter=10_000, tol=None, positive=False, l2=0.0, step=None,
         backtracking=False, gap_freq=10, history=False, callback=None, verbose=False,
         gram="auto"):
    return _proximal_front(
        A, y, lam, x0=x0, max_iter=max_iter, tol=tol, positive=positive, l2=l2, step=step,
        backtracking=backtracking, restart=False, gap_freq=gap_freq, history=history,
        callback=callback, verbose=verbose, gram=gram, accelerate=False, solver="ista",
    )


fista.__doc__ = f"""FISTA (accelerated proximal gradient) for the LASSO and its variants.

    Minimizes ``0.5 ||A x - y||^2 + sum_j lam_j |x_j| + 0.5 l2 ||x||^2`` (over ``x >= 0`` with
    ``positive``) by Beck & Teboulle's FISTA (SIAM J. Imaging Sci. 2009) with step ``1/L``,
    and, by default, O'Donoghue & Candes' gradient-based adaptive restart (Found. Comput.
    Math. 2015), which cuts iterations several-fold on correlated designs. Stops on the
    relative duality gap.

    Parameters
    ----------{_OPTIONS_DOC}    restart : bool, default True
        Adaptive restart of the momentum.
{_RETURNS_DOC}{_GAP_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import fista
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((50, 100))
    >>> x_true = np.zeros(100); x_true[:3] = [4.0, -3.0, 2.0]
    >>> result = fista(A, A @ x_true, lam=1.0, tol=1e-10)
    >>> bool(result.converged), np.flatnonzero(result.x).tolist()
    (True, [0, 1, 2])
    >>> bool(result.gap <= 1e-10 * result.objective)
    True
    """

ista.__doc__ = f"""ISTA (proximal gradient) for the LASSO and its variants.

    The same problem, options and certificate as :func:`fista`, without momentum: slower, but
    monotone. Mostly a reference point.

    Parameters
    ----------{_OPTIONS_DOC}{_RETURNS_DOC}{_GAP_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import ista
    >>> result = ista(np.eye(2), np.array([2.0, -0.5]), 1.0)
    >>> result.x
    array([1., 0.])
    """
