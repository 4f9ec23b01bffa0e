"""Elementwise shrinkage operators, their derivatives, and the proximal maps built on them.

The five operators have the semantics of their namesakes in ``torch.nn.functional`` on real
input, element for element: the same comparisons at the boundaries (``|x| == lambd``,
``x == threshold``, ``beta * x == threshold``), NaN propagation, infinities and signed zeros,
with the scalar parameters rounded to the input's dtype first, as torch does. The derivatives
(``*_grad``) are the values torch's autograd returns, including its choice at the kinks. The
piecewise-linear ones (softshrink, hardshrink, threshold and their derivatives) agree with
torch bit for bit; the smooth ones (tanhshrink, softplus and their derivatives) agree within a
few ulp wherever torch is accurate, and stay accurate where torch's formulas cancel or overflow
(each docstring says where). Where torch disagrees with itself (its vectorized and scalar CPU
loops differ on some signed zeros and NaN derivatives) we follow the vectorized loop, which is
what torch returns for all but the last few elements of any array.

Conventions shared by every function here:

- float32 stays float32, float64 stays float64, integers and booleans become float64; complex
  input is accepted by :func:`softshrink` and :func:`prox_l1` (which shrink the modulus) and by
  :func:`project_k_sparse`. Anything non-numeric is a TypeError.
- Any shape and memory layout. A 0-d array or a Python scalar gives a NumPy scalar, like a
  NumPy ufunc; with ``out=`` the function returns ``out``.
- ``out=`` receives the result and may be the input itself (in place). Without ``out=``,
  the input is never modified.
- Every call, whatever its size, is computed by fused Numba loops (one read, one write per
  element), compiled on first use and cached on disk; importing this module does not import
  Numba.

The proximal maps follow ``prox_f(x, t) = argmin_z 0.5 * ||z - x||**2 + t * f(z)``
(Parikh & Boyd, "Proximal Algorithms", 2014, Sec. 6).
"""

import numbers

import numpy as np

from sparserecover._validation import as_float_array, check_int, check_out, check_scalar

__all__ = [
    "hardshrink",
    "hardshrink_grad",
    "project_k_sparse",
    "prox_elastic_net",
    "prox_group_l2",
    "prox_l0",
    "prox_l1",
    "prox_mcp",
    "prox_scad",
    "softplus",
    "softplus_grad",
    "softshrink",
    "softshrink_grad",
    "tanhshrink",
    "tanhshrink_grad",
    "threshold",
    "threshold_grad",
]

# Elements per chunk when NumPy's SIMD tanh/exp/log1p feed a Numba kernel: 256 KiB of float64
# per buffer, so the intermediate values stay in the L2 cache.
_CHUNK_SIZE = 2**15


def _kernel(name, dtype):
    # Imported here, not at the top, so that importing sparserecover.prox does not import Numba.
    from sparserecover import _prox_kernels

    return _prox_kernels.get_kernel(name, np.dtype(dtype))


# ---------------------------------------------------------------------------------------------
# input checks


def _as_real(x, name="x"):
    return as_float_array(x, name)


