"""The ``sparserecover`` command (also ``python -m sparserecover``).

Subcommands:

- ``sparserecover demo``: shrinkage operators, spectral filters, denoising and sparse recovery
  on bundled data, with a short table of errors and times (``--plot FILE`` saves a figure).
- ``sparserecover denoise IN``: denoise the signals of a .csv/.txt/.npy/.npz file.
- ``sparserecover solve A y --lam LAM|FRACTIONx|auto``: a LASSO (FISTA/ISTA/CD) or k-sparse
  (IHT) solve.
- ``sparserecover compile``: compile every kernel into the cache ahead of time.

Every failure the user can cause (missing or malformed file, shape mismatch, bad option) is one
line on stderr and a non-zero exit status (``EXIT_STATUS``), never a traceback (unless
``--verbose``); warnings are one line each. Output files are written whole or not at all, never
over an input file of the command, and the temporary file of a write is removed also on
SIGINT and SIGTERM.
"""

import argparse
import contextlib
import inspect
import io
import os
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

from sparserecover import __version__, _large
from sparserecover._io import InputError

__all__ = ["main"]

_EXIT_ERROR = 1
_EXIT_USAGE = 2
_EXIT_NOT_CONVERGED = 3
_EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention
_EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
_EXIT_TERMINATED = 143  # 128 + SIGTERM
# The exit status of the command, as its --help lists it
EXIT_STATUS = {
    0: "success",
    _EXIT_ERROR: "failure: a bad input file or option value, an output over an input, ...",
    _EXIT_USAGE: "usage error: unknown option, missing or malformed argument",
    _EXIT_NOT_CONVERGED: "solve did not converge: nothing written (see --allow-unconverged)",
    _EXIT_INTERRUPTED: "interrupted (Ctrl-C, SIGINT)",
    _EXIT_BROKEN_PIPE: "stdout closed by its reader (a pipe into head): stopped quietly",
    _EXIT_TERMINATED: "terminated (SIGTERM)",
}
# --solver name -> function of sparserecover.solvers
_SOLVERS = {"fista": "fista", "ista": "ista", "cd": "coordinate_descent", "iht": "iht"}
# Options that name files the command writes (checked against its inputs before any work)
_OUTPUT_OPTIONS = ("output", "plot")


class _Terminated(BaseException):
    """Raised by the SIGTERM handler, so that a write in progress removes its temporary file."""


