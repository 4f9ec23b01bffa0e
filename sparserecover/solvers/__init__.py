"""ISTA, FISTA and IHT on dense, sparse and matrix-free operators, and the LASSO path.

The convex solvers minimize, for every column of ``y``::

    0.5 ||A x - y||^2 + sum_j lam_j |x_j| + 0.5 l2 ||x||^2      (optionally with x >= 0)

and certify their answer with a duality gap; ``iht`` finds a ``n_nonzero``-sparse
least-squares solution. ``coordinate_descent`` solves the convex problems by working-set
coordinate descent with gap-safe screening. All return a :class:`SolverResult`.
"""

from ._cd import coordinate_descent
from ._fista import fista, ista
from ._iht import iht
from ._path import lasso_path
from ._result import SolverResult

__all__ = ["SolverResult", "coordinate_descent", "fista", "iht", "ista", "lasso_path"]