def _real_number(value, name):
    """A real Python/NumPy number as a float (NaN and inf allowed); TypeError otherwise."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    return float(value)


def _in_dtype(value, name, dtype, *, allow_inf=False, allow_nan=False):
    """Round a scalar parameter to ``dtype`` as torch does, rejecting what overflows there."""
    with np.errstate(over="ignore"):  # reported below, naming the parameter
        rounded = dtype.type(value)
    if np.isnan(rounded) and not allow_nan:
        raise ValueError(f"{name} must not be NaN")
    if np.isinf(rounded) and not allow_inf and not np.isinf(value):
        raise ValueError(f"{name}={value} overflows {dtype}")
    return rounded


def _lambd(lambd, dtype, name="lambd"):
    value = check_scalar(lambd, name, low=0.0)
    return _in_dtype(value, name, dtype)


def _check_out(out, x):
    if out is not None:
        check_out(out, x.shape, x.dtype)
    return out


# ---------------------------------------------------------------------------------------------
# evaluation: fused Numba loops over raveled views


def _finish(result, out):
    """Copy ``result`` into ``out`` if given; a 0-d result without ``out`` becomes a scalar."""
    if out is not None:
        if result is not out:
            np.copyto(out, result)
        return out
    return result[()] if result.ndim == 0 else result


def _allocate(x):
    # Keep Fortran order for Fortran input, so that both sides ravel to views.
    order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    return np.empty(x.shape, dtype=x.dtype, order=order)


def _flat_apply(run, x, out, *weights):
    """Call ``run(x_flat, *weights_flat, out_flat)`` on 1-D contiguous arrays in one element order.

    ``weights`` are arrays broadcastable to ``x.shape`` (one parameter per element). An input is
    copied only when it is not contiguous in ``out``'s order, or when it overlaps ``out``
    without being exactly the same memory (in place is safe for elementwise loops).
    Returns the result array (``out`` or a new one).
    """
    result = _allocate(x) if out is None else out
    target = result
    if not (target.flags.c_contiguous or target.flags.f_contiguous):
        target = _allocate(x)
    order = "C" if target.flags.c_contiguous else "F"
    target_flat = target.reshape(-1, order=order)
    inputs = [x, *(np.broadcast_to(w, x.shape) for w in weights)]
    flats = [np.ravel(a, order=order) for a in inputs]
    for k, flat in enumerate(flats):
        if (
            np.may_share_memory(flat, target_flat)
            and flat.__array_interface__["data"][0] != target_flat.__array_interface__["data"][0]
        ):
            flats[k] = flat.copy()
    run(*flats, target_flat)
    if target is not result:
        np.copyto(result, target)
    return result


def _chunks(size):
    for start in range(0, size, _CHUNK_SIZE):
        yield start, min(start + _CHUNK_SIZE, size)


# ---------------------------------------------------------------------------------------------
# the five operators


def softshrink(x, lambd=0.5, *, out=None):
    """Soft thresholding: ``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    The proximal operator of ``lambd * |.|`` (:func:`prox_l1` is the same map with per-element
    weights and complex input), as ``torch.nn.functional.softshrink``.

    Parameters
    ----------
    x : array_like
        Real or complex input, any shape. Complex values have their modulus shrunk:
        ``x * max(|x| - lambd, 0) / |x|``.
    lambd : float, default=0.5
        Threshold, ``>= 0`` (negative is a ValueError, as in torch). It is rounded to the dtype
        of ``x`` before comparing, as torch does.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64). Inside the band
        ``[-lambd, lambd]`` the result is ``+0.0``, for ``-0.0`` and negative ``x`` too: torch's
        vectorized CPU loop computes ``x - clamp(x, -lambd, lambd)`` and so do we. (Torch's
        scalar loop, used for the last few elements of an array, returns ``-0.0`` there for
        negative ``x``.) NaN stays NaN, ``+-inf`` stays ``+-inf``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lambd`` is negative, NaN or infinite, or ``out`` has another shape than the result
        or is read-only.

    See Also
    --------
    prox_l1, hardshrink, softshrink_grad

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import softshrink
    >>> softshrink(np.array([-2.0, -0.3, 0.0, 0.3, 2.0]), 0.5)
    array([-1.5,  0. ,  0. ,  0. ,  1.5])
    >>> softshrink(np.array([3 + 4j, 0.3j]), 1.0)
    array([2.4+3.2j, 0. +0.j ])
    """
    x = as_float_array(x, "x", allow_complex=True)
    if x.dtype.kind == "c":
        t = x.real.dtype.type(check_scalar(lambd, "lambd", low=0.0))
        _check_out(out, x)
        kernel = _kernel("shrink_modulus", x.dtype)
        one = t.dtype.type(1)
        return _finish(_flat_apply(lambda a, o: kernel(a, t, one, o), x, out), out)
    lambd = _lambd(lambd, x.dtype)
    _check_out(out, x)
    kernel = _kernel("softshrink", x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, lambd, o), x, out), out)


def hardshrink(x, lambd=0.5, *, out=None):
    """Hard thresholding: keep ``x`` where ``|x| > lambd``, else 0.

    As ``torch.nn.functional.hardshrink``: the band ``[-lambd, lambd]`` includes its ends and
    gives ``+0.0`` (also for ``-0.0``); NaN is kept (it is not inside the band).

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    lambd : float, default=0.5
        Threshold, ``>= 0``, rounded to the dtype of ``x``. Torch accepts a negative ``lambd``
        here (and then returns ``x`` unchanged, since no ``x`` satisfies
        ``lambd <= ... <= -lambd``) while its ``softshrink`` rejects it; we reject it in both
        with a ValueError, since a negative threshold is almost certainly a sign error.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lambd`` is negative, NaN or infinite, or ``out`` has another shape than the result
        or is read-only.

    See Also
    --------
    prox_l0, softshrink, hardshrink_grad

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import hardshrink
    >>> hardshrink(np.array([-2.0, -0.3, 0.0, 0.3, 2.0]), 0.5)
    array([-2.,  0.,  0.,  0.,  2.])
    >>> hardshrink(np.array([-0.5, 0.5, 0.50001]), 0.5)  # the band includes its ends
    array([0.     , 0.     , 0.50001])
    """
    x = _as_real(x)
    lambd = _lambd(lambd, x.dtype)
    _check_out(out, x)
    kernel = _kernel("hardshrink", x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, lambd, o), x, out), out)


def tanhshrink(x, *, out=None):
    """``x - tanh(x)``, accurate to 4 ulp (relative) for every ``x``, tiny ``|x|`` included.

    The naive difference, which torch computes, cancels for small ``|x|``: it returns 0 for
    ``|x| < 1e-8`` or so (float64) where the true value is ``x**3 / 3``, and has large relative
    errors up to ``|x| ~ 0.1``. Here ``|x| < 1.5`` is evaluated by a rational function with
    positive coefficients (a convergent of Lambert's continued fraction for ``tanh``, no
    cancellation), and ``x - tanh(x)`` above it, where ``tanh(x)`` is at most 1.6 times the
    result. For float32 input, ``tanh`` is evaluated in float32 (NumPy's SIMD loop, within 1.4
    ulp) and everything else in float64, rounded once: within 2 ulp of float32.

    So we agree with torch to a few ulp wherever torch is accurate, and are right where it is
    not. A zero result is ``+0.0`` (also for ``x = -0.0``, as in torch); NaN stays NaN and
    ``+-inf`` gives ``+-inf``.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``out`` has another shape than the result or is read-only.

    See Also
    --------
    tanhshrink_grad

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import tanhshrink
    >>> tanhshrink(np.array([-2.0, -1.0, 0.0, 1.0, 2.0])).round(4)
    array([-1.036 , -0.2384,  0.    ,  0.2384,  1.036 ])
    >>> float(tanhshrink(1e-8))  # x**3 / 3; the naive x - tanh(x) gives 0.0
    3.3333333333333335e-25
    """
    x = _as_real(x)
    _check_out(out, x)
    return _finish(_flat_apply(_tanhshrink_chunks, x, out), out)


def _tanhshrink_chunks(x_flat, out_flat):
    # The kernel's arguments never overlap: LLVM's runtime alias check would otherwise fall
    # back to its scalar loop, so an in-place result goes through a buffer.
    kernel = _kernel("tanhshrink_from_tanh", x_flat.dtype)
    direct = not np.may_share_memory(x_flat, out_flat)
    size = min(_CHUNK_SIZE, x_flat.size)
    buffer_tanh = np.empty(size, x_flat.dtype)
    buffer_result = None if direct else np.empty(size, x_flat.dtype)
    for start, stop in _chunks(x_flat.size):
        a = x_flat[start:stop]
        tanh_a = buffer_tanh[: stop - start]
        np.tanh(a, out=tanh_a)
        if direct:
            kernel(a, tanh_a, out_flat[start:stop])
        else:
            result = buffer_result[: stop - start]
            kernel(a, tanh_a, result)
            out_flat[start:stop] = result


def threshold(x, threshold, value, *, out=None):
    """Keep ``x`` where ``x > threshold``, else ``value``.

    As ``torch.nn.functional.threshold``: ``x == threshold`` gives ``value``; NaN is kept
    (``NaN <= threshold`` is false). Both parameters are rounded to the dtype of ``x``.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    threshold : float
        Not NaN; ``+-inf`` allowed.
    value : float
        Replacement; any float, including ``+-inf``, NaN and ``-0.0`` (its sign is kept).
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``threshold`` or ``value`` is not a real number, or
        ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``threshold`` is NaN, or ``out`` has another shape than the result or is read-only.

    See Also
    --------
    threshold_grad, hardshrink

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import threshold
    >>> threshold(np.array([-1.0, 0.0, 0.1, 0.5, 2.0]), 0.1, 20.0)
    array([20. , 20. , 20. ,  0.5,  2. ])
    """
    x = _as_real(x)
    bound = _in_dtype(_real_number(threshold, "threshold"), "threshold", x.dtype, allow_inf=True)
    fill = _in_dtype(
        _real_number(value, "value"), "value", x.dtype, allow_inf=True, allow_nan=True
    )
    _check_out(out, x)
    kernel = _kernel("threshold", x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, bound, fill, o), x, out), out)


def softplus(x, beta=1.0, threshold=20.0, *, out=None):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``.

    As ``torch.nn.functional.softplus``, with ``beta`` and ``threshold`` rounded to the dtype
    of ``x`` and ``beta * x`` computed in that dtype, so that the switch to the linear branch
    happens at exactly the same elements as in torch (``beta * x == threshold`` is still on the
    smooth branch). The smooth branch is evaluated as
    ``(max(beta x, 0) + log1p(exp(-|beta x|))) / beta``, which cannot overflow: torch's
    ``log1p(exp(beta x))`` returns ``inf`` where ``beta * x > 709`` (float64) or ``> 88``
    (float32) is left on the smooth branch by a large ``threshold``; we return the correct
    finite value. Elsewhere the two agree within 3 ulp: ``exp`` and ``log1p`` come from NumPy's
    SIMD loops, the arithmetic around them is done in float64 and rounded once, which keeps
    float64 results within 1.6 ulp of the exact value (as torch) and float32 within 3 ulp
    (NumPy's float32 ``exp`` and ``log1p`` are accurate to 2.4 and 1.9 ulp; torch's to 1.4).

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    beta : float, default=1.0
        Sharpness, ``> 0`` and finite.
    threshold : float, default=20.0
        Above it (in ``beta * x``) the function is linear. Not NaN; ``inf`` means never.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64). ``-inf`` gives ``+0.0``, NaN
        stays NaN.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``beta`` is not positive (or rounds to 0 in the dtype of ``x``), ``threshold`` is
        NaN, or ``out`` has another shape than the result or is read-only.

    See Also
    --------
    softplus_grad

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import softplus
    >>> softplus(np.array([-2.0, -1.0, 0.0, 1.0, 2.0])).round(4)
    array([0.1269, 0.3133, 0.6931, 1.3133, 2.1269])
    >>> float(softplus(1000.0, threshold=1e4))  # torch: inf
    1000.0
    """
    x = _as_real(x)
    beta, bound = _softplus_parameters(beta, threshold, x.dtype)
    _check_out(out, x)
    return _finish(_flat_apply(lambda a, o: _softplus_chunks(a, beta, bound, o), x, out), out)


