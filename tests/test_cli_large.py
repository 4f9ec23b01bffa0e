"""``sparserecover denoise`` on data larger than memory: .npy files in batches, Zarr stores
through dask, a dask.distributed cluster with ``--scheduler``.

The reference is ``denoise`` on the whole array in memory (bitwise). The memory bound is
checked by running the command under an address-space limit (``RLIMIT_AS``) that leaves
less room than the file's size above what the same command needs on a small file.
"""

import os
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import zarr

from sparserecover import denoise

LINUX = sys.platform.startswith("linux")


def run(*args, cwd=None, limit=None, env=None):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "sparserecover", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300, env=env,
        preexec_fn=set_limit if limit else None,
    )


def _write_zarr(path, array, chunks):
    target = zarr.open_array(store=str(path), mode="w", shape=array.shape, chunks=chunks,
                             dtype=array.dtype)
    target[...] = array


@pytest.fixture
def noisy(rng):
    clean = np.sin(np.linspace(0, 20, 1024)) * np.linspace(0, 3, 1024)
    return clean + 0.3 * rng.standard_normal((3, 41, 1024))


@pytest.mark.parametrize(("options", "kwargs", "layout"), [
    (["--batch-size", "10"], {}, None),
    (["--batch-size", "7", "--method", "dct"], {"method": "dct"}, None),
    # signals along axis 1: batches along axis 0
    (["--batch-size", "50", "--axis", "1", "--wavelet", "haar"],
     {"axis": 1, "wavelet": "haar"}, (0, 2, 1)),
    # signals along axis 0: batches along axis 1, through a memory map
    (["--batch-size", "3", "--axis", "0", "--threshold", "bayes"],
     {"axis": 0, "threshold": "bayes"}, (2, 1, 0)),
    (["--batch-size", "1", "--axis", "1,2"], {"axis": (1, 2)}, None),  # images
])
def test_npy_batches_equal_the_whole_array(tmp_path, noisy, options, kwargs, layout):
    signals = noisy if layout is None else np.ascontiguousarray(noisy.transpose(layout))
    np.save(tmp_path / "in.npy", signals)
    result = run("denoise", "in.npy", "-o", "out.npy", *options, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), denoise(signals, **kwargs))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npy", "out.npy"]


def test_fortran_ordered_and_float32_npy(tmp_path, noisy):
    signals = np.asfortranarray(noisy[0].astype(np.float32))
    np.save(tmp_path / "in.npy", signals)
    assert run("denoise", "in.npy", "-o", "out.npy", "--batch-size", "8",
               cwd=tmp_path).returncode == 0
    out = np.load(tmp_path / "out.npy")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, denoise(signals))


def test_zarr_in_and_out(tmp_path, noisy):
    _write_zarr(tmp_path / "in.zarr", noisy, chunks=(1, 10, 512))
    np.save(tmp_path / "in.npy", noisy)
    reference = denoise(noisy)
    for source, target in [("in.zarr", "out.zarr"), ("in.npy", "npy.zarr"),
                           ("in.zarr", "zarr.npy")]:
        result = run("denoise", source, "-o", target, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "denoised 123 signal(s)" in result.stdout
        out = np.load(tmp_path / target) if target.endswith(".npy") else zarr.open_array(
            str(tmp_path / target), mode="r")[...]
        np.testing.assert_array_equal(out, reference)
    # an existing store is replaced whole, once the new one is complete
    result = run("denoise", "in.zarr", "-o", "out.zarr", "--threshold", "bayes",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "out.zarr"), mode="r")[...],
                                  denoise(noisy, threshold="bayes"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_errors_of_batched_denoising(tmp_path, noisy):
    np.save(tmp_path / "in.npy", noisy)
    result = run("denoise", "in.npy", "-o", "out.csv", "--batch-size", "4", cwd=tmp_path)
    assert result.returncode == 1 and "write .npy files and .zarr stores" in result.stderr
    result = run("denoise", "in.npy", "-o", "out.npy", "--batch-size", "4", "--level", "40",
                 cwd=tmp_path)
    assert result.returncode == 1 and "level must be in" in result.stderr
    result = run("denoise", "missing.zarr", "-o", "out.zarr", cwd=tmp_path)
    assert result.returncode == 1 and "no such Zarr store" in result.stderr
    result = run("denoise", "in.npy", "-o", "in.npy", "--batch-size", "4", cwd=tmp_path)
    assert result.returncode == 1 and "overwrite the input" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npy"]


def test_scheduler_of_a_local_cluster(tmp_path, noisy):
    from distributed import LocalCluster

    np.save(tmp_path / "in.npy", noisy)
    _write_zarr(tmp_path / "in.zarr", noisy, chunks=(2, 20, 1024))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        for source, target in [("in.npy", "out.npy"), ("in.zarr", "out.zarr")]:
            result = run("denoise", source, "-o", target, "--scheduler",
                         cluster.scheduler_address, "--batch-size", "20", cwd=tmp_path)
            assert result.returncode == 0, result.stderr
        result = run("denoise", "in.npy", "-o", "x.npy", "--scheduler", "tcp://127.0.0.1:9",
                     cwd=tmp_path)
        assert result.returncode == 1 and "cannot connect" in result.stderr
    reference = denoise(noisy)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), reference)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "out.zarr"), mode="r")[...],
                                  reference)


_PEAK = (
    "import sys\n"
    "from sparserecover.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "peak = [line for line in open('/proc/self/status') if line.startswith('VmPeak')][0]\n"
    "print('PEAK', int(peak.split()[1]) * 1024)\n"
    "sys.exit(status)\n"
)


