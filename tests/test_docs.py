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
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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
    names = ("sphinx", "numpydoc", "pydata_sphinx_theme", "sphinx_gallery", "myst_parser",
             "sphinx-mathjax-offline")
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            return False
    return True


needs_sphinx = pytest.mark.skipif(
    not _sphinx_available(), reason='needs the docs extra: pip install ".[docs]"'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once for this module's checks: the HTML folder (and the build folder
    whose name no page may show)."""
    build = tmp_path_factory.mktemp("docs-build")
    ignore = shutil.ignore_patterns(*GENERATED, "sg_execution_times.rst", "__pycache__", "*.png")
    shutil.copytree(DOCS, build / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, build / "examples", ignore=ignore)
    html = build / "html"
    env = {
        **os.environ,
        "SPARSERECOVER_EXAMPLES_QUICK": "1",
        "SPARSERECOVER_FIGURE_DIR": str(build / "figures"),
    }
    (build / "figures").mkdir()
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               str(build / "docs"), str(html)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-10000:]
    return html


def _pages(html):
    """Every HTML page of the site, by its path relative to the site ("api", "user_guide/cli",
    "auto_examples/plot_denoise_1d", ...)."""
    return {
        path.relative_to(html).with_suffix("").as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(html.rglob("*.html"))
        if not path.relative_to(html).parts[0].startswith("_")
    }


class _Text(HTMLParser):
    """The visible text of a page (of its article only, with ``article=True``), without code,
    literals, scripts, styles and the math that MathJax typesets."""

    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"})
    _HIDDEN_TAGS = frozenset({"script", "style", "pre", "code", "kbd", "samp", "svg"})
    _HIDDEN_CLASSES = frozenset({"math", "pre", "highlight", "sig", "sig-object"})

    def __init__(self, article=False):
        super().__init__(convert_charrefs=True)
        self.inside = not article
        self.stack = []  # (tag, hidden, opens the article) of the open elements
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self._VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        hidden = tag in self._HIDDEN_TAGS or bool(classes & self._HIDDEN_CLASSES)
        opens = tag == "article" and "bd-article" in classes
        self.inside |= opens
        self.stack.append((tag, hidden, opens))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _, opens = self.stack.pop()
            if opens:
                self.inside = False
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.inside and not any(hidden for _, hidden, _ in self.stack):
            self.parts.append(data)

    @classmethod
    def of(cls, page, article=False):
        parser = cls(article)
        parser.feed(page)
        return " ".join(" ".join(parser.parts).split())


@pytest.mark.slow
@needs_sphinx
def test_sphinx_build(site):
    html = site
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
    # an estimator shows its parameters as scikit-learn's HTML display
    pipeline = (html / "auto_examples" / "plot_lasso_pipeline.html").read_text(encoding="utf-8")
    assert "sk-top-container" in pipeline and "LassoCV" in pipeline
    # wide tables scroll or shrink rather than being clipped
    assert "tables.css" in (html / "benchmarks_solvers.html").read_text(encoding="utf-8")
    assert "overflow-x: auto" in (html / "_static" / "tables.css").read_text(encoding="utf-8")


# What a reader of the built site must not meet. Pages another change is still rewriting are
# listed with the reason; their tests are strict expected failures, so that the entry must go
# (and the check then holds) as soon as the page is fixed.
_PENDING = {
    "process words": {},
    "paths": {},
    "figure": {},
}

# Words that only make sense inside the project's own work, as they appear in prose.
_PROCESS_WORDS = re.compile(
    r"\bissues? #?\d+|\bissue's\b|\bsessions?\b|\bseeds? 0\d\d\b|\bthe team\b|\bdevelopers?\b"
    r"|\bhelpers? (?:session|engineer)|\bengineers?\b|\bworktree\b",
    re.IGNORECASE,
)
# TeX outside the math that MathJax typesets: a command or a math delimiter in plain text.
_RAW_TEX = re.compile(r"\\(?:[A-Za-z]{2,}|[()\[\]])|\$\$")
# Folders of this machine: the build's, the checkout's, the interpreter's, and the usual ones.
_MACHINE_PATHS = ("/work/", "/tmp/", "/root/", "/home/", "site-packages", "dist-packages")


def _pending(kind, pages):
    return [
        pytest.param(page, marks=pytest.mark.xfail(strict=True, reason=_PENDING[kind][page]))
        if page in _PENDING[kind] else page
        for page in pages
    ]


def _source_pages():
    """The site's pages made from the user's sources: the .rst and .md pages and the gallery."""
    pages = [path.relative_to(DOCS).with_suffix("").as_posix() for path in PAGES]
    pages += [path.stem for path in DOCS.glob("*.md")]
    pages += [f"auto_examples/{path.stem}" for path in EXAMPLES.glob("*.py")]
    return sorted(pages)


@pytest.mark.slow
@needs_sphinx
def test_the_site_needs_no_network(site):
    # No script, style sheet or font from another site; formulas typeset by the MathJax copy
    # in _static (sphinx-mathjax-offline).
    remote = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)=[\"'](?:https?:)?//", re.IGNORECASE)
    pages = _pages(site)
    assert not {name for name, page in pages.items() if remote.search(page)}
    with_math = [name for name, page in pages.items() if 'class="math' in page]
    assert "user_guide/solvers" in with_math and "user_guide/cli" in with_math
    for name in with_math:
        assert "_static/mathjax/tex-chtml.js" in pages[name], name
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


@pytest.mark.slow
@needs_sphinx
def test_no_tex_is_left_unrendered(site):
    leftovers = {}
    for name, page in _pages(site).items():
        found = _RAW_TEX.findall(_Text.of(page))
        if found:
            leftovers[name] = found[:5]
    assert not leftovers


@pytest.mark.slow
@needs_sphinx
@pytest.mark.parametrize("page", _pending("paths", [*_source_pages(), "(the other pages)"]))
def test_no_page_shows_a_path_of_the_machine(site, page):
    paths = {*_MACHINE_PATHS, str(site.parent), str(ROOT), sys.prefix, os.path.expanduser("~")}
    pages = _pages(site)
    if page == "(the other pages)":  # the API reference, the index, the search page
        pages = {name: text for name, text in pages.items() if name not in _source_pages()}
    else:
        pages = {page: pages[page]}
    leaks = {name: sorted(p for p in paths if p in text) for name, text in pages.items()}
    assert not {name: found for name, found in leaks.items() if found}


def test_the_checks_find_what_they_look_for():
    page = (
        '<html><body><nav>the developers</nav><article class="bd-article"><p>Minimize '
        '\\lambda \\|x\\|_1 <span class="math notranslate">\\(\\lambda\\)</span> '
        '<code>\\n</code></p><p>Measured in session 3 for issue 7.</p></article>'
        '<footer>sparserecover developers</footer></body></html>'
    )
    assert _RAW_TEX.findall(_Text.of(page)) == ["\\lambda"]
    article = _Text.of(page, article=True)
    assert "developers" not in article and "Minimize" in article
    assert [m.group(0) for m in _PROCESS_WORDS.finditer(article)] == ["session", "issue 7"]
    text = _Text.of("<p>issues a warning; a new seed 42; the 2 developer</p>")
    assert [m.group(0) for m in _PROCESS_WORDS.finditer(text)] == ["developer"]


@pytest.mark.slow
@needs_sphinx
@pytest.mark.parametrize("page", _pending("process words", _source_pages()))
def test_pages_speak_to_users(site, page):
    text = _Text.of((site / f"{page}.html").read_text(encoding="utf-8"), article=True)
    found = sorted({match.group(0) for match in _PROCESS_WORDS.finditer(text)})
    assert not found, f"{page}: {found}"


def test_the_api_pages_speak_to_users():
    # the reference pages are the docstrings: checked at the source, without a build
    found = {}
    for module_name in ["sparserecover", *MODULES]:
        module = importlib.import_module(module_name)
        for name, obj in [("", module), *vars(module).items()]:
            owner = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", "")
            if not (callable(obj) or inspect.ismodule(obj)) or not str(owner).startswith(
                "sparserecover"
            ):
                continue
            words = {match.group(0) for match in _PROCESS_WORDS.finditer(inspect.getdoc(obj) or "")}
            if words:
                found[f"{module_name}.{name}"] = sorted(words)
    assert not found


@pytest.mark.slow
@needs_sphinx
@pytest.mark.parametrize(
    "page",
    _pending("figure", [
        path.relative_to(DOCS).with_suffix("").as_posix()
        for path in sorted((DOCS / "user_guide").glob("*.rst"))
        if path.stem != "index"
    ]),
)
def test_every_user_guide_page_shows_a_figure(site, page):
    article = (site / f"{page}.html").read_text(encoding="utf-8").split("bd-article", 1)[-1]
    assert re.search(r"<img\b[^>]*\.png", article), f"{page}: no figure"