def _softplus_parameters(beta, threshold, dtype):
    beta = _in_dtype(check_scalar(beta, "beta", low=0.0, low_inclusive=False), "beta", dtype)
    if beta == 0:
        raise ValueError(f"beta={beta} underflows to 0 in {dtype}")
    bound = _in_dtype(_real_number(threshold, "threshold"), "threshold", dtype, allow_inf=True)
    return beta, bound


def _softplus_chunks(x_flat, beta, bound, out_flat):
    prepare = _kernel("softplus_prepare", x_flat.dtype)
    finish = _kernel("softplus_finish", x_flat.dtype)
    direct = not np.may_share_memory(x_flat, out_flat)  # see _tanhshrink_chunks
    size = min(_CHUNK_SIZE, x_flat.size)
    work_buffer = np.empty(size, x_flat.dtype)
    result_buffer = None if direct else np.empty(size, x_flat.dtype)
    for start, stop in _chunks(x_flat.size):
        a = x_flat[start:stop]
        work = work_buffer[: stop - start]
        prepare(a, beta, work)
        np.exp(work, out=work)
        np.log1p(work, out=work)
        if direct:
            finish(a, work, beta, bound, out_flat[start:stop])
        else:
            result = result_buffer[: stop - start]
            finish(a, work, beta, bound, result)
            out_flat[start:stop] = result


