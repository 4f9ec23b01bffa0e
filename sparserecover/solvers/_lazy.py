"""Deferred import of the compiled-kernel modules.

``import numba`` costs about 0.15 s and is paid again by nothing else a Lasso fit needs; the
solver fronts bind their kernel modules through :class:`LazyModule`, so importing the solvers
(as the estimators do) loads Numba only when a compiled kernel is about to run (issue 7:
first-call latency).
"""

import importlib


class LazyModule:
    """Stand-in for the module ``name``, imported on first attribute access."""

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attribute):
        # only called for names not found on the instance, i.e. the module's own names
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self):
        return f"<LazyModule {self._name!r}>"
