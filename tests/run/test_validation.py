"""`val_loss`: the training loss's formula at fresh points never trained on, per step and at the end."""

import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import pdedsl
from pdedsl.run._assemble import make_residual_fn
from pdedsl.run._progress import make_reporter
from pdedsl.run._validation import validation_data
from pdedsl.solvers import MLP

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"


def test_val_loss_is_the_loss_at_fresh_points_and_shows_overfitting(tmp_path):
    # 9 interior and 8 boundary points, 6 x 6 + ... parameters: the network fits its points and not the
    # equation between them; the training loss falls far below the held-out one.
    problem = pdedsl.load(LAPLACE)
    counts = {"interior": 9, "boundary": 8}
    sol = pdedsl.solve(problem, steps=40, widths=(12,), points=counts, optimizer="anagram", method="sobol",
                       target_loss=1e-300, out=tmp_path / "r", quiet=True)
    m = sol.metrics
    assert m["loss"] < 1e-8 and m["val_loss"] > 1e3 * m["loss"]
    assert len(sol.history["val_loss"]) == 40
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["val_loss"] == m["val_loss"]
    # The held-out set: the training counts, other points (uniform random, its own stream), seeded.
    compiled = problem.compile()
    held = validation_data(compiled, counts, 0, jnp.float64)
    assert {k: v["points"].shape for k, v in held.items()} == {k: (n, 2) for k, n in m["n_points"].items()}
    again = validation_data(compiled, counts, 0, jnp.float64)
    np.testing.assert_array_equal(held["pde"]["points"], again["pde"]["points"])
    assert not np.any(np.isclose(held["pde"]["points"][:, None, :], sol_points(compiled, counts)[None]).all(-1))
    # The first row's val_loss is the loss of the initial network at those points, computed here anew.
    model = MLP(in_dim=2, out_dim=1, widths=(12,), activation="tanh", initializer="lecun")
    params = model.init(__import__("jax").random.PRNGKey(0))
    residual = make_residual_fn(compiled.groups, model, held)
    assert sol.history["val_loss"][0] == pytest.approx(0.5 * float(jnp.sum(residual(params, held) ** 2)),
                                                       rel=1e-12)


def sol_points(compiled, counts):
    from pdedsl.run._sampling import collocation_points

    return collocation_points(compiled.domain, compiled.groups, counts, "sobol", 0)["pde"]["points"]


def test_first_order_runs_refresh_val_loss_every_ten_steps():
    sol = pdedsl.solve(pdedsl.load(LAPLACE), steps=25, widths=(4,), points={"interior": 16, "boundary": 8},
                       optimizer="adam", quiet=True)
    values = np.asarray(sol.history["val_loss"])
    assert np.all(values[1:10] == values[0]) and np.all(values[11:20] == values[10]) and values[10] != values[0]
    assert values[20] != values[10] and np.all(values[21:] == values[20])


def test_the_progress_line_shows_val_loss():
    reporter = make_reporter(False, total=10, start=0, problem="p", optimizer="o", device="cpu")
    reporter.update(3, {"loss": np.float64(2e-3), "val_loss": np.float64(5e-2)}, 1.0)
    assert reporter.progress.tasks[0].fields["stats"] == "loss 2.000e-03  val 5.000e-02"
