"""`resample_every = N`: every N steps the interior points are redrawn from the residual (RAD)."""

import json
from pathlib import Path

import jax
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main
from pdedsl.geometry import Box
from pdedsl.run._sampling import residual_density_sample

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
SAMPLE_LINE = "sample interior 784, boundary 116, method = grid"
SMALL = dict(widths=(6,), points={"interior": 49, "boundary": 24}, optimizer="anagram", quiet=True)
UNIT_SQUARE = Box(("x", "y"), (0.0, 0.0), (1.0, 1.0))


def test_rad_draws_in_proportion_to_the_residual_plus_a_uniform_share():
    # |r| = 100 on the strip x < 0.1 and 0 elsewhere: mean |r| = 10, so a candidate weighs 11 in the strip
    # and 1 outside, and the strip holds 0.1 * 11 / (0.1 * 11 + 0.9 * 1) = 55 % of the points drawn.
    def score(points):
        return np.where(points[:, 0] < 0.1, 100.0, 0.0)

    points = residual_density_sample(score, UNIT_SQUARE, 1000, 40_000, np.random.default_rng(0))
    assert points.shape == (1000, 2) and len(np.unique(points, axis=0)) == 1000
    assert np.all((points > 0) & (points < 1))
    assert np.mean(points[:, 0] < 0.1) == pytest.approx(0.55, abs=0.04)
    # A flat residual (or none at all, or a non-finite one) leaves the draw uniform.
    for flat in (lambda p: np.full(len(p), 3.0), lambda p: np.zeros(len(p)), lambda p: np.full(len(p), np.inf)):
        uniform = residual_density_sample(flat, UNIT_SQUARE, 1000, 40_000, np.random.default_rng(1))
        assert np.mean(uniform[:, 0] < 0.1) == pytest.approx(0.1, abs=0.03)
    with pytest.raises(ValueError, match="the pool of 500 candidates is smaller than the 1000 points to draw"):
        residual_density_sample(score, UNIT_SQUARE, 1000, 500, np.random.default_rng(0))


def test_a_run_redraws_its_interior_points_every_n_steps(tmp_path):
    sol = pdedsl.solve(pdedsl.load(LAPLACE), steps=12, resample_every=5, out=tmp_path / "r", **SMALL)
    m = sol.metrics
    assert [row["step"] for row in m["resamples"]] == [5, 10]
    # The loss before step 5 is measured on the new points: the row of the redraw says so.
    for row in m["resamples"]:
        assert sol.history["loss"][row["step"]] == pytest.approx(row["loss_after"], rel=1e-10)
        assert row["loss_before"] != row["loss_after"]
    assert m["message"].startswith("did not converge: the step budget ran out")
    assert m["message"].endswith(" (interior points redrawn from the residual 2 time(s), the last at step 10)")
    # The checkpoint keeps the current interior points: 49 new points, not the 7 x 7 grid of the start.
    with np.load(tmp_path / "r" / "checkpoint.npz") as ck:
        points = ck["resample/points"]
    assert points.shape == (49, 2)
    grid = np.linspace(0, 1, 9)[1:-1]
    assert not np.any(np.isin(points[:, 0], grid) & np.isin(points[:, 1], grid))
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["resamples"] == m["resamples"]
    # Without resampling the same run keeps its grid and differs from step 5 on.
    plain = pdedsl.solve(pdedsl.load(LAPLACE), steps=12, **SMALL)
    assert "resamples" not in plain.metrics
    np.testing.assert_array_equal(plain.history["loss"][:5], sol.history["loss"][:5])
    assert plain.history["loss"][5] != sol.history["loss"][5]


