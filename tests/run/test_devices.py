"""`pdedsl.solve(..., devices=N)` and `pdedsl solve --devices N`: the points split over N devices.

The runs on two devices happen in a subprocess with two simulated CPU devices (this process's JAX
already has one); it prints its figures as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pdedsl
from pdedsl.errors import PdeError

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
TINY = dict(widths=(4,), points={"interior": 17, "boundary": 9}, optimizer="anagram", quiet=True, n_test=200)


def _worker(folder: str) -> dict:  # runs in the subprocess
    import numpy as np

    out = {}
    runs = {n: pdedsl.solve(LAPLACE, steps=4, devices=n, **TINY) for n in (1, 2)}
    out["losses"] = {n: np.asarray(sol.history["loss"]).tolist() for n, sol in runs.items()}
    first = Path(folder) / "two"
    pdedsl.solve(LAPLACE, steps=2, devices=2, out=first, **TINY)
    resumed = pdedsl.solve(LAPLACE, steps=4, devices=2, out=first, resume=True, **TINY)
    out["resumed"] = np.asarray(resumed.history["loss"]).tolist()
    out["files"] = sorted(p.name for p in first.iterdir())
    try:
        pdedsl.solve(LAPLACE, steps=4, devices=1, out=first, resume=True, **TINY)
        out["other_count"] = "resumed"
    except PdeError as err:
        out["other_count"] = str(err)
    return out


def _subprocess(args, tmp_path, **env):
    env = dict(os.environ, JAX_PLATFORMS="cpu", **env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("devices")
    done = _subprocess([__file__, str(folder)], folder, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_devices_give_the_losses_of_one(figures):
    one, two = figures["losses"]["1"], figures["losses"]["2"]
    assert len(one) == len(two) == 4 and one[-1] < one[0]
    assert max(abs(a - b) / a for a, b in zip(one, two)) <= 1e-12


def test_a_run_on_two_devices_resumes_on_two_bit_for_bit(figures):
    assert figures["resumed"] == figures["losses"]["2"]
    assert {"metrics.json", "params.npz", "checkpoint.npz", "solution.npz"} <= set(figures["files"])


def test_a_run_on_two_devices_does_not_resume_on_one(figures):
    assert "cannot resume: the run in" in figures["other_count"]


def test_more_devices_than_there_are_is_an_error():
    with pytest.raises(PdeError, match=r"--devices 2: only 1 cpu device\(s\) available"):
        pdedsl.solve(LAPLACE, steps=1, devices=2, **TINY)
    with pytest.raises(PdeError, match=r"--devices: cannot use 0"):
        pdedsl.solve(LAPLACE, steps=1, devices=0, **TINY)


def test_the_command_line_simulates_the_devices_it_is_asked_for_on_cpu(tmp_path):
    done = _subprocess(["-m", "pdedsl.cli", "solve", str(LAPLACE), "--devices", "2", "--steps", "2", "--widths", "4",
                        "--points", "interior=17", "boundary=9", "--optimizer", "anagram", "--quiet", "--out",
                        str(tmp_path / "run")], tmp_path)
    assert done.returncode == 3, done.stderr[-3000:]  # the step budget: not converged
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["steps"] == 2 and metrics["devices"] == 2


if __name__ == "__main__":
    import jax

    jax.config.update("jax_enable_x64", True)
    print(json.dumps(_worker(sys.argv[1])))
