"""First calls in fresh processes: with an empty Numba cache (cold) and with a warm one.

For each public entry point, a new Python process imports sparserecover, builds a small
problem and calls the entry point once; the process reports the wall time of that import and
call, its CPU time, and how much of it Numba spent compiling (the top-level ``numba:compile``
events: with a warm cache they are loads from the cache). The cold process gets an empty
``NUMBA_CACHE_DIR``; the warm one runs next with the cache the cold one filled. The same
figure is printed for scikit-learn's ``Lasso``/``LassoCV`` and scikit-image's
``denoise_wavelet`` in fresh processes, for Numba's own floor (scikit-learn's base classes,
Numba and one trivial cached function), and for the command line's subcommands (the whole
process, as a user times it).

Run:  python benchmarks/bench_compile.py [--only NAME ...] [--skip-cold] [--rounds 1]

BLAS threads are left as a user's process has them; the load average is printed, since on the
2 shared cores another job slows compilation (the CPU column is less sensitive to it).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SMALL = """
import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 200))
y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(50)
signal = np.sin(np.linspace(0, 8 * np.pi, 1024)) + 0.2 * rng.standard_normal(1024)
"""

# name -> (import statement, first call); the problem is SMALL's
ENTRY_POINTS = {
    "Lasso.fit": ("from sparserecover import Lasso", "Lasso(alpha=0.1).fit(X, y)"),
    "ElasticNet.fit": ("from sparserecover import ElasticNet",
                       "ElasticNet(alpha=0.1).fit(X, y)"),
    "LassoCV.fit": ("from sparserecover import LassoCV", "LassoCV(cv=3).fit(X, y)"),
    "IHTRegressor.fit": ("from sparserecover import IHTRegressor",
                         "IHTRegressor(n_nonzero_coefs=5).fit(X, y)"),
    "SpectralRegressor.fit": ("from sparserecover import SpectralRegressor",
                              "SpectralRegressor().fit(X, y)"),
    "ShallowNetworkRegressor.fit": (
        "from sparserecover import ShallowNetworkRegressor",
        "ShallowNetworkRegressor(n_units=64).fit(X[:, :1], y)",
    ),
    "fista": ("from sparserecover import fista", "fista(X, y, 1.0)"),
    "ista": ("from sparserecover import ista", "ista(X, y, 1.0)"),
    "coordinate_descent": ("from sparserecover.solvers import coordinate_descent",
                           "coordinate_descent(X, y, 1.0)"),
    "lasso_path": ("from sparserecover import lasso_path", "lasso_path(X, y, n_lams=10)"),
    "iht": ("from sparserecover import iht", "iht(X, y, 5)"),
    "denoise": ("from sparserecover import denoise", "denoise(signal)"),
    "estimate_noise": ("from sparserecover import estimate_noise", "estimate_noise(signal)"),
    **{
        name: (f"from sparserecover.prox import {name}", call)
        for name, call in {
            "softshrink": "softshrink(y, 0.5)",
            "hardshrink": "hardshrink(y, 0.5)",
            "tanhshrink": "tanhshrink(y)",
            "threshold": "threshold(y, 0.5, 0.0)",
            "softplus": "softplus(y)",
            "softshrink_grad": "softshrink_grad(y, 0.5)",
            "hardshrink_grad": "hardshrink_grad(y, 0.5)",
            "tanhshrink_grad": "tanhshrink_grad(y)",
            "threshold_grad": "threshold_grad(y, 0.5, 0.0)",
            "softplus_grad": "softplus_grad(y)",
            "prox_l1": "prox_l1(y, 0.5)",
            "prox_l0": "prox_l0(y, 0.5)",
            "prox_elastic_net": "prox_elastic_net(y, 0.5, 1.0)",
            "prox_group_l2": "prox_group_l2(y, 0.5, np.arange(50) // 5)",
            "project_k_sparse": "project_k_sparse(y, 5)",
        }.items()
    },
}

PEERS = {
    "scikit-learn Lasso.fit": ("from sklearn.linear_model import Lasso",
                               "Lasso(alpha=0.1).fit(X, y)"),
    "scikit-learn LassoCV.fit": ("from sklearn.linear_model import LassoCV",
                                 "LassoCV(cv=3).fit(X, y)"),
    "scikit-image denoise_wavelet": ("from skimage.restoration import denoise_wavelet",
                                     "denoise_wavelet(signal)"),
}

# The child: data first (numpy only), then the timed import and call, with Numba's compile
# events recorded where the import loads Numba (``listen``; the peers' processes never import
# Numba, whose import would count against them).
CHILD = """
import json, resource, sys, time
{small}
start = time.perf_counter()
cpu_start = time.process_time()
compile_seconds = 0.0
try:
    if not {listen}:
        raise ImportError
    from numba.core import event

    class Listener(event.Listener):
        depth = 0
        def on_start(self, ev):
            if self.depth == 0:
                self.started = time.perf_counter()
            self.depth += 1
        def on_end(self, ev):
            global compile_seconds
            self.depth -= 1
            if self.depth == 0:
                compile_seconds += time.perf_counter() - self.started

    event.register("numba:compile", Listener())
