"""scikit-learn's ``ConvergenceWarning``, without importing scikit-learn until one is raised.

Users filter solver warnings by scikit-learn's class, so it is the one raised; importing it
costs all of ``sklearn.base`` (over a second in a fresh process), which a solver run that
converges, needing nothing else of scikit-learn, should not pay. The estimators, which
restate a solver's warning in their own terms, suppress the solvers' warnings with
:func:`solver_warnings_suppressed`: a per-thread flag, where ``warnings.catch_warnings``
would need the class and is not thread-safe.
"""

import threading
import warnings
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def solver_warnings_suppressed():
    """Within the block, :func:`warn_convergence` is silent in this thread."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth


def warn_convergence(message, stacklevel=2):
    """``warnings.warn(message, ConvergenceWarning, stacklevel)`` unless suppressed here;
    ``stacklevel`` counts from the caller, as ``warnings.warn``'s does."""
    if getattr(_state, "depth", 0):
        return
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel + 1)
