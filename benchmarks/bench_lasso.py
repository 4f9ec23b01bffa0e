"""LASSO: sparserecover's FISTA and coordinate descent against scikit-learn, skglm, celer,
pyproximal and cvxpy; the LASSO path against scikit-learn, skglm, celer and glum; and how the
time grows with the problem (scaling).

Every solver is timed in this process on the same problems, and every solution is scored by
the SAME duality gap (``relative_gap`` below: the rescaled residual, float64):

    P(x) = 0.5 ||A x - y||^2 + lam ||x||_1,  theta = s r,  s = min(1, lam / ||A.T r||_inf)
    gap  = P(x) - (s y.T r - 0.5 s^2 ||r||^2),   reported relative to P(x)

Problems: (a) dense 500 x 5000, neighbouring-feature correlation 0.6 (benchopt's simulated
Lasso), 5 % nonzeros, SNR 3; (b) the same with 5000 x 500; (c) load_diabetes, standardized;
(d) scipy.sparse CSR 2000 x 20000, density 1 %, 5 % nonzeros, SNR 3. lam = lam_max / 10 and
lam_max / 100, lam_max = ||A.T y||_inf. scikit-learn, skglm and celer get
alpha = lam / n_samples and no intercept.

Time to a gap: solvers with their own tolerance are run with tol = 1e-2, 1e-3, ... (each run
timed, best of ``--repeat`` for runs under 0.5 s), and the time of the fastest run whose
solution meets the gap is reported; sparserecover stops on exactly this gap, so one run per
target. pyproximal has no gap stop: its FISTA runs with a callback that evaluates the gap
every 10 iterations (that evaluation is excluded from the time). cvxpy (Clarabel) runs only
on (c): it takes 20-30 s on (a). A cell stops trying tighter tolerances once a run exceeds
``--cap`` seconds ("-" = not reached within the cap).

Also: FISTA's time per iteration against the floor of one iteration, one ``A @ x`` plus one
``A.T @ r`` through numpy's BLAS (scipy.sparse for (d)), float64 and float32, direct (not
Gram) iteration: (min time(N + 1 iterations) - min time(1 iteration)) / N over 7 interleaved
repeats, N chosen for about 50 ms of products. For dense problems the floor through scipy's
own OpenBLAS (``scipy.linalg.blas`` gemv, the library Numba's ``np.dot`` calls) is printed as
well; the ratio is to numpy's floor. The load average is printed with the table.

sparserecover rows: ``fista`` and ``coordinate_descent`` (working-set CD with gap-safe
screening and Anderson extrapolation), each stopping on exactly this gap; ``auto`` (what
``lasso_path``/the estimators pick: FISTA on tall designs, CD on wide ones) is the better of
the two by construction of that rule. The last column is the time to gap 1e-8 divided by the
best peer's (< 1: faster than every peer).

Path (``--path``): 100 lams geometric from lam_max to lam_max/100 on (a) and (d), warm
started, each solver with the tolerance given by ``--path-tol`` in its own convention
(relative gap for sparserecover, ``tol * ||y||^2`` for scikit-learn/celer/skglm, glum's
``gradient_tol`` on its objective ``1/(2 n) ||y - X w||^2 + alpha ||w||_1``); reported:
time (wall and CPU) and the worst relative gap (the one above) over the path. glum runs its
own path (``GeneralizedLinearRegressor(family="normal", l1_ratio=1, alpha=[...],
alpha_search=True)``); it is skipped where its dense ``p x p`` Hessian alone would pass
2 GiB (problem (d)).

Scaling (``--scaling``, problems chosen by ``--scaling-sizes``): dense ``n x 10 n`` for
n = 200, 400, 800, 1600, a tall dense 100,000 x 500 and a sparse CSC 10,000 x 100,000 of
density 1e-3 (AR(1) correlation 0.5 between neighbouring columns, 1 % nonzeros, SNR 3; data
rounded to float32 so that float32 copies pose the same problem), at lam_max/10, /20 and
/100. Each solver's time to a relative gap of 1e-8 (scikit-learn, skglm, celer and
``sparserecover.Lasso`` (``fit_intercept=False``, ``alpha = lam / n``): the loosest tol that
reaches it; ``coordinate_descent``: tol=1e-8), also as passes over the data (the time divided
by the time of one ``X.T @ v``, min of 7), its CPU time, and the extra peak memory of the fit:
the peak resident size during the fit (``VmHWM``, reset through ``/proc/self/clear_refs``)
minus the resident size before it, which counts every allocator (numpy, Numba, C/Cython),
with glibc's mmap threshold fixed at 128 KiB so that a copy of ``X`` always shows. A
``--cap`` limits each run: scikit-learn's ``max_iter`` is cut to the passes that fit in it
(timed from 3 and 13 passes), and a cell stops trying tighter tolerances after a run over the
cap. On the two largest dense problems, float32 against float64 for our two rows: the time to
relative gaps 1e-5 and 1e-6 and the smallest gap the float32 solutions reach (evaluated in
float64).

Run:  python benchmarks/bench_lasso.py [--problems a b c d] [--cap 20] [--repeat 3]
      [--skip-peers] [--per-iteration-only] [--skip-per-iteration]
      [--peers scikit-learn skglm celer pyproximal cvxpy] [--path] [--path-only]
      [--latency [--latency-rounds 5]]
      [--scaling [--scaling-sizes 200 400 800 1600 tall sparse] [--scaling-lams 10 20 100]
       [--skip-float32]]
      [--targets N [--scaling-sizes ...] [--scaling-lams ...]]
      [--products [--scaling-sizes 800 1600]]

``--targets N``: N right-hand sides (2-D y) on the scaling problems, every column to a
relative gap of 1e-8: scikit-learn's ``Lasso``, ``sr.Lasso`` and ``coordinate_descent``;
passes per column. ``--products``: the duality gap's ``A.T @ R`` for 1, 2, 4 and 8 columns
on the dense ``n x 10 n`` problems, C- and Fortran-ordered: numpy, Numba's ``np.dot``
(scipy's BLAS) and the solvers' own product.

``--latency``: first-call latency, fresh processes (Numba cache as it is: run twice for
warm) that import a ``Lasso`` and fit it on a 50 x 200 problem, for sparserecover (default
``solver="auto"`` and ``"fista"``), scikit-learn and celer: the wall time of a process
that imports and fits twice, the import / first fit / second fit breakdown, and, in a second
process, 100 refits (alpha from alpha_max to alpha_max / 1000, scikit-learn's LassoCV grid)
and 200 more. Not
pinned to one BLAS thread (a user's process is not); the load average is printed.
The other tables: BLAS is pinned to one thread (threadpoolctl); the thread count is printed.
"""