# ---------------------------------------------------------------------------------------------
# derivatives (torch autograd's values)


def softshrink_grad(x, lambd=0.5, *, out=None):
    """Derivative of :func:`softshrink`: 1 where ``|x| > lambd``, else 0.

    Torch's autograd value, with its choice at the kinks ``|x| == lambd`` (0). For NaN, torch's
    vectorized backward gives 0 and its scalar loop (the last few elements of an array) 1; we
    give 0 everywhere.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    lambd : float, default=0.5
        Threshold, ``>= 0``, rounded to the dtype of ``x``.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        0.0 and 1.0 values, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lambd`` is negative, NaN or infinite, or ``out`` has another shape than the result
        or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import softshrink_grad
    >>> softshrink_grad(np.array([-2.0, -0.5, 0.0, 0.3, 2.0]), 0.5)
    array([1., 0., 0., 0., 1.])
    """
    return _band_grad(x, lambd, out)


def hardshrink_grad(x, lambd=0.5, *, out=None):
    """Derivative of :func:`hardshrink`: 1 where ``|x| > lambd``, else 0.

    Torch's autograd value (away from the jumps at ``|x| == lambd`` the derivative of
    hardshrink is that of x or of 0; at them torch gives 0). NaN gives 0, as torch's vectorized
    backward does (its scalar loop gives 1).

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    lambd : float, default=0.5
        Threshold, ``>= 0``, rounded to the dtype of ``x``.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        0.0 and 1.0 values, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lambd`` is negative, NaN or infinite, or ``out`` has another shape than the result
        or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import hardshrink_grad
    >>> hardshrink_grad(np.array([-2.0, -0.5, 0.0, 0.3, 2.0]), 0.5)
    array([1., 0., 0., 0., 1.])
    """
    return _band_grad(x, lambd, out)


def _band_grad(x, lambd, out):
    x = _as_real(x)
    lambd = _lambd(lambd, x.dtype)
    _check_out(out, x)
    kernel = _kernel("band_grad", x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, lambd, o), x, out), out)


def tanhshrink_grad(x, *, out=None):
    """Derivative of :func:`tanhshrink`: ``tanh(x)**2``.

    Computed directly in the dtype of ``x``, within 3 ulp. Torch's autograd evaluates the
    same derivative as ``1 - (1 - tanh(x)**2)``, which cancels for small ``|x|`` (it returns 0
    below ``|x| ~ 1e-8`` in float64, ``1e-4`` in float32, where the answer is ``x**2``); where
    it does not cancel, ``|x| >= 0.5``, the two agree within 4 ulp. NaN stays NaN, ``+-inf``
    gives 1.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``out`` has another shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import tanhshrink_grad
    >>> tanhshrink_grad(np.array([-1.0, 0.0, 1.0, np.inf])).round(4)
    array([0.58, 0.  , 0.58, 1.  ])
    """
    x = _as_real(x)
    _check_out(out, x)
    result = np.empty(x.shape, x.dtype) if out is None else out
    np.tanh(x, out=result)
    np.multiply(result, result, out=result)
    return _finish(result, out)


def threshold_grad(x, threshold, value, *, out=None):
    """Derivative of :func:`threshold` with respect to ``x``: 1 where ``x > threshold``, else 0.

    Torch's autograd value: 0 at ``x == threshold``; NaN gives 1 (torch passes the gradient
    unless ``x <= threshold``). ``value`` does not enter the derivative; it is accepted so that
    the signature matches :func:`threshold`, and checked the same way.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    threshold : float
        Not NaN; ``+-inf`` allowed.
    value : float
        The replacement value of :func:`threshold` (unused).
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        0.0 and 1.0 values, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``threshold`` or ``value`` is not a real number, or
        ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``threshold`` is NaN, or ``out`` has another shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import threshold_grad
    >>> threshold_grad(np.array([-1.0, 0.1, 0.5, np.nan]), 0.1, 20.0)
    array([0., 0., 1., 1.])
    """
    x = _as_real(x)
    bound = _in_dtype(_real_number(threshold, "threshold"), "threshold", x.dtype, allow_inf=True)
    _real_number(value, "value")
    _check_out(out, x)
    kernel = _kernel("threshold_grad", x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, bound, o), x, out), out)


