"""``python -m sparserecover``: the same command line as ``sparserecover``."""

import sys

from sparserecover.cli import main

if __name__ == "__main__":
    sys.exit(main())