import argparse
import os
import time
import warnings

import numpy as np
import scipy.linalg  # load scipy's own BLAS before pinning threads
import scipy.sparse
from threadpoolctl import threadpool_info, threadpool_limits

from sparserecover import fista, lasso_path
from sparserecover.solvers import coordinate_descent

TARGETS = (1e-4, 1e-8)
TOLS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-14)


# ----------------------------------------------------------------------------- problems


def correlated_design(rng, n, p, rho=0.6):
    """Gaussian features with corr(x_j, x_{j+1}) = rho (an AR(1) chain, as benchopt)."""
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    scale = np.sqrt(1 - rho**2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * Z[:, j]
    return X


def response(rng, A, density=0.05, snr=3.0):
    p = A.shape[1]
    w = np.zeros(p)
    support = rng.choice(p, max(1, int(density * p)), replace=False)
    w[support] = rng.standard_normal(support.size)
    signal = A @ w
    noise = rng.standard_normal(A.shape[0])
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return signal + noise


def make_problem(name, rng):
    if name == "a":
        A = correlated_design(rng, 500, 5000)
        return "(a) dense 500 x 5000, corr 0.6", A, response(rng, A)
    if name == "b":
        A = correlated_design(rng, 5000, 500)
        return "(b) dense 5000 x 500, corr 0.6", A, response(rng, A)
    if name == "c":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        return "(c) diabetes 442 x 10", X, y - y.mean()
    if name == "d":
        A = scipy.sparse.random(2000, 20000, density=0.01, format="csr", random_state=rng,
                                data_rvs=rng.standard_normal)
        return "(d) sparse 2000 x 20000, 1 %", A, response(rng, A)
    raise ValueError(name)


def relative_gap(A, y, x, lam):
    """The one gap every solver is scored with (float64)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64)
    r = y - A @ x
    g = A.T @ r
    primal = 0.5 * r @ r + lam * np.abs(x).sum()
    scale = min(1.0, lam / np.max(np.abs(g))) if np.any(g) else 1.0
    dual = scale * (y @ r) - 0.5 * scale**2 * (r @ r)
    return max(primal - dual, 0.0) / primal


# ----------------------------------------------------------------------------- solvers


def timed(func, repeat):
    best, out = np.inf, None
    for i in range(repeat):
        start = time.perf_counter()
        out = func()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        if elapsed > 0.5 and i == 0:
            break
    return best, out


def sweep(run, A, y, lam, cap, repeat):
    """{target: (seconds, n_iter)} from runs with decreasing tolerances."""
    found = {}
    for tol in TOLS:
        seconds, (x, n_iter) = timed(lambda tol=tol: run(tol), repeat)
        gap = relative_gap(A, y, x, lam)
        for target in TARGETS:
            if target not in found and gap <= target:
                found[target] = (seconds, n_iter)
        if len(found) == len(TARGETS) or seconds > cap:
            break
    return found


def sparserecover_runs(A, y, lam, cap, repeat, targets=TARGETS, solver=fista):
    found = {}
    for target in targets:
        seconds, result = timed(
            lambda target=target: solver(A, y, lam, tol=target, max_iter=200_000), repeat
        )
        if relative_gap(A, y, result.x, lam) <= target:
            found[target] = (seconds, result.n_iter)
        if seconds > cap:
            break
    return found


def sparserecover_cd_runs(A, y, lam, cap, repeat, targets=TARGETS):
    return sparserecover_runs(A, y, lam, cap, repeat, targets, solver=coordinate_descent)


def sklearn_like(estimator_class, **fixed):
    def make(A, y, lam, cap, repeat):
        alpha = lam / A.shape[0]

        def run(tol):
            model = estimator_class(alpha=alpha, fit_intercept=False, tol=tol,
                                    max_iter=100_000, **fixed)
            model.fit(A, y)
            n_iter = getattr(model, "n_iter_", -1)
            return model.coef_, int(np.max(n_iter)) if n_iter is not None else -1

        return sweep(run, A, y, lam, cap, repeat)

    return make


def pyproximal_runs(A, y, lam, cap, repeat):
    import pylops
    import pyproximal
    from pyproximal.optimization.primal import AcceleratedProximalGradient

    from sparserecover.operators import lipschitz_constant

    class Reached(Exception):
        pass

    Op = pylops.MatrixMult(A, dtype=A.dtype)
    step = 1.0 / lipschitz_constant(A)
    found = {}
    state = {}

    def callback(x):
        state["it"] += 1
        if state["it"] % 10:
            return
        pause = time.perf_counter()
        gap = relative_gap(A, y, x, lam)
        elapsed = pause - state["start"] - state["excluded"]
        for target in TARGETS:
            if target not in found and gap <= target:
                found[target] = (elapsed, state["it"])
        state["excluded"] += time.perf_counter() - pause
        if len(found) == len(TARGETS) or elapsed > cap:
            raise Reached

    state.update(it=0, excluded=0.0, start=time.perf_counter())
    try:
        AcceleratedProximalGradient(
            pyproximal.L2(Op=Op, b=y), pyproximal.L1(sigma=lam), np.zeros(A.shape[1]),
            tau=step, niter=10_000_000, acceleration="fista", callback=callback,
        )
    except Reached:
        pass
    return found


def cvxpy_runs(A, y, lam, cap, repeat):
    import cvxpy as cp

    found = {}
    for tol in (1e-8, 1e-10, 1e-12):
        x = cp.Variable(A.shape[1])
        problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ x - y) + lam * cp.norm1(x)))
        start = time.perf_counter()
        problem.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol)
        seconds = time.perf_counter() - start
        gap = relative_gap(A, y, x.value, lam)
        for target in TARGETS:
            if target not in found and gap <= target:
                found[target] = (seconds, problem.solver_stats.num_iters)
        if len(found) == len(TARGETS):
            break
    return found


def peers(names):
    from celer import Lasso as CelerLasso
    from skglm import Lasso as SkglmLasso
    from sklearn.linear_model import Lasso as SklearnLasso

    everyone = {
        "scikit-learn": ("scikit-learn Lasso", sklearn_like(SklearnLasso)),
        "skglm": ("skglm Lasso", sklearn_like(SkglmLasso)),
        "celer": ("celer Lasso", sklearn_like(CelerLasso)),
        "pyproximal": ("pyproximal FISTA", pyproximal_runs),
        "cvxpy": ("cvxpy (Clarabel)", cvxpy_runs),
    }
    return dict(everyone[name] for name in names)


# ----------------------------------------------------------------------------- latency

LATENCY_SCRIPT = """
import time
start = time.perf_counter()
import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 200))
y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(50)
data = time.perf_counter()
from {module} import Lasso
{setup}
imported = time.perf_counter()
Lasso(alpha=0.1{options}).fit(X, y)
first = time.perf_counter()
Lasso(alpha=0.05{options}).fit(X, y)
second = time.perf_counter()
import sys
sklearn_after_fits = "sklearn.base" in sys.modules
# a grid search's worth of refits of the same small problem: 100 alphas from alpha_max
# (1.12 here) down to alpha_max / 1000, scikit-learn's LassoCV grid
for alpha in (np.geomspace(1.12, 1.12e-3, 100) if {refit} else []):
    Lasso(alpha=alpha{options}).fit(X, y)