def softplus_grad(x, beta=1.0, threshold=20.0, *, out=None):
    """Derivative of :func:`softplus`: the logistic sigmoid of ``beta * x``, 1 on the linear part.

    Torch's autograd value: 1 where ``beta * x > threshold`` (computed in the dtype of ``x``),
    else ``sigmoid(beta * x)``, which we evaluate without overflow as
    ``1 / (1 + exp(-beta x))`` for ``beta x >= 0`` and ``exp(beta x) / (1 + exp(beta x))``
    below, in float64 around NumPy's ``exp`` (within 2.2 ulp in float64, 2.8 in float32, like
    torch's 2.2). (Torch's ``z / (z + 1)`` with ``z = exp(beta x)`` gives NaN where a large
    ``threshold`` leaves ``beta x > 709`` on the smooth branch; we give 1.) NaN stays NaN.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    beta : float, default=1.0
        Sharpness, ``> 0`` and finite.
    threshold : float, default=20.0
        Above it (in ``beta * x``) the derivative is 1. Not NaN; ``inf`` means never.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Values in ``[0, 1]``, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``beta`` is not positive (or rounds to 0 in the dtype of ``x``), ``threshold`` is
        NaN, or ``out`` has another shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import softplus_grad
    >>> softplus_grad(np.array([-np.inf, -2.0, 0.0, 2.0, 25.0])).round(4)
    array([0.    , 0.1192, 0.5   , 0.8808, 1.    ])
    """
    x = _as_real(x)
    beta, bound = _softplus_parameters(beta, threshold, x.dtype)
    _check_out(out, x)
    return _finish(
        _flat_apply(lambda a, o: _softplus_grad_chunks(a, beta, bound, o), x, out), out
    )


def _softplus_grad_chunks(x_flat, beta, bound, out_flat):
    prepare = _kernel("softplus_prepare", x_flat.dtype)
    finish = _kernel("softplus_grad_finish", x_flat.dtype)
    direct = not np.may_share_memory(x_flat, out_flat)  # see _tanhshrink_chunks
    size = min(_CHUNK_SIZE, x_flat.size)
    work_buffer = np.empty(size, x_flat.dtype)
    result_buffer = None if direct else np.empty(size, x_flat.dtype)
    for start, stop in _chunks(x_flat.size):
        a = x_flat[start:stop]
        work = work_buffer[: stop - start]
        prepare(a, beta, work)
        np.exp(work, out=work)
        if direct:
            finish(a, work, beta, bound, out_flat[start:stop])
        else:
            result = result_buffer[: stop - start]
            finish(a, work, beta, bound, result)
            out_flat[start:stop] = result


# ---------------------------------------------------------------------------------------------
# proximal maps


def _penalty(t, x, name="t"):
    """A nonnegative finite scalar or an array broadcastable to ``x`` (per-element weights).

    Returned in the real dtype of ``x``: a NumPy scalar, or an array.
    """
    real_dtype = np.dtype(x.real.dtype) if x.dtype.kind == "c" else x.dtype
    if np.ndim(t) == 0:
        return _in_dtype(check_scalar(t, name, low=0.0), name, real_dtype)
    weights = as_float_array(t, name)
    try:
        broadcasts = np.broadcast_shapes(weights.shape, x.shape) == x.shape
    except ValueError:
        broadcasts = False
    if not broadcasts:
        raise ValueError(f"{name} of shape {weights.shape} does not broadcast to x's {x.shape}")
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{name} must be finite")
    if np.any(weights < 0):
        raise ValueError(f"{name} must be >= 0")
    rounded = weights.astype(real_dtype, copy=False)
    if not np.all(np.isfinite(rounded)):
        raise ValueError(f"{name} overflows {real_dtype}")
    return rounded


def prox_l1(x, t, *, out=None):
    """Proximal operator of ``t * ||.||_1``: soft thresholding, with per-element weights.

    ``argmin_z 0.5 * ||z - x||**2 + sum(t * |z|)``, i.e. ``sign(x) * max(|x| - t, 0)``, which
    is :func:`softshrink` (same values, torch semantics) for a scalar ``t``. For complex ``x``
    the modulus is shrunk, ``x * max(1 - t / |x|, 0)`` (0 stays 0).

    Parameters
    ----------
    x : array_like
        Real or complex input, any shape.
    t : float or array_like
        Nonnegative, finite. A scalar, or per-element weights broadcastable to ``x.shape``
        (e.g. one weight per row of a 2-D ``x``: shape ``(n, 1)``).
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` or ``t`` is not numeric, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``t`` is negative, NaN or infinite, or does not broadcast to the shape of ``x``, or
        ``out`` has another shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_l1
    >>> prox_l1(np.array([-2.0, -0.3, 0.0, 0.3, 2.0]), 0.5)
    array([-1.5,  0. ,  0. ,  0. ,  1.5])
    >>> prox_l1(np.array([3.0, 3.0, 3.0]), np.array([0.0, 1.0, 5.0]))
    array([3., 2., 0.])
    """
    x = as_float_array(x, "x", allow_complex=True)
    weights = _penalty(t, x)
    if np.ndim(weights) == 0:
        return softshrink(x, weights, out=out)
    _check_out(out, x)
    if x.dtype.kind == "c":
        kernel = _kernel("shrink_modulus_weighted", x.dtype)
        one = weights.dtype.type(1)
        return _finish(_flat_apply(lambda a, w, o: kernel(a, w, one, o), x, out, weights), out)
    kernel = _kernel("softshrink_weighted", x.dtype)
    return _finish(_flat_apply(kernel, x, out, weights), out)