def main(argv=None):
    """Run the ``sparserecover`` command line; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when the work failed (bad file, shape mismatch, ...), 2 for a usage
        error, 3 when ``solve`` did not converge (unless ``--allow-unconverged``), 130 when
        interrupted (SIGINT) and 143 when terminated (SIGTERM), as ``--help`` lists.

    Examples
    --------
    >>> from sparserecover.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    sparserecover ...
    0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors end here
        return exit_.code if isinstance(exit_.code, int) else _EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return _EXIT_USAGE
    from sparserecover import _io

    prefix = f"sparserecover {args.command}"
    # the data go to stdout (-o -), the report then to stderr; --quiet drops the report
    args.data_stream = sys.stdout
    report = sys.stderr if getattr(args, "output", None) == "-" else None
    if args.quiet:
        report = io.StringIO()
    quiet = contextlib.nullcontext() if report is None else contextlib.redirect_stdout(report)
    with _one_line_warnings(prefix), _sigterm_raises(), _io.guarding_inputs(), quiet:
        try:
            for name in args.inputs:
                _io.protect(getattr(args, name))
            for name in _OUTPUT_OPTIONS:
                if getattr(args, name, None):
                    _io.check_not_input(getattr(args, name))
            if args.command == "compile":
                return args.run(args)
            from sparserecover._compile import CompileMonitor

            # the first run on a machine compiles kernels: say so on stderr, time it apart
            with CompileMonitor() as args.compile_monitor:
                return args.run(args)
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return _EXIT_INTERRUPTED
        except _Terminated:
            print(f"{prefix}: terminated", file=sys.stderr)
            return _EXIT_TERMINATED
        except BrokenPipeError:
            # what a Unix tool does when the reader of its output is gone: stop, say nothing
            # (stdout is pointed at /dev/null so that the interpreter's last flush is quiet)
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return _EXIT_BROKEN_PIPE
        except Exception as error:
            if args.verbose:
                traceback.print_exc()
            print(f"{prefix}: error: {_error_line(error)}", file=sys.stderr)
            return _EXIT_ERROR


def _error_line(error):
    """One line saying what went wrong; an unexpected exception says it is one."""
    text = str(error).strip()
    message = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, (ValueError, TypeError, OSError, MemoryError, ImportError)):
        return message
    return f"unexpected {type(error).__name__}: {message} (--verbose shows the traceback)"


@contextlib.contextmanager
def _one_line_warnings(prefix):
    """Show every warning as one line on stderr, ``PREFIX: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = str(message).strip().splitlines()
        print(f"{prefix}: warning: {text[0] if text else category.__name__}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _sigterm_raises():
    """SIGTERM raises :class:`_Terminated` (in the main thread), so that writes clean up."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- argument parsing ------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr."""

    def error(self, message):
        self.exit(_EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.HelpFormatter):
    """Fills paragraphs as argparse does, but keeps indented lines (a table) as written."""

    def _fill_text(self, text, width, indent):
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("  "):
                paragraphs.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


def _exit_status_help():
    rows = "\n".join(f"  {code:<4d} {text}" for code, text in EXIT_STATUS.items())
    return f"exit status:\n\n{rows}"


def _add_common_options(command):
    """The options and help every subcommand shares, and its input files (its positional
    arguments), which no output may overwrite."""
    command.formatter_class = _Formatter
    command.epilog = "\n\n".join(filter(None, [command.epilog, _exit_status_help()]))
    command.add_argument(
        "--verbose", action="store_true", help="on failure, show the traceback too"
    )
    command.add_argument("-q", "--quiet", action="store_true", help="print no report on stdout")
    command.set_defaults(
        inputs=tuple(action.dest for action in command._actions if not action.option_strings)
    )


def _build_parser():
    parser = _Parser(
        prog="sparserecover",
        description="Sparse signal recovery: shrinkage operators, LASSO / IHT solvers and "
        "wavelet denoising from the command line.",
        epilog="Run 'sparserecover COMMAND --help' for the options of a command.\n\n"
        "Examples:\n\n"
        "  sparserecover demo --plot demo.png\n"
        "  sparserecover denoise noisy.csv -o clean.csv\n"
        "  sparserecover solve A.npy y.npy --lam auto -o x.npy\n\n"
        + _exit_status_help(),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"sparserecover {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run the demo on bundled data (no arguments needed)",
        description="Show what sparserecover does on bundled data: the shrinkage operators "
        "and their derivatives, the ridge / PCA / gradient-descent spectral filters, "
        "denoising of the Donoho-Johnstone test signals and of a real ECG, and recovery "
        "of a sparse vector from compressed measurements with FISTA and IHT.",
        epilog="Example: sparserecover demo --plot demo.png",
    )
    demo.add_argument(
        "--plot", metavar="FILE", help="save a figure (.png, .pdf, .svg; needs matplotlib)"
    )
    demo.set_defaults(run=_run_demo)

    compile_ = commands.add_parser(
        "compile",
        help="compile every kernel ahead of time",
        description="Compile every kernel of sparserecover into Numba's on-disk cache, in "
        "parallel worker processes, so that no later command or program on this machine "
        "compiles on its first call. Run it once after installing, in an image build or "
        "when a cluster's workers start; the cache is specific to the machine's CPU.",
        epilog="Example: sparserecover compile --jobs 4",
    )
    compile_.add_argument("--jobs", type=_positive_int, default=None,
                          help="worker processes (default: the number of CPUs)")
    compile_.set_defaults(run=_run_compile)

    # the library's defaults, so that the command and the function never disagree
    import pywt

    from sparserecover.denoising import denoise as denoise_function

    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(denoise_function).parameters.items()
    }
    denoise = commands.add_parser(
        "denoise",
        help="denoise the signals or images of a file",
        description="Denoise every signal of a file by wavelet (or DCT) shrinkage, each with "
        "its own noise estimate. .csv (comma separated) and .txt (whitespace separated) "
        "files hold one signal per column (or a single column), after an optional header "
        "line of column names; .npy files one signal per "
        "row of the last axis; .npz files may hold several arrays, all denoised. PNG and TIFF "
        "images (needs imageio: pip install 'sparserecover[image]') are denoised as images, "
        "each colour channel on its own. The output has the input's shape and, by default, "
        "its format. .npy files larger than memory and Zarr stores (IN.zarr -> OUT.zarr, "
        "through dask: pip install 'sparserecover[dask]') are denoised in batches, in memory "
        "that does not grow with the data, with a progress bar on stderr; the output "
        "appears only when complete.",
        epilog="Examples: sparserecover denoise noisy.csv -o clean.csv --threshold bayes; "
        "sparserecover denoise recording.csv --delimiter ';' --boundary symmetric; "
        "sparserecover denoise photo.png -o clean.png --ycbcr; "
        "sparserecover denoise volume.npy --axis 0,1,2; "
        "sparserecover denoise archive.zarr -o clean.zarr --scheduler tcp://host:8786",
    )
    denoise.add_argument(
        "input", metavar="IN",
        help="input file (.csv, .txt, .npy, .npz, .png, .tif, .tiff) or Zarr store (.zarr)"
    )
    denoise.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file; its extension picks the format (default: IN with '_denoised' "
        "added before the extension)",
    )
    denoise.add_argument(
        "--method",
        choices=("wavelet", "swt", "dct"),
        default=defaults["method"],
        help="transform: the wavelet transform, its stationary (redundant, slower, better) "
        "form, or the DCT (default: %(default)s)",
    )
    denoise.add_argument(
        "--threshold",
        type=_threshold,
        metavar="{sure,universal,bayes,bivariate,NUMBER}",
        help="threshold rule, or a fixed threshold in the units of the signal (default: sure "
        "for signals, bivariate for images)",
    )
    denoise.add_argument(
        "--wavelet", help="wavelet name (default: sym4 for signals, haar for images)"
    )
    denoise.add_argument(
        "--level", type=_positive_int, help="decomposition levels (default: the most possible)"
    )
    denoise.add_argument(
        "--mode",
        choices=("garrote", "soft", "hard"),
        help="shrinkage rule (default: garrote for signals, soft for images)",
    )
    denoise.add_argument(
        "--shifts",
        type=_positive_int,
        help="cycle-spinning shifts, 1 for none (default: 2 for signals, 3 for images, 4 "
        "for colour images denoised channel by channel, without --ycbcr)",
    )
    denoise.add_argument(
        "--boundary",
        choices=("auto", *pywt.Modes.modes),
        default=defaults["boundary"],
        metavar="MODE",
        help="extension of 1-D signals at their two ends: auto (periodization where a "
        "signal's two ends agree within the noise, else periodization of the signal followed "
        "by its mirror image), or a PyWavelets mode: periodization (fastest), symmetric, "
        "reflect, smooth, ... (default: %(default)s)",
    )
    denoise.add_argument(
        "--sigma",
        type=_non_negative_float,
        help="noise standard deviation (default: estimated for each signal)",
    )
    denoise.add_argument(
        "--axis",
        type=_axes,
        help="axis along which each signal runs, or comma-separated axes of images or "
        "volumes, e.g. 0,1 (default: 0 for .csv/.txt, i.e. columns; -1 for .npy/.npz; 0,1 "
        "for images)",
    )
    denoise.add_argument(
        "--channel-axis",
        type=int,
        help="axis of colour channels, each denoised on its own (default: 2 for colour images)",
    )
    denoise.add_argument(
        "--ycbcr",
        action="store_true",
        help="denoise an RGB image in YCbCr (luma and chroma) rather than R, G and B",
    )
    denoise.add_argument(
        "--delimiter", type=_delimiter, metavar="CHAR",
        help="field separator of .csv and .txt files, read and written, e.g. ';' or tab "
        "(default: a comma for .csv, whitespace for .txt)",
    )
    denoise.add_argument(
        "--plot", metavar="FILE", help="save a figure of the first signals (needs matplotlib)"
    )
    denoise.add_argument(
        "--batch-size", type=_positive_int, metavar="N",
        help="denoise a .npy file or .zarr store N signals (or images) at a time, in memory "
        "that does not grow with the file (default for .npy files over "
        f"{_large.LARGE_NPY_BYTES >> 20} MiB and .zarr stores: about "
        f"{_large.BATCH_BYTES >> 20} MiB of signals at a time)",
    )
    denoise.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="run on the dask.distributed cluster of this scheduler (e.g. tcp://host:8786); "
        "its workers read the input and write a .zarr output, so they must see the same "
        "files (needs pip install 'sparserecover[dask]')",
    )
    denoise.set_defaults(run=_run_denoise)

    solve = commands.add_parser(
        "solve",
        help="solve a LASSO or k-sparse least-squares problem",
        description="Solve min_x 0.5 ||A x - y||^2 + LAM ||x||_1 (+ 0.5 L2 ||x||^2, over x >= 0 "
        "with --positive) with FISTA, ISTA or coordinate descent, or min ||A x - y|| subject to "
        "||x||_0 <= K with IHT. A and y are read from .npy, .npz, .csv, .txt or .mtx (Matrix "
        "Market, for sparse A) files; .csv and .txt tables may start with a header line of "
        "column names. A 2-D y is one problem per column, solved in groups of columns with a "
        "progress bar on a terminal. The report goes to stdout, the solution x to -o (-o - "
        "writes it to stdout as CSV, and the report to stderr).",
        epilog="Examples:\n\n"
        "  sparserecover solve A.mtx y.csv --lam 0.1 -o x.npy --verify\n"
        "  sparserecover solve A.npy y.npy --lam 0.05x        # 5% of lam_max\n"
        "  sparserecover solve A.npy y.npy --lam auto --positive -o x.csv\n"
        "  sparserecover solve A.csv y.csv --delimiter ';' --lam 1 -o - > x.csv\n"
        "  sparserecover solve A.npy y.npy --solver iht --n-nonzero 10",
    )
    solve.add_argument("matrix", metavar="A", help="design matrix file (n_samples x n_features)")
    solve.add_argument("target", metavar="y", help="measurements file (n_samples [x n_targets])")
    solve.add_argument(
        "--lam",
        type=_lam,
        metavar="{auto,FRACTIONx,VALUE}",
        help="L1 penalty, required for fista, ista and cd: a number (0.1); a fraction of "
        "lam_max = max |A.T y|, the smallest penalty whose solution is 0, written with an x "
        "(0.1x); or auto: the penalty of least mean squared error in K-fold cross-validation "
        "over the rows (see --cv) on a grid of 100 values from lam_max down to 0.001x, as "
        "scikit-learn's LassoCV (a 2-D y: a penalty per column)",
    )
    solve.add_argument(
        "--cv", type=_positive_int, default=5, metavar="K",
        help="folds of --lam auto, consecutive blocks of rows (default: %(default)s)",
    )
    solve.add_argument(
        "--positive", action="store_true", help="constrain x >= 0 (fista, ista and cd)"
    )
    solve.add_argument(
        "--l2", type=_non_negative_float, default=0.0,
        help="ridge penalty 0.5 L2 ||x||^2 added to the objective: the elastic net (fista, "
        "ista and cd; default: %(default)s)",
    )
    solve.add_argument(
        "--solver",
        choices=tuple(_SOLVERS),
        default="fista",
        help="algorithm: fista, ista, cd (working-set coordinate descent, usually the fastest "
        "for an explicit matrix) or iht (default: %(default)s)",
    )
    solve.add_argument(
        "--n-nonzero", type=_positive_int, metavar="K", help="sparsity for iht (required)"
    )
    solve.add_argument("--max-iter", type=_positive_int, help="iteration limit")
    solve.add_argument("--tol", type=_non_negative_float, help="relative duality-gap tolerance")
    solve.add_argument(
        "-o", "--output", metavar="OUT",
        help="write the solution x to OUT, in the format of its extension; - is stdout (CSV)",
    )
    solve.add_argument(
        "--delimiter", type=_delimiter, metavar="CHAR",
        help="field separator of .csv and .txt files, read and written, e.g. ';' or tab "
        "(default: a comma for .csv, whitespace for .txt)",
    )
    solve.add_argument(
        "--verify",
        action="store_true",
        help="check the solution against an independent cvxpy solve (needs cvxpy: "
        "pip install 'sparserecover[verify]')",
    )
    solve.add_argument(
        "--allow-unconverged",
        action="store_true",
        help="accept a solution that did not reach the tolerance: write it and exit 0 "
        "(default: exit status 3 and nothing written)",
    )
    solve.set_defaults(run=_run_solve)
    for command in commands.choices.values():
        _add_common_options(command)
    return parser


