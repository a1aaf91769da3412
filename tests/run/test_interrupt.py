"""Runs that lose nothing: Ctrl-C writes every output; kill -9 then --resume gives the same parameters."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
SMALL = ["--points", "interior=64", "boundary=32", "--widths", "8", "--quiet", "--optimizer", "anagram"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def start_solve(out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pdedsl.cli", "solve", str(LAPLACE), "--out", str(out), *SMALL, *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def checkpoint_step(out: Path) -> int:
    try:
        with np.load(out / "checkpoint.npz") as ck:
            return int(ck["step"])
    except (OSError, KeyError, ValueError):
        return -1


def wait_for_checkpoint(proc: subprocess.Popen, out: Path, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        step = checkpoint_step(out)
        if step >= 1:
            return step
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no checkpoint appeared")


def params_of(out: Path) -> list[np.ndarray]:
    with np.load(out / "params.npz") as archive:
        return [archive[k] for k in sorted(k for k in archive.files if k.startswith("params/"))]


def test_sigint_stops_after_the_step_and_writes_every_output(tmp_path):
    out = tmp_path / "interrupted"
    proc = start_solve(out, "--steps", "100000", "--checkpoint-every", "1")
    wait_for_checkpoint(proc, out)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and 1 <= metrics["steps"] < 100000
    assert len(metrics["history"]["loss"]) == metrics["steps"]
    for name in ("params.npz", "solution.npz", "checkpoint.npz"):
        with np.load(out / name) as archive:
            assert archive.files
    assert checkpoint_step(out) == metrics["steps"]
    for name in ("convergence.png", "solution.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "interrupted by the user" in stdout


def test_kill_9_after_a_checkpoint_then_resume_gives_the_uninterrupted_parameters(tmp_path):
    steps = "60"
    reference = start_solve(tmp_path / "whole", "--steps", steps)
    assert reference.wait(timeout=300) == 0, reference.communicate()

    out = tmp_path / "killed"
    proc = start_solve(out, "--steps", steps, "--checkpoint-every", "3")
    killed_at = wait_for_checkpoint(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not (out / "metrics.json").exists()  # it really died before finishing
    assert 1 <= killed_at < int(steps)

    resumed = start_solve(out, "--steps", steps, "--resume")
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    for a, b in zip(params_of(tmp_path / "whole"), params_of(out)):
        np.testing.assert_array_equal(a, b)
    assert json.loads((out / "metrics.json").read_text())["steps"] == int(steps)
