"""`pdedsl check / verify / compile`: exit codes, positioned errors with a caret, never a traceback."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pdedsl.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIX = ["laplace2d", "heat", "laplace5d", "allen_cahn", "burgers", "nonlinear_poisson"]


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", SIX)
def test_check_accepts_every_example(capsys, name):
    code, out, err = run(capsys, "check", EXAMPLES / f"{name}.pde")
    assert (code, err) == (0, "")
    assert out.startswith(f"{EXAMPLES / name}.pde: ok: ")


def test_check_summary_line(capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "heat.pde")
    assert out == (f"{EXAMPLES / 'heat.pde'}: ok: 2-D box (t, x, time t); unknown u; "
                   "groups pde, boundary, initial; exact solution\n")


def test_check_reports_a_mistake_with_position_caret_and_hint(capsys, tmp_path):
    spec = tmp_path / "bad.pde"
    spec.write_text("let kappa = 1/4\ndomain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) = kapa * dxx(u)\n")
    code, out, err = run(capsys, "check", spec)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{spec}:4:14: error: unknown name 'kapa'",
        "    pde: dt(u) = kapa * dxx(u)",
        "                 ^~~~",
        "hint: did you mean 'kappa'? Names are coordinates, unknowns and `let` constants.",
    ]


@pytest.mark.parametrize("name", ["laplace2d", "heat", "laplace5d", "nonlinear_poisson"])
def test_verify_passes_on_examples_with_an_exact_solution(capsys, name):
    code, out, err = run(capsys, "verify", EXAMPLES / f"{name}.pde", "--points", "200")
    assert (code, err) == (0, "")
    residuals = [float(v) for v in re.findall(r"max \|residual\| = (\S+)", out)]
    assert residuals and max(residuals) <= 1e-8
    assert out.splitlines()[-1] == f"{EXAMPLES / name}.pde: ok: every residual <= 1e-08"


def test_verify_fails_on_a_wrong_exact_solution(capsys, tmp_path):
    spec = tmp_path / "wrong.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: dxx(u) = -pi^2 * sin(pi * x)\n"
                    "boundary: u = 0\nexact: u = 2 * sin(pi * x)\n")
    code, out, err = run(capsys, "verify", spec, "--points", "50")
    assert code == 1
    assert re.search(r"pde\s+line 3\s+max \|residual\| = \S+\s+FAILED", out)
    assert re.search(r"boundary\s+line 4\s+max \|residual\| = \S+\s+ok", out)
    lines = err.splitlines()
    assert lines[0].startswith(f"{spec}:3:1: error: the exact solution does not satisfy 'pde': max |residual| = ")
    assert lines[1:3] == ["    pde: dxx(u) = -pi^2 * sin(pi * x)", "    " + "^" + "~" * 32]


def test_verify_without_exact_solution_is_an_error(capsys):
    code, out, err = run(capsys, "verify", EXAMPLES / "allen_cahn.pde")
    assert code == 1 and out == ""
    assert err.splitlines()[0] == f"{EXAMPLES / 'allen_cahn.pde'}:1:1: error: the spec has no exact solution to verify"
    assert err.splitlines()[-1] == "hint: add an `exact:` block, e.g. `exact: u = sin(pi * x)`"


def test_compile_emits_python_that_parses(capsys):
    code, out, _ = run(capsys, "compile", EXAMPLES / "heat.pde", "--emit", "jax")
    assert code == 0
    tree = ast.parse(out)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["pde", "boundary", "initial", "exact"]
    assert "# pde (heat.pde:7)" in out


def test_compile_emits_sympy_and_latex(capsys):
    code, out, _ = run(capsys, "compile", EXAMPLES / "heat.pde", "--emit", "sympy")
    assert code == 0
    assert "pde: -kappa*Derivative(u(t, x), (x, 2)) + Derivative(u(t, x), t)" in out.splitlines()
    code, out, _ = run(capsys, "compile", EXAMPLES / "heat.pde", "--emit", "latex")
    assert "initial: u{\\left(t,x \\right)} - \\sin{\\left(\\pi x \\right)}" in out.splitlines()


def test_command_line_process_shows_no_traceback(tmp_path):
    spec = tmp_path / "bad.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: u = sin(x]\n")
    done = subprocess.run([sys.executable, "-m", "pdedsl.cli", "check", str(spec)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[:3] == [
        f"{spec}:3:15: error: mismatched brackets: '(' at line 3, column 13 is closed by ']'",
        "    pde: u = sin(x]",
        "                  ^",
    ]


def test_the_command_runs_lapack_single_threaded_unless_told_otherwise(monkeypatch, capsys):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert main(["check", str(EXAMPLES / "heat.pde")]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert main(["check", str(EXAMPLES / "heat.pde")]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


@pytest.mark.parametrize("argv, message", [
    (["--points", "0"], "argument --points: the number of points must be from 1 to 10000000, not 0"),
    (["--points=-1"], "argument --points: the number of points must be from 1 to 10000000, not -1"),
    (["--tol", "nan"], "argument --tol: the tolerance must be a finite number >= 0, not nan"),
    (["--tol=-1e-3"], "argument --tol: the tolerance must be a finite number >= 0, not -1e-3"),
    (["--seed=-1"], "argument --seed: the seed must be from 0 to 4294967295, not -1"),
    (["--seed", str(2**63)], f"argument --seed: the seed must be from 0 to 4294967295, not {2**63}"),
])
def test_verify_refuses_numbers_out_of_range_without_a_traceback(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(EXAMPLES / "heat.pde"), *argv])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert err.splitlines()[-1] == f"pdedsl verify: error: {message}"
    assert "Traceback" not in err