def _threshold(text):
    if text in ("sure", "universal", "bayes", "bivariate"):
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sure, universal, bayes, bivariate or a number; got {text!r}"
        ) from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"a threshold must be finite and >= 0; got {text!r}")
    return value


def _axes(text):
    """``--axis``: an integer, or comma-separated integers (a tuple)."""
    try:
        axes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer or comma-separated integers such as 0,1; got {text!r}"
        ) from None
    return axes[0] if len(axes) == 1 and "," not in text else axes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _lam(text):
    """``--lam``: "auto", a fraction of lam_max ("0.1x") or a value, as (kind, number)."""
    if text == "auto":
        return ("auto", None)
    fraction = text.endswith("x")
    try:
        value = _non_negative_float(text[:-1] if fraction else text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected auto, a fraction of lam_max such as 0.1x, or a number >= 0; got {text!r}"
        ) from None
    return ("fraction" if fraction else "value", value)


def _delimiter(text):
    """``--delimiter``: one character; "tab" or a backslash-t is a tab."""
    text = {"tab": "\t", "\\t": "\t"}.get(text, text)
    if len(text) != 1 or text in "#\n\r\"'" or text.isalnum() or text in ".-+":
        raise argparse.ArgumentTypeError(
            f"expected one separator character (such as , ; | or tab); got {text!r}"
        )
    return text


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0; got {text!r}")
    return value


_IMAGE_TYPES = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "webp")


def _check_plot_path(path):
    """Fail on a bad figure name before any work, not after it."""
    if path is None:
        return
    path = Path(path)
    if path.suffix.lstrip(".").lower() not in _IMAGE_TYPES:
        raise InputError(f"{path}: --plot needs one of the extensions " + ", ".join(_IMAGE_TYPES))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")


