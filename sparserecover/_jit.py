"""Numba's ``njit`` for sparserecover's kernels, with their on-disk cache outside the package.

Numba caches a function's machine code next to its source file (in ``__pycache__``) when that
folder is writable. For an installed package that is ``site-packages/sparserecover/``: pip's
uninstall leaves the cache files behind, and the leftover folder, now a namespace package,
shadows a later editable install of sparserecover. So the kernels' cache goes to

- ``$NUMBA_CACHE_DIR`` if it is set,
- else the user cache folder of the platform (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux),
  under ``sparserecover/<version>/numba``,

whichever is writable first. Where none is (a read-only install and no writable home), the
kernels compile without a cache, in every process, after one warning, instead of failing.

Only the kernel modules import this module: ``import sparserecover`` does not import Numba.
"""

import inspect
import os
import sys
import warnings

import numba
from numba.core import caching
from numba.extending import overload
from numba.misc.appdirs import AppDirs

from . import __version__

__all__ = ["config", "njit", "trace"]

# For the kernels that read numba.config (NUMBA_DISABLE_JIT).
config = numba.config

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_warned = False


class _NoCacheFolder(RuntimeError):
    pass


def _cache_roots():
    if numba.config.CACHE_DIR:
        yield numba.config.CACHE_DIR
    appdirs = AppDirs("sparserecover", appauthor=False, version=__version__)
    yield os.path.join(appdirs.user_cache_dir, "numba")


class _CacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """Where Numba caches the functions defined in sparserecover's own source files."""

    def __init__(self, py_func, py_file, root):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        # A folder per source folder (named by a hash of its path), as Numba's own locators do.
        self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self):
        return self._cache_path

    @classmethod
    def from_function(cls, py_func, py_file):
        if not os.path.abspath(py_file).startswith(_PACKAGE_DIR + os.sep):
            return None  # not ours: Numba's own locators decide
        roots = list(_cache_roots())
        for root in roots:
            locator = cls(py_func, py_file, root)
            try:
                locator.ensure_cache_path()
            except OSError:
                continue
            return locator
        # Never None here: Numba's next locator would be the package's own __pycache__.
        raise _NoCacheFolder(f"none of {', '.join(roots)} is writable")


_CacheImpl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
if _CacheLocator not in _CacheImpl._locator_classes:
    _CacheImpl._locator_classes.insert(0, _CacheLocator)


def njit(*args, **options):
    """``numba.njit``, caching (``cache=True``) in the folder described in this module's
    docstring, or compiling without a cache if no folder is writable."""
    if args and inspect.isfunction(args[0]):  # @njit without parentheses
        return _njit(args[0], args[1:], options)
    return lambda function: _njit(function, args, options)


def _njit(function, args, options):
    global _warned
    try:
        return numba.njit(*args, **options)(function)
    except RuntimeError as error:  # ours above, or Numba's "no locator available"
        if not options.get("cache"):
            raise
        if not _warned:
            _warned = True
            warnings.warn(
                f"sparserecover cannot cache its compiled kernels ({error}): they compile "
                "again in every new process. Set NUMBA_CACHE_DIR to a writable folder to "
                "keep them.",
                RuntimeWarning,
                stacklevel=3,
            )
        return numba.njit(*args, **{**options, "cache": False})(function)


def trace(*values):
    """A kernel's progress line (its ``verbose`` option), on stderr.

    Compiled, it does nothing: a kernel runs with ``verbose`` only from its Python source
    (``solvers._products.select_driver``), so no printing, and none of Numba's string
    machinery, is compiled into the kernels.
    """
    print(*values, file=sys.stderr)


@overload(trace)
def _trace(*values):
    return lambda *values: None
