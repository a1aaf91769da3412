"""End-to-end runs: spec → training → files on disk, checked against the mathematics."""

import json
from pathlib import Path

import jax
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
SMALL = ["--points", "interior=100", "boundary=40", "--widths", "8", "--quiet", "--optimizer", "amstramgram"]
OUTPUTS = ("metrics.json", "params.npz", "solution.npz", "checkpoint.npz", "convergence.png", "solution.png")


def exact_laplace(points):
    return np.sin(np.pi * points[:, 0]) * np.sin(np.pi * points[:, 1])


def test_cli_solve_writes_every_output_and_honest_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["solve", str(LAPLACE), "--steps", "20", "--out", str(out), *SMALL]) == 3
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("problem", "optimizer", "settings", "steps", "wall_s", "device", "loss", "rel_l2", "abs_l2",
                "status", "history"):
        assert key in metrics, key
    assert metrics["problem"] == "laplace2d" and metrics["steps"] == 20 and metrics["status"] == "budget"
    assert len(metrics["history"]["loss"]) == 20 and len(metrics["history"]["time"]) == 20
    assert metrics["settings"]["widths"] == [8] and metrics["n_points"] == {"pde": 100, "boundary": 40}

    # An independent evaluation of params.npz: a plain NumPy tanh network against sin(πx)sin(πy).
    pts = np.random.default_rng(123).random((20_000, 2))
    with np.load(out / "params.npz") as archive:
        leaves = [archive[k] for k in sorted(k for k in archive.files if k.startswith("params/"))]
    sol = pdedsl.load_solution(out)
    flat = jax.tree_util.tree_leaves(sol.params)
    assert all(np.array_equal(a, b) for a, b in zip(leaves, flat))
    u = sol.u(pts)[:, 0]
    rel = np.linalg.norm(u - exact_laplace(pts)) / np.linalg.norm(exact_laplace(pts))
    assert rel == pytest.approx(metrics["rel_l2"], rel=0.05)
    assert metrics["rel_l2"] < 0.5  # it did learn something in 20 natural-gradient steps

    grid = np.load(out / "solution.npz")
    assert grid["u"].shape == (201, 201, 1)
    np.testing.assert_allclose(grid["exact"][..., 0], exact_laplace(grid["points"]).reshape(201, 201), atol=1e-12)
    printed = capsys.readouterr().out
    assert "laplace2d: budget after 20 steps" in printed and "rel_l2" in printed


def test_python_api_matches_the_exact_solution_after_a_short_natural_gradient_run():
    problem = pdedsl.load(LAPLACE)
    sol = pdedsl.solve(problem, optimizer="amstramgram", steps=100, widths=(16,),
                       points={"interior": 144, "boundary": 60}, quiet=True)
    assert sol.out_dir is None and sol.status == "budget"
    pts = np.random.default_rng(7).random((5000, 2))
    err = np.linalg.norm(sol.u(pts)[:, 0] - exact_laplace(pts)) / np.linalg.norm(exact_laplace(pts))
    assert err < 1e-2
    assert sol.u(pts).dtype == np.float64
    # the loss of the weights kept (the best attempt's: the last step may belong to a fresh restart)
    assert len(sol.history["loss"]) == 100 and sol.metrics["loss"] < sol.history["loss"][0] * 1e-3


def test_float32_run_computes_in_float32(tmp_path):
    sol = pdedsl.solve(pdedsl.load(LAPLACE), optimizer="adam", steps=5, widths=(8,), float32=True,
                       points={"interior": 64, "boundary": 32}, out=tmp_path / "f32")
    assert sol.u(np.zeros((3, 2))).dtype == np.float32
    assert json.loads((tmp_path / "f32" / "metrics.json").read_text())["dtype"] == "float32"


def test_resume_refuses_a_checkpoint_of_other_settings(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["solve", str(LAPLACE), "--steps", "2", "--out", str(out), *SMALL]) == 3
    code = main(["solve", str(LAPLACE), "--steps", "4", "--out", str(out), "--seed", "9", "--resume", *SMALL])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: cannot resume: the run in {out} used another spec, other settings or other data" in err
    assert "Traceback" not in err