except ImportError:
    pass
{imports}
imported = time.perf_counter()
{call}
done = time.perf_counter()
print(json.dumps({{"import": imported - start, "call": done - imported,
                   "total": done - start, "cpu": time.process_time() - cpu_start,
                   "compile": compile_seconds, "numba": "numba" in sys.modules}}))
"""


def _environment(cache_dir):
    """This process's environment, with Numba's cache in ``cache_dir`` (None: where it is)."""
    return dict(os.environ) if cache_dir is None else dict(os.environ, NUMBA_CACHE_DIR=cache_dir)


def run_child(imports, call, cache_dir):
    env = _environment(cache_dir)
    listen = "sparserecover" in imports or "numba" in imports
    code = CHILD.format(small=SMALL, imports=imports, call=call, listen=listen)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env)
    process = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process"] = process
    return figures


def run_command(arguments, cache_dir, workdir):
    env = _environment(cache_dir)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "sparserecover", *arguments],
                            capture_output=True, text=True, env=env, cwd=workdir)
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return {"process": time.perf_counter() - started}


def cli_inputs(workdir):
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 200))
    np.save(os.path.join(workdir, "A.npy"), X)
    np.save(os.path.join(workdir, "y.npy"), X[:, :5] @ np.ones(5))
    np.save(os.path.join(workdir, "noisy.npy"), rng.standard_normal((4, 1024)))
    return {
        "cli demo": ["demo"],
        "cli solve": ["solve", "A.npy", "y.npy", "--lam", "1.0", "-o", "x.npy"],
        "cli denoise": ["denoise", "noisy.npy", "-o", "clean.npy"],
    }


NUMBA_FLOOR = "Numba's floor: scikit-learn's base, Numba, one cached function"


def numba_floor(workdir):
    """The entry for what any Numba package pays in a fresh process on top of scikit-learn's
    base classes: importing Numba, and loading one trivial function from the cache (which
    sets up Numba's compiler context)."""
    with open(os.path.join(workdir, "numba_floor.py"), "w") as module:
        module.write("import numba\n\n\n@numba.njit(cache=True)\ndef increment(x):\n"
                     "    return x + 1.0\n")
    return (f"import sys; import sklearn.base; sys.path.insert(0, {workdir!r}); "
            "import numba_floor", "numba_floor.increment(1.0)")


def row(name, cold, warm):
    def cells(figures):
        if figures is None:
            return "- | - | -"
        if "total" not in figures:  # a command: the whole process
            return f"{figures['process']:.2f} s | - | -"
        share = figures["compile"] / figures["total"] if figures["total"] else 0.0
        return (f"{figures['total']:.2f} s (process {figures['process']:.2f} s) | "
                f"{figures['cpu']:.2f} s | {100 * share:.0f} %")

    return f"| {name} | {cells(cold)} | {cells(warm)} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="entry points to run (names as printed)")
    parser.add_argument("--skip-cold", action="store_true", help="warm cache only")
    parser.add_argument("--skip-peers", action="store_true")
    arguments = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print("| first call, fresh process | cold: import + call | cold: CPU | cold: compiling | "
          "warm: import + call | warm: CPU | warm: compiling |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as workdir:
        commands = cli_inputs(workdir)
        peers = {} if arguments.skip_peers else {**PEERS, NUMBA_FLOOR: numba_floor(workdir)}
        selected = {**ENTRY_POINTS, **commands, **peers}
        if arguments.only:
            selected = {name: spec for name, spec in selected.items() if name in arguments.only}
        for name, spec in selected.items():
            with tempfile.TemporaryDirectory() as empty_dir:
                cache_dir = None if arguments.skip_cold else empty_dir
                if name in commands:
                    cold = None if arguments.skip_cold else run_command(spec, cache_dir, workdir)
                    warm = run_command(spec, cache_dir, workdir)
                else:
                    cold = None if arguments.skip_cold else run_child(*spec, cache_dir)
                    warm = run_child(*spec, cache_dir)
            print(row(name, cold, warm), flush=True)
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