# --- denoise ---------------------------------------------------------------------------------


def _run_denoise(args):
    from sparserecover._io import file_format, read_arrays, write_arrays
    from sparserecover.denoising import _default_options, denoise

    source = Path(args.input)
    options = {
        "method": args.method,
        "threshold": args.threshold,
        "wavelet": args.wavelet,
        "level": args.level,
        "mode": args.mode,
        "shifts": args.shifts,
        "sigma": args.sigma,
        "boundary": args.boundary,
        "convert2ycbcr": args.ycbcr,
    }
    if _large.wanted(source, Path(args.output or source), args):
        return _run_denoise_batches(args, source, options)
    in_image = source.suffix.lower() in _IMAGE_FILES
    in_format = source.suffix.lower() if in_image else file_format(source)
    if in_format == ".mtx":
        raise InputError(f"{source}: denoise reads .csv, .txt, .npy, .npz, .png or .tif files")
    output = (
        Path(args.output)
        if args.output
        else source.with_name(f"{source.stem}_denoised{source.suffix}")
    )
    out_image = output.suffix.lower() in _IMAGE_FILES
    out_format = output.suffix.lower() if out_image else file_format(output)
    if out_format == ".mtx":
        raise InputError(f"{output}: denoise writes .csv, .txt, .npy, .npz, .png or .tif files")
    _check_plot_path(args.plot)
    arrays = {"": _read_image(source)} if in_image else read_arrays(source, args.delimiter)
    if len(arrays) > 1 and out_format != ".npz":
        raise InputError(f"{source} holds several arrays; write them to a .npz file")
    if args.axis is not None:
        axis = args.axis
    else:
        axis = (0, 1) if in_image else 0 if in_format in (".csv", ".txt") else -1

    results, axes = {}, {}
    start = time.perf_counter()
    n_signals = 0
    for name, signal in arrays.items():
        label = f"{source}" + (f" array {name!r}" if name else "")
        if not isinstance(signal, np.ndarray):
            raise InputError(f"{label}: expected a dense array of signals")
        if signal.ndim == 0:
            raise InputError(f"{label}: holds a single number, not a signal")
        for a in axis if isinstance(axis, tuple) else (axis,):
            if not -signal.ndim <= a < signal.ndim:
                raise InputError(f"{label}: --axis {a} is out of range for a {signal.ndim}-D array")
        if in_format in (".csv", ".txt") and signal.shape[0] == 1 and axis == 0:
            axis_used = 1  # a single row: one signal written along the line
        else:
            axis_used = axis
        channel_axis = args.channel_axis
        if channel_axis is None and in_image and signal.ndim == 3 and args.axis is None:
            channel_axis = 2
        try:
            results[name] = _denoise_with_progress(
                denoise, signal, axis_used, {**options, "channel_axis": channel_axis}, label,
                quiet=args.quiet,
            )
        except ValueError as error:
            raise InputError(f"{label}: {error}") from None
        axes[name] = axis_used
        per_signal = np.prod(np.take(signal.shape, axis_used))
        if channel_axis is not None:  # the channels of an image are one image
            per_signal *= signal.shape[channel_axis]
        n_signals += signal.size // int(per_signal)
    elapsed = time.perf_counter() - start

    if out_image:
        _write_image(output, next(iter(results.values())), arrays[next(iter(arrays))].dtype)
    else:
        write_arrays(output, results, args.delimiter)
    images = isinstance(axis, tuple) and len(axis) > 1
    shown = {
        key: value if value is not None else _default_options(
            args.method, 2 if images else 1, channel_axis is not None and not args.ycbcr
        )[key]
        for key, value in options.items()
        if key in ("threshold", "mode", "shifts")
    }
    print(
        f"denoised {n_signals} {'image' if images else 'signal'}(s) from {source} in "
        f"{elapsed * 1e3:.1f} ms ({args.method}, threshold {shown['threshold']}, mode "
        f"{shown['mode']}, shifts {shown['shifts']}) -> {output}"
    )
    if args.plot:
        first = next(iter(arrays))
        _plot_denoised(
            np.moveaxis(arrays[first], axes[first], -1),
            np.moveaxis(results[first], axes[first], -1),
            args.plot,
        )
    return 0


_IMAGE_FILES = (".png", ".tif", ".tiff")


def _run_denoise_batches(args, source, options):
    """denoise on a .npy file larger than memory or a Zarr store, or on a dask cluster
    (``--scheduler``): batch by batch, in bounded memory."""
    from sparserecover.denoising import _DEFAULTS

    output = (
        Path(args.output)
        if args.output
        else source.with_name(f"{source.stem}_denoised{source.suffix}")
    )
    _check_plot_path(args.plot)
    if args.plot:
        raise InputError("--plot is not available for .zarr stores, --scheduler and "
                         "--batch-size (the data are not all in memory)")
    axis = args.axis if args.axis is not None else -1
    n_items, elapsed = _large.run_denoise(args, source, output, options, axis,
                                          args.channel_axis)
    images = isinstance(axis, tuple) and len(axis) > 1
    shown = {
        key: value if value is not None else _DEFAULTS[(args.method, images)][key]
        for key, value in options.items()
        if key in ("threshold", "mode", "shifts")
    }
    print(
        f"denoised {n_items} {'image' if images else 'signal'}(s) from {source} in "
        f"{elapsed:.1f} s ({args.method}, threshold {shown['threshold']}, mode "
        f"{shown['mode']}, shifts {shown['shifts']}) -> {output}"
    )
    return 0


def _imageio():
    try:
        import imageio.v3 as iio
    except ImportError:
        raise InputError(
            "PNG and TIFF images need imageio: pip install 'sparserecover[image]'"
        ) from None
    return iio


def _read_image(path):
    iio = _imageio()
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        image = iio.imread(path)
    except Exception as error:  # the plugins raise many types
        raise InputError(f"{path}: not a readable image: {error}") from None
    if image.dtype.kind not in "uif":
        raise InputError(f"{path}: unsupported pixel type {image.dtype}")
    return image


