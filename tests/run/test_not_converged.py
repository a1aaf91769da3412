"""A run that makes no progress says so: its message, metrics.json and the exit status of `pdedsl solve`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from pdedsl.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _inverse_spec(tmp_path: Path, kappa: float) -> Path:
    """examples/heat_inverse.pde (init κ = 0.5, its own settings) with observations of κ = `kappa`."""
    t, x = qmc.Sobol(d=2, scramble=True, seed=7).random(128)[:100].T
    u = np.exp(-kappa * np.pi**2 * t) * np.sin(np.pi * x)
    (tmp_path / "obs.csv").write_text("t,x,u\n" + "".join(f"{a:.17g},{b:.17g},{c:.17g}\n" for a, b, c in zip(t, x, u)))
    text = (EXAMPLES / "heat_inverse.pde").read_text()
    text = text.replace('"data/heat_obs.csv"', '"obs.csv"').replace("exp(-pi^2 * t / 4)", f"exp(-{kappa} * pi^2 * t)")
    text = text.replace("kappa = 1/4 ", f"kappa = {kappa} ")
    spec = tmp_path / "inverse.pde"
    spec.write_text(text)
    return spec


def test_an_inverse_problem_stuck_at_its_start_ends_not_converged_with_exit_status_3(tmp_path, capsys):
    # κ = 0.7 against the initial 0.5: ANaGRAM's step size sits at ~1e-6 from the first step. Without
    # restarts the stall test (less than 10x over 20 steps) ends the run at step 20.
    spec = _inverse_spec(tmp_path, 0.7)
    out = tmp_path / "run"
    code = main(["solve", str(spec), "--out", str(out), "--quiet", "--restarts", "0", "--steps", "60"])
    printed = capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert code == 3
    assert metrics["status"] == "stalled" and metrics["steps"] == 20 and metrics["converged"] is False
    assert np.median(metrics["history"]["step_size"]) < 1e-4
    assert abs(metrics["parameters"]["kappa"] - 0.5) < 0.05  # it never left its start
    assert metrics["message"].startswith("did not converge: the loss fell by less than 10x over the stall window "
                                         "and no restart was left at loss ")
    assert "the loss hardly moved from its start" in metrics["message"]
    assert "Try another optimizer" in metrics["message"]
    assert metrics["message"] in printed and "inverse: stalled after 20 steps" in printed


def test_a_run_that_reaches_its_target_exits_0_and_one_on_its_budget_exits_3(tmp_path):
    spec = tmp_path / "line.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: dxx(u) = 0\nboundary: u = x\nexact: u = x\n"
                    "model mlp(widths = [4])\nsample interior 8\n")
    runs = {}
    for name, flags in (("target", ["--target-loss", "1e-3"]), ("budget", ["--steps", "1"])):
        out = tmp_path / name
        code = main(["solve", str(spec), "--out", str(out), "--quiet", *flags])
        runs[name] = code, json.loads((out / "metrics.json").read_text())
    assert runs["target"][0] == 0 and runs["target"][1]["status"] == "target" and runs["target"][1]["converged"]
    assert runs["target"][1]["target_loss"] == 1e-3
    assert runs["budget"][0] == 3 and runs["budget"][1]["status"] == "budget" and not runs["budget"][1]["converged"]
    assert runs["budget"][1]["message"].startswith("did not converge: the step budget ran out")
