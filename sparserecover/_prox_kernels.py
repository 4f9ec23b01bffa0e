"""Numba kernels behind :mod:`sparserecover.prox`.

Every kernel is a loop over 1-D contiguous arrays that the public front in ``prox.py`` has
already validated, raveled and typed. Each is compiled for exactly the signature a call needs,
on that call, and cached on disk (``cache=True``): a float32-only program never compiles the
float64 variant, and importing this module compiles nothing.

The arithmetic here is mirrored, operation for operation and in the same order, by the NumPy
reference path in ``prox.py`` that serves small arrays (so that small calls never start Numba).
The two must agree bitwise; ``tests/test_prox.py`` checks that they do. Numba's default
(``fastmath=False``) keeps every ``+ - * /`` a separately rounded IEEE operation (no FMA
contraction, no reassociation), which is what makes the mirroring exact.

Transcendental functions (``tanh``, ``exp``, ``log1p``) are not called here: Numba lowers them
to scalar libm calls (5-10x slower than NumPy's SIMD loops on this hardware), so the front
evaluates them with NumPy on cache-sized chunks and the kernels fuse the arithmetic around them.
"""

import math

import numpy as np

from sparserecover.prox import (
    _TANHSHRINK_DENOMINATOR,
    _TANHSHRINK_NUMERATOR,
    _TANHSHRINK_RATIONAL_BOUND,
)

from . import _jit as numba

# error_model="numpy": division never raises, so the loops vectorize.
_JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}

_ARRAY = {
    np.dtype(np.float32): "float32[::1]",
    np.dtype(np.float64): "float64[::1]",
    np.dtype(np.complex64): "complex64[::1]",
    np.dtype(np.complex128): "complex128[::1]",
}
# The scalar parameters of a complex kernel are real, of the matching precision.
_SCALAR = {
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.complex64): "float32",
    np.dtype(np.complex128): "float64",
}


# x - tanh(x) = x**3 * P(x**2) / Q(x**2) below the bound: see prox.py for the derivation.
TANHSHRINK_RATIONAL_BOUND = _TANHSHRINK_RATIONAL_BOUND
_P0, _P1, _P2, _P3, _P4 = _TANHSHRINK_NUMERATOR
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5 = _TANHSHRINK_DENOMINATOR



def _softshrink(x, lambd, out):
    # torch's vectorized CPU kernel, x - clamp(x, -lambd, lambd): +0.0 inside the band
    # (x - x), NaN propagates (no branch is taken, NaN - NaN).
    for i in range(x.size):
        a = x[i]
        clamped = a
        if a > lambd:
            clamped = lambd
        elif a < -lambd:
            clamped = -lambd
        out[i] = a - clamped


def _shrink_modulus(x, t, one, out):
    # Complex soft thresholding, mirroring prox._shrink_modulus operation for operation: scale
    # 1 - t/|x| (an infinite modulus keeps x), 0 inside the disc, NaN propagates; real and
    # imaginary parts scaled separately so that inf * 0 never makes a NaN. `one` carries the
    # real dtype, so that float32 arithmetic is not widened by an integer literal.
    zero = one - one
    for i in range(x.size):
        a = x[i]
        modulus = math.hypot(a.real, a.imag)  # as np.abs: libm hypot, not Numba's own abs
        if modulus > t:
            scale = one - t / modulus
        elif modulus <= t:
            scale = zero
        else:
            scale = modulus
        out[i] = complex(a.real * scale + zero, a.imag * scale + zero)


def _hardshrink(x, lambd, out):
    # torch: (x >= -lambd and x <= lambd) ? 0 : x. a - a is +0.0 for finite a, typed like a;
    # & rather than `and`: no short-circuit branch in the loop body.
    for i in range(x.size):
        a = x[i]
        out[i] = a - a if (a >= -lambd) & (a <= lambd) else a


def _threshold(x, threshold, value, out):
    for i in range(x.size):
        a = x[i]
        out[i] = value if a <= threshold else a


def _band_grad(x, lambd, out):
    # Derivative of softshrink and of hardshrink alike: 1 outside [-lambd, lambd], else 0.
    # NaN gives 0, as torch's vectorized backward does.
    for i in range(x.size):
        out[i] = abs(x[i]) > lambd


