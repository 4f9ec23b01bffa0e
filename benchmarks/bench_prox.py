"""Bandwidth of sparserecover.prox against NumPy, torch and a plain copy; import latency.

For 10**7 float64 and float32 elements, every operator and derivative is timed with ``out=``
and allocating, beside the NumPy expression a user would otherwise write, torch.nn.functional
(one thread; if installed) and ``np.copyto``, the memory floor. Throughput counts the bytes read
plus the bytes written (2 * n * itemsize for an elementwise map); "vs copy" is the time of
``np.copyto`` divided by the time of the call (1.0 = as fast as a copy). Each figure is the best
of several repetitions, so that other processes on a shared machine disturb it less.

Then ``import sparserecover`` plus a first ``softshrink`` call in fresh processes, with the
Numba cache cold (an empty ``NUMBA_CACHE_DIR``) and warm, with a breakdown of where the time
goes.

Usage: ``python benchmarks/bench_prox.py [--size N] [--repeat R] [--markdown]``
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import sparserecover.prox as prox

try:
    import torch

    torch.set_num_threads(1)
    F = torch.nn.functional
except ImportError:  # torch is optional
    torch = None


def best_time(function, repeat, budget=0.5):
    """Best of at least ``repeat`` runs, more (up to 4 * repeat) while within ``budget`` s."""
    function()  # warm-up: compilation, cache loading, first-touch of buffers
    best, spent, runs = np.inf, 0.0, 0
    while runs < repeat or (spent < budget and runs < 4 * repeat):
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
    return best


def cases(x, out, xt):
    """(operator, variant, callable) for every operator; x is the data, xt its torch view."""
    lam, thr, val = 0.5, 0.1, 0.0
    items = [
        ("softshrink", "sparserecover out=", lambda: prox.softshrink(x, lam, out=out)),
        ("softshrink", "sparserecover", lambda: prox.softshrink(x, lam)),
        ("softshrink", "numpy", lambda: np.sign(x) * np.maximum(np.abs(x) - lam, 0)),
        ("hardshrink", "sparserecover out=", lambda: prox.hardshrink(x, lam, out=out)),
        ("hardshrink", "sparserecover", lambda: prox.hardshrink(x, lam)),
        ("hardshrink", "numpy", lambda: np.where(np.abs(x) > lam, x, 0)),
        ("tanhshrink", "sparserecover out=", lambda: prox.tanhshrink(x, out=out)),
        ("tanhshrink", "sparserecover", lambda: prox.tanhshrink(x)),
        ("tanhshrink", "numpy", lambda: x - np.tanh(x)),
        ("threshold", "sparserecover out=", lambda: prox.threshold(x, thr, val, out=out)),
        ("threshold", "sparserecover", lambda: prox.threshold(x, thr, val)),
        ("threshold", "numpy", lambda: np.where(x > thr, x, val)),
        ("softplus", "sparserecover out=", lambda: prox.softplus(x, out=out)),
        ("softplus", "sparserecover", lambda: prox.softplus(x)),
        ("softplus", "numpy", lambda: np.where(x > 20, x, np.logaddexp(0, x))),
        ("softshrink_grad", "sparserecover out=", lambda: prox.softshrink_grad(x, lam, out=out)),
        ("softshrink_grad", "numpy", lambda: (np.abs(x) > lam).astype(x.dtype)),
        ("tanhshrink_grad", "sparserecover out=", lambda: prox.tanhshrink_grad(x, out=out)),
        ("tanhshrink_grad", "numpy", lambda: np.tanh(x) ** 2),
        ("threshold_grad", "sparserecover out=", lambda: prox.threshold_grad(x, thr, val, out=out)),
        ("threshold_grad", "numpy", lambda: (x > thr).astype(x.dtype)),
        ("softplus_grad", "sparserecover out=", lambda: prox.softplus_grad(x, out=out)),
        ("softplus_grad", "numpy", lambda: 1 / (1 + np.exp(-x))),
    ]
    if xt is not None:
        ones = torch.ones_like(xt)
        aten = torch.ops.aten
        items += [
            ("softshrink", "torch", lambda: F.softshrink(xt, lam)),
            ("hardshrink", "torch", lambda: F.hardshrink(xt, lam)),
            ("tanhshrink", "torch", lambda: F.tanhshrink(xt)),
            ("threshold", "torch", lambda: F.threshold(xt, thr, val)),
            ("softplus", "torch", lambda: F.softplus(xt)),
            ("softshrink_grad", "torch", lambda: aten.softshrink_backward(ones, xt, lam)),
            ("threshold_grad", "torch", lambda: aten.threshold_backward(ones, xt, thr)),
            ("softplus_grad", "torch", lambda: aten.softplus_backward(ones, xt, 1.0, 20.0)),
        ]
    order = {name: i for i, name in enumerate(dict.fromkeys(name for name, _, _ in items))}
    variants = ["sparserecover out=", "sparserecover", "numpy", "torch"]
    return sorted(items, key=lambda item: (order[item[0]], variants.index(item[1])))


def bandwidth_table(size, repeat):
    rows = []
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        x = rng.standard_normal(size).astype(dtype)
        out = np.empty_like(x)
        xt = torch.from_numpy(x) if torch is not None else None
        n_bytes = 2 * x.nbytes
        copy = best_time(lambda: np.copyto(out, x), repeat)  # noqa: B023
        rows.append((dtype.__name__, "copy (floor)", "np.copyto", copy, n_bytes / copy, 1.0))
        for name, variant, function in cases(x, out, xt):
            seconds = best_time(function, repeat)
            rows.append((dtype.__name__, name, variant, seconds, n_bytes / seconds, copy / seconds))
        copy_again = best_time(lambda: np.copyto(out, x), repeat)  # noqa: B023
        rows.append(
            (dtype.__name__, "copy (floor)", "np.copyto, again", copy_again, n_bytes / copy_again,
             copy / copy_again)
        )
    return rows


_LATENCY_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import sparserecover
t2 = time.perf_counter()
x = np.linspace(-2.0, 2.0, int(sys.argv[1]))
stages = {"import numpy": t1 - t0, "import sparserecover": t2 - t1}
if sys.argv[2] == "breakdown":
    t3 = time.perf_counter(); import sparserecover.prox
    t4 = time.perf_counter(); import numba
    t5 = time.perf_counter(); from sparserecover import _prox_kernels
    t6 = time.perf_counter(); _prox_kernels.get_kernel("softshrink", x.dtype)
    t7 = time.perf_counter()
    stages.update({"import sparserecover.prox": t4 - t3, "import numba": t5 - t4,
                   "import _prox_kernels": t6 - t5, "compile/load kernel": t7 - t6})
t8 = time.perf_counter()
sparserecover.softshrink(x, 0.5)
t9 = time.perf_counter()
sparserecover.softshrink(x, 0.5)
t10 = time.perf_counter()
stages.update({"first softshrink": t9 - t8, "second softshrink": t10 - t9,
               "total to first result": t9 - t0, "numba loaded": "numba" in sys.modules})
print(json.dumps(stages))
"""


