"""`restarts = N`: after a stall, the best weights perturbed (`restart_noise`, 0.1 by default) or a
fresh initialisation (`restart_noise = 0`) on the same points; the best attempt is kept."""

import json
from pathlib import Path

import jax
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
SMALL = dict(widths=(6,), points={"interior": 49, "boundary": 24})
# A stall is a loss that fell by less than 10x over the window: on this small net every attempt stalls
# within a few steps, so the restarts are certain to happen.
QUICK_STALL = 3


def _spec_with(tmp_path, line):
    """The tests' laplace2d spec with `line` as its solve line: (path, line number)."""
    text = LAPLACE.read_text().replace("solve  anagram(steps = 500)", line)
    spec = tmp_path / "r.pde"
    spec.write_text(text)
    return spec, text.splitlines().index(line) + 1


def _run(**kwargs):
    options = dict(optimizer="amstramgram", stall_window=QUICK_STALL, restart_noise=0.0, steps=40, quiet=True,
                   **SMALL)
    options.update(kwargs)
    return pdedsl.solve(pdedsl.load(LAPLACE), **options)


def test_a_stall_starts_a_fresh_attempt_and_the_best_one_is_kept():
    sol = _run(restarts=3)
    m = sol.metrics
    attempts = m["attempts"]
    assert [a["attempt"] for a in attempts] == [0, 1, 2, 3]
    assert all(a["status"] == "stalled" for a in attempts[:3])
    # The attempts share the step budget, and the history says which attempt each step belongs to.
    assert attempts[-1]["end_step"] == m["steps"] == sum(a["steps"] for a in attempts)
    assert np.bincount(np.asarray(sol.history["attempt"], int)).tolist() == [a["steps"] for a in attempts]
    # The reported parameters are those of the attempt with the lowest training loss.
    best = min(attempts, key=lambda a: a["loss"])
    assert m["best_attempt"] == best["attempt"]
    assert m["loss"] == pytest.approx(best["loss"], rel=1e-12)
    assert len({round(np.log10(a["loss"]), 6) for a in attempts}) == 4  # four different initialisations
    assert f"kept attempt {best['attempt']}, loss {best['loss']:.3e}" in m["message"]


def test_attempt_zero_is_the_run_without_restarts():
    plain = _run(restarts=0)
    again = _run(restarts=2)
    first = again.metrics["attempts"][0]
    assert plain.metrics["status"] == "stalled" and "attempts" not in plain.metrics
    assert first["steps"] == plain.metrics["steps"]
    n = first["steps"]
    np.testing.assert_array_equal(np.asarray(again.history["loss"][:n]), np.asarray(plain.history["loss"]))
    assert first["loss"] == pytest.approx(plain.metrics["loss"], rel=1e-12)


@pytest.mark.parametrize("noise", [0.0, 1e-3])
def test_restarts_resume_where_the_run_stopped(tmp_path, noise):
    whole = _run(restarts=3, steps=12, out=tmp_path / "whole", restart_noise=noise)
    _run(restarts=3, steps=5, out=tmp_path / "split", restart_noise=noise)
    rest = _run(restarts=3, steps=12, out=tmp_path / "split", resume=True, restart_noise=noise)
    assert rest.metrics["attempts"] == whole.metrics["attempts"]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    saved = json.loads((tmp_path / "split" / "metrics.json").read_text())
    assert saved["best_attempt"] == whole.metrics["best_attempt"]