def prox_l0(x, t, *, out=None):
    """Proximal operator of ``t * ||.||_0``: keep ``x`` where ``|x| > sqrt(2 t)``, else 0.

    ``argmin_z 0.5 * ||z - x||**2 + t * #{z != 0}`` keeps ``x_i`` when ``x_i**2 / 2 > t``; at
    equality both ``0`` and ``x_i`` are minimizers and we return 0 (the :func:`hardshrink`
    convention; it is :func:`hardshrink` with ``lambd = sqrt(2 t)``).

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    t : float or array_like
        Nonnegative, finite; a scalar or per-element weights broadcastable to ``x.shape``.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, or ``t`` is not numeric, or ``out`` is not an
        ndarray of the result's dtype.
    ValueError
        If ``t`` is negative, NaN or infinite, or does not broadcast to the shape of ``x``, or
        ``out`` has another shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_l0
    >>> prox_l0(np.array([-2.0, -1.0, 0.5, 1.5]), 0.5)  # sqrt(2 * 0.5) = 1
    array([-2. ,  0. ,  0. ,  1.5])
    """
    x = _as_real(x)
    weights = _penalty(t, x)
    # sqrt(2 t) in float64, then rounded to x's dtype like any hardshrink threshold.
    lambd = np.sqrt(2.0 * np.asarray(weights, dtype=np.float64))
    if np.ndim(lambd) == 0:
        return hardshrink(x, float(lambd), out=out)
    _check_out(out, x)
    kernel = _kernel("hardshrink_weighted", x.dtype)
    return _finish(_flat_apply(kernel, x, out, lambd.astype(x.dtype)), out)


def prox_elastic_net(x, t, l2, *, out=None):
    """Proximal operator of ``t * (||.||_1 + 0.5 * l2 * ||.||**2)``.

    ``argmin_z 0.5 * ||z - x||**2 + t * ||z||_1 + 0.5 * t * l2 * ||z||**2``, i.e.
    ``softshrink(x, t) / (1 + t * l2)`` (Parikh & Boyd 2014, Sec. 6.5.3).

    Parameters
    ----------
    x : array_like
        Real or complex input, any shape.
    t : float or array_like
        Nonnegative, finite; a scalar or per-element weights broadcastable to ``x.shape``.
    l2 : float
        Weight of the squared-norm term, ``>= 0``.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64).

    Raises
    ------
    TypeError
        If ``x``, ``t`` or ``l2`` is not numeric, or ``out`` is not an ndarray of the result's
        dtype.
    ValueError
        If ``t`` or ``l2`` is negative, NaN or infinite, or ``out`` has another shape than the
        result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_elastic_net
    >>> prox_elastic_net(np.array([-2.0, 0.3, 3.0]), 0.5, 2.0)  # softshrink / 2
    array([-0.75,  0.  ,  1.25])
    """
    x = as_float_array(x, "x", allow_complex=True)
    weights = _penalty(t, x)
    l2 = check_scalar(l2, "l2", low=0.0)
    shrunk = prox_l1(x, weights, out=out)
    divisor = (1 + np.asarray(weights, dtype=np.float64) * l2).astype(x.real.dtype)
    return _finish(np.divide(shrunk, divisor, out=out), out)


def _nonconvex_prox(name, x, lam, gamma, gamma_low, out):
    x = _as_real(x)
    lam = check_scalar(lam, "lam", low=0.0)
    gamma = check_scalar(gamma, "gamma", low=gamma_low, low_inclusive=False)
    _check_out(out, x)
    kernel = _kernel(name, x.dtype)
    return _finish(_flat_apply(lambda a, o: kernel(a, lam, gamma, o), x, out), out)


def prox_mcp(x, lam, gamma=3.0, *, out=None):
    """Proximal map of the minimax concave penalty (MCP): firm thresholding.

    ``argmin_z 0.5 * (z - x)**2 + pen(z)`` elementwise, for Zhang's MCP
    (Ann. Statist. 38(2), 2010) ``pen(z) = lam |z| - z**2 / (2 gamma)`` for
    ``|z| <= gamma lam`` and ``gamma lam**2 / 2`` beyond: 0 for ``|x| <= lam``, ``x`` for
    ``|x| > gamma lam``, and ``gamma / (gamma - 1) * softshrink(x, lam)`` between, a
    continuous map from soft thresholding (``gamma -> inf``) to hard thresholding at ``lam``
    (``gamma -> 1``) that leaves large values unbiased (Gao & Bruce's firm shrinkage).

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    lam : float
        Threshold, ``>= 0`` and finite.
    gamma : float, default=3.0
        Concavity, ``> 1`` and finite (the objective is then strictly convex, so the map is
        single-valued).
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64). Computed in float64 and
        rounded once (float64: within 2 ulp of the exact value, for any ``gamma``); ``lam``
        and ``gamma`` are not rounded to float32 first. Zeros are ``+0.0``; NaN stays NaN,
        ``+-inf`` stays ``+-inf``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``lam`` or ``gamma`` is not a real number, or
        ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lam`` is negative or not finite, ``gamma <= 1`` or not finite, or ``out`` has
        another shape than the result or is read-only.

    See Also
    --------
    prox_scad, softshrink, hardshrink

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_mcp
    >>> prox_mcp(np.array([-4.0, -2.0, -0.5, 0.5, 1.5, 2.0, 4.0]), 1.0, gamma=3.0)
    array([-4.  , -1.5 ,  0.  ,  0.  ,  0.75,  1.5 ,  4.  ])
    """
    return _nonconvex_prox("prox_mcp", x, lam, gamma, 1.0, out)


