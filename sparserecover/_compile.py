"""Compiling the kernels ahead of time, and telling compilation apart from work.

The kernels compile on their first use in a process unless Numba's on-disk cache (see
``sparserecover._jit``) already holds them for this machine. :func:`compile_kernels` fills that
cache by running one small call of every kind in parallel worker processes, so that an image
build, a cluster's start-up or a CI job pays the cost once. :class:`CompileMonitor` measures
(and announces) the compilation a piece of work triggers, so that the command line can report
it apart from the solve it precedes.
"""

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack

__all__ = ["CompileMonitor", "compile_kernels"]


def _warm_solvers(dtype_name, form):
    """The solvers on one storage of A: each compiles its kernels for that operator form."""
    import numpy as np
    import scipy.sparse

    from sparserecover import fista, iht, ista, lasso_path
    from sparserecover.solvers import coordinate_descent

    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    wide = rng.standard_normal((20, 120)).astype(dtype)
    y = rng.standard_normal(20).astype(dtype)
    if form == "tall":  # FISTA on the Gram matrix
        tall = rng.standard_normal((120, 20)).astype(dtype)
        fista(tall, tall @ np.ones(20, dtype), 1.0, max_iter=3, tol=0.0)
        return
    A = {"C": wide, "F": np.asfortranarray(wide), "csr": scipy.sparse.csr_matrix(wide),
         "csc": scipy.sparse.csc_matrix(wide)}[form]
    fista(A, y, 1.0, max_iter=3, tol=0.0)
    coordinate_descent(A, y, 1.0, max_iter=3, tol=0.0)
    for method in ("htp-scaled", "htp", "niht"):
        iht(A, y, 3, method=method, max_iter=3)
    if form == "C":
        fista(A, np.column_stack([y, y]), 1.0, max_iter=3, tol=0.0)
        ista(A, y, 1.0, max_iter=3, tol=0.0)
        lasso_path(A, y, n_lams=2, max_iter=3)


def _warm_estimators(dtype_name):
    import numpy as np
    import scipy.sparse

    from sparserecover import (
        ElasticNet,
        IHTRegressor,
        Lasso,
        LassoCV,
        MCPRegressor,
        SCADRegressor,
        SparseHuberRegressor,
        SparseLogisticRegression,
    )

    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 150)).astype(dtype)
    y = (X[:, :3] @ np.ones(3) + rng.standard_normal(40)).astype(dtype)
    Lasso(alpha=0.1, max_iter=3).fit(X, y)
    ElasticNet(alpha=0.1, max_iter=3).fit(X, y)
    LassoCV(cv=2, alphas=2, max_iter=3).fit(X[:, :20], y)
    IHTRegressor(n_nonzero_coefs=3, max_iter=3).fit(X, y)
    labels = y > np.median(y)
    for X_form in (X, scipy.sparse.csr_matrix(X)):
        MCPRegressor(alpha=0.1, max_iter=2).fit(X_form, y)
        SCADRegressor(alpha=0.1, max_iter=2).fit(X_form, y)
        SparseHuberRegressor(alpha=0.1, max_iter=2).fit(X_form, y)
        SparseLogisticRegression(alpha=0.01, max_iter=2).fit(X_form, labels)


def _warm_denoising(dtype_name):
    import numpy as np

    from sparserecover import denoise, estimate_noise

    dtype = np.dtype(dtype_name)
    signals = np.random.default_rng(0).standard_normal((3, 256)).astype(dtype)
    denoise(signals)
    denoise(signals, threshold="universal", mode="hard")
    denoise(signals, threshold="bayes", mode="garrote")
    denoise(signals[:, :250], boundary="symmetric")
    estimate_noise(signals)
    estimate_noise(signals[:, :255])


def _warm_prox(dtype_name):
    import numpy as np

    from sparserecover import prox

    dtype = np.dtype(dtype_name)
    x = np.linspace(-2, 2, 64).astype(dtype)
    for name in ("softshrink", "hardshrink", "softshrink_grad", "hardshrink_grad", "prox_l1",
                 "prox_l0"):
        getattr(prox, name)(x, 0.5)
    for name in ("tanhshrink", "tanhshrink_grad", "softplus", "softplus_grad"):
        getattr(prox, name)(x)
    prox.threshold(x, 0.5, 0.0)
    prox.threshold_grad(x, 0.5, 0.0)
    prox.prox_elastic_net(x, 0.5, 1.0)
    prox.prox_l1(x, np.full(64, 0.5))
    prox.prox_l0(x, np.full(64, 0.5))
    prox.project_k_sparse(x, 3)
    if dtype.kind == "f":
        complex_x = (x + 1j * x[::-1]).astype(np.result_type(dtype, np.complex64))
        prox.softshrink(complex_x, 0.5)
        prox.prox_l1(complex_x, np.full(64, 0.5))


def _warm_network(dtype_name):
    import numpy as np

    from sparserecover import ShallowNetworkRegressor

    dtype = np.dtype(dtype_name)
    x = np.linspace(-1, 1, 40).astype(dtype)[:, None]
    ShallowNetworkRegressor(n_units=16, solver="gd", n_iter=2).fit(x, np.sin(3 * x[:, 0]))


