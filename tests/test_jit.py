"""Where the compiled kernels are cached: never inside the package, and nowhere if nothing is
writable (then with one warning, and the right results)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sparserecover

PACKAGE_DIR = Path(sparserecover.__file__).parent

# Two kernels from two modules, compiled in a fresh process: the large array takes prox's
# compiled path, and network's kernel is decorated at import.
CODE = """
import json, warnings
import numpy as np
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    from sparserecover import softshrink
    from sparserecover.network._kernels import gd_least_squares
    x = np.linspace(-2.0, 2.0, 2**14)
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    w = gd_least_squares(A, np.array([[2.0], [3.0]]), 0.2, 200)
    shrunk = softshrink(x, 0.5)
print(json.dumps({
    "softshrink": bool(np.array_equal(shrunk, np.sign(x) * np.maximum(abs(x) - 0.5, 0))),
    "gd": w.ravel().tolist(),
    "warnings": [str(w.message) for w in caught],
}))
"""


def _cache_files(folder):
    return {path: path.stat().st_mtime_ns for path in Path(folder).rglob("*.nb[ic]")}


def _run(tmp_path, **env):
    environ = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_")}
    environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH")])
    )
    environ.update(env)
    before = _cache_files(PACKAGE_DIR)
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=environ, cwd=tmp_path,
        check=True,
    )
    assert _cache_files(PACKAGE_DIR) == before, "cache files written inside the package"
    output = json.loads(result.stdout)
    assert output["softshrink"]
    assert output["gd"] == pytest.approx([1.0, 3.0])
    return output


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["XDG_CACHE_HOME", "NUMBA_CACHE_DIR"])
def test_cache_goes_to_the_user_cache_folder(tmp_path, variable):
    folder = tmp_path / "cache"
    output = _run(tmp_path, HOME=str(tmp_path / "home"), **{variable: str(folder)})
    assert output["warnings"] == []
    expected = folder / "sparserecover" / sparserecover.__version__ / "numba"
    if variable == "NUMBA_CACHE_DIR":
        expected = folder  # the user's choice, as Numba's own locator uses it
    files = _cache_files(expected)
    # an index and a data file per function, in one folder per source folder
    assert {path.parent.name.split("_")[0] for path in files} >= {"sparserecover", "network"}
    assert any(path.suffix == ".nbc" for path in files)
    assert not (tmp_path / "home").exists()


@pytest.mark.slow
def test_no_writable_cache_folder_compiles_uncached_with_one_warning(tmp_path):
    # A path below a regular file can be created by nobody, root included.
    blocked = tmp_path / "file"
    blocked.write_text("")
    output = _run(
        tmp_path, HOME=str(blocked / "home"), XDG_CACHE_HOME=str(blocked / "cache"),
        NUMBA_CACHE_DIR=str(blocked / "numba"),
    )
    assert len(output["warnings"]) == 1
    assert "cannot cache" in output["warnings"][0]
    assert "NUMBA_CACHE_DIR" in output["warnings"][0]
