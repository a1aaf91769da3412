"""Bad input found by fuzzing: each case is a PdeError with an exact message, never a traceback."""

import time
from pathlib import Path

import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main
from pdedsl.solvers import OptimizerSettingError, make_optimizer

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
BOX = "domain x in [0, 1], y in [0, 1]\nunknown u\n"
NOT_FINITE = ("this expression is not finite: part of it is a division by zero, a pole (such as tan(pi/2) or "
              "log(0)) or a number beyond 1.8e308")


def _error_lines(tmp_path, capsys, text, *command):
    spec = tmp_path / "bad.pde"
    spec.write_text(text)
    assert main([*command, str(spec)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return spec, err.splitlines()


@pytest.mark.parametrize("line, col, source", [
    (3, 6, "pde: lap(u) = x / (x - x)"),            # SymPy folds it to zoo·x
    (3, 6, "pde: lap(u) = (x - x) / (x - x)"),      # ... to NaN
    (3, 6, "pde: lap(u) = x * 1e300 * 1e300"),      # an integer no float holds
    (3, 6, "pde: lap(u) = tan(pi / 2) * y"),
])
def test_an_equation_that_is_not_finite_is_reported_at_its_line(tmp_path, capsys, line, col, source):
    spec, err = _error_lines(tmp_path, capsys, BOX + source + "\nboundary: u = 0\n", "check")
    assert err[0] == f"{spec}:{line}:{col}: error: {NOT_FINITE}"
    assert err[1] == "    " + source
    assert err[3].startswith("hint: rewrite it so that every denominator")


def test_an_exact_solution_that_is_not_finite_is_reported_at_its_place(tmp_path, capsys):
    spec, err = _error_lines(tmp_path, capsys, BOX + "pde: lap(u) = 0\nboundary: u = 0\nexact: u = 1/(x - x)\n",
                             "verify")
    assert err[:3] == [f"{spec}:5:12: error: {NOT_FINITE}", "    exact: u = 1/(x - x)", "               ^~~~~~~~~"]


def test_verify_fails_on_a_nan_residual(tmp_path, capsys):
    spec = tmp_path / "nan.pde"
    spec.write_text("domain x in [-1, 1], y in [0, 1]\nunknown u\npde: lap(u) = sqrt(x)\nexact: u = 0\n")
    assert main(["verify", str(spec)]) == 1
    captured = capsys.readouterr()
    assert "max |residual| = nan  FAILED" in captured.out and "ok: every residual" not in captured.out
    assert captured.err.splitlines()[0] == (f"{spec}:3:1: error: the exact solution does not satisfy 'pde': "
                                            "max |residual| = nan > 1e-08")
    assert captured.err.splitlines()[-1].startswith("hint: the residual is NaN at some points")


def test_an_optimizer_value_of_the_wrong_kind_is_reported_at_its_place(tmp_path, capsys):
    text = "domain x in [0, 1]\nunknown u\npde: dx(dx(u)) = 0\nboundary: u = 0\n"
    spec, err = _error_lines(tmp_path, capsys, text + 'solve adam(steps = 3, learning_rate = "fast")\n', "solve",
                             "--quiet", "--out", str(tmp_path / "out"))
    assert err[:3] == [f"{spec}:5:23: error: optimizer 'adam': setting 'learning_rate' must be a number >= 0, "
                       "not 'fast'",
                       '    solve adam(steps = 3, learning_rate = "fast")',
                       "                          ^~~~~~~~~~~~~"]
    assert not (tmp_path / "out").exists()
    with pytest.raises(OptimizerSettingError) as info:
        make_optimizer("lbfgs", memory_size=[1, 2])
    assert info.value.setting == "memory_size"
    assert str(info.value) == "optimizer 'lbfgs': setting 'memory_size' must be a positive whole number, not [1, 2]"
    with pytest.raises(OptimizerSettingError, match="'jacobian_mode' must be one of auto, fwd, rev, pointwise"):
        make_optimizer("anagram", jacobian_mode="backwards")
    with pytest.raises(OptimizerSettingError, match="'b1' must be a number from 0 up to"):
        make_optimizer("adam", b1=5)


@pytest.mark.parametrize("flags, message", [
    (["--seed", "-1"], "seed must be a whole number from 0 to 4294967295, not -1"),
    (["--seed", str(2**63)], f"seed must be a whole number from 0 to 4294967295, not {2**63}"),
    (["--steps", "0"], "steps must be a positive whole number, not 0"),
    (["--points", "interior=0"], "the interior point count must be a positive whole number, not 0"),
    (["--time-limit", "-1"], "time_limit must be a positive number, not -1.0"),
    (["--opt", "cutoff=abc", "--optimizer", "anagram"],
     "optimizer 'anagram': setting 'cutoff' must be a number >= 0, not 'abc'"),
])
def test_bad_flags_are_refused_before_any_work(tmp_path, capsys, flags, message):
    assert main(["solve", str(LAPLACE), "--quiet", "--out", str(tmp_path / "out"), *flags]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"{LAPLACE}: error: {message}" and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "afile").write_text("keep me")
    assert main(["solve", str(LAPLACE), "--quiet", "--out", str(tmp_path / "afile")]) == 1
    assert f"error: the output folder {tmp_path / 'afile'} is a file" in capsys.readouterr().err
    assert (tmp_path / "afile").read_text() == "keep me"


def test_an_empty_shape_domain_is_an_error_not_an_out_of_memory(tmp_path, capsys):
    start = time.perf_counter()
    spec, err = _error_lines(tmp_path, capsys, "domain x, y in disk([0, 0], 1e-300)\nunknown u\npde: lap(u) = 0\n"
                             "boundary: u = 0\nexact: u = 0\n", "verify")
    assert err[0] == (f"{spec}: error: the domain is (almost) empty: 0 of the sample points drawn from its "
                      "bounding box lie inside it, 1000 are needed")
    assert time.perf_counter() - start < 60


def test_a_data_file_that_is_not_an_npz_archive(tmp_path):
    (tmp_path / "obs.npz").write_bytes(b"\x80\x04not a zip at all")
    spec = tmp_path / "inv.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: dx(dx(u)) = 0\nboundary: u = 0\ndata \"obs.npz\"\n")
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.load(spec).compile()
    assert info.value.message == "data file 'obs.npz' is not an .npz archive"
    assert "pickle" not in str(info.value)


def test_a_missing_reference_file_is_reported_at_the_reference_line(tmp_path, capsys):
    text = 'domain t in [0, 1], x in [-1, 1]\nunknown u\npde: dt(u) = 0\ninitial: u = 1 on t = 0\nreference "nope.npz"\n'
    spec, err = _error_lines(tmp_path, capsys, text, "solve", "--quiet", "--steps", "2", "--out", str(tmp_path / "o"))
    assert err[:3] == [f"{spec}:5:11: error: reference file '{tmp_path / 'nope.npz'}' does not exist",
                       '    reference "nope.npz"',
                       "              ^~~~~~~~~~"]


def test_a_sample_count_that_no_condition_uses_is_an_error(tmp_path, capsys):
    spec, err = _error_lines(tmp_path, capsys, BOX + "pde: lap(u) = 0\nboundary: u = 0\nsample interior 10, initial 10\n",
                             "check")
    assert err == [f"{spec}:5:21: error: `initial 10` samples points that no condition uses",
                   "    sample interior 10, initial 10",
                   "                        ^~~~~~~~~~",
                   "hint: the spec has no initial: condition; remove this count"]


def test_observations_outside_the_domain_are_an_error(tmp_path, capsys):
    (tmp_path / "obs.csv").write_text("t,x,u\n0.5,0.5,1\n0.2,5,2\n")
    spec, err = _error_lines(tmp_path, capsys, "domain t in [0, 1], x in [0, 1]\nunknown u\n"
                             "pde: dt(u) - dxx(u) = 0\ndata \"obs.csv\"\n", "check")
    assert err == [f"{spec}:4:6: error: data file 'obs.csv': row 2 (t = 0.2, x = 5) lies outside [0, 1] × [0, 1], "
                   "the domain's bounding box",
                   '    data "obs.csv"',
                   "         ^~~~~~~~~",
                   "hint: 1 row(s) lie outside; check the units and the column order"]


def test_every_error_ends_with_a_hint_even_without_a_specific_one(tmp_path, capsys):
    spec, err = _error_lines(tmp_path, capsys, "domain x in [0, 1]\nunknown u\npde: dx(dx(u)) = sin(x, x)\n"
                             "boundary: u = 0\n", "check")
    assert err == [f"{spec}:3:18: error: sin() takes 1 argument, got 2",
                   "    pde: dx(dx(u)) = sin(x, x)",
                   "                     ^~~~~~~~~",
                   "hint: docs/language.md states the rules of each statement and setting"]


def test_a_spec_file_name_that_is_not_utf8_runs_and_plots(tmp_path, capsys):
    import os

    spec = tmp_path / os.fsdecode(b"heat\xff.pde")
    spec.write_text(BOX + "pde: lap(u) = 0\nboundary: u = 0\n")
    out = tmp_path / "run"
    assert main(["solve", str(spec), "--out", str(out), "--quiet", "--steps", "1", "--widths", "4",
                 "--points", "interior=16", "boundary=8"]) == 3  # the step budget, not the target
    assert pdedsl.load_solution(out).metrics["problem"] == "heat\ufffd"
    assert (out / "solution.png").read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out.startswith("heat\ufffd: budget after 1 steps")


def test_write_errors_on_stdout_are_one_line_not_a_traceback(tmp_path):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "pdedsl.cli", "check", str(LAPLACE)], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == "pdedsl: error: cannot write to the standard output: No space left on device\n"
    # A reader that has gone (`| head`): a quiet exit.
    proc = subprocess.Popen([sys.executable, "-m", "pdedsl.cli", "compile", "--emit", "jax", str(LAPLACE)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 1
    assert proc.stderr.read() == b""


def test_restarts_never_keep_a_non_finite_attempt():
    import math

    from pdedsl.run._restarts import Attempts

    tries = Attempts()
    tries.finish(math.nan, {"w": np.zeros(2)}, 5, "nonfinite")
    assert tries.best is None and tries.best_loss == math.inf
    tries.finish(3.0, {"w": np.ones(2)}, 9, "stalled")
    tries.finish(math.inf, {"w": np.full(2, 7.0)}, 12, "nonfinite")
    assert tries.best_loss == 3.0 and tries.best["w"].tolist() == [1.0, 1.0]
    kept, summaries = tries.kept({"w": np.full(2, 5.0)}, math.nan, 15, "nonfinite")
    assert kept["w"].tolist() == [1.0, 1.0] and [row["attempt"] for row in summaries] == [0, 1, 2, 3]
    kept, _ = tries.kept({"w": np.full(2, 5.0)}, 2.0, 15, "budget")
    assert kept["w"].tolist() == [5.0, 5.0]