def test_a_resampled_run_resumes_bit_for_bit(tmp_path):
    whole = pdedsl.solve(pdedsl.load(LAPLACE), steps=12, resample_every=4, out=tmp_path / "whole", **SMALL)
    # The first part ends on a redraw step (8) before redrawing: the resumed run redraws first.
    pdedsl.solve(pdedsl.load(LAPLACE), steps=8, resample_every=4, out=tmp_path / "split", **SMALL)
    rest = pdedsl.solve(pdedsl.load(LAPLACE), steps=12, resample_every=4, out=tmp_path / "split", resume=True,
                        **SMALL)
    assert rest.metrics["resamples"] == whole.metrics["resamples"]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_resample_settings_in_the_spec_and_bad_values(tmp_path, capsys):
    text = LAPLACE.read_text()
    line = SAMPLE_LINE + ", resample_every = 3"
    spec = tmp_path / "r.pde"
    spec.write_text(text.replace(SAMPLE_LINE, line))
    sol = pdedsl.solve(pdedsl.load(spec), steps=7, **SMALL)
    assert sol.metrics["settings"]["resample_every"] == 3
    assert [row["step"] for row in sol.metrics["resamples"]] == [3, 6]
    number = text.splitlines().index(SAMPLE_LINE) + 1
    for bad, message in [
        ("resample_every = -3", "`resample_every` must be a whole number from 0 to 1000000, not -3"),
        ("resample_every = 2.5", "`resample_every` must be a whole number from 0 to 1000000, not 2.5"),
    ]:
        wrong = SAMPLE_LINE + ", " + bad
        spec.write_text(text.replace(SAMPLE_LINE, wrong))
        assert main(["check", str(spec)]) == 1
        err = capsys.readouterr().err.splitlines()
        column = wrong.index(bad.split(" = ")[1]) + 1
        assert err[0] == f"{spec}:{number}:{column}: error: {message}"
        assert err[1] == "    " + wrong
    spec.write_text(text.replace(SAMPLE_LINE, SAMPLE_LINE + ", resample_evry = 3"))
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "error: unknown sample setting 'resample_evry'" in err and "did you mean 'resample_every'?" in err
    assert main(["solve", str(LAPLACE), "--resample-every", "-1", "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{LAPLACE}: error: resample_every must be a whole number from 0 to 1000000, "
                          "not -1") and "Traceback" not in err
    assert not (tmp_path / "o").exists()
    # The pool is a constant now: a spec that still names it is told so.
    spec.write_text(text.replace(SAMPLE_LINE, SAMPLE_LINE + ", resample_pool = 2000"))
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("error: 'resample_pool' is no longer a sample setting")
    assert err[-1] == "hint: a redraw scores 20 candidates per interior point (a constant)"


BURGERS = ROOT / "examples" / "burgers.pde"


def test_evolution_problems_redraw_automatically_with_a_period_per_optimizer():
    from dataclasses import replace

    from pdedsl.run._resample import automatic_period
    from pdedsl.run._settings import resolve_settings

    burgers = pdedsl.load(BURGERS).compile()  # sampled points by default, no `resample_every`
    settings = resolve_settings(burgers.settings, burgers.domain, burgers.linear, optimizer="amstramgram")
    assert settings.resample_every is None and automatic_period(burgers, settings) == 10
    assert [automatic_period(burgers, replace(settings, optimizer=name))
            for name in ("ssbroyden", "adam", "gd", "lbfgs", "adam_lbfgs", "anagram", "engd")] == \
        [100, 100, 100, 500, 500, 0, 0]
    assert automatic_period(burgers, replace(settings, method="grid")) == 0  # a grid is a choice of points
    assert automatic_period(burgers, replace(settings, resample_every=0)) == 0
    assert automatic_period(burgers, replace(settings, resample_every=7)) == 7
    laplace = pdedsl.load(LAPLACE).compile()  # no time coordinate
    assert automatic_period(laplace, resolve_settings(laplace.settings, method="sobol")) == 0


def test_a_redraw_keeps_the_optimizers_own_state_and_restarts_the_wrappers():
    import jax.numpy as jnp

    from pdedsl.run._causal import CausalState
    from pdedsl.run._resample import carried_state
    from pdedsl.run._validation import ValidatedState
    from pdedsl.run._wrappers import StallWindowState
    from pdedsl.solvers._amstramgram import AMStramGRAMState

    def state(tau, count, eps):
        base = AMStramGRAMState(jnp.asarray(count), jnp.asarray(tau), jnp.asarray(2))
        window = StallWindowState(CausalState(base, jnp.asarray(eps)), jnp.full(3, tau), jnp.asarray(count))
        return ValidatedState(window, jnp.asarray(count), jnp.asarray(tau))

    kept = carried_state(state(1.0, 0, 1.0), state(7.5, 40, 100.0))
    part = carried_state(state(1.0, 0, 1.0), state(7.5, 40, 100.0), ("step",))  # L-BFGS: the count only
    assert int(part.inner.inner.inner.step) == 40 and float(part.inner.inner.inner.tau) == 1.0
    assert float(kept.inner.inner.inner.tau) == 7.5 and int(kept.inner.inner.inner.step) == 40  # the optimizer's
    assert int(kept.count) == 0 and int(kept.inner.count) == 0  # the wrappers' counters start afresh
    assert float(kept.inner.inner.eps) == 100.0  # the causal ε reached is kept
    # In a run: AMStramGRAM's crossing factor after a redraw is the one it reached, not its first value.
    sol = pdedsl.solve(pdedsl.load(LAPLACE), steps=6, resample_every=3, init="glorot",
                       **{**SMALL, "optimizer": "amstramgram"})
    assert [row["step"] for row in sol.metrics["resamples"]] == [3]
    tau = sol.history["tau"]
    assert tau[0] == pytest.approx(1 / np.sqrt(49 + 24), rel=1e-12)  # the first value, 1/√S
    assert tau[3] != pytest.approx(tau[0], rel=1e-6)  # carried over the redraw, not the first value again


def test_adam_lbfgs_stays_in_its_lbfgs_stage_across_a_redraw():
    sol = pdedsl.solve(pdedsl.load(LAPLACE), steps=8, resample_every=5, optimizer_options={"adam_steps": 3},
                       **{**SMALL, "optimizer": "adam_lbfgs"})
    assert [row["step"] for row in sol.metrics["resamples"]] == [5]
    assert sol.history["stage"] == [0, 0, 0, 1, 1, 1, 1, 1]
    assert np.all(np.isfinite(sol.history["loss"])) and sol.history["loss"][-1] < sol.history["loss"][5]
