"""Beyond one machine: tall regressions and larger-than-memory denoising on dask.

Part ``tall``: a tall problem ``X`` of ``--n-samples`` x ``--n-features`` float64 in chunks of
``--chunk`` rows (defaults: 2,000,000 x 200 in 100,000-row chunks, 3.2 GB), generated and
held in memory by a ``dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1)``:
correlated Gaussian features (each the sum of its own and a shared factor), 10 nonzero
coefficients, an intercept, Gaussian noise. Fitted at the same regularization by

- sparserecover's ``Lasso`` and ``LassoCV(cv=5)`` on the dask arrays (one pass builds the Gram
  matrix; the data passes are counted from the cluster's task stream: tasks that read chunks
  of ``X``),
- dask-ml's ``LinearRegression(penalty="l1")`` with its default solver (ADMM) and with
  ``solver="proximal_grad"`` (dask-glm), at ``C = 1 / (2 n alpha)``: dask-glm minimizes
  ``||y - X b||^2 + (1 / C) ||b||_1`` (its intercept is a column of ones, penalized too),
  which is ``2 n`` times the scikit-learn objective at ``alpha``,
- scikit-learn's ``Lasso`` and ``LassoCV(cv=5)`` on the array gathered into this process.

The objective ``1 / (2 n) ||y - X w - b||^2 + alpha ||w||_1`` of every solution is evaluated
by the same dask expression. ``alpha`` is 0.05 times ``alpha_max``.

Part ``denoise``: a ``.npy`` file of ``--denoise-gb`` GB of float64 signals of 4096 samples,
denoised by the command line (``sparserecover denoise big.npy -o out.npy``, batches), again
under an address-space limit (``RLIMIT_AS``, ``--limit-gb``) below the file's size, then the
same data as a Zarr store (``big.zarr -> out.zarr`` through dask's threads, and through the
cluster with ``--scheduler``). Each run is a subprocess; its peak resident memory is its
``VmHWM`` (the cluster's workers are not counted in the ``--scheduler`` run: they hold a few
chunks each). The whole file in memory (``np.load`` then ``denoise``) is the reference, run
only when it fits (``--denoise-gb`` at most 2).

BLAS: one thread everywhere (the workers' and this process's), so the two workers use the two
cores. Run: ``python benchmarks/bench_dask.py`` (needs the ``dask`` and ``bench`` extras);
``--part tall|denoise``; smaller scales with ``--n-samples``, ``--chunk``, ``--denoise-gb``.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

N_SAMPLES_PER_SIGNAL = 4096


def _tall_data(n_samples, n_features, chunk, seed=0):
    import dask.array as da

    rng = np.random.default_rng(seed)
    w = np.zeros(n_features)
    support = rng.choice(n_features, 10, replace=False)
    w[support] = rng.uniform(1, 3, 10) * rng.choice([-1, 1], 10)
    state = da.random.RandomState(seed)
    shared = state.standard_normal((n_samples, 1), chunks=(chunk, 1))
    X = state.standard_normal((n_samples, n_features), chunks=(chunk, n_features)) + shared
    y = X @ w + 2.0 + 2.0 * state.standard_normal(n_samples, chunks=chunk)
    return X, y


def _objective(X, y, coef, intercept, alpha):
    import dask

    residual = y - X @ np.asarray(coef, dtype=np.float64) - intercept
    (squares,) = dask.compute((residual**2).sum())
    return float(squares) / (2 * X.shape[0]) + alpha * float(np.abs(coef).sum())


def _cpu_seconds():
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def part_tall(args):
    import dask
    from dask_ml.linear_model import LinearRegression
    from distributed import Client, LocalCluster, get_task_stream
    from sklearn import linear_model as sk

    from sparserecover import Lasso, LassoCV

    n, p = args.n_samples, args.n_features
    print(f"tall: {n} x {p} float64 ({n * p * 8 / 1e9:.2f} GB) in {args.chunk}-row chunks, "
          "LocalCluster(n_workers=2, threads_per_worker=1), BLAS 1 thread")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=":0", silence_logs=logging.ERROR) as cluster,
        Client(cluster) as client,
    ):
        X, y = _tall_data(n, p, args.chunk)
        X, y = dask.persist(X, y)  # generated once, held by the workers
        client.wait_for_workers(2)
        from distributed import wait

        wait([X, y])
        y_mean = float(y.mean().compute())
        correlation = ((X - X.mean(axis=0)).T @ (y - y_mean)).compute()
        alpha_max = float(np.abs(correlation).max()) / n
        alpha = 0.05 * alpha_max
        print(f"alpha = 0.05 alpha_max = {alpha:.5g}")
        rows = []

        def cpu():
            """CPU seconds of this process and of the workers so far."""
            return _cpu_seconds() + sum(client.run(_cpu_seconds).values())

        def record(name, seconds, cpu_seconds, coef, intercept, note=""):
            objective = _objective(X, y, coef, intercept, alpha)
            rows.append((name, seconds, cpu_seconds, objective, int(np.sum(coef != 0)), note))
            print(f"  {name:<44} {seconds:8.2f} s  CPU {cpu_seconds:8.2f} s  objective "
                  f"{objective:.10g}  nonzeros {int(np.sum(coef != 0)):3d}  {note}", flush=True)

        def passes(estimator):
            """Passes over X of a fit on the same data not held in memory: the tasks that
            generate its chunks, per chunk."""
            # (another seed: the same keys as the data held by the workers would be reused)
            X_lazy, y_lazy = _tall_data(n, p, args.chunk, seed=1)
            with get_task_stream() as stream:
                estimator.fit(X_lazy, y_lazy)
            reads = sum(1 for task in stream.data if X_lazy.name in str(task["key"]))
            return reads / X_lazy.numblocks[0]

        if not args.skip_dask:
            start, start_cpu = time.perf_counter(), cpu()
            model = Lasso(alpha=alpha).fit(X, y)
            seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
            record("sparserecover Lasso (dask)", seconds, cpu_seconds, model.coef_,
                   model.intercept_,
                   f"{passes(Lasso(alpha=alpha)):.0f} pass(es) over X")
            start, start_cpu = time.perf_counter(), cpu()
            cv = LassoCV(cv=5).fit(X, y)
            seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
            record("sparserecover LassoCV(cv=5) (dask)", seconds, cpu_seconds, cv.coef_,
                   cv.intercept_,
                   f"{passes(LassoCV(cv=5)):.0f} pass(es) over X, alpha_ = {cv.alpha_:.4g}")
            C = 1.0 / (2 * n * alpha)
            for solver in filter(None, args.dask_ml_solvers.split(",")):
                start, start_cpu = time.perf_counter(), cpu()
                peer = LinearRegression(penalty="l1", C=C, solver=solver).fit(X, y)
                seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
                record(f"dask-ml LinearRegression(penalty='l1', {solver})", seconds, cpu_seconds,
                       np.asarray(peer.coef_), float(peer.intercept_),
                       "default max_iter (100)")
        if not args.skip_in_memory:
            X_np, y_np = X.compute(), y.compute()
            with threadpool_limits(limits=1):
                start, start_cpu = time.perf_counter(), cpu()
                ref = sk.Lasso(alpha=alpha).fit(X_np, y_np)
                record("scikit-learn Lasso (in memory)", time.perf_counter() - start,
                       cpu() - start_cpu, ref.coef_, ref.intercept_)
                start, start_cpu = time.perf_counter(), cpu()
                ref = sk.LassoCV(cv=5).fit(X_np, y_np)
                record("scikit-learn LassoCV(cv=5) (in memory)", time.perf_counter() - start,
                       cpu() - start_cpu, ref.coef_, ref.intercept_,
                       f"alpha_ = {ref.alpha_:.4g}")
            del X_np, y_np
    return rows


_PEAK = (
    "import resource, sys, time\n"
    "start = time.perf_counter()\n"
    "from sparserecover.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "status_lines = open('/proc/self/status').read().splitlines()\n"
    "peak = [line for line in status_lines if line.startswith('VmHWM')][0]\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('PEAK', int(peak.split()[1]) * 1024, 'SECONDS', time.perf_counter() - start,\n"
    "      'CPU', usage.ru_utime + usage.ru_stime)\n"
    "sys.exit(status)\n"
)

_WHOLE = (
    "import resource, sys, time, numpy as np\n"
    "start = time.perf_counter()\n"
    "from sparserecover import denoise\n"
    "np.save(sys.argv[2], denoise(np.load(sys.argv[1])))\n"
    "status_lines = open('/proc/self/status').read().splitlines()\n"
    "peak = [line for line in status_lines if line.startswith('VmHWM')][0]\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('PEAK', int(peak.split()[1]) * 1024, 'SECONDS', time.perf_counter() - start,\n"
    "      'CPU', usage.ru_utime + usage.ru_stime)\n"
)


def _measure(code, args, cwd, limit=None):
    def set_limit():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                            text=True, preexec_fn=set_limit if limit else None)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    line = next(line for line in result.stdout.splitlines() if line.startswith("PEAK")).split()
    return float(line[3]), float(line[5]), int(line[1])


def part_denoise(args):
    import zarr

    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench_dask_"))
    n_signals = int(args.denoise_gb * 1e9) // (8 * N_SAMPLES_PER_SIGNAL)
    size = n_signals * N_SAMPLES_PER_SIGNAL * 8
    print(f"denoise: {n_signals} signals x {N_SAMPLES_PER_SIGNAL} float64 "
          f"({size / 1e9:.2f} GB) in {folder}, BLAS 1 thread")
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 40, N_SAMPLES_PER_SIGNAL))
    block = 256
    with open(folder / "big.npy", "wb") as stream:
        np.lib.format.write_array_header_2_0(
            stream, {"descr": "<f8", "fortran_order": False,
                     "shape": (n_signals, N_SAMPLES_PER_SIGNAL)})
        for start in range(0, n_signals, block):
            rows = min(block, n_signals - start)
            stream.write((clean + 0.3 * rng.standard_normal((rows, N_SAMPLES_PER_SIGNAL)))
                         .tobytes())
    source = np.load(folder / "big.npy", mmap_mode="r")
    store = zarr.open_array(store=str(folder / "big.zarr"), mode="w", shape=source.shape,
                            chunks=(block, N_SAMPLES_PER_SIGNAL), dtype=source.dtype)
    for start in range(0, n_signals, 4 * block):
        store[start:start + 4 * block] = source[start:start + 4 * block]
    del source
    rows = []

    def record(name, seconds, cpu, peak):
        rows.append((name, seconds, cpu, peak))
        print(f"  {name:<52} {seconds:8.1f} s  CPU {cpu:8.1f} s  peak RSS "
              f"{peak / 2**20:8.0f} MiB", flush=True)

    record("CLI .npy -> .npy (batches)",
           *_measure(_PEAK, ["denoise", "big.npy", "-o", "out.npy"], folder))
    limit = int(args.limit_gb * 2**30)
    if limit < size:
        name = f"CLI .npy -> .npy, address space limited to {args.limit_gb:g} GiB"
        try:
            measured = _measure(_PEAK, ["denoise", "big.npy", "-o", "limited.npy"], folder,
                                limit)
        except RuntimeError as error:
            print(f"  {name}: failed: {str(error).strip().splitlines()[-1]}", flush=True)
        else:
            record(name, *measured)
            same = np.array_equal(np.load(folder / "out.npy", mmap_mode="r"),
                                  np.load(folder / "limited.npy", mmap_mode="r"))
            print(f"  the limited run's output equals the first run's: {same}", flush=True)
            (folder / "limited.npy").unlink()
    record("CLI .zarr -> .zarr (dask threads)",
           *_measure(_PEAK, ["denoise", "big.zarr", "-o", "out.zarr"], folder))
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        record("CLI .zarr -> .zarr --scheduler (2 workers; client's RSS)",
               *_measure(_PEAK, ["denoise", "big.zarr", "-o", "out2.zarr", "--scheduler",
                                 cluster.scheduler_address], folder))
    if args.denoise_gb <= 2:
        record("whole array in memory (np.load, denoise, np.save)",
               *_measure(_WHOLE, ["big.npy", "whole.npy"], folder))
        same = np.array_equal(np.load(folder / "out.npy", mmap_mode="r")[:1000],
                              np.load(folder / "whole.npy", mmap_mode="r")[:1000])
        print(f"  batches equal the whole array (first 1000 signals): {same}")
    if not args.folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("tall", "denoise", "all"), default="all")
    parser.add_argument("--n-samples", type=int, default=2_000_000)
    parser.add_argument("--n-features", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--denoise-gb", type=float, default=4.0)
    parser.add_argument("--limit-gb", type=float, default=1.0,
                        help="address-space limit (RLIMIT_AS) of a second run of the .npy "
                        "command, when below the file's size")
    parser.add_argument("--folder", help="where the denoising files go (default: a temporary "
                        "folder, removed at the end)")
    parser.add_argument("--dask-ml-solvers", default="admm,proximal_grad",
                        help="dask-ml's solvers to run, comma-separated (none: '')")
    parser.add_argument("--skip-in-memory", action="store_true",
                        help="skip scikit-learn on the gathered array")
    parser.add_argument("--skip-dask", action="store_true",
                        help="skip the fits on the dask arrays (only scikit-learn's)")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        if args.part in ("tall", "all"):
            part_tall(args)
        if args.part in ("denoise", "all"):
            part_denoise(args)


if __name__ == "__main__":
    main()