def _peak_run(args, cwd, limit=None):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, MALLOC_ARENA_MAX="1", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True,
                            text=True, cwd=cwd, timeout=600, env=env,
                            preexec_fn=set_limit if limit else None)
    peaks = [int(line.split()[1]) for line in result.stdout.splitlines()
             if line.startswith("PEAK")]
    return result, peaks[0] if peaks else None


@pytest.mark.skipif(not LINUX, reason="the address-space limit and VmPeak are Linux's")
def test_memory_does_not_grow_with_the_file(tmp_path, rng):
    """The same command on a 1 MiB and on a 48 MiB file: the peak address space (VmPeak) is
    the same, and the large file is denoised under a limit of the small run's peak plus a
    third of the file's size; the whole array in memory (the control) grows by more than
    the file."""
    n_samples = 4096
    np.save(tmp_path / "small.npy", rng.standard_normal((32, n_samples)))
    big_rows = 48 * 2**20 // (8 * n_samples)
    with open(tmp_path / "big.npy", "wb") as stream:  # written in parts: the test's own
        np.lib.format.write_array_header_2_0(  # memory stays small too
            stream, {"descr": "<f8", "fortran_order": False, "shape": (big_rows, n_samples)})
        for _ in range(big_rows // 32):
            stream.write(rng.standard_normal((32, n_samples)).tobytes())
    size = (tmp_path / "big.npy").stat().st_size
    options = ["--batch-size", "16", "--shifts", "1"]
    result, baseline = _peak_run(["denoise", "small.npy", "-o", "small_out.npy", *options],
                                 tmp_path)
    assert result.returncode == 0, result.stderr
    limit = baseline + size // 3
    result, peak = _peak_run(["denoise", "big.npy", "-o", "big_out.npy", *options], tmp_path,
                             limit=limit)
    assert result.returncode == 0, result.stderr
    assert peak - baseline < size // 8
    out = np.load(tmp_path / "big_out.npy", mmap_mode="r")
    first = np.load(tmp_path / "big.npy", mmap_mode="r")[:40]
    np.testing.assert_array_equal(out[:40], denoise(np.array(first), shifts=1))
    del out
    # the control: the whole array in memory, whose peak grows with the file
    _, whole_small = _peak_run(["denoise", "small.npy", "-o", "w1.npy", "--shifts", "1"],
                               tmp_path)
    _, whole_big = _peak_run(["denoise", "big.npy", "-o", "w2.npy", "--shifts", "1"],
                             tmp_path)
    assert whole_big - whole_small > size


@pytest.mark.skipif(not LINUX, reason="SIGKILL and process ids as on Linux")
def test_sigkill_mid_run_leaves_no_output(tmp_path, rng):
    np.save(tmp_path / "in.npy", rng.standard_normal((400, 4096)))
    child = subprocess.Popen(
        [sys.executable, "-m", "sparserecover", "denoise", "in.npy", "-o", "out.npy",
         "--batch-size", "2", "--method", "swt"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".out.npy.")]:
        assert child.poll() is None, "the run ended before its output was started"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.5)  # some batches written
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not (tmp_path / "out.npy").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.npy.")]
    # the next write to the same output removes the dead process's temporary file
    result = run("denoise", "in.npy", "-o", "out.npy", "--batch-size", "100", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npy", "out.npy"]


@pytest.mark.skipif(not LINUX, reason="SIGKILL and process ids as on Linux")
@pytest.mark.parametrize("earlier", [False, True])
def test_sigkill_mid_run_on_zarr_leaves_no_output(tmp_path, rng, earlier):
    """A Zarr output is written into a temporary store and renamed only when complete: a run
    killed after some of its chunks are written leaves no partial store at the destination,
    and the store that was there before (if any) whole and unchanged."""
    signals = rng.standard_normal((200, 4096))
    _write_zarr(tmp_path / "in.zarr", signals, chunks=(10, 4096))
    if earlier:
        _write_zarr(tmp_path / "out.zarr", np.zeros((2, 3)), chunks=(2, 3))

    def temporaries():
        return [p for p in tmp_path.iterdir() if p.name.startswith(".out.zarr.")]

    def chunks(folders):  # the files of stores other than their metadata
        return {f for folder in folders for f in folder.rglob("*")
                if f.is_file() and not f.name.startswith((".z", "zarr.json"))}

    def chunks_written():  # in a temporary store, or (wrongly) at the destination
        return chunks(temporaries()) | (chunks([tmp_path / "out.zarr"]) - before_run)

    before_run = chunks([tmp_path / "out.zarr"])

    child = subprocess.Popen(
        [sys.executable, "-m", "sparserecover", "denoise", "in.zarr", "-o", "out.zarr",
         "--batch-size", "2", "--method", "swt"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not chunks_written():
        assert child.poll() is None, "the run ended before its output was started"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL  # killed mid-run, not ended on its own
    if earlier:
        before = zarr.open_array(str(tmp_path / "out.zarr"), mode="r")
        assert before.shape == (2, 3)
        np.testing.assert_array_equal(before[...], np.zeros((2, 3)))
    else:
        assert not (tmp_path / "out.zarr").exists()
    assert temporaries()
    # the next write to the same output completes, and removes the dead process's temporary
    result = run("denoise", "in.zarr", "-o", "out.zarr", "--batch-size", "50", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.zarr", "out.zarr"]
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "out.zarr"), mode="r")[...],
                                  denoise(signals))