def latency(size, mode, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _LATENCY_SCRIPT, str(size), mode],
        env=env, capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - start
    stages = json.loads(result.stdout)
    stages["process wall time"] = wall
    return stages


def latency_table(large):
    startup = min(
        _timed_process([sys.executable, "-c", "pass"]) for _ in range(3)
    )
    rows = [("python -c pass (interpreter start-up)", {"process wall time": startup})]
    for label, mode in (("large array", "plain"), ("large array, breakdown", "breakdown")):
        cache = tempfile.mkdtemp()
        rows.append((f"{label} ({large}), cache cold", latency(large, mode, cache)))
        warm = [latency(large, mode, cache) for _ in range(3)]
        best = min(warm, key=lambda stages: stages["total to first result"])
        rows.append((f"{label} ({large}), cache warm (best of 3)", best))
    return rows


def _timed_process(command):
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=5, help="minimum repetitions")
    parser.add_argument("--latency-size", type=int, default=10**5,
                        help="array size of the Numba-path latency runs")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()

    with threadpool_limits(limits=1):
        blas = [(info["internal_api"], info["num_threads"]) for info in threadpool_info()]
        torch_info = "not installed"
        if torch is not None:
            torch_info = f"{torch.__version__}, threads {torch.get_num_threads()}"
        print(f"numpy {np.__version__}; BLAS threads {blas}; torch {torch_info}; "
              f"n = {args.size}; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        rows = bandwidth_table(args.size, args.repeat)

    sep = "|" if args.markdown else " "
    header = ["dtype", "operator", "implementation", "ms", "GB/s", "vs copy"]
    if args.markdown:
        print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    else:
        print(f"\n{'dtype':8} {'operator':16} {'implementation':20} {'ms':>8} {'GB/s':>7} "
              f"{'vs copy':>8}")
    for dtype, name, variant, seconds, rate, ratio in rows:
        cells = [f"{dtype:8}", f"{name:16}", f"{variant:20}", f"{seconds * 1e3:8.2f}",
                 f"{rate / 1e9:7.2f}", f"{ratio:8.3f}"]
        print(("| " + " | ".join(c.strip() for c in cells) + " |") if args.markdown
              else sep.join(cells))

    print("\nimport sparserecover + first softshrink in a fresh process (seconds)")
    for label, stages in latency_table(args.latency_size):
        numbers = ", ".join(
            f"{key} {value:.3f}" if isinstance(value, float) else f"{key} {value}"
            for key, value in stages.items()
        )
        print(f"{'- ' if args.markdown else '  '}{label}: {numbers}")


if __name__ == "__main__":
    main()
