"""Sphinx configuration of the sparserecover documentation.

Build: ``sphinx-build -W -b html docs docs/_build/html`` (after ``pip install -e ".[docs]"``).
Warnings are errors. The gallery runs every script in ``examples/`` with
``SPARSERECOVER_EXAMPLES_QUICK=1`` (small problems, so the whole build takes about a minute);
``SPARSERECOVER_EXAMPLES_QUICK= sphinx-build ...`` (empty) builds it at full size.
"""

import os
import sys
from pathlib import Path

import matplotlib
from numpydoc.xref import DEFAULT_LINKS

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Build from the working tree even when an older copy is installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))  # gallery_argv

import sparserecover  # noqa: E402

# The paper examples read these: small sizes, and their own PNG copies written outside the
# source tree (sphinx-gallery saves the figures it shows itself).
os.environ.setdefault("SPARSERECOVER_EXAMPLES_QUICK", "1")
if "SPARSERECOVER_FIGURE_DIR" not in os.environ:
    os.environ["SPARSERECOVER_FIGURE_DIR"] = str(DOCS / "_build" / "example_figures")
    os.makedirs(os.environ["SPARSERECOVER_FIGURE_DIR"], exist_ok=True)

project = "sparserecover"
author = "sparserecover developers"
copyright = "sparserecover developers"
version = release = sparserecover.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax served from this site's _static folder, not a CDN: formulas render offline
    "sphinx-mathjax-offline",
    "numpydoc",
    "myst_parser",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
templates_path = ["_templates"]
default_role = "py:obj"

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Type fields as cross-references (scikit-learn's setting): this also keeps names such as
# ``(n_features_in_,)`` from being read as reST link targets.
numpydoc_xref_param_type = True
# numpydoc's default aliases point into the Python and NumPy manuals through intersphinx,
# which needs the network at build time: keep those words as plain text instead.
numpydoc_xref_aliases = {name: name for name in DEFAULT_LINKS}
numpydoc_xref_ignore = {
    *DEFAULT_LINKS,
    "of", "shape", "or", "and", "default", "optional", "keyword-only", "array-like",
    "like", "sparse", "matrix", "matrices", "callable", "dict", "list", "tuple", "str",
    "int", "float", "bool", "None", "ndarray", "object", "array", "scalar", "estimator",
    "instance", "same", "as", "the", "each", "per", "one", "elements", "n_samples",
    "n_features", "n_targets", "n_lams", "n_units", "n_iter", "n_alphas", "n_folds",
}

# -- Markdown pages (docs/paper.md, docs/benchmarks_*.md) ------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# -- Figures made at build time (user guide) ---------------------------------------------------
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\nimport sparserecover as sr\n"
plot_rcparams = {"figure.figsize": (9, 3.2)}

# -- Gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Run every script (the default runs only plot_*.py); each shows its figure.
    "filename_pattern": r"/(plot|paper)_",
    "ignore_pattern": r"__init__\.py",
    "reset_argv": "gallery_argv.reset_argv",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "show_memory": False,
    # no sg_execution_times.rst in the source tree (and no CDN scripts in the pages)
    "write_computation_times": False,
    "plot_gallery": "True",
    "matplotlib_animations": False,
}



def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn's metadata-routing and output-container machinery (``set_fit_request``,
    # ``get_metadata_routing``, ``set_output``, ...) is sklearn's to document, not ours.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if name in ("get_metadata_routing", "set_output"):
        return True
    return skip


# Labels of scikit-learn's own manual that its inherited docstrings (``score``) refer to:
# shown as plain text, since this site cannot link into that manual without the network.
_SKLEARN_LABELS = {"r2_score", "accuracy_score", "metadata_routing", "meta-estimator"}


def _resolve_top_level(app, env, node, contnode):
    # ``sparserecover.Lasso`` is documented where it is defined (sparserecover.linear_model):
    # send references to the top-level names, which users import, to that page.
    if node.get("reftype") in ("ref", "term") and node.get("reftarget") in _SKLEARN_LABELS:
        return contnode
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if node.get("py:module") == "sparserecover" and "." not in target:
        target = f"sparserecover.{target}"
    head, _, rest = target.removeprefix("sparserecover.").partition(".")
    module = sparserecover._LAZY_NAMES.get(head)
    if not target.startswith("sparserecover.") or module is None:
        return None
    new_target = ".".join(filter(None, [module, head, rest]))
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], new_target, node, contnode
    )


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _resolve_top_level)


# -- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sparserecover {release}"
html_static_path = ["_static"]
html_css_files = ["tables.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
