"""The ``sparserecover`` command line, run as a user runs it: a subprocess on files.

Every error path checks the exit status, that stderr is exactly one line without a traceback,
and that no output (and no temporary file) is left behind.
"""

import subprocess
import sys

import numpy as np
import pytest
import pywt

from sparserecover import denoise
from sparserecover.cli import main


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sparserecover", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "error" in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def files_in(folder):
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def signals(rng):
    """Three noisy Doppler signals of 512 samples, one per row."""
    clean = pywt.data.demo_signal("Doppler", 512)
    return clean + np.array([[0.02], [0.05], [0.1]]) * rng.standard_normal((3, 512))


# --- help and version --------------------------------------------------------------------------


def test_help_at_every_level():
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "denoise", "solve"):
        assert command in result.stdout
    assert run("denoise", "--help").stdout.count("--threshold") >= 1


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("demo", ["--plot"]),
        ("denoise", ["--method", "--threshold", "--wavelet", "--level", "--mode", "--axis",
                     "--boundary", "--delimiter", "--verbose", "--quiet"]),
        ("solve", ["--lam", "--solver", "--n-nonzero", "--verify", "-o", "--positive", "--l2",
                   "--delimiter", "--allow-unconverged", "--verbose", "--quiet"]),
    ],
)
def test_subcommand_help_lists_its_options(command, options):
    result = run(command, "--help")
    assert result.returncode == 0
    for option in options:
        assert option in result.stdout


def test_version_and_no_command(capsys):
    import sparserecover

    assert main(["--version"]) == 0
    assert sparserecover.__version__ in capsys.readouterr().out
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


# --- denoise -----------------------------------------------------------------------------------


def test_denoise_csv_one_signal_per_column(tmp_path, signals):
    source = tmp_path / "noisy.csv"
    np.savetxt(source, signals.T, delimiter=",")
    result = run("denoise", source)
    assert result.returncode == 0, result.stderr
    assert "3 signal(s)" in result.stdout
    written = np.loadtxt(tmp_path / "noisy_denoised.csv", delimiter=",")
    # 17 significant digits: the text round trip is exact; the CLI's fresh process computes
    # the same bits as this one
    np.testing.assert_array_equal(written, denoise(np.loadtxt(source, delimiter=","), axis=0))


def test_denoise_single_column_txt_and_options(tmp_path, signals):
    source = tmp_path / "one.txt"
    np.savetxt(source, signals[0])
    out = tmp_path / "out.txt"
    options = ["--method", "dct", "--threshold", "0.05", "--mode", "hard", "--shifts", "1"]
    result = run("denoise", source, "-o", out, *options)
    assert result.returncode == 0, result.stderr
    expected = denoise(np.loadtxt(source), "dct", threshold=0.05, mode="hard", shifts=1)
    np.testing.assert_array_equal(np.loadtxt(out), expected)
    assert len(out.read_text().splitlines()) == 512  # still a single column


def test_denoise_npy_float32_rows_and_format_change(tmp_path, signals):
    source = tmp_path / "batch.npy"
    np.save(source, signals.astype(np.float32))
    result = run("denoise", source, "--threshold", "bayes", "--wavelet", "db4", "--level", "4")
    assert result.returncode == 0, result.stderr
    written = np.load(tmp_path / "batch_denoised.npy")
    assert written.dtype == np.float32
    expected = denoise(signals.astype(np.float32), threshold="bayes", wavelet="db4", level=4)
    np.testing.assert_array_equal(written, expected)
    # another extension for -o picks another format; --axis 0 reads columns
    columns = tmp_path / "columns.npy"
    np.save(columns, signals.T.astype(np.float32))
    result = run("denoise", columns, "-o", tmp_path / "cols.csv", "--axis", "0", "--shifts", "2")
    assert result.returncode == 0, result.stderr
    expected = denoise(signals.T.astype(np.float32), axis=0, shifts=2)
    written = np.loadtxt(tmp_path / "cols.csv", delimiter=",").astype(np.float32)  # 9 digits
    np.testing.assert_array_equal(written, expected)


