"""A locked-down install: the package in a read-only location, no writable home.

The package is installed with ``pip install --target`` into a folder that the test process
then cannot write to, in the first way this machine allows: a non-root user (permissions),
root in a user namespace with a read-only bind mount, or, where neither exists, the test is
skipped with the reason. HOME points below a regular file, where nobody can create a cache.
There the estimators fit, the solvers solve, ``denoise`` denoises and the command line runs,
with exactly one warning (no cache: the kernels compile in every process) and the same
answers as here.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Run in the locked-down process: every compiled path a user meets first, and the command line
# (in the same process, so that the kernels compile once).
CHILD = r"""
import json, sys, warnings
import numpy as np
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    import sparserecover as sr
    from sparserecover.cli import main
    data = np.load(sys.argv[1])
    A, y, signal = data["A"], data["y"], data["signal"]
    results = {
        "fista": sr.fista(A, y, 0.5, tol=1e-10).x,
        "coordinate_descent": sr.coordinate_descent(A, y, 0.5, tol=1e-10).x,
        "iht": sr.iht(A, y, 3).x,
        "lasso": sr.Lasso(alpha=0.05, tol=1e-10).fit(A, y).coef_,
        "spectral": sr.SpectralRegressor(solver="gd", n_iter=30).fit(A, y).coef_,
        "denoise": sr.denoise(signal),
    }
    status = main(["solve", sys.argv[1].replace("data.npz", "A.npy"),
                   sys.argv[1].replace("data.npz", "y.npy"), "--lam", "0.5", "--quiet",
                   "-o", sys.argv[2] + "/x.npy"])
np.savez(sys.argv[2] + "/results.npz", **results)
print(json.dumps({"package": sr.__file__, "status": status,
                  "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}))
"""


def _install(tmp_path):
    """``pip install --target`` of a clean copy of the sources (pip builds in the source
    folder: the copy keeps the working tree clean); offline, without build isolation."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "sparserecover", source / "sparserecover",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-deps",
         "--no-index", "--no-build-isolation", "--quiet", "--disable-pip-version-check",
         str(source)],
        check=True, capture_output=True, timeout=300,
    )
    return target


def _can_run(prefix, probe):
    try:
        result = subprocess.run([*prefix, *probe], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _locked_prefix(target, outputs):
    """The command prefix that runs a process unable to write to ``target``, or skip."""
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode & 0o555)
    target.chmod(0o555)
    if os.geteuid() != 0:
        return []  # permissions hold for an ordinary user
    # root ignores permissions: run as nobody if it can run this Python, read the install
    # and write the outputs
    outputs.chmod(0o777)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    probe = [sys.executable, "-c", "import sys, numpy; open(sys.argv[1], 'w').close(); "
             "open(sys.argv[2]).close()", str(outputs / "probe"), str(target / "sparserecover"
                                                                     / "__init__.py")]
    if shutil.which("setpriv") and _can_run(nobody, probe):
        (outputs / "probe").unlink()
        return nobody
    # else root in a user namespace, with the install mounted read-only
    bind = ["unshare", "-rm", "sh", "-c",
            'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"',
            str(target)]
    if shutil.which("unshare") and _can_run(bind, ["sh", "-c", f"! touch {target}/probe"]):
        return bind
    pytest.skip("running as root, with neither a user that can run this Python (setpriv) nor "
                "a user namespace for a read-only bind mount (unshare -rm)")


@pytest.fixture
def folder():
    """A folder that another user can reach (pytest's own is private to its user)."""
    path = Path(tempfile.mkdtemp(prefix="sparserecover-readonly-"))
    path.chmod(0o755)
    yield path
    for child in path.rglob("*"):
        if child.is_dir() and not child.is_symlink():
            child.chmod(0o755)
    shutil.rmtree(path)


@pytest.mark.slow
def test_readonly_install_without_a_writable_home(folder, rng):
    tmp_path = folder
    target = _install(tmp_path)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    A = rng.standard_normal((30, 40))
    x_true = np.zeros(40)
    x_true[[2, 11, 30]] = [2.0, -1.5, 1.0]
    y = A @ x_true + 0.01 * rng.standard_normal(30)
    signal = np.sin(np.linspace(0, 8, 256)) + 0.1 * rng.standard_normal(256)
    np.savez(outputs / "data.npz", A=A, y=y, signal=signal)
    np.save(outputs / "A.npy", A)
    np.save(outputs / "y.npy", y)
    prefix = _locked_prefix(target, outputs)
    installed = {path: path.stat().st_mtime_ns for path in target.rglob("*")}
    blocked = tmp_path / "file"  # no folder can be created below a regular file
    blocked.write_text("")
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("NUMBA_", "XDG_", "PYTHON"))}
    environ.update(HOME=str(blocked / "home"), PYTHONPATH=str(target),
                   PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [*prefix, sys.executable, "-c", CHILD, str(outputs / "data.npz"), str(outputs)],
        capture_output=True, text=True, env=environ, cwd=outputs, timeout=1200,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["package"].startswith(str(target))
    assert report["status"] == 0
    assert len(report["warnings"]) == 1, report["warnings"]
    assert "cannot cache" in report["warnings"][0]
    assert "NUMBA_CACHE_DIR" in report["warnings"][0]
    assert {path: path.stat().st_mtime_ns for path in target.rglob("*")} == installed

    import sparserecover as sr

    # the same answers as in this process (where the kernels may come from the cache)
    expected = {
        "fista": sr.fista(A, y, 0.5, tol=1e-10).x,
        "coordinate_descent": sr.coordinate_descent(A, y, 0.5, tol=1e-10).x,
        "iht": sr.iht(A, y, 3).x,
        "lasso": sr.Lasso(alpha=0.05, tol=1e-10).fit(A, y).coef_,
        "spectral": sr.SpectralRegressor(solver="gd", n_iter=30).fit(A, y).coef_,
        "denoise": sr.denoise(signal),
    }
    with np.load(outputs / "results.npz") as results:
        for name, value in expected.items():
            np.testing.assert_array_equal(results[name], value, err_msg=name)
    np.testing.assert_array_equal(np.load(outputs / "x.npy"), sr.fista(A, y, 0.5).x)
    np.testing.assert_array_equal(np.flatnonzero(expected["iht"]), [2, 11, 30])