def test_restarts_in_the_spec_and_bad_values(tmp_path, capsys):
    line = "solve amstramgram(steps = 30, restarts = 2, stall_window = 3)"
    spec, number = _spec_with(tmp_path, line)
    text = spec.read_text()
    sol = pdedsl.solve(pdedsl.load(spec), quiet=True, **SMALL)
    assert sol.metrics["settings"]["restarts"] == 2 and len(sol.metrics["attempts"]) == 3
    assert sol.metrics["settings"]["restart_noise"] == 0.1  # the default when restarts are on
    assert sol.metrics["message"].startswith("did not converge: ") and not sol.metrics["converged"]

    spec.write_text(text.replace("restarts = 2", "restarts = -1"))
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{spec}:{number}:42: error: `restarts` must be a whole number from 0 to 100, not -1"
    assert err[1] == "    " + line.replace("restarts = 2", "restarts = -1")
    assert main(["solve", str(LAPLACE), "--restarts", "101", "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "error: restarts must be a whole number from 0 to 100, not 101" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_another_optimizer_drops_the_restart_and_stall_settings_of_the_spec(tmp_path):
    from pdedsl.run._settings import resolve_settings

    line = ("solve amstramgram(steps = 30, restarts = 2, restart_noise = 0.2, stall_window = 5, time_limit = 60, "
            "eps = 1e-12)")
    spec, _ = _spec_with(tmp_path, line)
    settings = pdedsl.load(spec).compile().settings
    own = resolve_settings(settings)
    assert (own.restarts, own.restart_noise, own.stall_window, own.optimizer_options) == (2, 0.2, 5, {"eps": 1e-12})
    adam = resolve_settings(settings, optimizer="adam")
    assert (adam.restarts, adam.restart_noise, adam.stall_window) == (0, 0.0, 2000)  # adam's own defaults
    assert adam.optimizer_options == {} and adam.time_limit == 60 and adam.steps == 30
    # ...unless the caller sets them.
    assert resolve_settings(settings, optimizer="adam", restarts=1, stall_window=50).stall_window == 50


def test_restart_noise_restarts_from_the_best_weights_perturbed():
    plain = _run(restarts=0)
    fresh = _run(restarts=1, restart_noise=0.0)
    nudged = _run(restarts=1, restart_noise=1e-6)
    n = plain.metrics["steps"]
    stalled_at = plain.metrics["loss"]
    # Attempt 1 of a fresh restart starts from a new initialisation, far above the stall; with a tiny
    # noise it starts where attempt 0 stalled: its first loss is attempt 0's final loss, nearly.
    assert fresh.history["loss"][n] > 10 * stalled_at
    assert nudged.history["loss"][n] == pytest.approx(stalled_at, rel=1e-3)
    assert nudged.history["loss"][n] != stalled_at  # ...but moved
    assert nudged.metrics["settings"]["restart_noise"] == 1e-6


def test_perturbed_moves_each_array_by_sigma_times_its_spread():
    from pdedsl.run._restarts import perturbed as _perturbed

    rng = np.random.default_rng(0)
    params = {"w": rng.normal(0.0, 2.0, (200, 100)), "b": np.linspace(0.0, 1.0, 50), "kappa": np.float64(0.25)}
    with jax.enable_x64(True):
        moved = _perturbed(params, 1e-2, (0, 7), np.float64)
        again = _perturbed(params, 1e-2, (0, 7), np.float64)
        other = _perturbed(params, 1e-2, (0, 8), np.float64)
    assert not np.array_equal(np.asarray(other["w"]), np.asarray(moved["w"]))  # another attempt, other noise
    for name in ("w", "b"):
        step = np.asarray(moved[name]) - params[name]
        assert np.std(step) == pytest.approx(1e-2 * np.std(params[name]), rel=0.15)
        np.testing.assert_array_equal(np.asarray(again[name]), np.asarray(moved[name]))  # deterministic
    assert float(moved["kappa"]) == 0.25  # a learned scalar stays


def test_stall_window_stops_an_attempt_that_falls_too_slowly():
    # Adam (learning rate 1e-3) cannot lower the loss 10x in 3 steps: each attempt is a stall after 3 steps
    # (the fourth step is the first whose window of 3 earlier steps lies inside the attempt; it reports the
    # stall, and its result is discarded).
    kwargs = dict(optimizer="adam", steps=40, quiet=True, stall_window=3, **SMALL)
    once = pdedsl.solve(pdedsl.load(LAPLACE), **kwargs)
    assert once.status == "stalled" and once.metrics["steps"] == 3
    assert "the loss fell by less than 10x over the stall window and no restart was left" in once.metrics["message"]
    again = pdedsl.solve(pdedsl.load(LAPLACE), restarts=2, **kwargs)
    assert [a["steps"] for a in again.metrics["attempts"]] == [3, 3, 3]
    # Without the test (0) the run goes on to its budget.
    plain = pdedsl.solve(pdedsl.load(LAPLACE), **{**kwargs, "stall_window": 0, "steps": 6})
    assert plain.status == "budget" and plain.metrics["steps"] == 6


@pytest.mark.parametrize("setting, value, message", [
    ("restart_noise", "-0.5", "`restart_noise` must be a number from 0 to 1000, not -0.5"),
    ("stall_window", "-2", "`stall_window` must be a whole number from 0 to 100000, not -2"),
])
def test_bad_run_settings(tmp_path, capsys, setting, value, message):
    line = f"solve amstramgram(steps = 30, restarts = 2, {setting} = {value})"
    spec, number = _spec_with(tmp_path, line)
    assert main(["check", str(spec)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"{spec}:{number}:{line.index(value) + 1}: error: {message}"
    flag = "--" + setting.replace("_", "-")
    assert main(["solve", str(LAPLACE), flag, value, "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{LAPLACE}: error: {setting} must be") and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_perturbed_restart_continues_from_the_last_attempt_at_the_best_level():
    import jax.numpy as jnp

    from pdedsl.run._restarts import Attempts

    # constant arrays have spread 0: the move leaves them as they are, so the start is visible exactly
    tries = Attempts()
    tries.finish(1.0, {"w": jnp.full(3, 1.0)}, 10, "stalled")
    tries.finish(1.5, {"w": jnp.full(3, 2.0)}, 20, "stalled")  # within 10x of the best: go on from it
    np.testing.assert_array_equal(tries.start_params(0, 0.01, None, jnp.float64)["w"], 2.0)
    tries.finish(50.0, {"w": jnp.full(3, 3.0)}, 30, "stalled")  # 50x the best: back to the best
    np.testing.assert_array_equal(tries.start_params(0, 0.01, None, jnp.float64)["w"], 1.0)
    assert tries.best_loss == 1.0
