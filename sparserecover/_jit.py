"""Numba's decorators for the package's kernels."""

from numba import njit

__all__ = ["njit"]