def prox_scad(x, lam, gamma=3.7, *, out=None):
    """Proximal map of the smoothly clipped absolute deviation (SCAD) penalty.

    ``argmin_z 0.5 * (z - x)**2 + pen(z)`` elementwise, for Fan and Li's SCAD
    (J. Amer. Statist. Assoc. 96(456), 2001) ``pen(z) = lam |z|`` for ``|z| <= lam``,
    ``(2 gamma lam |z| - z**2 - lam**2) / (2 (gamma - 1))`` for ``lam < |z| <= gamma lam``
    and ``lam**2 (gamma + 1) / 2`` beyond: soft thresholding ``softshrink(x, lam)`` for
    ``|x| <= 2 lam``, ``x`` for ``|x| > gamma lam``, and
    ``((gamma - 1) x - sign(x) gamma lam) / (gamma - 2)`` between (Fan and Li's thresholding
    rule). ``gamma=3.7`` is Fan and Li's recommendation.

    Parameters
    ----------
    x : array_like
        Real input, any shape.
    lam : float
        Threshold, ``>= 0`` and finite.
    gamma : float, default=3.7
        Concavity, ``> 2`` and finite (the objective is then strictly convex, so the map is
        single-valued).
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray or scalar
        Same shape and dtype as ``x`` (integers become float64). Computed in float64 and
        rounded once (float64: within 3 ulp of the exact value, for any ``gamma``: the middle
        branch is evaluated as ``sign(x) (lam + (|x| - 2 lam) (gamma - 1) / (gamma - 2))``,
        a sum of positive terms that does not cancel); ``lam`` and ``gamma`` are not rounded
        to float32 first. Zeros are ``+0.0``; NaN stays NaN, ``+-inf`` stays ``+-inf``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``lam`` or ``gamma`` is not a real number, or
        ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``lam`` is negative or not finite, ``gamma <= 2`` or not finite, or ``out`` has
        another shape than the result or is read-only.

    See Also
    --------
    prox_mcp, softshrink

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_scad
    >>> prox_scad(np.array([-5.0, -3.0, -1.5, 0.5, 2.5, 5.0]), 1.0).round(4)
    array([-5.    , -2.5882, -0.5   ,  0.    ,  1.7941,  5.    ])
    """
    return _nonconvex_prox("prox_scad", x, lam, gamma, 2.0, out)


def _group_labels(groups, n_rows):
    """Return (labels, n_groups): a group index per row, -1 for rows in no group."""
    if isinstance(groups, np.ndarray) or (
        isinstance(groups, (list, tuple)) and all(isinstance(g, numbers.Integral) for g in groups)
    ):
        labels = np.asarray(groups)
        if labels.dtype.kind not in "iu" or labels.ndim != 1:
            raise TypeError("groups given as an array must be a 1-D integer array of labels")
        if labels.shape[0] != n_rows:
            raise ValueError(
                f"groups has {labels.shape[0]} labels; x has {n_rows} coefficients (rows)"
            )
        unique, labels = np.unique(labels, return_inverse=True)
        if unique.size and unique[0] < 0:
            # negative labels mark unpenalized coefficients
            n_negative = int(np.count_nonzero(unique < 0))
            labels = np.where(labels < n_negative, -1, labels - n_negative)
            return labels, unique.size - n_negative
        return labels, unique.size
    labels = np.full(n_rows, -1, dtype=np.intp)
    for index, members in enumerate(groups):
        members = np.asarray(members)
        if members.dtype.kind not in "iu" or members.ndim != 1:
            raise TypeError("each group must be a 1-D integer array of indices")
        if members.size and (members.min() < -n_rows or members.max() >= n_rows):
            raise ValueError(f"group {index} has indices outside [0, {n_rows})")
        if np.any(labels[members] != -1) or np.unique(members % n_rows).size != members.size:
            raise ValueError(f"group {index} overlaps another group or repeats an index")
        labels[members] = index
    return labels, len(groups)