def _threshold_grad(x, threshold, out):
    # NaN gives 1: torch's backward passes the gradient unless x <= threshold.
    for i in range(x.size):
        out[i] = not (x[i] <= threshold)


def _tanhshrink_from_tanh(x, tanh_x, out):
    # Evaluated in float64 whatever the dtype (one rounding at the store for float32). Both
    # branches are computed and one selected, with every load unconditional, so that LLVM
    # vectorizes the loop; the caller keeps out apart from the inputs, or LLVM's alias check
    # picks its scalar loop.
    for i in range(x.size):
        a = np.float64(x[i])
        difference = a - np.float64(tanh_x[i])
        z = a * a
        numerator = (((_P4 * z + _P3) * z + _P2) * z + _P1) * z + _P0
        denominator = ((((_Q5 * z + _Q4) * z + _Q3) * z + _Q2) * z + _Q1) * z + _Q0
        # a times the rest, last: one rounding when the result is subnormal
        rational = a * (z * numerator / denominator)
        r = rational if abs(a) < TANHSHRINK_RATIONAL_BOUND else difference
        # + 0.0 turns -0.0 into +0.0: torch's x - tanh(x) never returns -0.0.
        out[i] = r + 0.0


def _softplus_prepare(x, beta, out):
    # out = -|beta * x|, the argument of exp in the stable form
    # softplus(x) = (max(beta x, 0) + log1p(exp(-|beta x|))) / beta, with beta * x rounded in
    # the dtype of x, as torch computes it.
    for i in range(x.size):
        out[i] = -abs(x[i] * beta)


def _softplus_finish(x, log_term, beta, threshold, out):
    # log_term = log1p(exp(-|beta x|)) in the dtype of x (NumPy's SIMD loops); the arithmetic
    # around it in float64, one rounding at the store. out does not overlap the inputs.
    beta64 = np.float64(beta)
    for i in range(x.size):
        a = x[i]
        b = a * beta
        term = np.float64(log_term[i])
        smooth = (np.float64(b) + term) / beta64 if b > 0 else term / beta64
        out[i] = a if b > threshold else smooth


def _softplus_grad_finish(x, exp_term, beta, threshold, out):
    # exp_term = exp(-|beta x|); the logistic sigmoid of beta x without overflow, in float64.
    for i in range(x.size):
        b = x[i] * beta
        e = np.float64(exp_term[i])
        sigmoid = 1.0 / (1.0 + e) if b >= 0 else e / (1.0 + e)
        out[i] = 1.0 if b > threshold else sigmoid


# name -> (python function, signature template); {A} is the array type, {S} the scalar type.
_KERNELS = {
    "softshrink": (_softshrink, "void({A}, {S}, {A})"),
    "shrink_modulus": (_shrink_modulus, "void({A}, {S}, {S}, {A})"),
    "hardshrink": (_hardshrink, "void({A}, {S}, {A})"),
    "threshold": (_threshold, "void({A}, {S}, {S}, {A})"),
    "band_grad": (_band_grad, "void({A}, {S}, {A})"),
    "threshold_grad": (_threshold_grad, "void({A}, {S}, {A})"),
    "tanhshrink_from_tanh": (_tanhshrink_from_tanh, "void({A}, {A}, {A})"),
    "softplus_prepare": (_softplus_prepare, "void({A}, {S}, {A})"),
    "softplus_finish": (_softplus_finish, "void({A}, {A}, {S}, {S}, {A})"),
    "softplus_grad_finish": (_softplus_grad_finish, "void({A}, {A}, {S}, {S}, {A})"),
}

_dispatchers = {}
_compiled = {}


def get_kernel(name, dtype):
    """Return kernel ``name`` compiled (or loaded from the cache) for ``dtype`` only."""
    key = (name, dtype)
    kernel = _compiled.get(key)
    if kernel is None:
        function, template = _KERNELS[name]
        if numba.config.DISABLE_JIT:  # NUMBA_DISABLE_JIT=1 (debugging, coverage): plain Python
            kernel = _compiled[key] = function
            return kernel
        dispatcher = _dispatchers.get(name)
        if dispatcher is None:
            dispatcher = _dispatchers[name] = numba.njit(**_JIT_OPTIONS)(function)
        signature = template.format(A=_ARRAY[dtype], S=_SCALAR[dtype])
        kernel = _compiled[key] = dispatcher.compile(signature)
    return kernel