refits = time.perf_counter()
# the same grid twice more
for alpha in (np.tile(np.geomspace(1.12, 1.12e-3, 100), 2) if {refit} else []):
    Lasso(alpha=alpha{options}).fit(X, y)
more_refits = time.perf_counter()
print(imported - data, first - imported, second - first, refits - second,
      more_refits - refits, sklearn_after_fits)
"""

def latency(rounds=1):
    """The latency table, ``rounds`` times with the order of the libraries rotated (the
    first process after a pause pays for cold file caches), then the medians."""
    import subprocess
    import sys

    configs = (
        ("sparserecover (auto)", "sparserecover", "", ""),
        ("sparserecover (fista)", "sparserecover", "", ', solver="fista"'),
        ("scikit-learn", "sklearn.linear_model", "", ""),
        ("celer", "celer", "", ""),
    )
    header = ("| first call, fresh process | wall (import + 2 fits) | import Lasso | first fit | "
              "second fit | 100 refits | 200 more refits | sklearn imported by the fits |\n"
              "|---|---|---|---|---|---|---|---|")
    runs = {label: [] for label, *_ in configs}
    for round_ in range(rounds):
        print(f"\n{header}")
        shift = round_ % len(configs)
        for label, module, setup, options in configs[shift:] + configs[:shift]:
            # the measure: the whole process of an import and a fit (here two), from
            # start to exit; the refits run in a second process, timed inside it
            code = LATENCY_SCRIPT.format(module=module, setup=setup, options=options,
                                         refit=False)
            start = time.perf_counter()
            output = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout
            wall = time.perf_counter() - start
            *times, sklearn_loaded = output.split()
            imported, first, second = (float(v) for v in times[:3])
            code = LATENCY_SCRIPT.format(module=module, setup=setup, options=options,
                                         refit=True)
            output = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout
            refits, more_refits = (float(v) for v in output.split()[3:5])
            runs[label].append((wall, imported, first, second, refits, more_refits))
            print(f"| {label} | {wall:.2f} s | {imported:.2f} s | {first * 1e3:.1f} ms | "
                  f"{second * 1e3:.1f} ms | {refits:.3f} s | {more_refits:.3f} s | "
                  f"{sklearn_loaded} |", flush=True)
    if rounds > 1:
        print(f"\nmedians of {rounds} rounds\n{header}")
        for label, values in runs.items():
            wall, imported, first, second, refits, more_refits = np.median(
                np.array(values), axis=0
            )
            print(f"| {label} | {wall:.2f} s | {imported:.2f} s | {first * 1e3:.1f} ms | "
                  f"{second * 1e3:.1f} ms | {refits:.3f} s | {more_refits:.3f} s | |")


# ----------------------------------------------------------------------------- path


def path_runs(A, y, n_lams=100, eps=1e-2, tol=1e-8, cap=60.0):
    """{solver: (seconds, worst relative gap over the path)} for a warm-started path."""
    from celer import celer_path
    from glum import GeneralizedLinearRegressor
    from skglm import Lasso as SkglmLasso
    from sklearn.linear_model import lasso_path as sklearn_lasso_path

    n = A.shape[0]
    lam_max = float(np.max(np.abs(A.T @ y)))
    lams = lam_max * np.geomspace(1.0, eps, n_lams)
    alphas = lams / n

    def ours():
        return lasso_path(A, y, lams, tol=tol, max_iter=200_000)[1]

    def sklearn():
        return sklearn_lasso_path(A, y, alphas=alphas, tol=tol, max_iter=100_000)[1]

    def celer():
        return celer_path(A, y, "lasso", alphas=alphas, tol=tol, max_iter=100)[1]

    def skglm():
        model = SkglmLasso(alpha=alphas[0], fit_intercept=False, tol=tol, max_iter=100,
                           warm_start=True)
        coefs = np.empty((A.shape[1], n_lams))
        for i, alpha in enumerate(alphas):
            model.alpha = alpha
            coefs[:, i] = model.fit(A, y).coef_
        return coefs

    def glum():
        # glum minimizes 1/(2 n) ||y - X w||^2 + alpha ||w||_1 for family="normal" (checked by
        # the shared gap below); alpha must be a list for its path search
        model = GeneralizedLinearRegressor(family="normal", l1_ratio=1.0, alpha=list(alphas),
                                           alpha_search=True, fit_intercept=False,
                                           gradient_tol=tol)
        return np.asarray(model.fit(A, y).coef_path_).T

    threadpool_limits(1)  # again: glum's import loads an OpenMP runtime
    # glum keeps a dense p x p Hessian (and copies of its active blocks): at p = 20,000 it
    # passed 8 GB resident on (d) and was killed for lack of memory
    hessian_bytes = 8 * A.shape[1] ** 2
    results = {}
    for name, run in (("sparserecover lasso_path (auto: cd)", ours),
                      ("scikit-learn lasso_path", sklearn), ("celer celer_path", celer),
                      ("skglm Lasso, warm-started", skglm),
                      ("glum GeneralizedLinearRegressor, alpha path", glum)):
        cpu = time.process_time()
        if run is glum and hessian_bytes > 2**31:
            print(f"| {name} | skipped: its dense p x p Hessian alone is "
                  f"{hessian_bytes / 2**30:.1f} GiB | | |", flush=True)
            continue
        start = time.perf_counter()
        coefs = run()
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        worst = max(relative_gap(A, y, coefs[:, i], lam) for i, lam in enumerate(lams))
        results[name] = (seconds, worst)
        print(f"| {name} | {seconds * 1e3:.0f} ms | {cpu * 1e3:.0f} ms | {worst:.1e} |",
              flush=True)
        if seconds > cap:
            print(f"(over the {cap:.0f} s cap)", flush=True)
    return results


def warm_up(solvers):
    """Compile / import every solver on a small problem first (JIT time is not measured)."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((60, 300))
    y = A[:, :3] @ np.ones(3)
    lam = 0.1 * np.max(np.abs(A.T @ y))
    for name, run in solvers.items():
        run(A, y, lam, 1.0, 1)
        if "cvxpy" not in name:
            run(scipy.sparse.csr_matrix(A), y, lam, 1.0, 1)
            run(scipy.sparse.csc_matrix(A), y, lam, 1.0, 1)
        if "sparserecover" in name:
            run(A.astype(np.float32), y.astype(np.float32), lam, 1.0, 1)