def test_denoise_npz_denoises_every_array_and_plots(tmp_path, signals):
    source = tmp_path / "many.npz"
    np.savez(source, first=signals, second=signals[1])
    out, figure = tmp_path / "clean.npz", tmp_path / "figure.png"
    result = run("denoise", source, "-o", out, "--plot", figure)
    assert result.returncode == 0, result.stderr
    with np.load(out) as archive:
        assert sorted(archive.files) == ["first", "second"]
        np.testing.assert_array_equal(archive["first"], denoise(signals))
        np.testing.assert_array_equal(archive["second"], denoise(signals[1]))
    assert figure.stat().st_size > 1000


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("1,2\n3,abc\n", ["line 2, column 2", "'abc' is not a number"]),
        ("1,2\n3,4,5\n", ["line 2 has 3 values", "line 1 has 2"]),
        ("# nothing here\n", ["holds no numbers"]),
        ("1,2\nnan,4\n" * 8, ["NaN"]),
        ("1\n2\n3\n", ["too short"]),
    ],
)
def test_denoise_bad_csv(tmp_path, content, fragments):
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = run("denoise", source, "-o", tmp_path / "out.csv")
    assert_one_line_error(result, "bad.csv", *fragments)
    assert files_in(tmp_path) == ["bad.csv"]


def test_denoise_file_errors(tmp_path, signals):
    assert_one_line_error(run("denoise", tmp_path / "missing.csv"), "missing.csv", "no such file")
    np.save(tmp_path / "x.npy", signals)
    assert_one_line_error(run("denoise", tmp_path / "x.npy", "-o", tmp_path / "x.json"), ".json")
    assert_one_line_error(
        run("denoise", tmp_path / "x.npy", "-o", tmp_path / "nowhere" / "y.npy"),
        "does not exist",
    )
    assert_one_line_error(run("denoise", tmp_path / "x.npy", "-o", tmp_path / "x.npy"), "overwrite")
    assert_one_line_error(
        run("denoise", tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--plot", tmp_path / "f.xyz"),
        "--plot",
    )
    (tmp_path / "text.npy").write_text("not numpy")
    assert_one_line_error(run("denoise", tmp_path / "text.npy"), "text.npy", "not a valid .npy")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 truncated zip")
    assert_one_line_error(run("denoise", tmp_path / "broken.npz"), "broken.npz", "not a valid")
    assert files_in(tmp_path) == ["broken.npz", "text.npy", "x.npy"]


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--threshold", "minimax"], "--threshold"),
        (["--threshold", "-1"], "--threshold"),
        (["--method", "fourier"], "--method"),
        (["--level", "0"], "--level"),
        (["--level", "30"], "level must be in"),
        (["--wavelet", "nope"], "wavelet"),
        (["--sigma", "abc"], "--sigma"),
        (["--axis", "3"], "--axis"),
    ],
)
def test_denoise_bad_options(tmp_path, signals, options, fragment):
    np.save(tmp_path / "x.npy", signals)
    result = run("denoise", tmp_path / "x.npy", "-o", tmp_path / "y.npy", *options)
    assert_one_line_error(result, fragment)
    assert files_in(tmp_path) == ["x.npy"]


