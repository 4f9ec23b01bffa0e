"""The certificate a convex solver returns: its duality gap, recomputed in float64 from ``A``
where the iterations ran in lower precision (float32 data) or on the Gram matrix."""

import numpy as np

from .._convergence import warn_convergence
from .._jit import njit
from ._gap import duality_gap
from ._problem import Datafit, warn_not_converged
from ._products import forward, is_kernel_operator, kernel_operator, python_driver
from ._result import SolverResult


def exact_gap(problem, X, penalty):
    """Primal objective and duality gap of ``X`` from A itself, in float64."""
    if problem.op.kind == "dense" and problem.dtype != np.float64:
        # the float32 A read in place; its products accumulate in float64
        fit = Datafit(kernel_operator(problem.op), problem.Y.astype(np.float64), problem.yy)
    else:
        fit = problem.direct_datafit(np.float64)
    kernel = _gap_at if is_kernel_operator(fit.op) else python_driver(_gap_at)
    return kernel(fit, penalty, X.astype(np.float64))


@njit(cache=True)
def _gap_at(fit, penalty, X):
    m = X.shape[1]
    FX = np.empty_like(fit.target)
    forward(fit.op, X, FX)
    primal, gap = np.empty(m), np.empty(m)
    duality_gap(fit, penalty, FX, X, np.empty_like(fit.target), np.empty_like(X),
                np.zeros_like(X), np.empty_like(fit.target), primal, gap, np.empty(m))
    return primal, gap


def certified_result(problem, X, n_iter, primal, gap, converged, penalty, tol, atol, *,
                     solver=None, max_iter=None, stacklevel=3, certify=True, stalls=False,
                     **extra):
    """The :class:`SolverResult` of a convex solve, its gap recomputed in float64 from A for
    float32 data and Gram iterations (and convergence judged on that gap).

    ``certify=False`` keeps the kernel's own gap (a path whose gaps nobody reads: the
    recomputation costs a product with A per solve).
    ``converged`` is the kernel's verdict. With ``solver`` (a functional solver's name, whose
    ``tol`` is relative), a result that missed the tolerance gets a ConvergenceWarning:
    ``max_iter`` ran out, the recomputed gap is above the kernel's, or (``stalls``: a solver
    that stops when its gap stops decreasing) it stopped before ``max_iter`` without
    converging. ``extra`` holds the solver-specific fields (``history``, ``step``,
    ``n_screened``), shaped for the result.
    ``stacklevel`` counts from the caller of this function to the user's call.
    """
    kernel_converged = converged
    if certify and problem.op is not None and (problem.dtype != np.float64 or problem.gram):
        primal, gap = exact_gap(problem, X, penalty)
        converged = converged and bool(np.all(gap <= np.maximum(tol * primal, atol)))
    if solver is not None and not converged:
        worst = float(np.max(gap / np.maximum(primal, np.finfo(np.float64).tiny)))
        if kernel_converged:
            reason = ("float32 iterates cannot reach it" if problem.dtype == np.float32
                      else "the Gram-matrix estimate was optimistic")
            warn_convergence(
                f"{solver} stopped at a relative duality gap of {worst:.3g} recomputed in "
                f"float64, above tol={tol:g}: {reason}",
                stacklevel=stacklevel + 1,
            )
        elif n_iter >= max_iter:
            warn_not_converged(solver, max_iter, f"relative duality gap {worst:.3g} > "
                               f"tol={tol:g}", stacklevel=stacklevel + 2)
        elif stalls:  # the solver stopped when its gap stopped decreasing
            floor = ("float32 coefficients" if problem.dtype == np.float32
                     else "rounding or the problem's conditioning")
            warn_convergence(
                f"{solver} stopped at a relative duality gap of {worst:.3g}, above "
                f"tol={tol:g}, after {n_iter} iterations: the gap stopped decreasing (the "
                f"floor of {floor}); increase tol",
                stacklevel=stacklevel + 1,
            )
    x, (objective, gap_out) = problem.shape_result(X, [primal, gap])
    return SolverResult(x=x, n_iter=int(n_iter), converged=bool(converged),
                        objective=objective, gap=gap_out, **extra)
