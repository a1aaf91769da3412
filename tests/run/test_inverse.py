"""Inverse problems: learned scalars are extra columns of φ̂, reported, saved, reloaded and resumed."""

import json
from pathlib import Path

import jax
import numpy as np

import pdedsl

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "heat_inverse.pde"
SMALL = dict(optimizer="amstramgram", widths=(8,), points={"interior": 100, "boundary": 20, "initial": 20}, n_test=500, quiet=True)


def test_a_short_run_moves_kappa_towards_the_truth(tmp_path):
    sol = pdedsl.solve(pdedsl.load(SPEC), steps=12, out=tmp_path / "run", **SMALL)
    kappa = sol.parameters["kappa"]
    assert abs(kappa - 0.25) < 0.5 * abs(0.5 - 0.25)  # at least halfway from the initial 0.5 to the true 1/4
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["parameters"] == {"kappa": kappa}
    assert metrics["parameter_errors"]["kappa"] == abs(kappa - 0.25) / 0.25
    assert len(metrics["history"]["param/kappa"]) == 12 and metrics["n_points"]["data"] == 100
    again = pdedsl.load_solution(tmp_path / "run")
    assert again.parameters == {"kappa": kappa}
    np.testing.assert_array_equal(again.u([[0.5, 0.5]]), sol.u([[0.5, 0.5]]))


def test_resume_restores_the_learned_scalars_bit_for_bit(tmp_path):
    whole = pdedsl.solve(pdedsl.load(SPEC), steps=4, out=tmp_path / "whole", **SMALL)
    pdedsl.solve(pdedsl.load(SPEC), steps=2, out=tmp_path / "split", **SMALL)
    rest = pdedsl.solve(pdedsl.load(SPEC), steps=4, out=tmp_path / "split", resume=True, **SMALL)
    assert rest.parameters == whole.parameters
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
