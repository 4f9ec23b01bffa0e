"""Numba kernels behind :mod:`sparserecover.prox`: every call, whatever its size, runs here.

Every kernel is a loop over 1-D contiguous arrays that the public front in ``prox.py`` has
already validated, raveled and typed. Each is compiled for exactly the signature a call needs,
on that call, and cached on disk (``cache=True``): a float32-only program never compiles the
float64 variant, and importing this module compiles nothing. :func:`soft_threshold` is also the
scalar soft threshold that the solvers' compiled loops call; :func:`mcp_threshold` and
:func:`scad_threshold` are the scalar proximal maps of the non-convex penalties, with a step.

Transcendental functions (``tanh``, ``exp``, ``log1p``) are not called here: Numba lowers them
to scalar libm calls, several times slower than NumPy's SIMD loops (docs/benchmarks_prox.md),
so the front evaluates them with NumPy on cache-sized chunks and the kernels fuse the
arithmetic around them.
"""

import math

import numpy as np

from ._jit import config, njit

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

# x - tanh(x) = x**3 * P(x**2) / Q(x**2) for |x| < TANHSHRINK_RATIONAL_BOUND, from the 10th
# convergent of Lambert's continued fraction
#     tanh(x) = x / (1 + x**2 / (3 + x**2 / (5 + x**2 / (7 + ...)))),
# that is x - tanh(x) = x**3 / (x**2 + D) with D = 3 + x**2 / (5 + ... + x**2 / 21), cleared of
# fractions. Every coefficient is a positive integer below 2**53 (exact in float64), so Horner's
# rule on z = x**2 >= 0 only adds positive terms: no cancellation. The truncation error is below
# 1e-18 (relative) on [0, 1.5]; the ~20 roundings of the float64 evaluation give at most 3.7 ulp
# (measured against an extended-precision reference). Above the bound
# tanh(x) < 1.6 * (x - tanh(x)), so the plain difference loses less than one bit.
TANHSHRINK_RATIONAL_BOUND = 1.5
_P0, _P1, _P2, _P3, _P4 = 4583103525.0, 349188840.0, 6891885.0, 42900.0, 65.0
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5 = 13749310575.0, 6547290750.0, 413513100.0, 7567560.0, 45045.0, 66.0


@njit(**_JIT_OPTIONS)
def soft_threshold(x, t):
    """Soft threshold of one real number, as torch's softshrink: ``x - clamp(x, -t, t)``.

    ``+0.0`` inside the band ``[-t, t]`` (``x - x``, also for ``-0.0`` and negative ``x``); NaN
    propagates (no branch is taken, ``NaN - NaN``). The nonnegative variant is
    ``max(soft_threshold(x, t), 0)``.
    """
    clamped = x
    if x > t:
        clamped = t
    elif x < -t:
        clamped = -t
    return x - clamped


@njit(**_JIT_OPTIONS)
def block_soft_threshold(z, t):
    """The factor ``max(1 - t / ||z||_2, 0)`` of block soft thresholding: the proximal
    operator of ``t ||.||_2`` maps the vector ``z`` to that factor times ``z`` (the group
    soft threshold of ``prox.prox_group_l2``). The norm is scaled by the largest magnitude,
    so it neither overflows nor underflows."""
    scale = 0.0
    for k in range(z.shape[0]):
        scale = max(scale, abs(z[k]))
    if scale == 0.0:
        return 0.0
    total = 0.0
    for k in range(z.shape[0]):
        ratio = z[k] / scale
        total += ratio * ratio
    norm = np.sqrt(total) * scale
    if norm <= t:
        return 0.0
    return 1.0 - t / norm


@njit(**_JIT_OPTIONS)
def mcp_threshold(x, lam, gamma, step):
    """The proximal map of ``step * MCP`` at one real number: firm thresholding.

    MCP (Zhang, Ann. Statist. 38(2), 2010) is ``lam |z| - z^2 / (2 gamma)`` for
    ``|z| <= gamma lam`` and ``gamma lam^2 / 2`` beyond. The argmin of
    ``0.5 (z - x)^2 + step * MCP(z)`` (unique for ``gamma > step``) is 0 up to
    ``|x| = step lam``, ``x`` beyond ``gamma lam``, and
    ``soft_threshold(x, step lam) * gamma / (gamma - step)`` between. That product exceeds
    ``|x|`` exactly when ``|x| > gamma lam``, so the smaller of the two is the answer: no
    comparison with a rounded ``gamma lam``, which near ``gamma = step`` (a steep middle piece)
    would extrapolate the product far past its piece. Each factor is rounded once: within 2
    ulp for any ``gamma``; an overflowing product only means ``x``. NaN propagates; 0 is
    ``+0.0``.
    """
    z = soft_threshold(x, step * lam) * (gamma / (gamma - step))
    return x if abs(z) > abs(x) else z


