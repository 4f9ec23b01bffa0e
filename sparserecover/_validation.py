"""Input checks shared by every public function.

Each check names the offending argument in its message, so a user sees which of their inputs
was wrong. Nothing here modifies its input.
"""

import math
import numbers

import numpy as np

_REAL_FLOATS = (np.float32, np.float64)
_COMPLEX = (np.complex64, np.complex128)


def as_float_array(x, name, *, allow_complex=False, dtype=None):
    """Return ``x`` as a float32/float64 (or complex64/complex128) ndarray, without copying.

    float32 stays float32 and float64 stays float64; booleans and integers are promoted to
    float64, float16 to float32. ``dtype`` forces a dtype instead. Strings, objects and (unless
    ``allow_complex``) complex input raise a TypeError naming ``name``.
    """
    array = np.asarray(x)
    kind = array.dtype.kind
    if kind == "c" and not allow_complex:
        raise TypeError(f"{name} must be real; got complex dtype {array.dtype}")
    if kind not in "biufc":
        raise TypeError(f"{name} must be a numeric array; got dtype {array.dtype}")
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if array.dtype.type in _REAL_FLOATS or array.dtype.type in _COMPLEX:
        return array
    if kind == "f":
        return array.astype(np.float32 if array.dtype.itemsize < 4 else np.float64)
    if kind == "c":
        return array.astype(np.complex128)
    return array.astype(np.float64)


def sum_is_finite(array):
    """Whether ``array``'s sum is finite, which proves every value finite (NaN and infinity
    propagate through a sum) in one pass, faster than ``isfinite``'s mask. False does not
    prove a bad value: a sum of finite values may overflow, so a caller then checks value by
    value."""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.add.reduce(array, axis=None)))


def check_finite(array, name):
    """Raise a ValueError naming ``name`` if ``array`` holds NaN or infinity."""
    if not np.all(np.isfinite(array)):
        n_bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {n_bad} NaN or infinite value(s)")
    return array


def check_scalar(value, name, *, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """Return ``value`` as a Python float after checking it is a finite real number in range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        bound = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {bound} {low}; got {value}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        bound = "<=" if high_inclusive else "<"
        raise ValueError(f"{name} must be {bound} {high}; got {value}")
    return value


def check_int(value, name, *, low, high=None):
    """Return ``value`` as int after checking it is an integer (not a bool) in [low, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    value = int(value)
    if high is None and value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}")
    if high is not None and not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value}")
    return value


def check_out(out, shape, dtype, name="out"):
    """Check that a caller-provided output array can receive a result of ``shape``/``dtype``."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy array; got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"{name} has shape {out.shape}; expected {tuple(shape)}")
    if out.dtype != dtype:
        raise TypeError(f"{name} has dtype {out.dtype}; expected {np.dtype(dtype)}")
    if not out.flags.writeable:
        raise ValueError(f"{name} is read-only")
    return out


def scale_exponent(max_abs, dtype):
    """The ``k`` for which data of largest magnitude ``max_abs`` are computed on as
    ``2^-k data`` (exact): 0 when ``max_abs`` lies within ``2^+-(maxexp / 8)`` of 1 (1e38 in
    float64, 6.6e4 in float32), where no square or product of the computations over- or
    underflows; else the ``k`` that brings ``max_abs`` to [1/2, 1)."""
    exponent = math.frexp(max_abs)[1]
    return exponent if max_abs and abs(exponent) > scale_limit(dtype) else 0


def scale_limit(dtype):
    """``np.finfo(dtype).maxexp // 8``: the binary exponents within which data of ``dtype``
    are computed on unscaled (see :func:`scale_exponent`)."""
    limit = _SCALE_LIMITS.get(dtype)
    return np.finfo(dtype).maxexp // 8 if limit is None else limit


# scale_limit of the float dtypes, by dtype and by scalar type (np.finfo costs microseconds,
# on every call of a small fit)
_SCALE_LIMITS = {key: np.finfo(t).maxexp // 8 for t in _REAL_FLOATS for key in (t, np.dtype(t))}
