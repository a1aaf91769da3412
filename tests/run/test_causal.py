"""`causal = ε`: time slices weighted w_i = exp(−ε Σ_{k<i} L_k), as constants of each step."""

import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pdedsl
from pdedsl.errors import PdeError
from pdedsl.run._assemble import WEIGHT_KEY
from pdedsl.run._causal import Causal, causal_weights, slice_index
from pdedsl.solvers import PointwiseGroup, PointwiseResidual

ROOT = Path(__file__).resolve().parents[2]
HEAT = ROOT / "examples" / "heat.pde"
SMALL = dict(widths=(16,), points={"interior": 144, "boundary": 24, "initial": 24}, restarts=0, stall_window=0,
             quiet=True)


def heat(extra: str):
    return pdedsl.parse(HEAT.read_text() + f"solve amstramgram(steps = 300{extra})\n", "heat.pde")


def test_weights_follow_the_formula_for_a_hand_computed_loss_vector():
    w = causal_weights(jnp.array([0.5, 1.0, 2.0, 0.25]), 2.0)
    np.testing.assert_allclose(w, [1.0, math.exp(-1.0), math.exp(-3.0), math.exp(-7.0)], rtol=1e-14)
    assert list(slice_index(jnp.array([0.0, 0.249, 0.25, 0.99, 1.0]), 0.0, 1.0, 4)) == [0, 0, 1, 3, 3]


class Recorder:
    """An optimizer that takes no step and reports the residual it was given (the weighted rows)."""

    def init(self, residual_fn, params, data):
        return ()

    def step(self, residual_fn, params, state, data):
        return params, state, {"loss": 0.5 * jnp.sum(residual_fn(params, data) ** 2),
                               "rows": residual_fn(params, data)}


def test_a_step_scales_each_interior_row_by_the_root_of_its_slice_weight():
    # R(t, x) = c·t: at t = 0.1, 0.3 (slice 0) and 0.6, 0.8 (slice 1), L_0 = c²(0.01 + 0.09)/2,
    # L_1 = c²(0.36 + 0.64)/2, so w = (1, exp(−ε L_0)) and the boundary rows are not weighted.
    def interior(params, point):
        return params * point["points"][:1] * (point[WEIGHT_KEY] if WEIGHT_KEY in point else 1.0)

    def boundary(params, point):
        return params * jnp.ones(1)

    residual = PointwiseResidual((PointwiseGroup("pde", interior, 0.5), PointwiseGroup("boundary", boundary, 1.0)))
    data = {"pde": {"points": jnp.array([[0.1, 0.5], [0.6, 0.5], [0.3, 0.2], [0.8, 0.9]])},
            "boundary": {"points": jnp.array([[0.5, 0.0]])}}
    causal = Causal(Recorder(), ("pde",), 0, 0.0, 1.0, eps=4.0, slices=2)
    c = 3.0
    state = causal.init(residual, jnp.asarray(c), data)
    _, state, stats = causal.step(residual, jnp.asarray(c), state, data)
    l0 = c**2 * (0.01 + 0.09) / 2
    w1 = math.exp(-4.0 * l0)
    root = np.array([1.0, math.sqrt(w1), 1.0, math.sqrt(w1)])
    np.testing.assert_allclose(stats["rows"], np.r_[0.5 * c * np.array([0.1, 0.6, 0.3, 0.8]) * root, c],
                               rtol=1e-13)
    assert float(stats["causal_min_weight"]) == pytest.approx(w1, rel=1e-13)
    assert float(stats["causal_eps"]) == 4.0 and float(state.eps) == 4.0  # w1 = 0.165: not all fitted
    # Once every weight exceeds 0.99 (a small residual), ε is raised ten-fold for the next step.
    _, state, stats = causal.step(residual, jnp.asarray(0.01), state, data)
    assert float(stats["causal_min_weight"]) > 0.99 and float(state.eps) == 40.0
    # The weights are constants of the step: no gradient flows through them.
    grad = jax.grad(lambda p: stats_loss(causal, residual, p, data))(jnp.asarray(c))
    weighted = 0.25 * np.sum((np.array([0.1, 0.6, 0.3, 0.8]) * root) ** 2) + 1.0
    assert float(grad) == pytest.approx(c * weighted, rel=1e-12)


