"""``sparserecover denoise`` on data larger than memory: .npy files in batches, Zarr stores
(and any file, with ``--scheduler``) through dask.

A batch is a range of indices along one batch axis (an axis that is neither a transform axis
nor, with ``--ycbcr``, the channel axis): every signal or image of it is whole, so denoising
batch by batch gives the bits of denoising the whole array at once. Memory then holds a few
batches, whatever the size of the file:

- a C-ordered .npy file batched along its first axis is read batch by batch with plain file
  reads and written batch by batch to the output, so that not even the address space grows
  with the file; other layouts are memory-mapped (``np.load(mmap_mode="r")``), which bounds
  the resident memory (the page cache holds the rest);
- with dask (a ``.zarr`` input or output, or ``--scheduler``), the workers read the chunks
  themselves (from the Zarr store, or from the .npy file by memory-mapping it: they must see
  the same files as this process), and the batches are computed one after the other on the
  cluster, written by the workers into a Zarr output or sent back to be written to a .npy one.

Every output goes to a temporary file (or folder, for Zarr) in the destination's folder and is
renamed to the destination only when complete: a process killed mid-run (even by SIGKILL)
leaves no partial output there, and its temporary is removed by the next write to the same
destination.
"""

import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sparserecover._io import InputError, atomic_write, check_not_input, protect

# .npy inputs larger than this are denoised in batches even without --batch-size
LARGE_NPY_BYTES = 1 << 28
# default batch: about this many bytes of input signals
BATCH_BYTES = 1 << 25

_TEMPORARY_SUFFIX = ".sparserecover-tmp"


def is_zarr(path):
    return Path(path).suffix.lower() == ".zarr"


def wanted(source, output, args):
    """Whether the job goes through this module rather than whole arrays in memory."""
    if is_zarr(source) or is_zarr(output) or args.scheduler or args.batch_size:
        return True
    if source.suffix.lower() == ".npy":
        with contextlib.suppress(OSError):
            return source.stat().st_size > LARGE_NPY_BYTES
    return False


# --------------------------------------------------------------------------- inputs


class _NpyFile:
    """The header of a .npy file, and batches of it read without loading the rest."""

    def __init__(self, path):
        self.path = path
        fmt = np.lib.format
        try:
            with open(path, "rb") as stream:
                version = fmt.read_magic(stream)
                if version == (1, 0):
                    header = fmt.read_array_header_1_0(stream)
                elif version == (2, 0):
                    header = fmt.read_array_header_2_0(stream)
                else:
                    header = fmt._read_array_header(stream, version)
                self.offset = stream.tell()
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
        except ValueError as error:
            raise InputError(f"{path}: not a valid .npy file: {error}") from None
        self.shape, self.fortran_order, self.dtype = header
        if self.dtype.kind not in "biuf" or self.dtype.hasobject:
            raise InputError(f"{path}: expected numbers; got dtype {self.dtype}")
        expected = self.offset + self.dtype.itemsize * int(np.prod(self.shape))
        if path.stat().st_size < expected:
            raise InputError(f"{path}: truncated .npy file (shorter than its header says)")

    def read(self, axis, start, stop):
        """The slab ``[start:stop]`` along ``axis``, as an array in memory."""
        if axis == 0 and not self.fortran_order:
            row = self.dtype.itemsize * int(np.prod(self.shape[1:]))
            with open(self.path, "rb") as stream:
                stream.seek(self.offset + start * row)
                count = (stop - start) * row // self.dtype.itemsize
                slab = np.fromfile(stream, dtype=self.dtype, count=count)
            return slab.reshape((stop - start, *self.shape[1:]))
        mapped = np.load(self.path, mmap_mode="r")
        index = [slice(None)] * len(self.shape)
        index[axis] = slice(start, stop)
        return np.array(mapped[tuple(index)])


def _read_npy_slab(path, axis, start, stop):
    """A slab of a .npy file (run by a dask worker)."""
    return _NpyFile(Path(path)).read(axis, start, stop)


# --------------------------------------------------------------------------- outputs


class _NpyWriter:
    """A .npy output written batch by batch into a temporary file, renamed when complete."""

    def __init__(self, path, shape, dtype, axis):
        self.path, self.shape, self.dtype, self.axis = path, shape, np.dtype(dtype), axis
        self._context = atomic_write(path, mode="w+b")
        self.stream = self._context.__enter__()
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                  "shape": tuple(shape)}
        np.lib.format.write_array_header_2_0(self.stream, header)
        self.offset = self.stream.tell()
        self.size = self.dtype.itemsize * int(np.prod(shape))
        self.mapped = None
        if axis != 0:  # slabs are not contiguous in the file: write through a mapping
            self.stream.truncate(self.offset + self.size)
            self.stream.flush()
            self.mapped = np.memmap(self.stream, dtype=self.dtype, mode="r+",
                                    offset=self.offset, shape=tuple(shape))

    def write(self, start, stop, slab):
        if self.mapped is None:
            self.stream.write(memoryview(np.ascontiguousarray(slab, dtype=self.dtype)))
            return
        index = [slice(None)] * len(self.shape)
        index[self.axis] = slice(start, stop)
        self.mapped[tuple(index)] = slab

    def close(self, error=None):
        if self.mapped is not None:
            self.mapped.flush()
            self.mapped = None
        if error is None:
            self._context.__exit__(None, None, None)
        else:
            self._context.__exit__(type(error), error, error.__traceback__)


