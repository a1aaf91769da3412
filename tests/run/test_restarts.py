"""`restarts = N`: after a stall, a fresh initialisation on the same points; the best attempt is kept."""

import json
from pathlib import Path

import jax
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "examples" / "laplace2d.pde"
SMALL = dict(widths=(6,), points={"interior": 49, "boundary": 24})
# A step must halve the loss to count as progress, and three steps in a row without it are a stall: every
# attempt stalls within a few steps, so the restarts are certain to happen.
QUICK_STALL = {"min_decrease": 0.5, "patience": 3}


def _run(**kwargs):
    options = dict(optimizer="amstramgram", optimizer_options=QUICK_STALL, steps=40, quiet=True, **SMALL)
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


def test_restarts_resume_where_the_run_stopped(tmp_path):
    whole = _run(restarts=3, steps=12, out=tmp_path / "whole")
    _run(restarts=3, steps=5, out=tmp_path / "split")
    rest = _run(restarts=3, steps=12, out=tmp_path / "split", resume=True)
    assert rest.metrics["attempts"] == whole.metrics["attempts"]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(rest.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    saved = json.loads((tmp_path / "split" / "metrics.json").read_text())
    assert saved["best_attempt"] == whole.metrics["best_attempt"]


def test_restarts_in_the_spec_and_bad_values(tmp_path, capsys):
    line = "solve amstramgram(steps = 30, restarts = 2, min_decrease = 0.5, patience = 3)"
    text = LAPLACE.read_text().replace("solve  anagram(steps = 500)", line)
    number = text.splitlines().index(line) + 1
    spec = tmp_path / "r.pde"
    spec.write_text(text)
    sol = pdedsl.solve(pdedsl.load(spec), quiet=True, **SMALL)
    assert sol.metrics["settings"]["restarts"] == 2 and len(sol.metrics["attempts"]) == 3
    # A stall at or below `restart_above` is a floor good enough: no restart.
    floor = pdedsl.solve(pdedsl.load(spec), quiet=True, restart_above=1e9, **SMALL)
    assert floor.status == "stalled" and "attempts" not in floor.metrics and set(floor.history["attempt"]) == {0}
    assert floor.metrics["steps"] == sol.metrics["attempts"][0]["steps"]

    spec.write_text(text.replace("restarts = 2", "restarts = -1"))
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{spec}:{number}:42: error: `restarts` must be a whole number from 0 to 100, not -1"
    assert err[1] == "    " + line.replace("restarts = 2", "restarts = -1")
    assert main(["solve", str(LAPLACE), "--restarts", "101", "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "error: restarts must be a whole number from 0 to 100, not 101" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