def _write_image(path, image, dtype):
    """``image`` in the pixel type ``dtype`` of the input (rounded and clipped to its range;
    float data from an array file: float32 TIFF, or 8-bit PNG), written atomically."""

    iio = _imageio()
    if dtype.kind == "f" and path.suffix.lower() == ".png":
        dtype = np.dtype(np.uint8)
    if dtype.kind in "ui":
        limits = np.iinfo(dtype)
        image = np.clip(np.rint(image), limits.min, limits.max).astype(dtype)
    else:
        image = image.astype(np.float32)
    from sparserecover._io import atomic_write

    with atomic_write(path) as stream:  # never over an input, nothing half-written
        iio.imwrite(stream, image, extension=path.suffix.lower())


# Batches of at least this many values show progress on a terminal, in steps of about
# _PROGRESS_STEP_VALUES values (a fraction of a second each).
_PROGRESS_MIN_VALUES = 4_000_000
_PROGRESS_STEP_VALUES = 1_000_000


def _denoise_with_progress(denoise, signal, axis, options, label, quiet=False):
    """denoise(); on a terminal (without ``--quiet``), large batches go in slices with a
    progress line on stderr."""
    if isinstance(axis, tuple) or options["channel_axis"] is not None:
        return denoise(signal, axis=axis, **options)  # images: no slices
    rows = np.moveaxis(signal, axis, -1)
    n_signals = rows.size // max(rows.shape[-1], 1)
    sliced = options["sigma"] is None or np.ndim(options["sigma"]) == 0
    long_work = rows.size >= _PROGRESS_MIN_VALUES and rows.ndim > 1
    if not (long_work and sliced and sys.stderr.isatty()) or quiet:
        return denoise(signal, axis=axis, **options)
    flat = rows.reshape(-1, rows.shape[-1])
    parts = []
    step = max(1, _PROGRESS_STEP_VALUES // flat.shape[-1])
    for begin in range(0, n_signals, step):
        parts.append(denoise(flat[begin : begin + step], **options))
        done = min(begin + step, n_signals)
        print(f"\r{label}: {done}/{n_signals} signals", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return np.moveaxis(np.concatenate(parts).reshape(rows.shape), -1, axis)


# --- solve -----------------------------------------------------------------------------------


def _run_compile(args):
    from sparserecover._compile import compile_kernels

    seconds = compile_kernels(args.jobs, progress=not args.quiet)
    print(f"compiled every kernel in {seconds:.1f} s")
    return 0


def _run_solve(args):
    import scipy.sparse

    from sparserecover._io import file_format, read_array

    if args.solver == "iht":
        if args.n_nonzero is None:
            raise InputError("--solver iht needs --n-nonzero K")
        if args.verify:
            raise InputError("--verify checks LASSO solutions: use --solver fista, ista or cd")
        if args.positive or args.l2:
            raise InputError("--positive and --l2 apply to fista, ista and cd, not to iht")
    elif args.lam is None:
        raise InputError(f"--solver {args.solver} needs --lam LAM")
    if args.verify:
        try:
            import cvxpy  # noqa: F401  (imported here to fail before solving, not after)
        except ImportError:
            raise InputError(
                "--verify needs cvxpy, which is not installed: pip install 'sparserecover[verify]'"
            ) from None
    if args.output and args.output != "-":
        file_format(args.output)  # fail on a bad output name before solving

    A = read_array(args.matrix, args.delimiter)
    y = read_array(args.target, args.delimiter)
    if scipy.sparse.issparse(y):
        y = y.toarray()
    y = np.asarray(y)
    if y.ndim == 2 and (y.shape[1] == 1 or (y.shape[0] == 1 and A.shape[0] > 1)):
        y = y.reshape(-1)  # one column, or one line of a text file: a single problem
    if A.ndim != 2:
        raise InputError(f"{args.matrix}: A must be a 2-D matrix; got shape {A.shape}")
    if y.ndim not in (1, 2) or y.shape[0] != A.shape[0]:
        raise InputError(
            f"shape mismatch: A is {A.shape[0]} x {A.shape[1]} but y has shape {y.shape} "
            f"(y needs {A.shape[0]} rows, one per row of A)"
        )
    if args.solver == "iht" and args.n_nonzero > A.shape[1]:
        raise InputError(
            f"--n-nonzero {args.n_nonzero} exceeds the number of features ({A.shape[1]})"
        )

    import sparserecover.solvers as solvers

    options = {}
    if args.max_iter is not None:
        options["max_iter"] = args.max_iter
    if args.tol is not None and args.solver != "iht":
        options["tol"] = args.tol
    if args.solver != "iht":
        options.update(positive=args.positive, l2=args.l2)
    solver = getattr(solvers, _SOLVERS[args.solver])

    from sklearn.exceptions import ConvergenceWarning

    compiling = args.compile_monitor.seconds
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as choosing:
        warnings.simplefilter("always")
        if args.solver == "iht":
            penalty, chosen = args.n_nonzero, None
        else:
            penalty, chosen = _penalty(args, A, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _solve_by_columns(solver, A, y, penalty, options, args)
    compiling = args.compile_monitor.seconds - compiling
    elapsed = time.perf_counter() - start - compiling

    x = np.asarray(result.x)
    kind = "sparse" if scipy.sparse.issparse(A) else "dense"
    print(
        f"solver      {args.solver} on a {kind} {A.shape[0]} x {A.shape[1]} matrix"
        + (f", {y.shape[1]} targets" if y.ndim == 2 else "")
    )
    if chosen is not None:
        print(f"lam         {_format_values(penalty)} ({chosen})")
    print(f"objective   {_format_values(result.objective)}")
    if result.gap is not None:
        print(f"gap         {_format_values(result.gap)}")
    print(f"nonzeros    {_format_values(np.count_nonzero(x, axis=0))} of {A.shape[1]}")
    print(f"iterations  {result.n_iter} ({'converged' if result.converged else 'NOT converged'})")
    print(f"time        {elapsed * 1e3:.1f} ms"
          + (f" (and {compiling:.1f} s compiling kernels)" if compiling else ""))
    refused = not result.converged and not args.allow_unconverged
    for warning in choosing:
        warnings.showwarning(warning.message, warning.category, "", 0)
    for warning in caught:
        if not (refused and issubclass(warning.category, ConvergenceWarning)):
            warnings.showwarning(warning.message, warning.category, "", 0)
    if refused:
        reason = next(
            (str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)),
            f"{args.solver} did not converge",
        )
        written = f"; nothing written to {args.output}" if args.output else ""
        print(
            f"sparserecover solve: error: {reason.rstrip('.')}{written} "
            "(--allow-unconverged accepts it)",
            file=sys.stderr,
        )
        return _EXIT_NOT_CONVERGED
    if args.output:
        from sparserecover._io import write_array

        with contextlib.redirect_stdout(args.data_stream):
            write_array(args.output, x, args.delimiter)
        if args.output != "-":
            print(f"wrote x to {args.output}")
    if args.verify:
        tol = args.tol if args.tol is not None else 1e-6
        return _verify(x, A, y, penalty, tol, positive=args.positive, l2=args.l2)
    return 0


def _penalty(args, A, y):
    """The ``lam`` of ``--lam`` (one per column of a 2-D y where it depends on the column) and
    how it was chosen (None for a plain value)."""
    kind, value = args.lam
    if kind == "value":
        return value, None
    if kind == "fraction":
        return value * _lam_max(A, y, args.positive), f"{value:g} x lam_max"
    return _cross_validated_lam(A, y, args), f"{args.cv}-fold cross-validation"


def _lam_max(A, y, positive):
    """max_j |A_j.T y| (its positive part with ``positive``) per column of ``y``: the smallest
    penalty whose solution is zero, with or without an l2 term."""
    correlation = np.asarray(A.T @ y, dtype=np.float64)
    if not positive:
        correlation = np.abs(correlation)
    return np.maximum(np.max(correlation, axis=0), 0.0)


# Grid of --lam auto: scikit-learn's LassoCV (100 values from lam_max down to 1e-3 lam_max).
_CV_LAMS = 100
_CV_EPS = 1e-3
_CV_TOL = 1e-4


def _cross_validated_lam(A, y, args):
    """The penalty of least mean test error over ``args.cv`` folds of consecutive rows, per
    column of ``y``, on a geometric grid shared by the columns.

    With ``lam = alpha * n_samples`` this is scikit-learn's ``LassoCV(fit_intercept=False)``:
    its grid, its folds (unshuffled ``KFold``), each fold's path solved at the penalties of
    the per-sample objective (``alpha * n_train``, the ``l2`` term scaled alike), the mean
    over folds of the test mean squared error.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold

    from sparserecover.solvers import lasso_path

    n_samples = A.shape[0]
    if args.cv < 2 or args.cv > n_samples:
        raise InputError(f"--cv {args.cv}: needs 2 to {n_samples} folds (the rows of A)")
    lam_max = float(np.max(_lam_max(A, y, args.positive)))
    if lam_max == 0.0:  # every penalty gives x = 0
        return np.zeros(y.shape[1:]) if y.ndim == 2 else 0.0
    lams = lam_max * np.logspace(0, np.log10(_CV_EPS), _CV_LAMS)
    # the folds only rank the penalties: a relative gap of 1e-4 (scikit-learn's LassoCV stops
    # at an absolute gap of 1e-4 ||y||^2, looser still)
    options = {"positive": args.positive, "tol": _CV_TOL}
    if args.max_iter is not None:
        options["max_iter"] = args.max_iter
    errors, unconverged = 0.0, 0
    folds = KFold(args.cv).split(np.zeros((n_samples, 1)))
    for train, test in _progress(args, folds, "cross-validation", args.cv, "fold"):
        scale = len(train) / n_samples
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            _, coefs, _ = lasso_path(
                A[train], y[train], lams * scale, l2=args.l2 * scale, **options
            )
        unconverged += any(issubclass(w.category, ConvergenceWarning) for w in caught)
        coefs = coefs.reshape(-1, A.shape[1], lams.size)  # (n_targets, n_features, n_lams)
        residuals = np.stack([np.asarray(A[test] @ c) for c in coefs], axis=-1)
        residuals -= y[test].reshape(len(test), 1, -1)
        errors = errors + np.mean(residuals**2, axis=0) / args.cv  # (n_lams, n_targets)
    if unconverged:
        warnings.warn(
            f"--lam auto: the paths of {unconverged} of {args.cv} folds did not all reach a "
            f"relative gap of {_CV_TOL:g}; the choice of lam may be off (raise --max-iter)",
            ConvergenceWarning,
            stacklevel=2,
        )
    best = lams[np.argmin(errors, axis=0)]
    return best if y.ndim == 2 else float(best[0])


# A 2-D y of at least 2 * _TARGETS_PER_STEP columns is solved in up to _PROGRESS_STEPS groups of
# columns, each a step of the progress bar (FISTA iterates a group until all its columns meet
# the tolerance; coordinate descent solves each column on its own).
_TARGETS_PER_STEP = 32
_PROGRESS_STEPS = 10


def _solve_by_columns(solver, A, y, penalty, options, args):
    """``solver(A, y, penalty, **options)``, by groups of columns for a wide 2-D ``y``."""
    n_steps = min(_PROGRESS_STEPS, y.shape[1] // _TARGETS_PER_STEP) if y.ndim == 2 else 1
    if n_steps <= 1:
        return solver(A, y, penalty, **options)
    from types import SimpleNamespace

    groups = np.array_split(np.arange(y.shape[1]), n_steps)
    penalties = np.broadcast_to(penalty, y.shape[1:]) if np.ndim(penalty) else None
    parts = [
        solver(A, y[:, group], penalty if penalties is None else penalties[group], **options)
        for group in _progress(args, groups, "solving", y.shape[1], "column", len)
    ]

    def joined(name):
        values = [getattr(part, name) for part in parts]
        return None if values[0] is None else np.concatenate(values, axis=-1)

    return SimpleNamespace(
        x=joined("x"), objective=joined("objective"), gap=joined("gap"),
        n_iter=max(part.n_iter for part in parts),
        converged=all(part.converged for part in parts),
    )


def _progress(args, items, description, total, unit, size=None):
    """Yield ``items``, with a progress bar on stderr when it is a terminal (tqdm), not with
    ``--quiet``; ``size(item)`` is an item's share of ``total`` (default 1)."""
    from tqdm import tqdm

    with tqdm(total=total, desc=f"sparserecover {args.command}: {description}", unit=unit,
              file=sys.stderr, disable=True if args.quiet else None, leave=False) as bar:
        for item in items:
            yield item
            bar.update(1 if size is None else size(item))


def _verify(x, A, y, lam, tol, *, positive=False, l2=0.0):
    """Compare with cvxpy's solution; fail if our objective exceeds it beyond the tolerance."""
    from sparserecover.verify import check_lasso

    check = check_lasso(x, A, y, lam, positive=positive, l2=l2, reference="cvxpy")
    reference = np.atleast_1d(check.reference_objective)
    excess = np.atleast_1d(check.objective_gap)
    # cvxpy (Clarabel at 1e-10) is far more accurate than the solver's stopping rule
    # gap <= tol * objective, so that rule bounds how far above cvxpy we may be.
    allowed = max(tol, 1e-9) * np.maximum(np.abs(reference), 1e-12) + 1e-12
    ok = bool(np.all(excess <= allowed))
    print(f"cvxpy       objective {_format_values(reference)}")
    print(f"difference  {_format_values(excess)} (ours - cvxpy; allowed {_format_values(allowed)})")
    print(f"KKT         max violation {_format_values(check.kkt_violation)}")
    print(f"verify      {'OK' if ok else 'FAILED: the solution is worse than cvxpy beyond tol'}")
    return 0 if ok else _EXIT_ERROR


def _format_values(values):
    values = np.atleast_1d(np.asarray(values))
    if values.dtype.kind in "iu":
        text = " ".join(str(v) for v in values[:8])
    else:
        text = " ".join(f"{v:.6g}" for v in values[:8])
    return text + (" ..." if values.size > 8 else "")


# --- demo ------------------------------------------------------------------------------------


def _run_demo(args):
    _check_plot_path(args.plot)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _demo_shrinkage()
        _demo_spectral()
        denoised = _demo_denoising()
        recovered = _demo_recovery()
    print(f"\ndemo finished in {time.perf_counter() - start:.1f} s")
    if args.plot:
        _plot_demo(denoised, recovered, args.plot)
    return 0


def _heading(text):
    print(f"\n{text}\n{'-' * len(text)}")


def _format_row(values):
    return np.array2string(np.asarray(values), precision=4, suppress_small=True, separator=" ")


def _demo_shrinkage():
    from sparserecover import prox

    _heading("Shrinkage operators (PyTorch semantics) and their derivatives")
    cases = [
        ("softshrink", [-2.0, -0.3, 0.0, 0.3, 2.0], {"lambd": 0.5}),
        ("hardshrink", [-2.0, -0.3, 0.0, 0.3, 2.0], {"lambd": 0.5}),
        ("tanhshrink", [-2.0, -1.0, 0.0, 1.0, 2.0], {}),
        ("softplus", [-2.0, -1.0, 0.0, 1.0, 2.0], {}),
        ("threshold", [-1.0, 0.0, 0.1, 0.5, 2.0], {"threshold": 0.1, "value": 0.0}),
    ]
    for name, values, options in cases:
        x = np.array(values)
        call = ", ".join(["x", *(f"{key}={value}" for key, value in options.items())])
        print(f"{name}({call})   x = {_format_row(x)}")
        print(f"    value      {_format_row(getattr(prox, name)(x, **options))}")
        print(f"    derivative {_format_row(getattr(prox, name + '_grad')(x, **options))}")


def _demo_spectral():
    from sparserecover.spectral import gd_mask, pca_mask, ridge_mask

    _heading("Spectral filters phi(s): what each regularizer keeps of a singular value")
    s = np.array([3.0, 1.0, 0.3, 0.1])
    rows = [
        ("ridge, alpha=0.1", ridge_mask(s, alpha=0.1)),
        ("PCA, 2 components", pca_mask(s, n_components=2)),
        ("GD, lr=0.1, 50 steps", gd_mask(s, learning_rate=0.1, n_iter=50)),
        ("GD flow, lr=0.1, t=50", gd_mask(s, learning_rate=0.1, n_iter=50, kind="flow")),
    ]
    print(f"{'singular value s':24s}" + "".join(f"{value:>9.3g}" for value in s))
    for label, mask in rows:
        print(f"{label:24s}" + "".join(f"{value:>9.4f}" for value in mask))


def _snr_db(clean, estimate):
    """10 log10(var(clean) / mse): SNR 7 (std ratio, Donoho-Johnstone) is 16.9 dB."""
    return 10 * np.log10(np.var(clean) / np.mean((estimate - clean) ** 2))


def _demo_denoising():
    import pywt

    from sparserecover.denoising import denoise

    _heading("Denoising (default denoise(): sym4, SURE, garrote, 2 cycle spins)")
    rng = np.random.default_rng(0)
    signals = [
        (name, pywt.data.demo_signal(name, 2048))
        for name in ("Blocks", "Bumps", "HeaviSine", "Doppler")
    ]
    ecg = np.asarray(pywt.data.ecg(), dtype=np.float64)
    signals.append(("ECG (PyWavelets)", ecg))
    denoise(rng.standard_normal(64))  # compile (or load) the kernels outside the timings
    print(
        f"{'signal':18s}{'n':>6s}{'noisy SNR':>11s}{'VisuShrink':>12s}{'denoised':>10s}"
        f"{'time':>10s}"
    )
    results = {}
    for name, clean in signals:
        # Donoho-Johnstone's SNR 7 (signal std / noise std) for the test signals; noise of a
        # tenth of the signal's std for the ECG
        sigma = clean.std() / (10.0 if name.startswith("ECG") else 7.0)
        noisy = clean + sigma * rng.standard_normal(clean.size)
        start = time.perf_counter()
        estimate = denoise(noisy)
        elapsed = time.perf_counter() - start
        visu = denoise(noisy, threshold="universal", mode="soft", shifts=1)
        print(
            f"{name:18s}{clean.size:6d}{_snr_db(clean, noisy):9.1f}dB"
            f"{_snr_db(clean, visu):10.1f}dB{_snr_db(clean, estimate):8.1f}dB"
            f"{elapsed * 1e3:8.1f}ms"
        )
        results[name] = (clean, noisy, estimate)
    return results


def _partial_dct(n_features, rows):
    """The rows ``rows`` of the orthonormal DCT-II as a matrix-free LinearOperator."""
    import scipy.fft
    from scipy.sparse.linalg import LinearOperator

    def forward(x):
        return scipy.fft.dct(x, norm="ortho", axis=0)[rows]

    def adjoint(y):
        full = np.zeros((n_features, *np.shape(y)[1:]))
        full[rows] = y
        return scipy.fft.idct(full, norm="ortho", axis=0)

    return LinearOperator(
        (len(rows), n_features),
        matvec=forward,
        rmatvec=adjoint,
        matmat=forward,
        rmatmat=adjoint,
        dtype=np.float64,
    )


def _demo_recovery():
    from sparserecover.solvers import fista, iht

    n_samples, n_features, n_nonzero = 256, 1024, 15
    _heading(
        f"Compressed sensing: {n_nonzero} nonzeros of {n_features} from {n_samples} noisy "
        "random DCT measurements"
    )
    # Random rows of the orthonormal DCT (partial Fourier-type sensing, Candes, Romberg & Tao
    # 2006), applied by FFT as a matrix-free operator: 4x undersampled.
    rng = np.random.default_rng(1)
    A = _partial_dct(n_features, np.sort(rng.choice(n_features, n_samples, replace=False)))
    x_true = np.zeros(n_features)
    support = rng.choice(n_features, n_nonzero, replace=False)
    x_true[support] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(1.0, 2.0, n_nonzero)
    noise_std = 0.01
    y = A @ x_true + noise_std * rng.standard_normal(n_samples)
    # the universal threshold: A has orthonormal rows, so A^T noise has std noise_std per
    # coefficient and lam = noise_std sqrt(2 log n) keeps noise out of the support
    lam = noise_std * np.sqrt(2 * np.log(n_features))
    with warnings.catch_warnings():  # compile (or load) the kernels outside the timings
        warnings.simplefilter("ignore")  # two iterations do not converge, and need not
        fista(A, y, lam, max_iter=2)
        iht(A, y, n_nonzero, max_iter=2)

    print(f"{'solver':22s}{'rel. error':>11s}{'support':>9s}{'iters':>7s}{'gap':>11s}{'time':>10s}")
    results = {"truth": x_true}
    for label, solve in (
        (f"FISTA, lam={lam:.3g}", lambda: fista(A, y, lam, tol=1e-8)),
        (f"IHT, K={n_nonzero}", lambda: iht(A, y, n_nonzero)),
    ):
        start = time.perf_counter()
        result = solve()
        elapsed = time.perf_counter() - start
        x = np.asarray(result.x)
        error = np.linalg.norm(x - x_true) / np.linalg.norm(x_true)
        found = np.flatnonzero(np.abs(x) > 1e-3 * np.abs(x).max())
        hits = len(np.intersect1d(found, support))
        support_text = f"{hits}/{n_nonzero}" + (
            "" if len(found) == hits else f"+{len(found) - hits}"
        )
        gap = "-" if result.gap is None else f"{float(result.gap):.2e}"
        print(
            f"{label:22s}{error:11.2e}{support_text:>9s}{result.n_iter:7d}{gap:>11s}"
            f"{elapsed * 1e3:8.1f}ms"
        )
        results[label.split(",")[0]] = x
    print(
        "support: true nonzeros found / of K (+ extra nonzeros); FISTA's gap is its "
        "duality-gap certificate"
    )
    return results


# --- figures ---------------------------------------------------------------------------------


def _pyplot():
    """matplotlib.pyplot with a file-only backend, or None (with a note) if not installed."""
    try:
        import matplotlib
    except ImportError:
        print(
            "note: matplotlib is not installed, so no figure was saved "
            "(pip install 'sparserecover[plot]')",
            file=sys.stderr,
        )
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot_demo(denoised, recovered, path):
    from sparserecover._io import atomic_save_figure

    plt = _pyplot()
    if plt is None:
        return
    names = ["Blocks", "Doppler", "ECG (PyWavelets)"]
    figure, axes = plt.subplots(2, 2, figsize=(11, 7), layout="constrained")
    for axis, name in zip(axes.flat, names):
        clean, noisy, estimate = denoised[name]
        axis.plot(noisy, color="0.75", lw=0.6, label="noisy")
        axis.plot(clean, color="k", lw=0.8, label="clean")
        axis.plot(estimate, color="C3", lw=0.8, label="denoised")
        axis.set_title(
            f"{name}: {_snr_db(clean, noisy):.1f} dB -> {_snr_db(clean, estimate):.1f} dB"
        )
    axes.flat[0].legend(loc="upper right", fontsize="small")
    axis = axes.flat[3]
    truth = recovered["truth"]
    support = np.flatnonzero(truth)
    axis.stem(support, truth[support], linefmt="k-", markerfmt="ko", basefmt="k-", label="true")
    for marker, name in (("C0x", "FISTA"), ("C3+", "IHT")):
        found = np.flatnonzero(recovered[name])
        axis.plot(found, recovered[name][found], marker, ms=7, ls="none", label=name)
    axis.set_title("compressed sensing: nonzeros of x")
    axis.legend(fontsize="small")
    atomic_save_figure(figure, path)
    plt.close(figure)
    print(f"saved figure {path}")


def _plot_denoised(noisy_rows, denoised_rows, path):
    from sparserecover._io import atomic_save_figure

    plt = _pyplot()
    if plt is None:
        return
    noisy_rows = noisy_rows.reshape(-1, noisy_rows.shape[-1])
    denoised_rows = denoised_rows.reshape(-1, denoised_rows.shape[-1])
    count = min(4, len(noisy_rows))
    figure, axes = plt.subplots(
        count, 1, figsize=(10, 2.5 * count), squeeze=False, layout="constrained"
    )
    for i, axis in enumerate(axes[:, 0]):
        axis.plot(noisy_rows[i], color="0.7", lw=0.6, label="input")
        axis.plot(denoised_rows[i], color="C3", lw=0.9, label="denoised")
        axis.set_title(f"signal {i}")
    axes[0, 0].legend(loc="upper right", fontsize="small")
    atomic_save_figure(figure, path)
    plt.close(figure)
    print(f"saved figure {path}")