def test_resume_continues_to_the_same_parameters_as_an_uninterrupted_run(tmp_path):
    whole = pdedsl.solve(pdedsl.load(LAPLACE), steps=8, widths=(8,), points={"interior": 64, "boundary": 32},
                         out=tmp_path / "whole")
    first = pdedsl.solve(pdedsl.load(LAPLACE), steps=5, widths=(8,), points={"interior": 64, "boundary": 32},
                         out=tmp_path / "split")
    assert first.metrics["steps"] == 5
    rest = pdedsl.solve(pdedsl.load(LAPLACE), steps=8, widths=(8,), points={"interior": 64, "boundary": 32},
                        out=tmp_path / "split", resume=True)
    assert rest.metrics["steps"] == 8 and len(rest.history["loss"]) == 8
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_nonfinite_loss_stops_with_a_message_and_keeps_finite_parameters(tmp_path, capsys):
    spec = tmp_path / "broken.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: u = log(-1 - u^2)\nboundary: u = 0\n")
    code = main(["solve", str(spec), "--steps", "5", "--out", str(tmp_path / "b"), "--quiet", "--widths", "4"])
    captured = capsys.readouterr()
    assert code == 1
    assert "broken.pde: error: the loss became non-finite; the last finite parameters were kept" in captured.err
    metrics = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert metrics["status"] == "nonfinite" and metrics["rel_l2"] is None
    sol = pdedsl.load_solution(tmp_path / "b")
    assert np.all(np.isfinite(sol.u(np.linspace(0, 1, 11)[:, None])))


def test_bad_flags_are_user_errors_without_traceback(tmp_path, capsys):
    assert main(["solve", str(LAPLACE), "--points", "inside=3", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: --points: cannot read 'inside=3'" in err and "Traceback" not in err
    assert main(["solve", str(LAPLACE), "--optimizer", "newton", "--out", str(tmp_path)]) == 1
    assert "error: unknown optimizer 'newton'" in capsys.readouterr().err


def test_an_unknown_solve_option_is_reported_at_its_place_in_the_spec(tmp_path, capsys):
    spec = tmp_path / "typo.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: dx(dx(u)) = 0\nboundary: u = 0\n"
                    "solve amstramgram(steps = 10, subspace_serch = true)\n")
    assert main(["solve", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[:4] == [
        f"{spec}:5:31: error: optimizer 'amstramgram' has no setting 'subspace_serch'",
        "    solve amstramgram(steps = 10, subspace_serch = true)",
        "                                  ^~~~~~~~~~~~~~",
        "hint: did you mean 'subspace_search'? its settings are: jacobian_mode, factorization, eps, tau, elbow, "
        "subspace_search",
    ]
    assert not (tmp_path / "out").exists()
    # The same mistake from Python, where the option has no place in the spec: no position.
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.solve(LAPLACE, optimizer="adam", optimizer_options={"cutof": 1e-3})
    assert info.value.message == "optimizer 'adam' has no setting 'cutof'" and info.value.span is None
    assert info.value.hint == "its settings are: learning_rate, b1, b2, eps"


def test_load_solution_of_an_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(pdedsl.PdeError, match="no trained parameters in .*: params.npz is missing"):
        pdedsl.load_solution(tmp_path)


@pytest.mark.parametrize("spec", sorted((ROOT / "examples").glob("*.pde")), ids=lambda p: p.stem)
def test_every_example_runs_a_few_steps(spec, tmp_path):
    sol = pdedsl.solve(pdedsl.load(spec), steps=2, widths=(8,), quiet=True,
                       points={"interior": 64, "boundary": 32, "initial": 16}, n_test=2000)
    assert len(sol.history["loss"]) == 2 and np.isfinite(sol.metrics["loss"])
    has_solution = sol.metrics["error_reference"] is not None
    assert (sol.metrics["rel_l2"] is not None) == has_solution


def test_the_spec_initialisation_reaches_the_network():
    """`model mlp(..., init = normal)` builds the network with N(0, 0.1²) weights."""
    text = LAPLACE.read_text().replace("activation = tanh)", "activation = tanh, init = normal)")
    sol = pdedsl.solve(pdedsl.parse(text), steps=1, widths=(8,), quiet=True, points={"interior": 16, "boundary": 8})
    assert sol.model.initializer == "normal" and sol.model.init_std == 0.1
    assert sol.metrics["settings"]["init"] == "normal"
