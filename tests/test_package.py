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


def test_small_fits_never_start_numba():
    # Issue 7: a small problem (at most NUMPY_MAX_ENTRIES entries) is solved by the NumPy
    # implementations, so a fresh process neither imports Numba (0.15 s) nor pays its
    # first-function start (0.3 s); importing the estimators does not load it either.
    code = """
import sys
import numpy as np
from sparserecover import Lasso, ElasticNet, LassoCV, lasso_path
from sparserecover.solvers import coordinate_descent
assert "numba" not in sys.modules, "import"
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 200))
y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(50)
assert np.count_nonzero(Lasso(alpha=0.1).fit(X, y).coef_) > 0
ElasticNet(alpha=0.1, solver="fista").fit(X.astype(np.float32), y.astype(np.float32))
LassoCV(cv=3, alphas=5).fit(X[:, :40], y)
lasso_path(X[:, :80], np.column_stack([y, -y]), n_lams=5)  # 50 x 80 x 2 entries
coordinate_descent(X, y, 1.0, positive=True, l2=0.5)
print("numba" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
