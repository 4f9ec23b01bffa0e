"""The result object every solver returns."""

from dataclasses import dataclass

import numpy as np


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    x : ndarray of shape (n_features,) or (n_features, n_targets)
        The solution, in the dtype of the problem (float32 stays float32).
    n_iter : int
        Iterations run.
    converged : bool
        Whether every column met the stopping criterion (``gap <= tol * objective`` for the
        convex solvers) before ``max_iter``.
    objective : float or ndarray of shape (n_targets,)
        Objective value at ``x`` (float64), one per column for 2-D ``y``.
    gap : float, ndarray of shape (n_targets,) or None
        Duality gap ``P(x) - D(theta)`` at ``x`` (float64): an upper bound on
        ``objective - optimum``. None for problems without one (IHT).
    history : dict or None
        With ``history=True``: ``"n_iter"`` (iterations at which the values were recorded),
        ``"objective"`` and ``"gap"`` (one row per record, one column per target for 2-D y).
    step : float or ndarray or None
        The final step size (per column for 2-D ``y``); None for solvers without one, where
        it is beyond float64's range (``1 / ||A||_2^2`` for an ``A`` of entries beyond about
        1e154 or below 1e-154), and for designs with columns more than 1e77 times larger than
        most (solved with each column scaled to 1).
    n_screened : int or ndarray or None
        Features that gap-safe screening proved zero at the optimum (per column for 2-D
        ``y``); None for solvers without screening.
    n_iter_columns : ndarray of shape (n_targets,) or None
        Iterations per column of ``y``, for solvers that solve the columns one after another
        (coordinate descent; ``n_iter`` is their maximum); None otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import fista
    >>> result = fista(np.eye(3), np.array([3.0, 0.5, -2.0]), 1.0)
    >>> result.x
    array([ 2.,  0., -1.])
    >>> bool(result.converged), result.gap <= 1e-6 * result.objective
    (True, True)
    """

    x: np.ndarray
    n_iter: int
    converged: bool
    objective: object
    gap: object = None
    history: dict = None
    step: object = None
    n_screened: object = None
    n_iter_columns: object = None

    def __repr__(self):
        def short(value):
            if isinstance(value, np.ndarray) and value.size > 1:
                return f"array(shape={value.shape}, dtype={value.dtype})"
            if isinstance(value, float):
                return f"{value:.6g}"
            return repr(value)

        return (
            f"SolverResult(x={short(self.x)}, n_iter={self.n_iter}, "
            f"converged={self.converged}, objective={short(self.objective)}, "
            f"gap={short(self.gap)})"
        )
