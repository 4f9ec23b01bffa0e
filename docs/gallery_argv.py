"""Command-line arguments for the gallery's scripts (``sphinx_gallery_conf["reset_argv"]``).

The examples write their own copy of each figure into the directory given as their first
argument (else next to the script, through ``__file__``, which sphinx-gallery does not define).
The docs build points them at a temporary directory, so a build leaves the tree untouched.
"""

import os


def reset_argv(gallery_conf, script_vars):
    """Return ``sys.argv[1:]`` for one example: the figure directory."""
    return [os.environ["SPARSERECOVER_FIGURE_DIR"]]
