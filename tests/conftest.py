"""Test-suite configuration.

BLAS is pinned to one thread: on the 2 shared cores of CI, a two-thread OpenBLAS can run an SVD
30-50x slower when the other core is busy, and results must not depend on thread scheduling.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pytest
from hypothesis import settings
from threadpoolctl import threadpool_limits

_blas_limit = threadpool_limits(limits=1)

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def rng():
    """A seeded generator, so every test is reproducible."""
    import numpy as np

    return np.random.default_rng(0)