def stats_loss(causal, residual, params, data):
    state = causal.init(residual, params, data)
    return causal.step(residual, params, state, data)[2]["loss"]


def test_causal_training_of_heat_reaches_a_small_error_and_resumes_bit_for_bit(tmp_path):
    sol = pdedsl.solve(heat(", causal = 1"), steps=100, **SMALL)
    assert sol.metrics["settings"]["causal"] == 1.0
    assert "causal_slices" not in sol.metrics["settings"]  # a constant (pdedsl.settings), not a setting
    assert sol.metrics["rel_l2"] < 3e-3  # as without the weights: 1.7e-3 at this size
    eps = np.asarray(sol.history["causal_eps"])
    assert eps[0] == 1.0 and eps[-1] >= 10.0 and np.all(np.diff(eps) >= 0)  # raised as the slices fit
    assert 0 < sol.history["causal_min_weight"][0] < 0.99
    # The final loss and val_loss are the plain (unweighted) ones.
    assert sol.metrics["loss"] < 1e-5 and sol.metrics["val_loss"] < 1e-4
    whole = pdedsl.solve(heat(", causal = 1"), steps=16, **SMALL)
    pdedsl.solve(heat(", causal = 1"), steps=8, out=tmp_path / "split", checkpoint_every=0, **SMALL)
    rest = pdedsl.solve(heat(", causal = 1"), steps=16, out=tmp_path / "split", resume=True, **SMALL)
    assert rest.history["causal_eps"] == whole.history["causal_eps"]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_causal_needs_a_time_coordinate_and_a_number():
    laplace = (ROOT / "tests" / "data" / "laplace2d.pde").read_text()
    solve_line = next(line for line in laplace.splitlines() if line.startswith("solve"))
    text = laplace.replace(solve_line, solve_line[:-1] + ", causal = 1)")
    with pytest.raises(PdeError, match="causal training needs a time coordinate: this problem has none") as err:
        pdedsl.solve(pdedsl.parse(text, "laplace.pde"), steps=2, widths=(4,), quiet=True)
    assert err.value.span is not None and err.value.span.line == text.splitlines().index(
        solve_line[:-1] + ", causal = 1)") + 1
    with pytest.raises(PdeError, match=r"`causal` must be a number from 0 to 1e12, not -1\n"):
        heat(", causal = -1").compile()
    with pytest.raises(PdeError, match="'causal_slices' is no longer a solve setting"):
        heat(", causal = 1, causal_slices = 0").compile()


def test_causal_training_with_redraws_resumes_bit_for_bit(tmp_path):
    # Sobol' points on an evolution problem: redraws every 5 steps carry the optimizer state and ε. The
    # first part stops on a redraw step (10) before redrawing; the resumed run redraws first.
    settings = {**SMALL, "method": "sobol", "resample_every": 5, "widths": (6,)}
    whole = pdedsl.solve(heat(", causal = 1"), steps=14, **settings)
    assert [row["step"] for row in whole.metrics["resamples"]] == [5, 10]
    pdedsl.solve(heat(", causal = 1"), steps=10, out=tmp_path / "split", **settings)
    rest = pdedsl.solve(heat(", causal = 1"), steps=14, out=tmp_path / "split", resume=True, **settings)
    assert rest.metrics["resamples"] == whole.metrics["resamples"]
    assert rest.history["causal_eps"] == whole.history["causal_eps"]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_the_causal_flag_and_keyword_set_causal_training(tmp_path, capsys):
    from pdedsl.cli import main

    laplace = ROOT / "tests" / "data" / "laplace2d.pde"
    assert main(["solve", str(laplace), "--causal", "1", "--out", str(tmp_path / "no-time"), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{laplace}: error: causal training needs a time coordinate: this problem has none"
    sol = pdedsl.solve(HEAT, causal=2.5, steps=2, widths=(4,),
                       points={"interior": 36, "boundary": 8, "initial": 8})
    assert sol.metrics["settings"]["causal"] == 2.5
