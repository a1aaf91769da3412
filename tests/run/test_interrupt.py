"""Runs that lose nothing: Ctrl-C writes every output (or, while they are written, none of them); kill -9
then --resume gives the same parameters; an interruption at any moment either leaves every output or lets
--resume finish the run bit for bit."""

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
    assert reference.wait(timeout=300) == 3, reference.communicate()

    out = tmp_path / "killed"
    proc = start_solve(out, "--steps", steps, "--checkpoint-every", "3")
    killed_at = wait_for_checkpoint(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not (out / "metrics.json").exists()  # it really died before finishing
    assert 1 <= killed_at < int(steps)

    resumed = start_solve(out, "--steps", steps, "--resume")
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 3, stderr
    for a, b in zip(params_of(tmp_path / "whole"), params_of(out)):
        np.testing.assert_array_equal(a, b)
    assert json.loads((out / "metrics.json").read_text())["steps"] == int(steps)


def test_sigint_during_start_up_exits_130_with_one_line(tmp_path):
    out = tmp_path / "early"
    proc = start_solve(out, "--steps", "100000")
    time.sleep(0.5)  # still importing
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert stderr == "pdedsl: interrupted\n" and stdout == ""
    assert not out.exists()


def test_sigint_while_the_outputs_are_written_leaves_none_of_them(tmp_path):
    from pdedsl.run._interrupt import Interrupted, SigintCounter
    from pdedsl.run._outputs import write_outputs

    counter = SigintCounter()
    (tmp_path / "checkpoint.npz").write_bytes(b"kept")
    (tmp_path / "metrics.json").write_text("{}")  # of an earlier part of the run

    def first(output_id):
        (tmp_path / "params.npz").write_bytes(output_id.encode())

    def second(output_id):
        counter(signal.SIGINT, None)  # Ctrl-C while this file is written
        (tmp_path / "solution.npz").write_bytes(output_id.encode())

    with pytest.raises(Interrupted) as info:
        write_outputs(tmp_path, (first, second, first), {"steps": 3}, counter)
    assert str(info.value) == (f"interrupted while writing the outputs: only checkpoint.npz was kept in {tmp_path} "
                               "(--resume writes the others)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz"]
    # Without a Ctrl-C every file carries the same output id, metrics.json last.
    output_id = write_outputs(tmp_path, (first,), {"steps": 3}, SigintCounter())
    assert (tmp_path / "params.npz").read_bytes() == output_id.encode()
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"steps": 3, "output_id": output_id}


# -- property: an interruption at any moment loses nothing ---------------------------------------------------

POISSON = "domain x in [0, 1]\nunknown u\npde: dxx(u) = -pi^2 * sin(pi * x)\nboundary: u = 0\nexact: u = sin(pi * x)\n"
TINY = dict(steps=200, widths=(4,), points={"interior": 16, "boundary": 2}, optimizer="anagram", checkpoint_every=7,
            quiet=True)
TINY_FLAGS = ["--steps", "200", "--widths", "4", "--points", "interior=16", "boundary=2", "--optimizer", "anagram",
              "--checkpoint-every", "7", "--quiet"]


@pytest.fixture(scope="module")
def poisson(tmp_path_factory):
    import jax

    import pdedsl

    folder = tmp_path_factory.mktemp("poisson")
    spec = folder / "p.pde"
    spec.write_text(POISSON)
    whole = pdedsl.solve(spec, out=folder / "whole", **TINY)
    return spec, [np.asarray(x) for x in jax.tree_util.tree_leaves(whole.params)]


def _reached(out, moment) -> bool:
    kind, where = moment
    if kind == "step":
        return checkpoint_step(out) >= where
    return kind == "writes" and (out / where).exists()


def _interrupted_run(spec, out, moment, sig):
    """Run the tiny solve and send `sig` at `moment`: ("start", seconds), ("step", a checkpoint step
    reached) or ("writes", an output file written)."""
    proc = subprocess.Popen([sys.executable, "-m", "pdedsl.cli", "solve", str(spec), "--out", str(out), *TINY_FLAGS],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if moment[0] == "start":
        try:
            proc.wait(timeout=moment[1])
        except subprocess.TimeoutExpired:
            pass
    else:
        while proc.poll() is None and not _reached(out, moment):
            time.sleep(0.002)
    if proc.poll() is None:
        proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr


def _check_outputs_complete(out):
    import pdedsl

    names = ("params.npz", "solution.npz", "checkpoint.npz", "convergence.png", "solution.png")
    assert all((out / name).is_file() for name in names)
    sol = pdedsl.load_solution(out)  # refuses a mixed or unfinished set
    with np.load(out / "solution.npz") as grid:
        assert str(grid["output_id"]) == sol.metrics["output_id"]
    assert np.all(np.isfinite(sol.u(np.linspace(0, 1, 5)[:, None])))


def test_an_interruption_at_any_moment_loses_nothing(poisson, tmp_path_factory):
    import jax
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    import pdedsl

    spec, reference = poisson

    # From 0.3 s on: a signal while the interpreter itself starts, before any of pdedsl runs, is Python's.
    moments = st.one_of(st.tuples(st.just("start"), st.floats(0.3, 3.0)),
                        st.tuples(st.just("step"), st.integers(1, 195)),
                        st.tuples(st.just("writes"), st.sampled_from(["params.npz", "solution.npz", "solution.png"])))

    # No shrinking: each example is a subprocess run of seconds, and a failing one is already small.
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(moment=moments, sig=st.sampled_from([signal.SIGINT, signal.SIGKILL]))
    def interrupted(moment, sig):
        out = tmp_path_factory.mktemp("cut") / "run"
        code, stderr = _interrupted_run(spec, out, moment, sig)
        assert "Traceback" not in stderr and "Exception ignored" not in stderr
        if sig == signal.SIGINT:
            assert code in (0, 3, 130), stderr  # 3: it ended on its step budget before the signal
        if (out / "metrics.json").exists():
            _check_outputs_complete(out)
        if not (out / "checkpoint.npz").exists():  # stopped before its first checkpoint: nothing to resume
            assert not out.exists() or not any(out.glob("*.npz"))
            return
        rest = pdedsl.solve(spec, out=out, resume=True, **TINY)
        for a, b in zip(reference, jax.tree_util.tree_leaves(rest.params)):
            np.testing.assert_array_equal(a, np.asarray(b))
        _check_outputs_complete(out)

    interrupted()