# ----------------------------------------------------------------------------- per iteration


def scipy_blas_products(A, x, r):
    """A @ x and A.T @ r through scipy's BLAS gemv (no copy for C- or Fortran-ordered A)."""
    gemv = scipy.linalg.blas.get_blas_funcs("gemv", dtype=A.dtype)
    if A.flags.f_contiguous:
        return lambda: (gemv(1.0, A, x), gemv(1.0, A, r, trans=1))
    F = A.T  # Fortran-ordered view of a C-ordered A
    return lambda: (gemv(1.0, F, x, trans=1), gemv(1.0, F, r))


def products(sizes, repeat=7):
    """The adjoint ``A.T @ R`` of the duality gap, for 1-8 columns of R: numpy's, Numba's
    ``np.dot`` (scipy's BLAS: gemv for one column, gemm for more; what the solvers called
    before) and the solvers' own (``_products._same_precision_rmatmat`` for a C-ordered A,
    ``_same_precision_matmat`` on ``A.T`` for a Fortran-ordered one), min of ``repeat``."""
    from numba import njit

    from sparserecover.solvers._products import (
        _same_precision_matmat,
        _same_precision_rmatmat,
    )

    @njit
    def numba_dot(M, R, out):  # out = M @ R
        if R.shape[1] == 1:
            np.dot(M, R.reshape(R.shape[0]), out.reshape(out.shape[0]))
        else:
            np.dot(M, R, out)

    def best(func, *args):
        func(*args)  # compiles numba_dot
        return timed(lambda: func(*args), repeat)[0]

    threadpool_limits(1)
    print(f"\nA.T @ R, min of {repeat}; load average {os.getloadavg()[0]:.2f}\n"
          "| A | columns of R | numpy | Numba's np.dot (scipy's BLAS) | sparserecover | "
          "sparserecover / np.dot |\n|---|---|---|---|---|---|")
    for size in sizes:
        n = int(size)
        A = np.random.default_rng(0).standard_normal((n, 10 * n))
        for order in ("C", "F"):
            A = np.asarray(A, order=order)
            for m in (1, 2, 4, 8):
                R = np.random.default_rng(1).standard_normal((n, m))
                out = np.empty((10 * n, m))
                numpy_time = best(lambda A=A, R=R: A.T @ R)
                dot_time = best(numba_dot, A.T, R, out)
                if order == "C":
                    ours = best(_same_precision_rmatmat, A, R, out)
                else:
                    ours = best(_same_precision_matmat, A.T, R, out)
                print(f"| {n} x {10 * n}, {order}-ordered | {m} | {numpy_time * 1e3:.2f} ms | "
                      f"{dot_time * 1e3:.2f} ms | {ours * 1e3:.2f} ms | {ours / dot_time:.2f} |",
                      flush=True)
        del A
    pools = ", ".join(f"{info['internal_api']} ({info['user_api']}) {info['num_threads']}"
                      for info in threadpool_info())
    print(f"threads per library: {pools}; load average {os.getloadavg()[0]:.2f}")