def test_failed_write_leaves_no_file(tmp_path, signals, monkeypatch):
    import sparserecover._io as io

    np.save(tmp_path / "x.npy", signals)

    def broken_save(stream, array, **kwargs):
        stream.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io.np, "save", broken_save)
    status = main(["denoise", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy")])
    assert status == 1
    assert files_in(tmp_path) == ["x.npy"]


# --- solve -------------------------------------------------------------------------------------


@pytest.fixture
def problem(rng):
    n_samples, n_features = 40, 80
    A = rng.standard_normal((n_samples, n_features))
    x = np.zeros(n_features)
    x[[3, 17, 40, 71]] = [2.0, -1.5, 3.0, 1.0]
    y = A @ x + 0.01 * rng.standard_normal(n_samples)
    return A, y


def test_solve_dense_csv_with_output(tmp_path, problem):
    from sparserecover import fista

    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.savetxt(tmp_path / "y.csv", y, delimiter=",")
    result = run(
        "solve", tmp_path / "A.npy", tmp_path / "y.csv", "--lam", "1.0", "-o", tmp_path / "x.npy"
    )
    assert result.returncode == 0, result.stderr
    for word in ("objective", "gap", "nonzeros", "time", "converged"):
        assert word in result.stdout
    expected = fista(A, np.loadtxt(tmp_path / "y.csv", delimiter=","), 1.0)
    np.testing.assert_allclose(np.load(tmp_path / "x.npy"), expected.x, rtol=1e-12, atol=1e-12)


def test_solve_with_coordinate_descent_matches_fista(tmp_path, problem):
    from sparserecover import coordinate_descent, fista

    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = run(
        "solve", tmp_path / "A.npy", tmp_path / "y.npy", "--lam", "1.0", "--solver", "cd",
        "--tol", "1e-12", "-o", tmp_path / "x.npy",
    )
    assert result.returncode == 0, result.stderr
    assert "coordinate_descent" not in result.stdout.splitlines()[0]  # named as the user did
    assert result.stdout.startswith("solver      cd")
    x = np.load(tmp_path / "x.npy")
    np.testing.assert_allclose(x, coordinate_descent(A, y, 1.0, tol=1e-12).x, rtol=1e-12,
                               atol=1e-12)
    reference = fista(A, y, 1.0, tol=1e-12).x
    np.testing.assert_allclose(x, reference, rtol=1e-6, atol=1e-8 * np.abs(reference).max())


def test_solve_sparse_matrix_market_and_verify(tmp_path, problem):
    import scipy.io
    import scipy.sparse

    A, y = problem
    scipy.io.mmwrite(tmp_path / "A.mtx", scipy.sparse.csr_matrix(np.where(np.abs(A) > 1, A, 0)))
    np.save(tmp_path / "y.npy", y)
    result = run("solve", tmp_path / "A.mtx", tmp_path / "y.npy", "--lam", "0.5", "--verify")
    assert result.returncode == 0, result.stderr
    assert "sparse" in result.stdout
    assert "verify      OK" in result.stdout


def test_solve_iht_finds_the_support(tmp_path, problem):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.savez(tmp_path / "y.npz", y=y)
    result = run(
        "solve",
        tmp_path / "A.npy",
        tmp_path / "y.npz",
        "--solver",
        "iht",
        "--n-nonzero",
        "4",
        "-o",
        tmp_path / "x.csv",
    )
    assert result.returncode == 0, result.stderr
    assert "nonzeros    4 of 80" in result.stdout
    x = np.loadtxt(tmp_path / "x.csv", delimiter=",")
    np.testing.assert_array_equal(np.flatnonzero(x), [3, 17, 40, 71])


def test_solve_verify_without_cvxpy_fails_clearly(tmp_path, problem):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    code = (
        "import sys; sys.modules['cvxpy'] = None; from sparserecover.cli import main; "
        f"sys.exit(main(['solve', {str(tmp_path / 'A.npy')!r}, {str(tmp_path / 'y.npy')!r}, "
        "'--lam', '1', '--verify']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert_one_line_error(result, "cvxpy", "not installed")


def test_solve_errors(tmp_path, problem):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y_short.npy", y[:-1])
    np.save(tmp_path / "y.npy", y)
    assert_one_line_error(
        run(
            "solve",
            tmp_path / "A.npy",
            tmp_path / "y_short.npy",
            "--lam",
            "1",
            "-o",
            tmp_path / "x.npy",
        ),
        "shape mismatch",
    )
    assert_one_line_error(run("solve", tmp_path / "A.npy", tmp_path / "y.npy"), "--lam")
    assert_one_line_error(
        run("solve", tmp_path / "A.npy", tmp_path / "y.npy", "--solver", "iht"), "--n-nonzero"
    )
    assert_one_line_error(
        run("solve", tmp_path / "A.npy", tmp_path / "y.npy", "--lam", "-2"), "--lam"
    )
    assert_one_line_error(
        run(
            "solve", tmp_path / "A.npy", tmp_path / "y.npy", "--solver", "iht", "--n-nonzero", "500"
        ),
        "--n-nonzero 500",
    )
    assert_one_line_error(
        run("solve", tmp_path / "missing.mtx", tmp_path / "y.npy", "--lam", "1"), "no such file"
    )
    assert files_in(tmp_path) == ["A.npy", "y.npy", "y_short.npy"]


# --- demo --------------------------------------------------------------------------------------


def test_demo_runs_and_saves_a_figure(tmp_path):
    figure = tmp_path / "demo.png"
    result = run("demo", "--plot", figure)
    assert result.returncode == 0, result.stderr
    for heading in ("Denoising", "ECG", "Doppler", "demo finished"):
        assert heading in result.stdout
    assert "Traceback" not in result.stderr
    assert figure.stat().st_size > 1000


def test_demo_rejects_a_bad_figure_name_before_running(tmp_path, capsys):
    assert main(["demo", "--plot", str(tmp_path / "figure.xyz")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing ran
    assert "--plot needs one of the extensions" in captured.err


def test_denoise_shows_progress_only_on_a_terminal(tmp_path, signals, monkeypatch, capsys):
    import io

    import sparserecover.cli as cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    np.save(tmp_path / "x.npy", np.tile(signals, (4, 1)))  # 12 signals
    monkeypatch.setattr(cli, "_PROGRESS_MIN_VALUES", 1000)  # "long work" for this test
    monkeypatch.setattr(cli, "_PROGRESS_STEP_VALUES", 2048)  # 4 signals per step
    assert main(["denoise", str(tmp_path / "x.npy"), "-o", str(tmp_path / "piped.npy")]) == 0
    assert capsys.readouterr().err == ""  # not a terminal: no progress

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["denoise", str(tmp_path / "x.npy"), "-o", str(tmp_path / "shown.npy")]) == 0
    assert [line.strip() for line in terminal.getvalue().split("\r") if line.strip()] == [
        f"{tmp_path / 'x.npy'}: {done}/12 signals" for done in (4, 8, 12)
    ]
    # sliced or not, every signal gets the same result
    np.testing.assert_array_equal(np.load(tmp_path / "shown.npy"), np.load(tmp_path / "piped.npy"))


# --- outputs never replace inputs ----------------------------------------------------------------


def _alias(tmp_path, target, how, name):
    """A path naming ``target``: itself, a relative spelling, a symbolic or a hard link."""
    if how == "same":
        return target
    if how == "relative":
        return tmp_path / "." / ".." / tmp_path.name / target.name
    alias = tmp_path / name
    if how == "symlink":
        alias.symlink_to(target)
    else:
        try:
            alias.hardlink_to(target)
        except OSError as error:
            pytest.skip(f"this file system has no hard links: {error}")
    return alias


_ALIASES = ["same", "relative", "symlink", "hardlink"]


@pytest.mark.parametrize(
    ("command", "target", "option", "alias_name", "how"),
    [
        *(("denoise", "x.npy", "-o", "out.npy", how) for how in _ALIASES),
        # a .npy name is no image name: only a link can make --plot name the input
        *(("denoise", "x.npy", "--plot", "figure.png", how) for how in _ALIASES[2:]),
        *(("solve", "A.npy", "-o", "x.npy", how) for how in _ALIASES),
        *(("solve", "y.npy", "-o", "x.csv", how) for how in _ALIASES),
    ],
)
def test_no_output_resolves_to_an_input(tmp_path, problem, command, target, option,
                                        alias_name, how):
    A, y = problem
    if command == "denoise":
        np.save(tmp_path / "x.npy", A[:4])
    else:
        np.save(tmp_path / "A.npy", A)
        np.save(tmp_path / "y.npy", y)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    output = _alias(tmp_path, tmp_path / target, how, alias_name)
    inputs = ["x.npy"] if command == "denoise" else ["A.npy", "y.npy", "--lam", "1"]
    result = run(command, *inputs, option, output, cwd=tmp_path)
    assert_one_line_error(result, "would overwrite the input")
    assert result.returncode == 1
    assert result.stdout == ""  # refused before any work
    for name, content in before.items():
        assert (tmp_path / name).read_bytes() == content
    assert set(files_in(tmp_path)) == set(before) | ({alias_name} if how in ("symlink",
                                                     "hardlink") else set())


def test_default_output_that_is_the_input_is_refused(tmp_path, signals):
    # denoise's default output name, x_denoised.npy, is another hard link to the input
    source = tmp_path / "x.npy"
    np.save(source, signals)
    content = source.read_bytes()
    _alias(tmp_path, source, "hardlink", "x_denoised.npy")
    result = run("denoise", source)
    assert_one_line_error(result, "x_denoised.npy", "would overwrite the input")
    assert source.read_bytes() == content
    assert files_in(tmp_path) == ["x.npy", "x_denoised.npy"]


# --- exit status ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["demo"], ["denoise"], ["solve"], ["compile"]])
def test_help_documents_the_exit_status(command):
    from sparserecover.cli import EXIT_STATUS

    result = run(*command, "--help")
    assert result.returncode == 0
    assert "exit status:" in result.stdout
    assert EXIT_STATUS[3].startswith("solve did not converge")
    for code, meaning in EXIT_STATUS.items():
        assert f"  {code:<4d} {meaning}" in result.stdout


@pytest.mark.parametrize("solver", ["fista", "cd"])
def test_solve_that_does_not_converge_fails_unless_allowed(tmp_path, problem, solver):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    options = ["--lam", "0.01", "--solver", solver, "--max-iter", "2", "-o", tmp_path / "x.npy"]
    result = run("solve", tmp_path / "A.npy", tmp_path / "y.npy", *options)
    assert result.returncode == 3
    assert_one_line_error(result, "did not converge", "nothing written to", "x.npy",
                          "--allow-unconverged")
    assert "NOT converged" in result.stdout
    assert files_in(tmp_path) == ["A.npy", "y.npy"]

    result = run("solve", tmp_path / "A.npy", tmp_path / "y.npy", *options,
                 "--allow-unconverged")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "warning" in lines[0] and "did not converge" in lines[0]
    assert np.load(tmp_path / "x.npy").shape == (80,)


def test_unexpected_errors_are_one_line_and_verbose_shows_the_traceback(tmp_path, problem,
                                                                        monkeypatch, capsys):
    import sparserecover.solvers as solvers

    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)

    def broken(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(solvers, "fista", broken)
    arguments = ["solve", str(tmp_path / "A.npy"), str(tmp_path / "y.npy"), "--lam", "1"]
    assert main(arguments) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["sparserecover solve: error: unexpected ZeroDivisionError: division by "
                     "zero (--verbose shows the traceback)"]
    assert main([*arguments, "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1] == lines[0]
    assert main([*arguments, "--quiet"]) == 1
    assert capsys.readouterr().out == ""


# --- interrupted writes --------------------------------------------------------------------------

# The child writes x slowly: it announces the write once its temporary file holds data, then
# waits to be stopped.
SLOW_WRITE = """
import sys, time
import sparserecover._io as io

def slow(stream, suffix, array, *options):
    stream.write(b"partial")
    stream.flush()
    print("writing", file=sys.__stdout__, flush=True)
    time.sleep(120)

io._write_one = slow
from sparserecover.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _temporaries(folder):
    return [name for name in files_in(folder) if name.endswith(".sparserecover-tmp")]


def _stop_mid_write(tmp_path, how):
    import signal

    np.save(tmp_path / "A.npy", np.eye(3))
    np.save(tmp_path / "y.npy", np.arange(3.0))
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, "solve", "A.npy", "y.npy", "--lam", "0.5", "-o",
         "x.npy", "--quiet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # as from a terminal: a test run started in the background (``cmd &``) inherits an
        # ignored SIGINT, which Python keeps ignoring
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert child.stdout.readline().strip() == "writing"
        assert len(_temporaries(tmp_path)) == 1
        child.send_signal(getattr(signal, how))
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
    return child.returncode, err


@pytest.mark.parametrize(("how", "status", "word"),
                         [("SIGTERM", 143, "terminated"), ("SIGINT", 130, "interrupted")])
def test_a_signal_mid_write_removes_the_temporary_file(tmp_path, how, status, word):
    returncode, err = _stop_mid_write(tmp_path, how)
    assert returncode == status
    assert err.strip().splitlines() == [f"sparserecover solve: {word}"]
    assert files_in(tmp_path) == ["A.npy", "y.npy"]


def test_the_next_write_removes_a_killed_writers_temporary_file(tmp_path):
    import os

    returncode, _ = _stop_mid_write(tmp_path, "SIGKILL")
    assert returncode == -9
    assert len(_temporaries(tmp_path)) == 1  # SIGKILL cannot be handled
    # a temporary file of a live writer (this process) stays
    alive = tmp_path / f".x.npy.{os.getpid()}.abcdefgh.sparserecover-tmp"
    alive.write_bytes(b"")
    result = run("solve", "A.npy", "y.npy", "--lam", "0.5", "-o", "x.npy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert files_in(tmp_path) == [alive.name, "A.npy", "x.npy", "y.npy"]
    np.testing.assert_allclose(np.load(tmp_path / "x.npy"), [0.0, 0.5, 1.5])


# --- a Unix tool: penalties chosen for the user, tables with headers, stdout, progress ----------


def _report_value(report, name):
    line = next(line for line in report.splitlines() if line.startswith(f"{name} "))
    return np.array([float(v) for v in line.split()[1:] if v[0].isdigit()])


@pytest.fixture
def noisy_problem(rng):
    A = rng.standard_normal((60, 100))
    x = np.zeros(100)
    x[[3, 30, 70]] = [2.0, -1.5, 1.0]
    return A, A @ x + 0.3 * rng.standard_normal(60)


@pytest.mark.parametrize("positive", [False, True])
def test_solve_lam_auto_is_scikit_learns_lasso_cv(tmp_path, noisy_problem, positive):
    from sklearn.linear_model import LassoCV

    from sparserecover import fista

    A, y = noisy_problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    flags = ["--positive"] if positive else []
    result = run("solve", "A.npy", "y.npy", "--lam", "auto", *flags, "-o", "x.npy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "5-fold cross-validation" in result.stdout
    reference = LassoCV(cv=5, fit_intercept=False, positive=positive, tol=1e-10,
                        max_iter=100_000).fit(A, y)
    lam = reference.alpha_ * len(y)  # the solvers' scale: lam = alpha * n_samples
    np.testing.assert_allclose(_report_value(result.stdout, "lam"), lam, rtol=1e-5)
    expected = fista(A, y, lam, positive=positive).x
    np.testing.assert_allclose(np.load(tmp_path / "x.npy"), expected, rtol=1e-4, atol=1e-6)


def test_solve_lam_auto_with_l2_against_scikit_learns_elastic_net(tmp_path, noisy_problem):
    # a fixed l2 and a varying lam are scikit-learn's ElasticNet at alpha = (lam + l2) / n,
    # l1_ratio = lam / (lam + l2): the grid brute-forced fold by fold with it
    from sklearn.linear_model import ElasticNet
    from sklearn.model_selection import KFold

    A, y = noisy_problem
    n, l2 = len(y), 5.0
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = run("solve", "A.npy", "y.npy", "--lam", "auto", "--l2", str(l2), "--cv", "3",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3-fold cross-validation" in result.stdout
    lams = np.max(np.abs(A.T @ y)) * np.logspace(0, -3, 100)
    errors = np.zeros(lams.size)
    for train, test in KFold(3).split(A):
        for i, lam in enumerate(lams):
            model = ElasticNet(alpha=(lam + l2) / n, l1_ratio=lam / (lam + l2),
                               fit_intercept=False, tol=1e-10, max_iter=100_000)
            model.fit(A[train], y[train])
            errors[i] += np.mean((A[test] @ model.coef_ - y[test]) ** 2)
    np.testing.assert_allclose(_report_value(result.stdout, "lam"), lams[np.argmin(errors)],
                               rtol=1e-5)


def test_solve_lam_fraction_positive_l2_matches_the_function(tmp_path, noisy_problem):
    from sparserecover import fista

    A, y = noisy_problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = run("solve", "A.npy", "y.npy", "--lam", "0.1x", "--positive", "--l2", "0.5",
                 "--tol", "1e-10", "-o", "x.npy", "--verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0.1 x lam_max" in result.stdout and "verify      OK" in result.stdout
    lam = 0.1 * max(np.max(A.T @ y), 0.0)  # only positive correlations count with x >= 0
    expected = fista(A, y, lam, positive=True, l2=0.5, tol=1e-10).x
    x = np.load(tmp_path / "x.npy")
    np.testing.assert_allclose(x, expected, rtol=1e-6, atol=1e-9)
    assert x.min() >= 0.0 and np.count_nonzero(x) > 0


def test_solve_fraction_of_lam_max_per_column(tmp_path, noisy_problem):
    from sparserecover.solvers import coordinate_descent

    A, y = noisy_problem
    Y = np.column_stack([y, 3 * y, -y])
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "Y.npy", Y)
    result = run("solve", "A.npy", "Y.npy", "--lam", "0.2x", "--solver", "cd", "--tol", "1e-12",
                 "-o", "X.npy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lams = 0.2 * np.max(np.abs(A.T @ Y), axis=0)
    expected = coordinate_descent(A, Y, lams, tol=1e-12).x
    np.testing.assert_allclose(np.load(tmp_path / "X.npy"), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("0.1y", "0.1x"), ("-0.1x", "0.1x"), ("x", "auto"), ("nan", "a number")],
)
def test_solve_bad_lam_is_a_usage_error(tmp_path, problem, value, fragment):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = run("solve", "A.npy", "y.npy", f"--lam={value}", cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, "--lam", fragment)


def test_solve_reads_tables_with_a_header_and_a_delimiter(tmp_path, problem):
    from sparserecover import fista

    A, y = problem
    names = ";".join(f'"feature {j}"' for j in range(A.shape[1]))
    with open(tmp_path / "A.csv", "w") as stream:
        stream.write("# exported by a spreadsheet\n" + names + "\n")
        np.savetxt(stream, A, delimiter=";", fmt="%.17g")
    with open(tmp_path / "y.txt", "w") as stream:
        stream.write("measurement\n")
        np.savetxt(stream, y, fmt="%.17g")
    result = run("solve", "A.csv", "y.txt", "--delimiter", ";", "--lam", "1", "-o", "x.csv",
                 cwd=tmp_path)
    # y.txt has one field per line: the delimiter changes nothing there
    assert result.returncode == 0, result.stderr
    x = np.loadtxt(tmp_path / "x.csv", delimiter=";")  # written with the same delimiter
    np.testing.assert_allclose(x, fista(A, y, 1.0).x, rtol=1e-12, atol=1e-12)
    # a table with a header but another separator: the error names the line and column
    result = run("solve", "A.csv", "y.txt", "--lam", "1", cwd=tmp_path)
    assert_one_line_error(result, "A.csv", "line 3")
    # tab, by name
    np.savetxt(tmp_path / "A.tsv.txt", A, delimiter="\t")
    result = run("solve", "A.tsv.txt", "y.txt", "--delimiter", "tab", "--lam", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_denoise_reads_a_csv_with_a_header(tmp_path, signals):
    with open(tmp_path / "noisy.csv", "w") as stream:
        stream.write("a,b,c\n")
        np.savetxt(stream, signals.T, delimiter=",")
    result = run("denoise", "noisy.csv", "-o", "clean.npy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "clean.npy"), denoise(signals.T, axis=0))


def test_denoise_delimiter_and_boundary(tmp_path, signals):
    # a spreadsheet's export: a header line and semicolons; a recording whose ends differ
    trend = np.linspace(0.0, 2.0, signals.shape[1])
    table = (signals + trend).T
    with open(tmp_path / "noisy.csv", "w") as stream:
        stream.write("a;b;c\n")
        np.savetxt(stream, table, delimiter=";", fmt="%.17g")
    result = run("denoise", "noisy.csv", "--delimiter", ";", "--boundary", "symmetric",
                 "-o", "clean.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = np.loadtxt(tmp_path / "clean.csv", delimiter=";")  # the same delimiter out
    np.testing.assert_array_equal(written, denoise(table, axis=0, boundary="symmetric"))
    assert not np.array_equal(written, denoise(table, axis=0))  # not the default boundary
    # the default reads commas: the error names the file and the line
    result = run("denoise", "noisy.csv", "-o", "other.csv", cwd=tmp_path)
    assert_one_line_error(result, "noisy.csv", "line")
    # images have no other boundary: a one-line error naming it, nothing written
    np.save(tmp_path / "image.npy", np.outer(signals[0], signals[1]))
    result = run("denoise", "image.npy", "--axis", "0,1", "--boundary", "symmetric",
                 "-o", "out.npy", cwd=tmp_path)
    assert result.returncode == 1
    assert_one_line_error(result, "boundary='symmetric'")
    result = run("denoise", "image.npy", "--boundary", "mirror", cwd=tmp_path)
    assert result.returncode == 2 and "--boundary" in result.stderr
    assert not (tmp_path / "out.npy").exists() and not (tmp_path / "other.csv").exists()


def test_verbose_and_quiet(tmp_path, signals, problem):
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y[:-1])  # one measurement short
    arguments = ["solve", "A.npy", "y.npy", "--lam", "1"]
    result = run(*arguments, cwd=tmp_path)
    assert_one_line_error(result, "y")
    assert result.returncode == 1
    verbose = run(*arguments, "--verbose", cwd=tmp_path)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr
    assert verbose.stderr.strip().splitlines()[-1] == result.stderr.strip()
    # --quiet: no report, the same output
    np.save(tmp_path / "x.npy", signals)
    loud = run("denoise", "x.npy", "-o", "loud.npy", cwd=tmp_path)
    quiet = run("denoise", "x.npy", "-o", "quiet.npy", "--quiet", cwd=tmp_path)
    assert loud.returncode == quiet.returncode == 0
    assert "3 signal(s)" in loud.stdout
    assert quiet.stdout == quiet.stderr == ""
    np.testing.assert_array_equal(np.load(tmp_path / "quiet.npy"), np.load(tmp_path / "loud.npy"))


def test_the_installed_command(tmp_path, problem):
    # the console script that installing the package puts next to the interpreter
    import shutil
    import sysconfig

    command = shutil.which("sparserecover", path=sysconfig.get_path("scripts"))
    if command is None:
        pytest.skip("the package is not installed (no sparserecover script)")
    result = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("sparserecover ")
    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = subprocess.run(
        [command, "solve", "A.npy", "y.npy", "--lam", "0.01", "--max-iter", "2", "-o", "x.npy"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 3  # did not converge: documented, nothing written
    assert_one_line_error(result, "did not converge")
    assert files_in(tmp_path) == ["A.npy", "y.npy"]


def test_solve_writes_x_to_stdout_and_the_report_to_stderr(tmp_path, problem):
    from sparserecover import fista

    A, y = problem
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "y.npy", y)
    result = run("solve", "A.npy", "y.npy", "--lam", "1", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    x = np.loadtxt(result.stdout.splitlines(), delimiter=",")
    np.testing.assert_allclose(x, fista(A, y, 1.0).x, rtol=1e-12, atol=1e-12)
    assert "objective" in result.stderr and "objective" not in result.stdout
    quiet = run("solve", "A.npy", "y.npy", "--lam", "1", "-o", "-", "--quiet", cwd=tmp_path)
    assert quiet.stderr == "" and quiet.stdout == result.stdout
    assert files_in(tmp_path) == ["A.npy", "y.npy"]


def test_a_closed_stdout_stops_the_command_quietly(tmp_path, rng):
    # `sparserecover solve ... -o - | head -1`: the reader leaves after one line
    np.save(tmp_path / "A.npy", rng.standard_normal((50, 20_000)))
    np.save(tmp_path / "y.npy", rng.standard_normal(50))
    child = subprocess.Popen(
        [sys.executable, "-m", "sparserecover", "solve", "A.npy", "y.npy", "--lam", "0.01x",
         "--solver", "cd", "-o", "-", "--quiet", "--allow-unconverged"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = child.stdout.readline()
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(timeout=120) == 141
    assert float(first) == float(first) and err == ""


def _run_on_a_terminal(args, cwd):
    """Run the command with stderr on a pseudo-terminal; return (status, stdout, stderr)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    # a new pseudo-terminal is 0 columns wide, where a progress bar has no room
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    child = subprocess.Popen([sys.executable, "-m", "sparserecover", *args], cwd=cwd,
                             stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = child.stdout.read()
    status = child.wait(timeout=120)
    os.close(leader)
    return status, out.decode(), b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bars_on_a_terminal_only(tmp_path, rng):
    A = rng.standard_normal((40, 60))
    Y = A @ np.where(rng.random((60, 64)) < 0.05, 1.0, 0.0) + 0.01 * rng.standard_normal((40, 64))
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "Y.npy", Y)
    args = ["solve", "A.npy", "Y.npy", "--lam", "auto", "--solver", "cd", "-o", "X.npy"]
    status, out, err = _run_on_a_terminal(args, tmp_path)
    assert status == 0, err
    assert "objective" in out  # the report on stdout, the bars on stderr
    assert "cross-validation" in err and "fold" in err
    assert "solving" in err and "/64" in err  # 64 columns, in 2 groups
    # not in a pipe, nor with --quiet on a terminal; the same solution either way
    X_terminal = np.load(tmp_path / "X.npy")
    piped = run(*args, cwd=tmp_path)
    assert piped.returncode == 0 and "fold" not in piped.stderr and "solving" not in piped.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "X.npy"), X_terminal)
    status, _, err = _run_on_a_terminal([*args, "--quiet"], tmp_path)
    assert status == 0 and "fold" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_denoise_progress_on_a_terminal_only(tmp_path, rng):
    np.save(tmp_path / "x.npy", rng.standard_normal((2000, 2048)))  # long work: 4 M values
    status, out, err = _run_on_a_terminal(["denoise", "x.npy", "-o", "shown.npy"], tmp_path)
    assert status == 0, err
    assert "x.npy: 2000/2000 signals" in err and "denoised 2000 signal(s)" in out
    piped = run("denoise", "x.npy", "-o", "piped.npy", cwd=tmp_path)
    assert piped.returncode == 0 and "signals" not in piped.stderr
    status, out, err = _run_on_a_terminal(["denoise", "x.npy", "-o", "quiet.npy", "--quiet"],
                                          tmp_path)
    assert status == 0 and "signals" not in err and out == ""
    # sliced or not, the same result
    shown = np.load(tmp_path / "shown.npy")
    np.testing.assert_array_equal(shown, np.load(tmp_path / "piped.npy"))
    np.testing.assert_array_equal(shown, np.load(tmp_path / "quiet.npy"))


def test_many_columns_are_solved_in_groups_each_to_the_tolerance(tmp_path, rng):
    from sparserecover.solvers import coordinate_descent

    A = rng.standard_normal((30, 50))
    Y = rng.standard_normal((30, 100))
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "Y.npy", Y)
    for solver in ("cd", "fista"):
        result = run("solve", "A.npy", "Y.npy", "--lam", "0.3x", "--solver", solver, "-o",
                     f"X_{solver}.npy", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "100 targets" in result.stdout
        gaps = _report_value(result.stdout, "gap")
        objectives = _report_value(result.stdout, "objective")
        assert np.all(gaps[:8] <= 1e-6 * objectives[:8])
    lams = 0.3 * np.max(np.abs(A.T @ Y), axis=0)
    # coordinate descent solves every column on its own: the groups change nothing
    np.testing.assert_array_equal(np.load(tmp_path / "X_cd.npy"),
                                  coordinate_descent(A, Y, lams).x)
    np.testing.assert_allclose(np.load(tmp_path / "X_fista.npy"), np.load(tmp_path / "X_cd.npy"),
                               atol=1e-4)


@pytest.mark.parametrize("command", [[], ["demo"], ["denoise"], ["solve"], ["compile"]])
def test_every_help_shows_an_example(command):
    result = run(*command, "--help")
    assert result.returncode == 0
    examples = [line for line in result.stdout.splitlines() if "sparserecover " in line
                and ("xample" in line or line.startswith("  sparserecover"))]
    assert examples, result.stdout
