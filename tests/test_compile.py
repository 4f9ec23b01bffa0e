"""Compiling ahead of time (``compile_kernels``, ``sparserecover compile``) and telling
compilation apart from work (``CompileMonitor``)."""

import io
import os
import subprocess
import sys

import numpy as np
from numba import njit

from sparserecover import _compile


def test_monitor_times_and_announces_compilation_once():
    @njit(cache=False)
    def double(x):
        return 2.0 * x

    stream = io.StringIO()
    with _compile.CompileMonitor(stream=stream) as monitor:
        assert double(1.5) == 3.0
        double(2.5)  # compiled already: nothing more to report
    assert monitor.seconds > 0
    text = stream.getvalue()
    assert text.count("compiling kernels (first run on this machine") == 1
    assert text.rstrip().endswith("s") and "done in" in text


def test_monitor_is_silent_when_nothing_compiles():
    stream = io.StringIO()
    with _compile.CompileMonitor(stream=stream) as monitor:
        np.ones(3).sum()
    assert monitor.seconds == 0.0 and stream.getvalue() == ""


def test_compile_kernels_fills_the_cache_in_worker_processes(tmp_path, monkeypatch):
    # one small group, in a worker with its own cache folder: the worker compiles (and caches)
    # the group's kernels even when this process has compiled them already
    _compile._warm_prox("float32")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_compile, "_LANES", [[(_compile._warm_prox, "float32")]])
    monkeypatch.setattr(_compile, "_OTHERS", [])
    seconds = _compile.compile_kernels(n_jobs=1, progress=False)
    assert seconds > 0
    cached = [name for _, _, files in os.walk(tmp_path) for name in files]
    assert any(name.endswith(".nbc") for name in cached)


def test_schedule_runs_every_step_once_in_at_most_n_jobs_lanes():
    steps = [step for group in _compile._LANES + _compile._OTHERS for step in group]
    for n_jobs in (1, 2, 3, 16):
        lanes = _compile._schedule(n_jobs)
        assert 1 <= len(lanes) <= n_jobs
        assert sorted(map(repr, (step for lane in lanes for step in lane))) == sorted(
            map(repr, steps))
    # the steps of a group stay in one lane, in order (a dtype's solvers, the estimators
    # after them)
    for group in _compile._LANES + _compile._OTHERS:
        placed = next(placed for placed in _compile._schedule(2) if group[0] in placed)
        assert [step for step in placed if step in group] == group


def test_compile_command_help_has_an_example():
    result = subprocess.run([sys.executable, "-m", "sparserecover", "compile", "--help"],
                            capture_output=True, text=True, check=True)
    assert "Example: sparserecover compile" in result.stdout and "--jobs" in result.stdout
