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


def test_plain_fits_never_import_sklearn():
    # Issue 7: importing any of scikit-learn costs over a second (sklearn.base imports
    # scipy.stats and pandas), ten times a small fit; the linear estimators import it only
    # when its machinery is needed (sparserecover._sklearn_api).
    code = """
import sys, warnings
import numpy as np
from sparserecover import ElasticNet, IHTRegressor, Lasso
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 200))
y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(50)
model = Lasso(alpha=0.1).fit(X, y)
model.predict(X)
model.get_params()
repr(model)
ElasticNet(alpha=0.1, solver="fista").fit(X.astype(np.float32), y.astype(np.float32)).predict(
    X.astype(np.float32))
IHTRegressor(n_nonzero_coefs=5).fit(X, np.column_stack([y, -y])).predict(X)
assert "sklearn" not in sys.modules, sorted(m for m in sys.modules if "sklearn" in m)[:5]
# a fit that does not converge raises scikit-learn's ConvergenceWarning, importing it then
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    Lasso(alpha=1e-4, max_iter=2, tol=1e-12).fit(X, y)
from sklearn.exceptions import ConvergenceWarning
print([type(w.message) is ConvergenceWarning for w in caught])
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[True]"
