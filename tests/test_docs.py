"""The documentation: every docstring example and every user-guide snippet runs, and the site
builds with warnings as errors (API reference, user guide, gallery of examples/).

The doctests run everywhere. The Sphinx build needs the ``docs`` extra and is skipped without
it; it builds a copy of ``docs/`` and ``examples/`` in a temporary directory, so it leaves the
working tree untouched.
"""

import ast
import doctest
import importlib
import inspect
import os
import pkgutil
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sparserecover

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
# Generated or copied by Sphinx inside docs/: never sources.
GENERATED = ("_build", "auto_examples", "gen_modules")
# numpy's and scipy's choice: array reprs wrap at different places on different versions.
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(sparserecover.__path__, "sparserecover.")
)
PAGES = sorted(
    path
    for path in DOCS.rglob("*.rst")
    if not set(path.relative_to(DOCS).parts) & {*GENERATED, "_templates"}
)


def _run(test):
    """Run one DocTest; return the failure report ('' when it passed)."""
    report = []
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    with np.printoptions():  # a doctest's print options must not leak into the next one
        runner.run(test, out=report.append)
    return "".join(report)


@pytest.mark.parametrize("module_name", ["sparserecover", *MODULES])
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    tests = [t for t in doctest.DocTestFinder().find(module, module_name) if t.examples]
    failures = "".join(_run(test) for test in tests)
    assert not failures, failures


def test_every_public_name_has_examples():
    # Every public function and class of every public module documents a runnable example
    # (run by test_docstring_examples above); data such as ACTIVATIONS is exempt.
    missing = []
    for name in sparserecover._SUBMODULES:
        module = importlib.import_module(f"sparserecover.{name}")
        for public in module.__all__:
            obj = getattr(module, public)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            doc = inspect.getdoc(obj) or ""
            if "Examples\n--------" not in doc or ">>>" not in doc:
                missing.append(f"sparserecover.{name}.{public}")
    assert not missing, f"no Examples section with >>> lines: {missing}"


def test_pages_found():
    names = {path.relative_to(DOCS).as_posix() for path in PAGES}
    assert {"index.rst", "api.rst", "user_guide/shrinkage.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.relative_to(DOCS).as_posix())
def test_page_snippets(page, tmp_path, monkeypatch):
    # Snippets that write files (the command-line page) write them here.
    monkeypatch.chdir(tmp_path)
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    failures = _run(test)
    assert not failures, failures


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.relative_to(DOCS).as_posix())
def test_shell_commands_are_run_by_the_page(page):
    # A page shows ``$ sparserecover ARGS`` in console blocks and runs each of them as
    # ``main([ARGS])`` in its doctests (test_page_snippets): a shown command cannot go stale.
    text = page.read_text(encoding="utf-8")
    shown = [
        shlex.split(line.split("$ sparserecover", 1)[1])
        for line in text.splitlines()
        if line.strip().startswith("$ sparserecover")
    ]
    run = []
    for example in doctest.DocTestParser().get_examples(text):
        for node in ast.walk(ast.parse(example.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "main":
                run.append(ast.literal_eval(node.args[0]))
    missing = [" ".join(argv) for argv in shown if argv not in run]
    assert not missing, f"shown but not run: {missing}"


def _sphinx_available():
    for name in ("sphinx", "numpydoc", "pydata_sphinx_theme", "sphinx_gallery", "myst_parser"):
        try:
            importlib.import_module(name)
        except ImportError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _sphinx_available(), reason='needs the docs extra: pip install ".[docs]"')
def test_sphinx_build(tmp_path):
    ignore = shutil.ignore_patterns(*GENERATED, "sg_execution_times.rst", "__pycache__", "*.png")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=ignore)
    html = tmp_path / "html"
    env = {
        **os.environ,
        "SPARSERECOVER_EXAMPLES_QUICK": "1",
        "SPARSERECOVER_FIGURE_DIR": str(tmp_path / "figures"),
    }
    (tmp_path / "figures").mkdir()
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               str(tmp_path / "docs"), str(html)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-10000:]

    assert (html / "index.html").is_file()
    assert (html / "api.html").is_file()
    # one generated page per public name
    for name in sparserecover._SUBMODULES:
        module = importlib.import_module(f"sparserecover.{name}")
        for public in module.__all__:
            page = html / "gen_modules" / f"sparserecover.{name}.{public}.html"
            assert page.is_file(), page
    # every example ran and its page shows at least one figure
    for script in sorted(EXAMPLES.glob("*.py")):
        assert (html / "auto_examples" / f"{script.stem}.html").is_file(), script.name
        figures = list((html / "_images").glob(f"sphx_glr_{script.stem}_[0-9][0-9][0-9].png"))
        assert figures, f"{script.name}: no figure in the gallery"
    # the shrinkage page's figure was made at build time (matplotlib's plot directive)
    assert (html / "_images" / "shrinkage-1.png").is_file()
