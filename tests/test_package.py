"""The package as a user meets it: version, lazy top-level API, and light import."""

import subprocess
import sys

import sparserecover


def test_version_is_a_release_string():
    major, minor, patch = sparserecover.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no_such_name"):
        sparserecover.no_such_name  # noqa: B018


def test_import_does_not_load_heavy_dependencies():
    # A script that only imports the package must not pay for scikit-learn, cvxpy, matplotlib
    # or Numba: they load on first use of the names that need them.
    code = (
        "import sys, sparserecover; "
        "heavy = [m for m in ('sklearn', 'cvxpy', 'matplotlib', 'numba', 'scipy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_every_top_level_name_resolves_to_the_module_that_defines_it():
    import importlib

    for name, module_name in sparserecover._LAZY_NAMES.items():
        module = importlib.import_module(module_name)
        assert getattr(sparserecover, name) is getattr(module, name)
        assert name in module.__all__
    for name in sparserecover._SUBMODULES:
        assert getattr(sparserecover, name).__name__ == f"sparserecover.{name}"
    assert set(sparserecover.__all__) <= set(dir(sparserecover))