def per_iteration(A, y, lam, repeats=7):
    """FISTA's time per iteration, the floor through numpy (or scipy.sparse) and, for dense
    A, the floor through scipy's BLAS (NaN for sparse A)."""
    n, p = A.shape
    x, r = np.ones(p, dtype=A.dtype), np.ones(n, dtype=A.dtype)
    scipy_floor_products = None if scipy.sparse.issparse(A) else scipy_blas_products(A, x, r)
    options = dict(tol=0.0, gram=False, gap_freq=1_000_000)
    fista(A, y, lam, max_iter=2, **options)
    start = time.perf_counter()
    A @ x
    A.T @ r
    # enough iterations for ~50 ms of work, so that the per-call overhead drops out
    n_iter = int(min(max(100, 0.05 / max(time.perf_counter() - start, 1e-7)), 20_000))
    many, one, floor, scipy_floor = np.inf, np.inf, np.inf, np.inf
    for _ in range(repeats):  # interleaved, min of each: robust to a busy machine
        start = time.perf_counter()
        fista(A, y, lam, max_iter=n_iter + 1, **options)
        many = min(many, time.perf_counter() - start)
        start = time.perf_counter()
        fista(A, y, lam, max_iter=1, **options)
        one = min(one, time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(n_iter):
            A @ x
            A.T @ r
        floor = min(floor, (time.perf_counter() - start) / n_iter)
        if scipy_floor_products is not None:
            start = time.perf_counter()
            for _ in range(n_iter):
                scipy_floor_products()
            scipy_floor = min(scipy_floor, (time.perf_counter() - start) / n_iter)
    return (many - one) / n_iter, floor, scipy_floor if scipy_floor_products else np.nan


# ----------------------------------------------------------------------------- scaling

SCALING_SIZES = ("200", "400", "800", "1600", "tall", "sparse")
SCALING_DIVISORS = (10, 20, 100)
FLOAT32_SIZES = ("1600", "tall")  # the two largest dense problems
FLOAT32_TARGETS = (1e-5, 1e-6)


def make_scaling_problem(size, rng):
    """Dense ``n x 10 n`` (``size`` = n), the tall dense 100,000 x 500 ("tall") or the sparse
    CSC 10,000 x 100,000 of density 1e-3 ("sparse"); AR(1) correlation 0.5 between
    neighbouring columns, 1 % nonzeros, SNR 3. Design and response are rounded to float32,
    so that their float32 copies pose exactly the same problem."""
    if size == "tall":
        A = correlated_design(rng, 100_000, 500, rho=0.5)
        label = "dense 100000 x 500"
    elif size == "sparse":
        A = scipy.sparse.random(10_000, 100_000, density=1e-3, format="csc", random_state=rng,
                                data_rvs=rng.standard_normal)
        A.data = A.data.astype(np.float32).astype(np.float64)
        label = "sparse CSC 10000 x 100000, density 1e-3"
    else:
        n = int(size)
        A = correlated_design(rng, n, 10 * n, rho=0.5)
        label = f"dense {n} x {10 * n}"
    if not scipy.sparse.issparse(A):
        A = A.astype(np.float32).astype(np.float64)
    y = response(rng, A, density=0.01).astype(np.float32).astype(np.float64)
    return label, A, y


def pass_time(A, repeats=7):
    """One full pass over the data: min time of ``A.T @ v`` over ``repeats`` calls."""
    v = np.ones(A.shape[0], dtype=A.dtype)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        A.T @ v
        best = min(best, time.perf_counter() - start)
    return best


def _status_bytes(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return 1024 * int(line.split()[1])
    return None


def _reset_peak():
    """Reset the process's peak resident size (Linux >= 4.0); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return _status_bytes("VmHWM:") is not None
    except OSError:
        return False


def _fix_mmap_threshold():
    """Serve every allocation above 128 KiB by a fresh mmap (glibc's threshold otherwise grows
    to 32 MiB, and a block freed by an earlier fit could be reused without raising the peak)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def measured(func):
    """(seconds, func(), extra peak resident bytes during the call: VmHWM - VmRSS before,
    CPU seconds of the process)."""
    reset = _reset_peak()
    before = _status_bytes("VmRSS:") if reset else None
    cpu = time.process_time()
    start = time.perf_counter()
    out = func()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    extra = _status_bytes("VmHWM:") - before if reset else np.nan
    return seconds, out, extra, cpu


def scaling_sweep(run, A, y, lam, cap, repeat, targets=(1e-8,), tols=TOLS):
    """({target: (seconds, n_iter, tol, extra bytes, CPU seconds)}, smallest gap reached)
    from runs with decreasing tolerances; each tolerance timed best of ``repeat`` (wall time;
    one run above 0.5 s)."""
    found, best_gap = {}, np.inf
    for tol in tols:
        best = (np.inf, -1, np.nan, np.nan)
        for _ in range(repeat):
            seconds, (x, n_iter, capped), extra, cpu = measured(lambda tol=tol: run(tol))
            if seconds < best[0]:
                best = (seconds, n_iter, extra, cpu)
            if seconds > 0.5:
                break
        gap = relative_gap(A, y, x, lam)
        best_gap = min(best_gap, gap)
        for target in targets:
            if target not in found and gap <= target:
                found[target] = (best[0], best[1], tol, best[2], best[3])
        if len(found) == len(targets) or best[0] > cap or capped:
            break
    return found, best_gap


def scaling_estimator(estimator_class, capped_epochs=False):
    """A run(tol) for a scikit-learn-style Lasso; with ``capped_epochs`` (scikit-learn, whose
    ``max_iter`` counts passes) ``max_iter`` is cut to what fits in ``cap`` seconds, from the
    time of 3 passes, so that one run cannot take minutes."""

    def make(A, y, lam, cap):
        alpha = lam / A.shape[0]
        max_iter = float32_max_iter(A, 100_000)
        if capped_epochs:
            seconds = []
            for n_passes in (3, 13):
                start = time.perf_counter()
                estimator_class(alpha=alpha, fit_intercept=False, tol=0.0,
                                max_iter=n_passes).fit(A, y)
                seconds.append(time.perf_counter() - start)
            max_iter = int(min(max_iter, max(13, cap * 10 / max(seconds[1] - seconds[0],
                                                               1e-9))))

        def run(tol):
            model = estimator_class(alpha=alpha, fit_intercept=False, tol=tol, max_iter=max_iter)
            model.fit(A, y)
            n_iter = int(np.max(getattr(model, "n_iter_", -1)))
            return model.coef_, n_iter, capped_epochs and n_iter >= max_iter

        return run

    return make


def float32_max_iter(A, max_iter):
    # float32 iterates stall near a relative gap of 1e-6: a tighter tol runs to max_iter
    return 10_000 if A.dtype == np.float32 else max_iter


def scaling_cd(A, y, lam, cap):
    def run(tol):
        result = coordinate_descent(A, y, lam, tol=tol, max_iter=float32_max_iter(A, 200_000))
        return result.x, result.n_iter, False

    return run


def scaling_solvers():
    from celer import Lasso as CelerLasso
    from skglm import Lasso as SkglmLasso
    from sklearn.linear_model import Lasso as SklearnLasso

    from sparserecover import Lasso

    peers_ = {"scikit-learn": scaling_estimator(SklearnLasso, capped_epochs=True),
              "skglm": scaling_estimator(SkglmLasso),
              "celer": scaling_estimator(CelerLasso)}
    # coordinate_descent stops on exactly the relative gap: one run per target
    ours_ = {"sr.Lasso": (scaling_estimator(Lasso), TOLS),
             "sr.coordinate_descent": (scaling_cd, None)}
    return peers_, ours_


def _megabytes(extra):
    return "n/a" if np.isnan(extra) else f"{max(extra, 0) / 2**20:.1f} MB"


def _seconds(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def scaling(sizes, cap, repeat, divisors=SCALING_DIVISORS, float32=True, float32_only=False):
    """The scaling tables: per problem and lam, each solver's time to a relative gap of 1e-8,
    as passes over the data, the extra peak memory, ours / best peer; then float32 (only
    float32 against float64, without the peers, with ``float32_only``)."""
    peers_, ours_ = scaling_solvers()
    _fix_mmap_threshold()
    threadpool_limits(1)  # again: the peers' imports may have loaded an OpenMP runtime
    rng = np.random.default_rng(1)
    small = (rng.standard_normal((60, 300)),
             scipy.sparse.random(60, 300, density=0.1, format="csc", random_state=rng))
    for A in small:  # compile and import everything first (JIT time is not measured)
        y = A[:, :3] @ np.ones(3)
        lam = 0.1 * np.max(np.abs(A.T @ y))
        for make in list(peers_.values()) + [make for make, _ in ours_.values()]:
            make(A, y, lam, 1.0)(1e-6)
        for make, _ in ours_.values():
            make(A.astype(np.float32), y.astype(np.float32), lam, 1.0)(1e-6)

    summary, memory, float32_rows = [], {}, []
    for size in sizes:
        label, A, y = make_scaling_problem(size, np.random.default_rng(0))
        one_pass = pass_time(A)
        data_bytes = (A.data.nbytes + A.indices.nbytes + A.indptr.nbytes
                      if scipy.sparse.issparse(A) else A.nbytes)
        lam_max = float(np.max(np.abs(A.T @ y)))
        print(f"\n{label}: X {data_bytes / 2**20:.0f} MB, one pass X.T @ v "
              f"{one_pass * 1e3:.2f} ms (min of 7); load average {os.getloadavg()[0]:.2f}",
              flush=True)
        for divisor in divisors:
            lam = lam_max / divisor
            if float32_only:
                if size in FLOAT32_SIZES:
                    float32_rows += scaling_float32(label, divisor, A, y, lam, cap, repeat,
                                                    ours_)
                continue
            print(f"\n| {label}, lam_max/{divisor} | time to gap 1e-8 | passes | CPU time | "
                  "iterations | tol | extra peak memory | ours / best peer |\n"
                  "|---|---|---|---|---|---|---|---|", flush=True)
            rows = {}
            for name, make in peers_.items():
                rows[name] = scaling_sweep(make(A, y, lam, cap), A, y, lam, cap, repeat)
            for name, (make, tols) in ours_.items():
                run = make(A, y, lam, cap)
                rows[name] = scaling_sweep(run, A, y, lam, cap, repeat,
                                           tols=tols or (1e-8,))
            best_peer = min((rows[name][0][1e-8][0] for name in peers_
                             if 1e-8 in rows[name][0]), default=np.nan)
            cells = {}
            for name, (found, best_gap) in rows.items():
                if 1e-8 in found:
                    seconds, n_iter, tol, extra, cpu = found[1e-8]
                    ratio = "" if name in peers_ else f"{seconds / best_peer:.2f}"
                    cells[name] = f"{_seconds(seconds)} ({seconds / one_pass:.0f})"
                    print(f"| {name} | {_seconds(seconds)} | {seconds / one_pass:.0f} | "
                          f"{_seconds(cpu)} | {n_iter} | {tol:g} | {_megabytes(extra)} | "
                          f"{ratio} |", flush=True)
                    memory.setdefault((label, name), []).append(extra)
                else:
                    cells[name] = f"- (gap {best_gap:.0e})"
                    print(f"| {name} | - (best gap {best_gap:.1e}, cap {cap:g} s) | - | - | - "
                          "| - | - | - |", flush=True)
            best_peer_cpu = min((rows[name][0][1e-8][4] for name in peers_
                                 if 1e-8 in rows[name][0]), default=np.nan)
            ratios = [rows[name][0][1e-8][0] / best_peer if 1e-8 in rows[name][0] else np.nan
                      for name in ours_]
            ratios += [rows[name][0][1e-8][4] / best_peer_cpu if 1e-8 in rows[name][0]
                       else np.nan for name in ours_]
            summary.append((f"{label}, lam_max/{divisor}", one_pass, cells, ratios))
            if float32 and size in FLOAT32_SIZES:
                float32_rows += scaling_float32(label, divisor, A, y, lam, cap, repeat, ours_)
        print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
        del A

    pools = ", ".join(f"{info['internal_api']} ({info['user_api']}) {info['num_threads']}"
                      for info in threadpool_info())
    print(f"\nthreads per library: {pools}")

    names = list(peers_) + list(ours_)
    if not summary:
        _print_float32(float32_rows)
        return
    print(f"\nscaling summary: time to relative gap 1e-8 (passes X.T @ v); BLAS threads "
          f"{sorted({info['num_threads'] for info in threadpool_info()})}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| problem | one pass | " + " | ".join(names)
          + " | ours / best peer (Lasso, cd) | the same in CPU time |")
    print("|---" * (len(names) + 4) + "|")
    for row_label, one_pass, cells, ratios in summary:
        ratio_cells = [", ".join("-" if np.isnan(r) else f"{r:.2f}" for r in part)
                       for part in (ratios[:2], ratios[2:])]
        print(f"| {row_label} | {one_pass * 1e3:.2f} ms | "
              + " | ".join(cells.get(name, "-") for name in names)
              + f" | {ratio_cells[0]} | {ratio_cells[1]} |")
    print("\nextra peak resident memory per fit (largest over the lams; VmHWM - VmRSS)")
    labels = list(dict.fromkeys(label for label, _ in memory))
    print("| problem | " + " | ".join(names) + " |\n" + "|---" * (len(names) + 1) + "|")
    for label in labels:
        print(f"| {label} | " + " | ".join(
            _megabytes(max(memory[label, name])) if (label, name) in memory else "-"
            for name in names) + " |")
    _print_float32(float32_rows)


def _worst_gap(A, Y, X, lam):
    return max(relative_gap(A, Y[:, k], X[:, k], lam) for k in range(Y.shape[1]))


def _targets_row(label, A, Y, lam, one_pass, repeat):
    """One row of :func:`scaling_targets`."""
    from sklearn.linear_model import Lasso as SklearnLasso

    from sparserecover import Lasso

    n_targets = Y.shape[1]
    cd, result = timed(lambda: coordinate_descent(A, Y, lam, tol=1e-8), repeat)
    assert _worst_gap(A, Y, result.x, lam) <= 1e-8
    times = {}
    for name, estimator in (("scikit-learn", SklearnLasso), ("sr.Lasso", Lasso)):
        for tol in TOLS:
            model = estimator(alpha=lam / A.shape[0], fit_intercept=False, tol=tol,
                              max_iter=100_000)
            seconds, model = timed(lambda model=model: model.fit(A, Y), repeat)
            if _worst_gap(A, Y, model.coef_.T, lam) <= 1e-8:
                times[name] = seconds
                break

    def cell(seconds):
        return f"{_seconds(seconds)} ({seconds / one_pass / n_targets:.1f})"

    sk = times.get("scikit-learn", np.nan)
    print(f"| {label} | {one_pass * 1e3:.2f} ms | "
          + " | ".join(cell(times[name]) if name in times else "-"
                       for name in ("scikit-learn", "sr.Lasso"))
          + f" | {cell(cd)} | {times.get('sr.Lasso', np.nan) / sk:.2f}, {cd / sk:.2f} |",
          flush=True)


def scaling_targets(sizes, n_targets, divisors, repeat):
    """Several right-hand sides: ``n_targets`` responses on each scaling problem (the scaling
    response and ``n_targets - 1`` more of its kind), every column to a relative gap of 1e-8:
    scikit-learn's ``Lasso`` and ``sr.Lasso`` on the 2-D y (the loosest tol whose every column
    reaches the gap) and ``coordinate_descent`` on it (tol=1e-8)."""
    from sparserecover import Lasso

    threadpool_limits(1)
    rng = np.random.default_rng(1)
    A = rng.standard_normal((60, 300))
    Y = A[:, :3] @ rng.standard_normal((3, 2))
    coordinate_descent(A, Y, 1.0, tol=1e-6)  # compile first (JIT time is not measured)
    Lasso(alpha=0.01, fit_intercept=False).fit(A, Y)
    print(f"\n{n_targets} right-hand sides, time to relative gap 1e-8 on every column "
          f"(passes = time / one X.T @ v, per column); load average {os.getloadavg()[0]:.2f}")
    print("| problem | one pass | scikit-learn | sr.Lasso | sr.coordinate_descent | "
          "ours / scikit-learn (Lasso, cd) |\n|---|---|---|---|---|---|", flush=True)
    for size in sizes:
        label, A, y = make_scaling_problem(size, np.random.default_rng(0))
        response_rng = np.random.default_rng(2)
        Y = np.column_stack([y] + [response(response_rng, A, density=0.01).astype(np.float32)
                                   .astype(np.float64) for _ in range(n_targets - 1)])
        one_pass = pass_time(A)
        lam_max = float(np.max(np.abs(A.T @ y)))
        for divisor in divisors:
            _targets_row(f"{label}, lam_max/{divisor}", A, Y, lam_max / divisor, one_pass,
                         repeat)
        del A, Y
    pools = ", ".join(f"{info['internal_api']} ({info['user_api']}) {info['num_threads']}"
                      for info in threadpool_info())
    print(f"threads per library: {pools}; load average {os.getloadavg()[0]:.2f}")


def _print_float32(float32_rows):
    if float32_rows:
        print("\nfloat32 against float64 (the same problem: data rounded to float32)")
        print("| problem | solver | float64: 1e-5 | 1e-6 | float32: 1e-5 | 1e-6 | "
              "float32 / float64 (1e-5, 1e-6) | smallest gap float32 reached |\n"
              "|---|---|---|---|---|---|---|---|")
        for row in float32_rows:
            print(row)


def scaling_float32(label, divisor, A, y, lam, cap, repeat, ours_):
    """Rows for float32 against float64: time to gaps 1e-5 and 1e-6 and the smallest gap that
    float32 reaches (the gap evaluated in float64 on the float32 solution)."""
    A32, y32 = A.astype(np.float32), y.astype(np.float32)
    rows = []
    for name, (make, tols) in ours_.items():
        targets = FLOAT32_TARGETS
        found64, _ = scaling_sweep(make(A, y, lam, cap), A, y, lam, cap, repeat,
                                   targets=targets, tols=tols or targets)
        # one tighter tol than the targets, for the smallest gap float32 reaches
        found32, gap32 = scaling_sweep(make(A32, y32, lam, cap), A, y, lam, cap, repeat,
                                       targets=targets,
                                       tols=tols[:9] if tols else (*targets, 1e-7))
        cells, ratios = [], []
        for found in (found64, found32):
            cells += [_seconds(found[t][0]) if t in found else "-" for t in targets]
        for t in targets:
            ratios.append(f"{found32[t][0] / found64[t][0]:.2f}"
                          if t in found32 and t in found64 else "-")
        row = (f"| {label}, lam_max/{divisor} | {name} | " + " | ".join(cells)
               + f" | {', '.join(ratios)} | {gap32:.1e} |")
        print(row, flush=True)
        rows.append(row)
    del A32
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", nargs="+", default=["a", "b", "c", "d"])
    parser.add_argument("--cap", type=float, default=20.0, help="seconds per run before a "
                        "cell stops trying tighter tolerances")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--per-iteration-only", action="store_true",
                        help="only the time-per-iteration table")
    parser.add_argument("--skip-per-iteration", action="store_true")
    parser.add_argument("--peers", nargs="+",
                        default=["scikit-learn", "skglm", "celer", "pyproximal", "cvxpy"])
    parser.add_argument("--path", action="store_true", help="also the path benchmark")
    parser.add_argument("--path-only", action="store_true")
    parser.add_argument("--path-tol", type=float, default=1e-8)
    parser.add_argument("--scaling", action="store_true",
                        help="only the scaling tables (with --path: and the path tables)")
    parser.add_argument("--scaling-sizes", nargs="+", default=list(SCALING_SIZES),
                        choices=SCALING_SIZES)
    parser.add_argument("--scaling-lams", nargs="+", type=int, default=list(SCALING_DIVISORS),
                        help="the divisors d of lam = lam_max / d")
    parser.add_argument("--skip-float32", action="store_true",
                        help="no float32 rows in the scaling tables")
    parser.add_argument("--float32-only", action="store_true",
                        help="only the float32 against float64 rows of the scaling tables")
    parser.add_argument("--products", action="store_true",
                        help="only the table of the gap's product A.T @ R for 1-8 columns")
    parser.add_argument("--targets", type=int, metavar="N",
                        help="only the table of N right-hand sides (2-D y) on the scaling "
                        "problems")
    parser.add_argument("--latency", action="store_true",
                        help="only the first-call latency table")
    parser.add_argument("--latency-rounds", type=int, default=1,
                        help="repeat the latency table, rotating the order; print medians")
    args = parser.parse_args()
    if args.latency:
        print(f"load average: {os.getloadavg()[0]:.2f}")
        latency(args.latency_rounds)
        print(f"load average: {os.getloadavg()[0]:.2f}")
        return

    threadpool_limits(1)
    threads = sorted({info["num_threads"] for info in threadpool_info()})
    print(f"BLAS threads: {threads}")
    warnings.simplefilter("ignore")
    print(f"load average: {os.getloadavg()[0]:.2f}", flush=True)
    if args.products:
        products([size for size in args.scaling_sizes if size.isdigit()])
        return
    if args.targets:
        scaling_targets(args.scaling_sizes, args.targets, args.scaling_lams, args.repeat)
        return
    if args.scaling:
        scaling(args.scaling_sizes, args.cap, args.repeat, args.scaling_lams,
                not args.skip_float32, args.float32_only)
        if not args.path:
            return
        args.path_only = True
    ours = {"sparserecover fista": sparserecover_runs,
            "sparserecover coordinate_descent": sparserecover_cd_runs}
    solvers = dict(ours)
    if not (args.skip_peers or args.per_iteration_only or args.path_only):
        solvers.update(peers(args.peers))
    warm_up(solvers)

    if args.path or args.path_only:
        for name in ("a", "d"):
            label, A, y = make_problem(name, np.random.default_rng(0))
            lasso_path(A[:40, :120], y[:40], n_lams=3)  # compile the path's strategy
            print(f"\n| path {label}, 100 lams to lam_max/100, tol {args.path_tol:g} | time | "
                  "CPU time | worst relative gap |\n|---|---|---|---|", flush=True)
            path_runs(A, y, tol=args.path_tol)
        if args.path_only:
            return

    rng = np.random.default_rng(0)
    iteration_rows = []
    for name in args.problems:
        label, A, y = make_problem(name, rng)
        lam_max = float(np.max(np.abs(A.T @ y)))
        for dtype in () if args.skip_per_iteration else (np.float64, np.float32):
            A_t, y_t = A.astype(dtype), y.astype(dtype)
            iteration, floor, scipy_floor = per_iteration(A_t, y_t, lam_max / 10)
            iteration_rows.append((label, np.dtype(dtype).name, iteration, floor, scipy_floor))
            print(f"per iteration {label} {np.dtype(dtype).name}: {iteration * 1e3:.3f} ms, "
                  f"floor {floor * 1e3:.3f} ms (scipy's BLAS {scipy_floor * 1e3:.3f} ms), "
                  f"ratio {iteration / floor:.2f}", flush=True)
        for divisor in () if args.per_iteration_only else (10, 100):
            lam = lam_max / divisor
            print(f"\n| {label}, lam_max/{divisor} | time to gap 1e-4 | iterations | "
                  "time to gap 1e-8 | iterations | 1e-8 time / best peer's |\n"
                  "|---|---|---|---|---|---|", flush=True)
            rows = {}
            for solver, run in solvers.items():
                if solver.startswith("cvxpy") and name != "c":
                    continue
                rows[solver] = run(A, y, lam, args.cap, args.repeat)
            peer_times = [found[1e-8][0] for solver, found in rows.items()
                          if solver not in ours and 1e-8 in found]
            best_peer = min(peer_times, default=np.nan)
            for solver, found in rows.items():
                cells = []
                for target in TARGETS:
                    if target in found:
                        seconds, n_iter = found[target]
                        cells += [f"{seconds * 1e3:.1f} ms", str(n_iter)]
                    else:
                        cells += ["-", "-"]
                ratio = found[1e-8][0] / best_peer if 1e-8 in found else np.nan
                cells.append("-" if np.isnan(ratio) else f"{ratio:.2f}")
                print(f"| {solver} | " + " | ".join(cells) + " |", flush=True)
            # float32 iterates stall near a relative gap of 1e-6: only the 1e-4 target
            f32 = sparserecover_runs(A.astype(np.float32), y.astype(np.float32), lam,
                                     args.cap, args.repeat, targets=(1e-4,))
            cell = f"{f32[1e-4][0] * 1e3:.1f} ms | {f32[1e-4][1]}" if f32 else "- | -"
            print(f"| sparserecover fista, float32 data | {cell} | n/a | n/a | |", flush=True)

    if not iteration_rows:
        return
    pools = ", ".join(f"{info['internal_api']} ({info['user_api']}) {info['num_threads']}"
                      for info in threadpool_info())
    print(f"\nthreads per library: {pools}; load average {os.getloadavg()[0]:.2f} (1 min)")
    print("| problem | dtype | FISTA per iteration | floor (A@x + A.T@r), numpy | ratio | "
          "floor with scipy's BLAS |")
    print("|---|---|---|---|---|---|")
    for label, dtype, iteration, floor, scipy_floor in iteration_rows:
        scipy_cell = ("n/a (scipy.sparse)" if np.isnan(scipy_floor)
                      else f"{scipy_floor * 1e3:.3f} ms")
        print(f"| {label} | {dtype} | {iteration * 1e3:.3f} ms | {floor * 1e3:.3f} ms | "
              f"{iteration / floor:.2f} | {scipy_cell} |")


if __name__ == "__main__":
    main()
