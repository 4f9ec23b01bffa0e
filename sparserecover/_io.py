"""Reading and writing arrays for the command line: .csv, .txt, .npy, .npz and .mtx.

Text tables (.csv comma separated, .txt whitespace separated, or any ``delimiter``) may start
with a header line, a line none of whose fields is a number (column names): it is skipped.
An output named ``-`` is standard output, as a text table.

Every failure is an :class:`InputError` whose message names the file and says what is wrong
(missing, unreadable, malformed number at row/column, unsupported format), so the command line
can print it as one line. Writes are atomic: the data go to a temporary file in the target's
folder, which then replaces the target (``os.replace``), so a failed or interrupted write never
leaves a partial file behind. The temporary file is removed when the write fails or the
process is interrupted (an exception, KeyboardInterrupt or the command line's SIGTERM
handler); one left by a killed process (SIGKILL, power loss) carries the writer's process id
and is removed by the next write to the same target once that process is gone.

Inside :func:`guarding_inputs` no write goes to a file that was read or declared an input
(:func:`protect`): not by the same path, a symbolic link or another hard link to it.
"""

import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

FORMATS = (".csv", ".txt", ".npy", ".npz", ".mtx")

# Temporary files: ".{target name}.{writer's pid}.{random}" + _TEMPORARY_SUFFIX
_TEMPORARY_SUFFIX = ".sparserecover-tmp"

# The input files of the running command: (real path, (device, inode) or None).
_inputs = None


class InputError(ValueError):
    """A file could not be read or written; the message is meant for the user as is."""


@contextlib.contextmanager
def guarding_inputs():
    """Within this block, writes refuse to replace any file :func:`protect` was given, or
    that :func:`read_arrays` read."""
    global _inputs
    saved, _inputs = _inputs, []
    try:
        yield
    finally:
        _inputs = saved


def protect(path):
    """Declare ``path`` an input: inside :func:`guarding_inputs`, never written to."""
    if _inputs is None:
        return
    try:
        status = os.stat(path)
        identity = (status.st_dev, status.st_ino)
    except OSError:
        identity = None
    _inputs.append((str(path), os.path.realpath(path), identity))


def check_not_input(path):
    """Raise an InputError if writing ``path`` would replace an input (:func:`protect`): the
    same real path (a symbolic link included), or, if ``path`` exists, the same file (a hard
    link)."""
    if not _inputs:
        return
    real = os.path.realpath(path)
    try:
        status = os.stat(path)
        identity = (status.st_dev, status.st_ino)
    except OSError:
        identity = None
    for name, input_real, input_identity in _inputs:
        if real == input_real or (identity is not None and identity == input_identity):
            same = "" if str(path) == name else f" (the same file as {name})"
            raise InputError(f"{path}: the output would overwrite the input{same}")


def file_format(path):
    """The lower-case extension of ``path`` if it is a supported format, else an InputError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; use one of "
            + ", ".join(FORMATS)
        )
    return suffix


def read_arrays(path, delimiter=None):
    """Read every array of a file as ``{name: array}``; one unnamed array is keyed ``""``.

    .csv files are comma separated and .txt files whitespace separated (or both separated by
    ``delimiter``), with ``#`` comments and an optional header line (see the module's
    docstring); both give 2-D arrays (one row per line). A .npz file gives its named arrays,
    or a ``scipy.sparse`` matrix under ``""`` if it was written by ``scipy.sparse.save_npz``.
    A .mtx (Matrix Market) file gives a sparse CSR matrix, or an array if it is dense.
    """
    suffix = file_format(path)
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    protect(path)
    try:
        if suffix in (".csv", ".txt"):
            return {"": _read_text(path, _delimiter(suffix, delimiter))}
        if suffix == ".npy":
            return {"": _check_numeric(np.load(path, allow_pickle=False), path)}
        if suffix == ".npz":
            return _read_npz(path)
        return {"": _read_matrix_market(path)}
    except InputError:
        raise
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except Exception as error:  # parsers raise many types (BadZipFile, EOFError, ...)
        raise InputError(f"{path}: not a valid {suffix} file: {_first_line(error)}") from None


def read_array(path, delimiter=None):
    """Read the one array of a file (see :func:`read_arrays`); several arrays are an error."""
    arrays = read_arrays(path, delimiter)
    if len(arrays) != 1:
        names = ", ".join(sorted(arrays))
        raise InputError(f"{path}: holds several arrays ({names}); expected one")
    return next(iter(arrays.values()))


def write_arrays(path, arrays, delimiter=None):
    """Write ``{name: array}`` (one unnamed array for every format but .npz) atomically; to
    standard output as a text table (``delimiter``, default comma) if ``path`` is ``-``."""
    if str(path) == "-":
        if list(arrays) != [""]:
            raise InputError("standard output (-o -) holds one array; use a .npz file")
        _write_text(sys.stdout, arrays[""], delimiter or ",")
        return
    suffix = file_format(path)
    path = Path(path)
    if suffix != ".npz" and list(arrays) != [""]:
        raise InputError(f"{path}: {suffix} holds one array; use .npz for several")
    with atomic_write(path) as stream:
        if suffix == ".npz":
            np.savez(stream, **{name or "arr_0": value for name, value in arrays.items()})
        else:
            _write_one(stream, suffix, arrays[""], delimiter)


def write_array(path, array, delimiter=None):
    """Write one array atomically, in the format given by the extension of ``path`` (see
    :func:`write_arrays`)."""
    write_arrays(path, {"": array}, delimiter)


def atomic_save_figure(figure, path):
    """``figure.savefig(path)`` through a temporary file, so no partial image is left behind."""
    path = Path(path)
    image_format = path.suffix.lstrip(".").lower() or "png"
    supported = figure.canvas.get_supported_filetypes()
    if image_format not in supported:
        raise InputError(
            f"{path}: unsupported image type {image_format!r}; use one of "
            + ", ".join(sorted(supported))
        )
    with atomic_write(path) as stream:
        figure.savefig(stream, format=image_format)


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """A binary stream whose content replaces ``path`` when the block ends without an
    exception; otherwise (also on KeyboardInterrupt or SystemExit) ``path`` is untouched and
    the temporary file removed. An input of the running command is never replaced. ``mode``
    "w+b" opens the stream for reading too (to memory-map it)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    check_not_input(path)
    remove_stale_temporaries(path)
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMPORARY_SUFFIX, dir=folder
        )
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
    try:
        _set_default_permissions(descriptor)
        with os.fdopen(descriptor, mode) as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
        raise