@njit(**_JIT_OPTIONS)
def scad_threshold(x, lam, gamma, step):
    """The proximal map of ``step * SCAD`` at one real number.

    SCAD (Fan & Li, J. Amer. Statist. Assoc. 96(456), 2001) is ``lam |z|`` for
    ``|z| <= lam``, ``(2 gamma lam |z| - z^2 - lam^2) / (2 (gamma - 1))`` up to
    ``gamma lam``, and ``lam^2 (gamma + 1) / 2`` beyond. The argmin of
    ``0.5 (z - x)^2 + step * SCAD(z)`` (unique for ``gamma > 1 + step``) is the soft threshold
    up to ``|x| = (1 + step) lam``, ``x`` beyond ``gamma lam``, and between, on the quadratic
    piece, ``sign(x) (lam + (|x| - (1 + step) lam) (gamma - 1) / (gamma - 1 - step))``: Fan
    and Li's ``((gamma - 1) x - sign(x) step gamma lam) / (gamma - 1 - step)`` written as a sum
    of positive terms, which does not cancel. As for :func:`mcp_threshold`, the pieces are
    chosen by value, not by comparing ``|x|`` with rounded breakpoints: the middle piece is
    above the soft threshold exactly when ``|x| > (1 + step) lam`` and above ``|x|`` exactly
    when ``|x| > gamma lam``. Within 3 ulp for any ``gamma``; NaN propagates; 0 is ``+0.0``.
    """
    a = abs(x)
    z = a - step * lam
    middle = lam + (a - (1.0 + step) * lam) * ((gamma - 1.0) / (gamma - 1.0 - step))
    if middle > z:
        z = middle
    if z > a:
        z = a
    if z < 0.0:
        z = 0.0
    return math.copysign(z, x) + 0.0  # + 0.0: -0.0 becomes +0.0


@njit(**_JIT_OPTIONS)
def _hard_threshold(x, lambd):
    # torch: (x >= -lambd and x <= lambd) ? 0 : x. x - x is +0.0 for finite x, typed like x;
    # & rather than `and`: no short-circuit branch in the loop body.
    return x - x if (x >= -lambd) & (x <= lambd) else x


@njit(**_JIT_OPTIONS)
def _shrink_complex(x, t, one):
    # Complex soft thresholding: scale 1 - t/|x| (an infinite modulus keeps x), 0 inside the
    # disc, NaN propagates; real and imaginary parts scaled separately so that inf * 0 never
    # makes a NaN. `one` carries the real dtype, so that float32 arithmetic is not widened by an
    # integer literal.
    zero = one - one
    modulus = math.hypot(x.real, x.imag)  # libm's correctly rounded hypot, not Numba's abs
    if modulus > t:
        scale = one - t / modulus
    elif modulus <= t:
        scale = zero
    else:
        scale = modulus
    return complex(x.real * scale + zero, x.imag * scale + zero)


# The loops, compiled by get_kernel. The *_weighted ones take one threshold per element.


def _softshrink(x, lambd, out):
    for i in range(x.size):
        out[i] = soft_threshold(x[i], lambd)


def _softshrink_weighted(x, lambd, out):
    for i in range(x.size):
        out[i] = soft_threshold(x[i], lambd[i])


def _shrink_modulus(x, t, one, out):
    for i in range(x.size):
        out[i] = _shrink_complex(x[i], t, one)


def _shrink_modulus_weighted(x, t, one, out):
    for i in range(x.size):
        out[i] = _shrink_complex(x[i], t[i], one)


def _hardshrink(x, lambd, out):
    for i in range(x.size):
        out[i] = _hard_threshold(x[i], lambd)


def _hardshrink_weighted(x, lambd, out):
    for i in range(x.size):
        out[i] = _hard_threshold(x[i], lambd[i])


def _prox_mcp(x, lam, gamma, out):
    # in float64 whatever the dtype: one rounding at the store for float32
    for i in range(x.size):
        out[i] = mcp_threshold(np.float64(x[i]), lam, gamma, 1.0)


def _prox_scad(x, lam, gamma, out):
    for i in range(x.size):
        out[i] = scad_threshold(np.float64(x[i]), lam, gamma, 1.0)


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
    "softshrink_weighted": (_softshrink_weighted, "void({A}, {S}[::1], {A})"),
    "shrink_modulus": (_shrink_modulus, "void({A}, {S}, {S}, {A})"),
    "shrink_modulus_weighted": (_shrink_modulus_weighted, "void({A}, {S}[::1], {S}, {A})"),
    "hardshrink": (_hardshrink, "void({A}, {S}, {A})"),
    "hardshrink_weighted": (_hardshrink_weighted, "void({A}, {S}[::1], {A})"),
    "prox_mcp": (_prox_mcp, "void({A}, float64, float64, {A})"),
    "prox_scad": (_prox_scad, "void({A}, float64, float64, {A})"),
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
        if config.DISABLE_JIT:  # NUMBA_DISABLE_JIT=1 (debugging, coverage): plain Python
            kernel = _compiled[key] = function
            return kernel
        dispatcher = _dispatchers.get(name)
        if dispatcher is None:
            dispatcher = _dispatchers[name] = njit(**_JIT_OPTIONS)(function)
        signature = template.format(A=_ARRAY[dtype], S=_SCALAR[dtype])
        kernel = _compiled[key] = dispatcher.compile(signature)
    return kernel