class _ZarrWriter:
    """A Zarr output written by the workers into a temporary folder, renamed when
    complete."""

    def __init__(self, path, shape, dtype, chunks):
        import zarr

        check_not_input(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"{path}: folder {folder} does not exist")
        _remove_stale_folders(path)
        self.path = path
        # an absolute path: the workers that write the chunks may run in another folder
        self.temporary = Path(tempfile.mkdtemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMPORARY_SUFFIX,
            dir=folder.resolve()))
        self.array = zarr.open_array(store=str(self.temporary), mode="w", shape=shape,
                                     chunks=chunks, dtype=dtype)

    def close(self, error=None):
        if error is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            return
        if self.path.exists() or self.path.is_symlink():
            # a folder cannot replace a non-empty folder: the old one goes aside first
            aside = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.{os.getpid()}.",
                                          suffix=_TEMPORARY_SUFFIX, dir=self.temporary.parent))
            os.replace(self.path, aside / "old")
            os.replace(self.temporary, self.path)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(self.temporary, self.path)


def _remove_stale_folders(path):
    """Remove the temporary folders of Zarr writes to ``path`` whose process has ended."""
    from sparserecover._io import _process_exists

    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(prefix) and name.endswith(_TEMPORARY_SUFFIX):
                pid = name[len(prefix):].split(".", 1)[0]
                if pid.isdigit() and not _process_exists(int(pid)):
                    shutil.rmtree(folder / name, ignore_errors=True)


# --------------------------------------------------------------------------- the job


def _batch_axis(shape, axes, channel_axis, convert2ycbcr):
    """The first axis along which signals can be split into batches, or None."""
    whole = set(axes) | ({channel_axis} if convert2ycbcr and channel_axis is not None else set())
    return next((a for a in range(len(shape)) if a not in whole), None)


def _batches(length, step):
    return [(start, min(start + step, length)) for start in range(0, length, step)]