def remove_stale_temporaries(path):
    """Remove the temporary files of writes to ``path`` whose writing process has ended (a
    process killed mid-write leaves one); those of live processes stay."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(
        re.escape(f".{path.name}.") + r"(\d+)\.[^.]+" + re.escape(_TEMPORARY_SUFFIX)
    )
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match and not _process_exists(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


def _process_exists(pid):
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill(pid, 0) would send Ctrl-C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError), or no way to tell
        return True
    return True


def _set_default_permissions(descriptor):
    """Give a temporary file the permissions of a normally created one (mkstemp uses 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, 0o666 & ~umask)


def _write_one(stream, suffix, array, delimiter=None):
    if suffix == ".npy":
        np.save(stream, np.asarray(array), allow_pickle=False)
    elif suffix == ".mtx":
        import scipy.io

        scipy.io.mmwrite(stream, array)
    else:
        _write_text(stream, array, _delimiter(suffix, delimiter) or " ", suffix)


def _write_text(stream, array, delimiter, suffix="standard output"):
    array = np.asarray(array)
    if array.ndim > 2:
        raise InputError(f"{suffix} files hold 1-D or 2-D arrays; got {array.ndim}-D")
    # enough digits to read back exactly the same float32 / float64 values
    digits = "%.9g" if array.dtype == np.float32 else "%.17g"
    np.savetxt(stream, array, fmt=digits, delimiter=delimiter)


def _delimiter(suffix, delimiter):
    """The field separator of a text table: the user's, else a comma for .csv files and any
    whitespace (None) for .txt files."""
    if delimiter is not None:
        return delimiter
    return "," if suffix == ".csv" else None


def _fields(line, delimiter):
    """The fields of one line of a text table, comments removed ([] for a blank line)."""
    line = line.split("#", 1)[0].strip()
    return [field.strip() for field in line.split(delimiter)] if line else []


def _is_number(field):
    try:
        float(field)
    except ValueError:
        return False
    return True


def _header_lines(path, delimiter):
    """How many lines to skip: those up to the header line (the first line with fields, if
    none of them is a number), or 0 when the table has no header."""
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            fields = _fields(line, delimiter)
            if fields:
                return 0 if any(_is_number(field.strip("\"'")) for field in fields) else number
    return 0


def _read_text(path, delimiter):
    import warnings

    skip = _header_lines(path, delimiter)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy only warns about a file without data
        try:
            array = np.loadtxt(
                path, delimiter=delimiter, ndmin=2, dtype=np.float64, skiprows=skip
            )
        except UserWarning:
            raise InputError(f"{path}: holds no numbers") from None
        except ValueError:
            # numpy's message counts rows inconsistently (from 0 or 1, skipping comments or
            # not): find the offending line again, in the user's numbering
            _diagnose_text(path, delimiter, skip)
            raise
    if array.size == 0:
        raise InputError(f"{path}: holds no numbers")
    return array


def _diagnose_text(path, delimiter, skip=0):
    """Raise an InputError naming the first malformed line and field of a text table (after
    the ``skip`` lines of its header)."""
    n_columns = first_line = None
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            fields = _fields(line, delimiter)
            if number <= skip or not fields:
                continue
            for column, field in enumerate(fields, start=1):
                if not _is_number(field):
                    raise InputError(
                        f"{path}: line {number}, column {column}: {field!r} is not a number"
                    )
            if n_columns is None:
                n_columns, first_line = len(fields), number
            elif len(fields) != n_columns:
                raise InputError(
                    f"{path}: line {number} has {len(fields)} values but line {first_line} has "
                    f"{n_columns}"
                )


def _read_npz(path):
    with np.load(path, allow_pickle=False) as archive:
        names = list(archive.files)
        if {"format", "shape", "data"} <= set(names):
            import scipy.sparse

            return {"": scipy.sparse.load_npz(path).tocsr()}
        arrays = {name: _check_numeric(archive[name], path, name) for name in names}
    if not arrays:
        raise InputError(f"{path}: holds no arrays")
    return arrays


def _read_matrix_market(path):
    import scipy.io
    import scipy.sparse

    matrix = scipy.io.mmread(path)
    if scipy.sparse.issparse(matrix):
        matrix = matrix.tocsr()
        if matrix.dtype.kind not in "biuf":
            raise InputError(f"{path}: holds {matrix.dtype} values; expected real numbers")
        return matrix.astype(np.float64) if matrix.dtype.kind != "f" else matrix
    return _check_numeric(np.asarray(matrix), path)


def _check_numeric(array, path, name=""):
    if array.dtype.kind not in "biuf":
        where = f" array {name!r}" if name else ""
        raise InputError(f"{path}:{where} holds {array.dtype} values; expected real numbers")
    return array


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