def prox_group_l2(x, t, groups, *, out=None):
    """Proximal operator of the group lasso ``t * sum_g ||x_g||_2``: block soft thresholding.

    Each group ``g`` becomes ``x_g * max(1 - t / ||x_g||_2, 0)``: shrunk toward 0 along its own
    direction, and exactly 0 when its norm is at most ``t`` (Parikh & Boyd 2014, Sec. 6.5.4).

    Parameters
    ----------
    x : array_like of shape (n,) or (n, n_columns)
        Real input. For 2-D input the groups partition the rows and every column is processed
        independently (one problem per column, as in the solvers' multiple right-hand sides).
    t : float
        Nonnegative, finite.
    groups : array_like of int of shape (n,), or sequence of array_like of int
        Either a group label for every row (any integers; rows with a negative label belong to
        no group), or a list of disjoint index arrays (rows in no group are not penalized).
        Coefficients in no group are returned unchanged.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``. Zeroed groups are ``+0.0``. Group norms are computed
        with scaling by the group's largest magnitude, so they neither overflow nor underflow.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``groups`` is neither integer labels nor integer
        index arrays, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If ``x`` is not 1-D or 2-D, ``t`` is negative or not finite, the labels do not match the
        rows of ``x``, the index arrays overlap or leave ``[0, n)``, or ``out`` has another
        shape than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import prox_group_l2
    >>> x = np.array([3.0, 4.0, 0.1, 0.2, 7.0])
    >>> prox_group_l2(x, 1.0, [0, 0, 1, 1, 2])  # norms 5, 0.22, 7
    array([2.4, 3.2, 0. , 0. , 6. ])
    >>> prox_group_l2(x, 1.0, [[0, 1], [2, 3]])  # x[4] is in no group
    array([2.4, 3.2, 0. , 0. , 7. ])
    """
    x = _as_real(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D or 2-D; got {x.ndim}-D")
    t = _in_dtype(check_scalar(t, "t", low=0.0), "t", x.dtype)
    labels, n_groups = _group_labels(groups, x.shape[0])
    _check_out(out, x)
    x2 = x.reshape(x.shape[0], -1)
    n_columns = x2.shape[1]
    member = labels >= 0
    # one bin per (group, column)
    bins = (labels[member][:, None] * n_columns + np.arange(n_columns)).ravel()
    values = x2[member].ravel()
    magnitude = np.abs(values)
    scale = np.zeros(n_groups * n_columns, dtype=x.dtype)
    with np.errstate(invalid="ignore"):  # NaN propagates into its group's norm
        np.maximum.at(scale, bins, magnitude)
    safe_scale = np.where(scale > 0, scale, 1).astype(x.dtype)
    with np.errstate(invalid="ignore"):  # inf / inf in a group holding inf: its norm is inf
        ratios = values / safe_scale[bins]
    sums = np.bincount(bins, weights=ratios * ratios, minlength=n_groups * n_columns)
    with np.errstate(over="ignore"):  # a norm beyond the dtype's range: inf, and factor 1
        norms = np.where(np.isinf(scale), np.inf, np.sqrt(sums) * scale).astype(x.dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # 1 - t / max(norm, t): 0 when norm <= t, NaN propagates from the norm.
        factor = np.where(norms > t, 1 - t / norms, np.where(norms <= t, 0, norms))
    result = x2.astype(x.dtype, copy=True)
    result[member] = (values * factor.astype(x.dtype)[bins]).reshape(
        np.count_nonzero(member), n_columns) + 0.0
    return _finish(result.reshape(x.shape), out)


def project_k_sparse(x, k, *, out=None):
    """Keep the ``k`` entries of largest magnitude, zero the others (per column for 2-D).

    The Euclidean projection onto ``{z : ||z||_0 <= k}``, the proximal step of iterative hard
    thresholding. Ties in magnitude are broken in favour of the lower index, so the result is
    deterministic; NaN counts as larger than any number (it is kept, not silently dropped).

    Parameters
    ----------
    x : array_like of shape (n,) or (n, n_columns)
        Real or complex input.
    k : int
        Number of entries to keep per column, in ``[0, n]``.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``x`` itself.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``; dropped entries are ``+0.0``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric, ``k`` is not an integer, or ``out`` is not an ndarray of the
        result's dtype.
    ValueError
        If ``x`` is not 1-D or 2-D, ``k`` is outside ``[0, n]``, or ``out`` has another shape
        than the result or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.prox import project_k_sparse
    >>> project_k_sparse(np.array([0.5, -3.0, 1.0, 3.0, -0.2]), 2)
    array([ 0., -3.,  0.,  3.,  0.])
    >>> project_k_sparse(np.array([1.0, -1.0, 1.0]), 2)  # ties: lower index first
    array([ 1., -1.,  0.])
    >>> project_k_sparse(np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 6.0]]), 1)
    array([[0., 0.],
           [0., 0.],
           [3., 6.]])
    """
    x = as_float_array(x, "x", allow_complex=True)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D or 2-D; got {x.ndim}-D")
    n = x.shape[0]
    k = check_int(k, "k", low=0, high=n)
    _check_out(out, x)
    # the selection of iterative hard thresholding (also in the solvers), one column at a time
    from sparserecover._selection import keep_largest

    magnitudes = np.abs(x).astype(np.float64).reshape(n, -1).T.copy()
    magnitudes[np.isnan(magnitudes)] = np.inf
    keep = np.empty(magnitudes.shape, dtype=bool)
    for column, kept in zip(magnitudes, keep):
        keep_largest(column, k, kept)
    return _finish(np.where(keep.T.reshape(x.shape), x, x.dtype.type(0)), out)
