"""dask arrays in, dask arrays out: denoising chunk by chunk, and tall regressions reduced to
their Gram matrix in one pass.

dask is the engine (its schedulers, threads, processes or a ``dask.distributed`` cluster);
this module only describes the work: which axes a chunk must hold whole, which function runs
on each chunk, and how the chunks' partial sums combine. It is imported only when a dask
array is passed, so the package itself never imports dask.
"""

import numpy as np

from sparserecover._validation import as_float_array

_INSTALL = "pip install 'sparserecover[dask]'"


def import_dask_array():
    """``dask.array``, or an ImportError that says how to install it."""
    try:
        import dask.array
    except ImportError as error:  # pragma: no cover - dask is in the test extra
        raise ImportError(f"dask arrays need dask: {_INSTALL}") from error
    return dask.array


def is_dask(value):
    """Whether ``value`` is a dask array (without importing dask: whoever made one has
    imported dask.array already)."""
    import sys

    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(value, dask_array.Array)


def _float_dtype(dtype, name):
    """The dtype the NumPy functions compute ``dtype`` input in (float32 stays float32,
    integers become float64), or their TypeError."""
    return as_float_array(np.empty(0, dtype=dtype), name).dtype


def _check_signal(signal, name="signal"):
    if signal.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension; got a scalar")
    if any(n == 0 for n in signal.shape):
        raise ValueError(f"{name} is empty (shape {signal.shape})")
    if any(np.isnan(n) for n in signal.shape):
        raise ValueError(
            f"{name} has unknown chunk sizes (shape {signal.shape}): call "
            "compute_chunk_sizes() on it first"
        )
    return _float_dtype(signal.dtype, name)


def whole_along(x, axes):
    """``x`` rechunked so that each of ``axes`` is one chunk. When one was split, the other
    axes are rechunked to dask's automatic sizes, so that the whole axes do not multiply the
    size of a chunk."""
    if all(len(x.chunks[a]) == 1 for a in axes):
        return x
    return x.rechunk({a: -1 if a in axes else "auto" for a in range(x.ndim)})


# --------------------------------------------------------------------------- denoising


def _denoise_block(block, sigma=None, **options):
    from sparserecover.denoising import denoise

    return denoise(block, sigma=sigma, **options)


def _noise_block(block, **options):
    from sparserecover.denoising import estimate_noise

    return np.asarray(estimate_noise(block, **options))


def denoise_dask(signal, *, sigma, **options):
    """:func:`sparserecover.denoise` of a dask array: the arguments checked now (on the
    shape and dtype), a dask array returned, each chunk denoised by the NumPy function (so
    the result has the NumPy result's bits: every signal or image is denoised on its own,
    and a chunk holds whole ones)."""
    da = import_dask_array()
    from sparserecover.denoising import _check_options

    dtype = _check_signal(signal)
    lazy_sigma = is_dask(sigma)
    axes, channel_axis, checked_sigma, _ = _check_options(
        signal.shape, dtype, sigma=None if lazy_sigma else sigma, **options
    )
    whole = axes + ((channel_axis,) if options["convert2ycbcr"] else ())
    x = whole_along(signal, whole)
    batch_axes = [a for a in range(x.ndim) if a not in axes]
    batch_shape = tuple(x.shape[a] for a in batch_axes)
    batch_chunks = tuple(x.chunks[a] for a in batch_axes)
    index = tuple(range(x.ndim))
    arguments = [x, index]
    if lazy_sigma:
        if sigma.ndim > len(batch_shape) or any(
            m not in (1, n) for m, n in zip(sigma.shape[::-1], batch_shape[::-1])
        ):
            raise ValueError(
                f"sigma must be a scalar or have the batch shape {batch_shape}; got shape "
                f"{sigma.shape}"
            )
        sigma = da.broadcast_to(sigma, batch_shape).rechunk(batch_chunks)
    elif checked_sigma is not None:
        sigma = da.from_array(checked_sigma.reshape(batch_shape), chunks=batch_chunks)
    if sigma is not None:
        arguments += [sigma, tuple(batch_axes)]
    return da.blockwise(
        _denoise_block, index, *arguments, dtype=dtype,
        meta=np.empty((0,) * x.ndim, dtype=dtype), **options,
    )


def estimate_noise_dask(signal, *, wavelet, axis):
    """:func:`sparserecover.estimate_noise` of a dask array, lazily (see denoise_dask)."""
    import_dask_array()
    from sparserecover.denoising import _check_axes, _check_wavelet

    dtype = _check_signal(signal)
    axes = _check_axes(axis, signal.ndim)
    for a in axes:
        if signal.shape[a] < 2:
            raise ValueError(
                f"signal must have at least 2 samples along axis {a}; got {signal.shape[a]}"
            )
    _check_wavelet(wavelet)
    x = whole_along(signal, axes)
    return x.map_blocks(
        _noise_block, drop_axis=list(axes), dtype=dtype,
        meta=np.empty((0,) * (x.ndim - len(axes)), dtype=dtype), wavelet=wavelet, axis=axis,
    )
