"""Run scikit-learn's own coordinate-descent test file with sparserecover's estimators.

scikit-learn's ``sklearn/linear_model/tests/test_coordinate_descent.py`` (from the installed
scikit-learn) is copied to a temporary folder with two edits, and run by pytest with
scikit-learn's own ``conftest`` (its fixtures, e.g. ``global_random_seed``):

1. after its ``from sklearn.linear_model import (...)``, the eight estimators ``Lasso``,
   ``ElasticNet``, ``LassoCV``, ``ElasticNetCV``, ``MultiTaskLasso``, ``MultiTaskElasticNet``,
   ``MultiTaskLassoCV`` and ``MultiTaskElasticNetCV`` are imported again from
   :mod:`sparserecover.linear_model`, so that every test that uses them uses ours;
2. the one test that monkeypatches the ``Lasso`` that ``LassoCV`` refits
   (``"sklearn.linear_model._coordinate_descent.Lasso"``) patches ours instead.

Everything else is scikit-learn's: its functions ``lasso_path``/``enet_path``, its Cython
solvers and ``_set_order`` are still its own (those tests check scikit-learn's internals).
The summary counts the outcomes; a failure outside those internals' tests makes the exit code
non-zero.

Run: ``python tests/linear_model/run_sklearn_cd_suite.py [--estimators Lasso,LassoCV]
[extra pytest arguments]`` (``--estimators``: swap in only those; all eight by default).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

ESTIMATORS = (
    "ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "MultiTaskElasticNet",
    "MultiTaskElasticNetCV", "MultiTaskLasso", "MultiTaskLassoCV",
)

# Tests of scikit-learn's internals (its Cython solver, _set_order, its path functions): they
# do not use the estimators, so swapping the estimators cannot change them.
INTERNALS = (
    "test_set_order_dense", "test_set_order_sparse", "test_cython_solver_equivalence",
    "test_lasso_path_return_models_vs_new_return_gives_same_coefficients",
    "test_sparse_dense_descent_paths", "test_enet_path_positive", "test_path_unknown_parameter",
    "test_enet_path_check_input_false", "test_path_function_deprecated_n_alphas",
)


def patched_source(estimators=ESTIMATORS):
    source_path = Path(sklearn.__file__).parent / "linear_model/tests/test_coordinate_descent.py"
    source = source_path.read_text()
    block = re.search(r"from sklearn\.linear_model import \(\n(?:    .*\n)*?\)\n", source)
    if block is None:
        raise RuntimeError(f"no `from sklearn.linear_model import (...)` in {source_path}")
    ours = "from sparserecover.linear_model import (  # swapped in\n" + "".join(
        f"    {name},\n" for name in estimators) + ")\n"
    source = source[: block.end()] + ours + source[block.end():]
    target = '"sklearn.linear_model._coordinate_descent.Lasso"'
    if target not in source:
        raise RuntimeError(f"{target} not found in {source_path}")
    source = source.replace(target, '"sparserecover.linear_model._elastic_net.Lasso"')
    return source_path, source


def main(extra_args):
    estimators = ESTIMATORS
    if extra_args[:1] == ["--estimators"]:
        estimators = tuple(extra_args[1].split(","))
        unknown = set(estimators) - set(ESTIMATORS)
        if unknown:
            raise SystemExit(f"--estimators: unknown {sorted(unknown)}; choose from {ESTIMATORS}")
        extra_args = extra_args[2:]
    source_path, source = patched_source(estimators)
    print(f"swapped in: {', '.join(estimators)}")
    folder = Path(tempfile.mkdtemp(prefix="sklearn_cd_suite_"))
    try:
        test_file = folder / "test_coordinate_descent_sparserecover.py"
        test_file.write_text(source)
        report = folder / "report.xml"
        env = dict(os.environ)
        # the worktree (or install) that imports this script's sparserecover stays first
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        command = [
            sys.executable, "-m", "pytest", str(test_file), "-p", "sklearn.conftest",
            "-p", "no:cacheprovider", "--rootdir", str(folder), "-q", "--no-header",
            f"--junitxml={report}", *extra_args,
        ]
        print(f"scikit-learn {sklearn.__version__}: {source_path}")
        print(" ".join(command), flush=True)
        completed = subprocess.run(command, cwd=folder, env=env, check=False)
        if not report.exists():
            return completed.returncode or 1
        counts, failures = summarize(report)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    internal = [name for name in failures if name.split("[")[0] in INTERNALS]
    other = [name for name in failures if name not in internal]
    print(f"\npassed {counts['passed']}, failed {counts['failed']} "
          f"({len(internal)} of them tests of scikit-learn's internals), "
          f"skipped {counts['skipped']}, errors {counts['error']}")
    for name in other:
        print(f"  FAILED {name}")
    return 1 if other or counts["error"] else 0


def summarize(report):
    counts = dict(passed=0, failed=0, skipped=0, error=0)
    failures = []
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
        counts[outcome] += 1
        if outcome in ("failed", "error"):
            failures.append(case.get("name"))
    return counts, failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
