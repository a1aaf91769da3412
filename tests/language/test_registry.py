"""One registry of built-ins: the checker, the SymPy stage, the evaluator, the printer and the manual all read it."""

import re
from pathlib import Path

import jax.numpy as jnp
import pytest
import sympy

from pdedsl.language import parse
from pdedsl.language._registry import CONSTANTS, FUNCTIONS, OPERATORS
from pdedsl.language._scope import BUILTINS

MANUAL = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text(encoding="utf-8")


def test_the_manual_lists_exactly_the_registered_functions():
    (row,) = re.findall(r"^\| `([a-z ]+)` \| functions of one argument \|", MANUAL, flags=re.M)
    assert row.split() == list(FUNCTIONS)


def test_the_manual_describes_every_registered_operator_as_the_registry_does():
    for op in OPERATORS.values():
        if op.name == "d":
            assert f"| `{op.usage}`, " in MANUAL
        else:
            assert f"| `{op.usage}` | {op.summary} |" in MANUAL, op.name
    table = MANUAL.split("### Derivatives", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `([a-z]+)\(", table, flags=re.M)) - {"dt", "dx", "dxx"}
    assert documented == set(OPERATORS)


def test_the_manual_lists_the_reserved_built_in_names():
    match = re.search(r"Nor can the built-ins: `([^`]+)`", MANUAL)
    assert match.group(1).split() == [*CONSTANTS, *FUNCTIONS, *OPERATORS, "manufactured"]
    assert set(match.group(1).split()) <= set(BUILTINS)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_checks_folds_builds_and_evaluates(name):
    """A constant argument folds with the registry's float function; the compiled residual calls its jnp one."""
    entry = FUNCTIONS[name]
    problem = parse(f"let c = {name}(0.5)\ndomain x in [0, 1]\nunknown u\npde: u - {name}(x) = c")
    (group,) = problem.compile().groups
    x = jnp.asarray([[0.25], [0.75]])
    value = group.fn(lambda p: 0 * p, x)
    expected = -getattr(jnp, entry.jnp)(x) - entry.fold(0.5)
    assert float(jnp.max(jnp.abs(value - expected))) < 1e-15
    assert isinstance(entry.sympy(sympy.Symbol("y")), sympy.Expr)