def run_denoise(args, source, output, options, axis, channel_axis):
    """Denoise ``source`` into ``output`` in batches; returns the number of signals (or
    images) and the seconds taken."""
    from sparserecover.denoising import _check_axes, _check_options, denoise

    if source.suffix.lower() not in (".npy", ".zarr"):
        raise InputError(f"{source}: batches and dask read .npy files and .zarr stores")
    if output.suffix.lower() not in (".npy", ".zarr"):
        raise InputError(f"{output}: batches and dask write .npy files and .zarr stores")
    protect(source)
    check_not_input(output)
    if is_zarr(source):
        dask_source = _open_zarr(source)
        shape, dtype = dask_source.shape, dask_source.dtype
        npy = None
    else:
        npy = _NpyFile(source)
        shape, dtype = npy.shape, npy.dtype
    if len(shape) == 0:
        raise InputError(f"{source}: holds a single number, not a signal")
    out_dtype = np.float32 if dtype in (np.float16, np.float32) else np.float64
    try:
        axes = _check_axes(axis, len(shape))
        channel = None if channel_axis is None else _check_axes(
            channel_axis, len(shape), "channel_axis")[0]
        # every argument checked before any work (the batches would each fail alike)
        _check_options(shape, out_dtype, axis=axis, channel_axis=channel_axis, **options,
                       rescale_sigma=True)
    except (TypeError, ValueError) as error:
        raise InputError(f"{source}: {error}") from None
    batch_axis = _batch_axis(shape, axes, channel, options["convert2ycbcr"])
    per_item = int(np.prod([shape[a] for a in range(len(shape)) if a not in axes]))
    if channel is not None:
        per_item //= shape[channel]
    item_bytes = np.dtype(dtype).itemsize * int(np.prod(shape)) // max(per_item, 1)
    length = 1 if batch_axis is None else shape[batch_axis]
    per_index = max(1, per_item // length)  # signals per index of the batch axis
    if args.batch_size:
        step = max(1, args.batch_size // per_index)
    else:
        step = max(1, BATCH_BYTES // max(item_bytes * per_index, 1))
    denoise_options = dict(options, axis=axis, channel_axis=channel_axis)
    start_time = time.perf_counter()
    if args.scheduler or npy is None or is_zarr(output):
        _run_dask(args, source, output, npy, dask_source if npy is None else None, shape,
                  out_dtype, batch_axis, step, per_index, denoise_options)
    else:
        _run_numpy(args, npy, output, shape, out_dtype, batch_axis, step, per_index,
                   denoise, denoise_options)
    return per_item, time.perf_counter() - start_time


def _progress(args, total, description):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="signal", file=sys.stderr,
                disable=True if args.quiet else None, leave=False, dynamic_ncols=True)


def _run_numpy(args, npy, output, shape, out_dtype, batch_axis, step, per_index, denoise,
               options):
    """The .npy file batch by batch in this process."""
    axis = 0 if batch_axis is None else batch_axis
    length = shape[axis] if batch_axis is not None else 1
    if batch_axis is None:
        step = 1
    writer = _NpyWriter(output, shape, out_dtype, axis)
    error = None
    try:
        with _progress(args, length * per_index, f"{npy.path.name}") as bar:
            for start, stop in _batches(length, step):
                slab = npy.read(axis, start, stop) if batch_axis is not None else np.load(
                    npy.path, mmap_mode="r")
                try:
                    result = denoise(slab, **options)
                except ValueError as failure:
                    raise InputError(f"{npy.path}: {failure}") from None
                writer.write(start, stop, result)
                bar.update((stop - start) * per_index)
    except BaseException as failure:
        error = failure
        raise
    finally:
        writer.close(error)


def _open_zarr(path):
    import_dask()
    import dask.array as da

    if not path.exists():
        raise InputError(f"{path}: no such Zarr store")
    try:
        return da.from_zarr(str(path.resolve()))  # workers may run in another folder
    except Exception as error:  # zarr raises many types
        raise InputError(f"{path}: not a readable Zarr array: {error}") from None


def import_dask():
    try:
        import dask.array  # noqa: F401
    except ImportError:
        raise InputError(
            ".zarr stores and --scheduler need dask: pip install 'sparserecover[dask]'"
        ) from None


def _threads(client):
    """The threads that compute tasks: the cluster's, or this machine's."""
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def _run_dask(args, source, output, npy, dask_source, shape, out_dtype, batch_axis, step,
              per_index, options):
    """The job as a dask graph, computed batch by batch on the scheduler (the threads of
    this process, or the cluster of ``--scheduler``)."""
    import_dask()
    import dask
    import dask.array as da

    from sparserecover import denoise

    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler needs dask.distributed: pip install 'sparserecover[dask]'"
            ) from None
        try:
            client = Client(args.scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise InputError(
                f"--scheduler {args.scheduler}: cannot connect: {error}") from None
    try:
        axis = 0 if batch_axis is None else batch_axis
        length = shape[axis] if batch_axis is not None else 1
        if batch_axis is None:
            step = 1
        if dask_source is None:  # a .npy file, read by the workers slab by slab
            slabs = [
                da.from_delayed(
                    dask.delayed(_read_npy_slab, pure=True)(str(source.resolve()), axis, start,
                                                             stop),
                    shape=tuple(stop - start if a == axis else n for a, n in enumerate(shape)),
                    dtype=npy.dtype,
                )
                for start, stop in _batches(length, step)
            ]
            dask_source = da.concatenate(slabs, axis=axis) if len(slabs) > 1 else slabs[0]
        else:
            dask_source = dask_source.rechunk({axis: step})
        try:
            result = denoise(dask_source, **options)
        except ValueError as error:
            raise InputError(f"{source}: {error}") from None
        # the same chunks everywhere (a Zarr chunk is written by one task), whole batches of
        # them in flight at once: as many chunks as the scheduler has threads
        result = result.rechunk({axis: step})
        result = result.rechunk(result.chunksize)
        batch = step * _threads(client)
        if is_zarr(output):
            writer = _ZarrWriter(output, shape, out_dtype, result.chunksize)
        else:
            writer = _NpyWriter(output, shape, out_dtype, axis)
        error = None
        try:
            with _progress(args, length * per_index, source.name) as bar:
                for start, stop in _batches(length, batch):
                    index = [slice(None)] * len(shape)
                    index[axis] = slice(start, stop)
                    part = result[tuple(index)]
                    try:
                        if is_zarr(output):
                            da.store(part, writer.array, regions=tuple(index), lock=False)
                        else:
                            writer.write(start, stop, part.compute())
                    except InputError:
                        raise
                    except ValueError as failure:
                        raise InputError(f"{source}: {failure}") from None
                    bar.update((stop - start) * per_index)
        except BaseException as failure:
            error = failure
            raise
        finally:
            writer.close(error)
    finally:
        if client is not None:
            client.close()