# Lanes of steps: the steps of a lane run one after the other in one worker process, so that
# a step finds in that process the kernels an earlier one compiled (the storages of A share
# the duality gap, the products of a transposed dense A and the selection; the estimators use
# the solvers' kernels; float32 signals denoise with the float64 kernels). Run in parallel
# processes, such steps compiled them twice, as neither had cached them yet. The solvers of
# the two dtypes share nothing and run side by side; the groups that share nothing with the
# solvers fill the lanes, the largest (denoising) first.
_DTYPES = ("float64", "float32")
_FORMS = ("C", "F", "csr", "csc", "tall")
_LANES = [[(_warm_solvers, dtype, form) for form in _FORMS] + [(_warm_estimators, dtype)]
          for dtype in _DTYPES]
_OTHERS = [[(task, dtype) for dtype in _DTYPES]
           for task in (_warm_denoising, _warm_prox, _warm_network)]


def _schedule(n_jobs):
    """The steps in at most ``n_jobs`` lanes: the solver lanes (merged if fewer jobs), then
    each other group in a lane with the fewest steps (the last such lane)."""
    lanes = [[] for _ in range(max(1, n_jobs))]
    for i, lane in enumerate(_LANES):
        lanes[i % len(lanes)].extend(lane)
    for group in _OTHERS:
        min(reversed(lanes), key=len).extend(group)
    return [lane for lane in lanes if lane]


def _run(task, *arguments):
    import warnings

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # three iterations do not converge, and need not
        task(*arguments)
    return time.perf_counter() - started


def compile_kernels(n_jobs=None, *, progress=True):
    """Compile every kernel into Numba's on-disk cache, in parallel worker processes.

    Afterwards the first call of any solver, estimator, prox function or denoiser in a new
    process loads its kernels from the cache instead of compiling them (on this machine: the
    cache is specific to the CPU). Run it once after installing, in an image build, or when a
    cluster's workers start.

    Parameters
    ----------
    n_jobs : int, optional
        Worker processes; default the number of CPUs.
    progress : bool, default True
        Show a progress bar on stderr.

    Returns
    -------
    seconds : float
        Wall time.

    Examples
    --------
    >>> import sparserecover
    >>> seconds = sparserecover.compile_kernels(progress=False)  # doctest: +SKIP
    """
    from tqdm import tqdm

    started = time.perf_counter()
    n_jobs = n_jobs or os.cpu_count() or 1
    lanes = _schedule(n_jobs)
    bar = tqdm(total=sum(len(lane) for lane in lanes), desc="compiling kernels", unit="step",
               disable=not progress, file=sys.stderr)
    with ExitStack() as stack:
        # one single-process pool per lane: its steps run in order in the same process. The
        # workers start as new interpreters ("spawn"), not as forks: a fork would inherit the
        # kernels this process has compiled already, and compile (and cache) none of them.
        spawn = multiprocessing.get_context("spawn")
        pools = [stack.enter_context(ProcessPoolExecutor(max_workers=1, mp_context=spawn))
                 for _ in lanes]
        futures = [pool.submit(_run, *step) for pool, lane in zip(pools, lanes)
                   for step in lane]
        try:
            for future in as_completed(futures):
                future.result()  # a failure is re-raised here
                bar.update()
        except BaseException:
            for pool in pools:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
    bar.close()
    return time.perf_counter() - started


class CompileMonitor:
    """Within the block, measure the time Numba spends compiling (``seconds``) and, if
    ``announce``, say on stderr when it starts (the first run on a machine compiles), with a
    dot per kernel compiled as progress.

    Examples
    --------
    >>> from sparserecover._compile import CompileMonitor
    >>> with CompileMonitor(announce=False) as monitor:
    ...     pass
    >>> monitor.seconds
    0.0
    """

    def __init__(self, announce=True, stream=None):
        self.announce = announce
        self.stream = sys.stderr if stream is None else stream
        self.seconds = 0.0
        self._depth = 0
        self._started = None
        self._listener = None
        self._announced = False

    def __enter__(self):
        from numba.core import event

        monitor = self

        class Listener(event.Listener):
            def on_start(self, ev):
                if monitor._depth == 0:
                    monitor._started = time.perf_counter()
                    if monitor.announce and not monitor._announced:
                        print("compiling kernels (first run on this machine; "
                              "`sparserecover compile` does it ahead of time) ",
                              end="", file=monitor.stream, flush=True)
                        monitor._announced = True
                monitor._depth += 1

            def on_end(self, ev):
                monitor._depth -= 1
                if monitor._depth == 0:
                    monitor.seconds += time.perf_counter() - monitor._started
                    if monitor._announced:
                        print(".", end="", file=monitor.stream, flush=True)

        self._listener = Listener()
        event.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc):
        from numba.core import event

        event.unregister("numba:compile", self._listener)
        if self._announced:
            print(f" done in {self.seconds:.1f} s", file=self.stream, flush=True)
        return False
