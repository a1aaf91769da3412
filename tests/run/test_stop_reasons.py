"""Stops as values: the driver's callback returns a stop reason, and the runner's stall window is an
optimizer wrapper whose verdict travels in stats["status"]."""

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.run._wrappers import Monitored, StallWindow
from pdedsl.solvers import MLP, GradientDescent, Status, run


def _residual(params, data):  # r(p) = p - target: gradient descent shrinks the loss by a fixed factor a step
    return params - data


def test_the_callback_returns_a_stop_reason_that_comes_back_in_the_result():
    reasons = {2: "checkpoint due"}
    out = run(GradientDescent(), _residual, jnp.ones(3), jnp.zeros(3), steps=10,
              callback=lambda info: reasons.get(info.step))
    assert out.status is Status.STOPPED and out.reason == "checkpoint due" and out.steps == 3
    whole = run(GradientDescent(), _residual, jnp.ones(3), jnp.zeros(3), steps=10, callback=lambda info: None)
    assert whole.status is Status.BUDGET and whole.reason is None and whole.steps == 10
    assert len(whole.history["loss"]) == 10


def test_the_stall_window_reports_a_stall_when_the_loss_falls_too_slowly():
    # Each step of gradient descent with step size η multiplies the residual by 1 - η, so the loss falls by
    # (1 - η)^-2 a step: with η = 0.01 that is ~1.02 a step, ~1.06 over 3 steps, less than a factor 2.
    slow = StallWindow(GradientDescent(step_sizes=(0.01,)), window=3, factor=2.0)
    out = run(slow, _residual, jnp.ones(3), jnp.zeros(3), steps=50)
    assert out.status is Status.STALLED and out.steps == 3  # the 4th step compares with the 1st: stall
    assert out.history["status"].tolist() == [0, 0, 0, Status.STALLED.code]
    # A fresh state starts a new window (a restart, a redraw); the window is part of the state (resume).
    again = run(slow, _residual, out.params, jnp.zeros(3), steps=50, start_step=3)
    assert again.status is Status.STALLED and again.steps == 6
    fast = StallWindow(GradientDescent(step_sizes=(0.5,)), window=3, factor=2.0)
    assert run(fast, _residual, jnp.ones(3), jnp.zeros(3), steps=8).status is Status.BUDGET


def test_the_monitor_reports_the_error_at_its_own_test_points():
    model = MLP(1, 1, (3,), "tanh")
    params = model.init(jax.random.PRNGKey(0))
    points = jnp.linspace(0.0, 1.0, 7)[:, None]
    values = jnp.sin(points)
    monitored = Monitored(GradientDescent(step_sizes=(0.0,)), model, points, values)
    data = {"x": points}
    residual = lambda p, d: (jnp.stack([model.apply(p, x)[0] for x in d["x"]]) - jnp.sin(d["x"][:, 0]))
    out = run(monitored, residual, params, data, steps=1)
    pred = np.array([np.asarray(model.apply(params, x)) for x in np.asarray(points)])
    expected = np.linalg.norm(pred - np.asarray(values)) / np.linalg.norm(np.asarray(values))
    np.testing.assert_allclose(out.history["rel_l2"][0], expected, rtol=1e-12)
