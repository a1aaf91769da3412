"""Driver statuses and resumption, the optimizer registry, the MLP, and the import rule."""

import ast
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.solvers import (
    MLP,
    Adam,
    AMStramGRAM,
    ANaGRAM,
    GradientDescent,
    LBFGS,
    Status,
    make_optimizer,
    run,
)

# A small nonlinear least-squares problem: fit a 1-8-1 tanh net to sin(πx) at 12 points.
_MODEL = MLP(1, 1, (8,), "tanh")
_X = jnp.linspace(-1.0, 1.0, 12)[:, None]


def _residual(params, data):
    pred = jax.vmap(lambda x: _MODEL.apply(params, x)[0])(data["x"])
    return (pred - jnp.sin(jnp.pi * data["x"][:, 0])) / jnp.sqrt(data["x"].shape[0])


_DATA = {"x": _X}
_PARAMS = _MODEL.init(jax.random.PRNGKey(0))


@pytest.mark.parametrize("opt", [AMStramGRAM(), Adam(learning_rate=1e-2), LBFGS()], ids=type)
def test_resume_is_bitwise(opt):
    full = run(opt, _residual, _PARAMS, _DATA, steps=10)
    first = run(opt, _residual, _PARAMS, _DATA, steps=6)
    host_params, host_state = jax.device_get((first.params, first.state))  # as the runner saves them
    leaves, treedef = jax.tree_util.tree_flatten(host_state)
    restored = jax.tree_util.tree_unflatten(treedef, [np.asarray(x) for x in leaves])
    second = run(opt, _residual, host_params, _DATA, steps=4, state=restored, start_step=6)
    assert second.steps == 10 and full.steps == 10
    for a, b in zip(jax.tree_util.tree_leaves(full.params), jax.tree_util.tree_leaves(second.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(full.history["loss"][6:], second.history["loss"])


def test_history_callback_and_stop():
    seen = []

    def callback(info):
        seen.append((info.step, float(info.stats["loss"])))
        return info.step == 2

    out = run(GradientDescent(), _residual, _PARAMS, _DATA, steps=10, callback=callback, start_step=0)
    assert out.status is Status.STOPPED and out.steps == 3
    assert [s for s, _ in seen] == [0, 1, 2]
    assert out.history["loss"].shape == (3,) and np.all(np.diff(out.history["time"]) >= 0)
    # gradient descent with rejection never increases the loss
    assert np.all(np.diff(out.history["loss"]) <= 0)


def test_target_and_converged_statuses():
    out = run(AMStramGRAM(), _residual, _PARAMS, _DATA, steps=200, target_loss=1e-6)
    assert out.status is Status.TARGET and out.history["loss_after"][-1] <= 1e-6 < out.history["loss"][0]
    # a linear residual that is exactly solvable: converged once ‖r‖ < eps
    a = jnp.asarray(np.random.default_rng(0).normal(size=(6, 6)))
    lin = lambda p, d: d["A"] @ p - d["b"]
    out = run(AMStramGRAM(eps=1e-10), lin, jnp.zeros(6), {"A": a, "b": jnp.ones(6)}, steps=10)
    assert out.status is Status.CONVERGED
    np.testing.assert_allclose(a @ out.params, np.ones(6), atol=1e-10)


def test_a_run_that_cannot_progress_is_never_converged_and_the_stall_test_stops_it():
    from pdedsl.run._wrappers import StallWindow

    # r(x) = x² + 1 has its least loss ½ at x = 0, where φ̂ = 0: no step lowers the loss, ‖r‖ = 1 > eps.
    # AMStramGRAM has no stall test of its own: it goes on to the budget, reporting "running".
    res = lambda p, d: jnp.square(p) + d
    out = run(AMStramGRAM(), res, jnp.zeros(1), jnp.ones(1), steps=3)
    assert out.status is Status.BUDGET and out.history["status"].tolist() == [0, 0, 0]
    np.testing.assert_array_equal(out.params, np.zeros(1))
    # every rejected step quadruples τ (τ0 = 1/√S = 1), so the next step keeps fewer components
    np.testing.assert_array_equal(out.history["tau"], [1.0, 4.0, 16.0])
    assert float(out.state.tau) == 64.0
    # The runner's stall test (less than 10x over 2 steps) stops it at the third step.
    stalled = run(StallWindow(AMStramGRAM(), 2, 10.0), res, jnp.zeros(1), jnp.ones(1), steps=50)
    assert stalled.status is Status.STALLED and stalled.steps == 2
    assert stalled.history["status"].tolist() == [0, 0, Status.STALLED.code]


def test_nonfinite_keeps_last_finite_params():
    # r(p) = p + 0·log(p − ½): Adam's first step (size lr = 1) takes p from 1 to 0, where r is NaN
    res = lambda p, d: p + 0.0 * jnp.log(p - d)
    out = run(Adam(learning_rate=1.0), res, jnp.ones(3), 0.5, steps=5)
    assert out.status is Status.NONFINITE and out.steps == 1
    np.testing.assert_array_equal(out.params, np.ones(3))
    assert np.isfinite(out.history["loss"][0]) and np.isnan(out.history["loss"][1])


def test_registry_names_and_errors():
    assert isinstance(make_optimizer("AMStramGRAM", eps=1e-12), AMStramGRAM)
    assert make_optimizer("anagram", cutoff=1e-4, step_sizes=[1.0]).step_sizes == (1.0,)
    with pytest.raises(ValueError, match=r"unknown optimizer 'newton'; expected one of: amstramgram, anagram"):
        make_optimizer("newton")
    with pytest.raises(ValueError, match=r"optimizer 'adam' has no setting 'cutoff'"):
        make_optimizer("adam", cutoff=1.0)


def test_mlp_shapes_dtype_and_initialisation():
    model = MLP(3, 2, (64, 16), "sin", initializer="lecun")
    params = model.init(jax.random.PRNGKey(1))
    assert [p["w"].shape for p in params] == [(3, 64), (64, 16), (16, 2)]
    assert all(p["w"].dtype == jnp.float64 for p in params)  # x64 is on in the tests
    assert model.apply(params, jnp.ones(3)).shape == (2,)
    assert model.num_params == 4 * 64 + 65 * 16 + 17 * 2
    big = MLP(400, 400, (400,), initializer="lecun").init(jax.random.PRNGKey(2))
    np.testing.assert_allclose(np.std(big[0]["w"]), 1 / 20, rtol=0.02)
    glorot = MLP(300, 100, (100,)).init(jax.random.PRNGKey(3))
    np.testing.assert_allclose(np.std(glorot[0]["w"]), np.sqrt(2 / 400), rtol=0.02)
    # "normal": weights and biases N(0, init_std²), 0.1 by default (the published ANaGRAM set-up)
    for init_std in (0.1, 0.5):
        layers = MLP(300, 100, (100,), initializer="normal", init_std=init_std).init(jax.random.PRNGKey(4))
        np.testing.assert_allclose(np.std(layers[0]["w"]), init_std, rtol=0.02)
        np.testing.assert_allclose(np.std(np.concatenate([p["b"] for p in layers])), init_std, rtol=0.1)
    with pytest.raises(ValueError, match="unknown activation 'relu'"):
        MLP(1, 1, activation="relu")


def test_solver_core_imports_no_language_or_runner():
    root = pathlib.Path(__file__).resolve().parents[2] / "pdedsl" / "solvers"
    allowed = {"jax", "numpy", "optax", "pdedsl", "__future__", "dataclasses", "typing", "enum", "time",
               "collections", "functools", "math"}
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("pdedsl"):
                    assert name.startswith("pdedsl.solvers"), f"{path.name} imports {name}"


@pytest.mark.parametrize("name", ["amstramgram", "anagram", "engd", "gd", "adam", "lbfgs"])
def test_every_optimizer_reports_its_verdict_as_one_int32_status(name):
    opt = make_optimizer(name)
    state = opt.init(_residual, _PARAMS, _DATA)
    _, _, stats = jax.jit(opt.step, static_argnums=0)(_residual, _PARAMS, state, _DATA)
    assert stats["status"].dtype == jnp.int32 and stats["status"].shape == ()
    assert int(stats["status"]) == 0  # one step from a fresh net: neither converged nor stalled
    assert not {"converged", "stalled"} & set(stats)


def test_the_line_search_settings_and_step_are_shared_by_every_searching_optimizer():
    from pdedsl.solvers._linesearch import LineSearch

    for name in ("amstramgram", "anagram", "engd", "gd"):
        opt = make_optimizer(name, step_sizes=[0.5, 0.25], search_stride=1)
        assert isinstance(opt, LineSearch) and opt.step_sizes == (0.5, 0.25) and opt.search_stride == 1
    # gradient descent on r = A x − b with the single step 0.5 scaled by max_step_size 2: x − ∇loss
    a = jnp.asarray(np.random.default_rng(3).normal(size=(5, 3))) / 4
    b = jnp.ones(5)
    lin = lambda x, d: d["A"] @ x - d["b"]
    opt = GradientDescent(step_sizes=(0.5,), max_step_size=2.0, reject=False)
    x1, _, stats = opt.step(lin, jnp.zeros(3), opt.init(lin, jnp.zeros(3), {"A": a, "b": b}), {"A": a, "b": b})
    np.testing.assert_allclose(x1, a.T @ b, rtol=1e-14)  # ∇loss at 0 is −Aᵀb
    np.testing.assert_allclose(stats["loss_after"], 0.5 * np.sum(np.square(a @ (a.T @ b) - b)), rtol=1e-14)
    assert float(stats["step_size"]) == 1.0 and bool(stats["accepted"]) and int(stats["status"]) == 0


def test_tau_range_is_checked_when_the_optimizer_is_built():
    from pdedsl.solvers import OptimizerSettingError

    with pytest.raises(OptimizerSettingError, match=r"^optimizer 'amstramgram': setting 'tau_range' must be two "
                       r"numbers \[low, high\] with 0 < low <= high, not \[1\.0\]$") as bad:
        make_optimizer("amstramgram", tau_range=[1.0])
    assert bad.value.setting == "tau_range"
    for wrong in ((2.0, 1.0), (0.0, 1.0), (1.0, 2.0, 3.0)):
        with pytest.raises(OptimizerSettingError, match="tau_range"):
            AMStramGRAM(tau_range=wrong)
    assert AMStramGRAM(tau_range=(1.0, 1.0)).tau_range == (1.0, 1.0)
