"""scikit-learn's ``ConvergenceWarning``, without importing scikit-learn until one is raised.

Users filter solver warnings by scikit-learn's class, so it is the one raised; importing it
costs all of ``sklearn.base`` (over a second in a fresh process), which a functional solver
run that converges, needing nothing else of scikit-learn, should not pay.
"""

import warnings


def warn_convergence(message, stacklevel=2):
    """``warnings.warn(message, ConvergenceWarning, stacklevel)``; ``stacklevel`` counts from
    the caller, as ``warnings.warn``'s does."""
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel + 1)
