"""Semantic checks: the domain, names, regions and settings a spec resolves to, and every kind of mistake."""

import math

import pytest

from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.geometry import Box, Face, Faces, Interior
from pdedsl.language import _ir as c
from pdedsl.language._check import check
from pdedsl.language._parser import parse_spec
from pdedsl.settings import OPTIMIZERS

SQUARE = "domain x in [0, 1], y in [0, 1]\nunknown u\n"


def checked(text):
    return check(parse_spec(text))


def test_domain_time_and_indexed_coordinates():
    problem = checked("let L = 2*pi\ndomain t in [0, 1], x in [-L, L]^2\nunknown u\npde: dt(u) = lap(u)")
    assert problem.domain == Box(("t", "x1", "x2"), (0.0, -2 * math.pi, -2 * math.pi),
                                 (1.0, 2 * math.pi, 2 * math.pi), time="t")
    marked = checked("domain x in [0, 1], time s in [0, 2]\nunknown u\npde: d(u, s) = dxx(u)")
    assert (marked.domain.time, marked.domain.spatial_axes) == ("s", (0,))
    assert checked(SQUARE + "pde: u = 0").domain.time is None


def test_regions_of_conditions():
    problem = checked("domain t in [0, 2], x in [-1, 1], y in [0, 1]\nunknown u\n"
                      "pde: dt(u) = lap(u)\n"
                      "boundary: u = 0\n"
                      "boundary: u = 0 on x = -1, y = 1 weight 10\n"
                      "boundary: u = 0 on boundary\n"
                      "initial: u = 1\n"
                      "initial: u = 1 on t = 0\n")
    regions = {g.name: (g.kind, g.region, g.weight) for g in problem.conditions}
    spatial = Faces((Face(1, 0), Face(1, 1), Face(2, 0), Face(2, 1)))
    assert regions == {
        "pde": ("pde", Interior(), 1.0),
        "boundary": ("boundary", spatial, 1.0),
        "boundary.2": ("boundary", Faces((Face(1, 0), Face(2, 1))), 10.0),
        "boundary.3": ("boundary", spatial, 1.0),
        "initial": ("initial", Faces((Face(0, 0),)), 1.0),
        "initial.2": ("initial", Faces((Face(0, 0),)), 1.0),
    }


def test_sums_unroll_and_indices_resolve():
    problem = checked("domain x in [0, 1]^3\nunknown u\npde: u = sum(k = 1..3, k * x[k])")
    total = problem.conditions[0].rhs
    assert isinstance(total, c.Total) and len(total.terms) == 3
    assert [(t.left.value, t.right.axis, t.right.name) for t in total.terms] == [(1, 0, "x1"), (2, 1, "x2"),
                                                                                   (3, 2, "x3")]


def test_lets_are_named_constants_or_inlined_expressions():
    problem = checked(SQUARE + "let a = 2\nlet b = a^2\nlet f = a * x\npde: u = f + b")
    assert [name for name, _ in problem.parameters] == ["a", "b"]
    rhs = problem.conditions[0].rhs
    assert isinstance(rhs.left, c.Arith) and isinstance(rhs.left.right, c.Coord)  # f inlined
    assert rhs.right == c.Param(rhs.right.span, "b")


def test_derivative_forms_resolve_to_axes():
    problem = checked("domain t in [0, 1], x in [0, 1]^2\nunknown u\n"
                      "pde: dt(u) + d(u, x1, x[2], x2) + d(u, t) = 0")
    first, second, third = (problem.conditions[0].lhs.left.left, problem.conditions[0].lhs.left.right,
                            problem.conditions[0].lhs.right)
    assert (first.axes, second.axes, third.axes) == ((0,), (1, 2, 2), (0,))
    shorthand = checked(SQUARE + "pde: dxy(u) + dyy(u) = 0").conditions[0].lhs
    assert (shorthand.left.axes, shorthand.right.axes) == ((0, 1), (1, 1))


def test_settings_become_plain_dicts():
    problem = checked(SQUARE + "pde: u = 0\nboundary: u = 0\n"  # the `boundary 60` count needs a boundary
                      "model mlp(widths = [64, 32], activation = sin, init = lecun)\n"
                      "sample interior 900, boundary 60, method = halton\n"
                      "solve anagram(steps = 300, cutoff = 1e-6, mode = relative, ranks = [1, 2], "
                      'reject = true, flag = false, label = "true")')
    assert problem.settings == c.Settings(
        model={"kind": "mlp", "widths": [64, 32], "activation": "sin", "init": "lecun"},
        sample={"interior": 900, "boundary": 60, "method": "halton"},
        solve={"optimizer": "anagram", "steps": 300, "cutoff": 1e-6, "mode": "relative", "ranks": [1, 2],
               "reject": True, "flag": False, "label": "true"},  # the names true/false are bools, a string stays one
    )
    assert checked(SQUARE + "pde: u = 0").settings == c.Settings({}, {}, {})


def test_exact_and_reference():
    problem = checked(SQUARE + "unknown v\npde: u = v\npde: v = 1\nexact: v = 1\nexact: u = x\n"
                      'reference "r.npz"')
    assert [type(e).__name__ for e in problem.exact] == ["Coord", "Num"]  # in the order of the unknowns
    assert problem.reference == "r.npz"


ERRORS = [
    # (text, error type, line, column, message, hint)
    (SQUARE + "let kappa = 1\npde: -lap(u) = kapa", PdeNameError, 4, 16, "unknown name 'kapa'",
     "did you mean 'kappa'? Names are coordinates, unknowns and `let` constants."),
    (SQUARE + "pde: -lap(u) = q", PdeNameError, 3, 16, "unknown name 'q'",
     "define it first: `let q = ...`, `unknown q`, or a coordinate in the domain"),
    (SQUARE + "pde: sine(u) = 0", PdeNameError, 3, 6, "unknown function 'sine'",
     "did you mean 'sin'? the functions are: sin, cos, tan, exp, log, sqrt, tanh, sinh, cosh, abs"),
    (SQUARE + "pde: dz(u) = 0", PdeNameError, 3, 6, "unknown function 'dz'",
     "'z' is not a coordinate (the coordinates are: x, y); derivatives are d(u, x, y) or the shorthand d + "
     "coordinate letters (dx, dxx, dxy)"),
    (SQUARE + "pde: sin(u, x) = 0", PdeSemanticError, 3, 6, "sin() takes 1 argument, got 2", None),
    (SQUARE + "pde: dot(grad(u)) = 0", PdeSemanticError, 3, 6, "dot() takes 2 arguments, got 1", None),
    (SQUARE + "let k = 2\npde: d(u, k) = 0", PdeSemanticError, 4, 11, "'k' is not a coordinate",
     "a derivative names a coordinate: x, y"),
    (SQUARE + "pde: d(u) = 0", PdeSemanticError, 3, 6,
     "d() takes an expression and at least one coordinate, got 1 argument", "e.g. d(u, x) or d(u, x, x, y)"),
    (SQUARE + "pde: u = 0\nboundary: u = 0 on x = 2", PdeSemanticError, 4, 20,
     "x = 2 is not a face of the domain: x ranges over [0, 1]", "conditions hold on faces: x = 0 or x = 1"),
    (SQUARE + "pde: u = 0\nboundary: u = 0 on kappa = 0", PdeNameError, 4, 20, "unknown name 'kappa'",
     "define it first: `let kappa = ...`, `unknown kappa`, or a coordinate in the domain"),
    (SQUARE + "let x = 1\npde: u = 0", PdeNameError, 3, 5, "'x' is already defined as a coordinate at line 1",
     "every name is defined once; choose another name"),
    (SQUARE + "unknown u\npde: u = 0", PdeNameError, 3, 9, "'u' is already defined as an unknown at line 2",
     "every name is defined once; choose another name"),
    (SQUARE + "let pi = 3\npde: u = 0", PdeNameError, 3, 5, "'pi' is a built-in name and cannot be redefined",
     "choose another name"),
    (SQUARE + "boundary: u = 0", PdeSemanticError, 3, 11, "the spec has no `pde:` equation",
     "add the differential equation, e.g. `pde: -lap(u) = f`"),
    (SQUARE + "pde: u = 0\nboundary: v = 0", PdeNameError, 4, 11, "unknown name 'v'",
     "define it first: `let v = ...`, `unknown v`, or a coordinate in the domain"),
    (SQUARE + "pde: u = 0\ninitial: u = 0", PdeSemanticError, 4, 10, "an initial condition needs a time coordinate",
     "name a coordinate `t`, or mark one with `time`, e.g. `domain time s in [0, 1], x in [0, 1]`"),
    ("domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) = 0\ninitial: u = 0 on t = 1", PdeSemanticError,
     4, 16, "an initial condition holds at the start of time, t = 0",
     "drop the `on` clause, or use a `boundary:` condition for other faces"),
    (SQUARE + "pde: u = 0\nexact: v = 0", PdeNameError, 4, 8, "exact solution for 'v', which is not a declared unknown",
     "the unknowns are: u"),
    (SQUARE + "pde: u = 0\nexact: u = u", PdeSemanticError, 4, 12,
     "an exact solution must be a scalar expression of the coordinates",
     "it may use coordinates and `let` constants, not the unknowns"),
    (SQUARE + "pde: u = 0\nsolve adamw(steps = 3)", PdeNameError, 4, 7, "unknown optimizer 'adamw'",
     "did you mean 'adam'? choose one of: " + ", ".join(OPTIMIZERS)),
    (SQUARE + "pde: u = 0\nsolve adam(steps = -3)", PdeSemanticError, 4, 20,
     "`steps` must be a positive whole number, not -3",
     "the step budget (default: none, the time budget ends the run)"),
    (SQUARE + "pde: u = 0\nsample interior 100, method = sobl", PdeNameError, 4, 31,
     "unknown sampling method 'sobl'", "did you mean 'sobol'? choose one of: random, sobol, halton, grid"),
    (SQUARE + "pde: u = 0\nmodel mlp(widths = [0])", PdeSemanticError, 4, 20,
     "`widths` must be a list of positive whole numbers", "e.g. widths = [32, 32] for two hidden layers of 32 neurons"),
    (SQUARE + "pde: u = 0\nmodel mlp(width = [8])", PdeNameError, 4, 11, "unknown model setting 'width'",
     "did you mean 'widths'?"),
    (SQUARE + "pde: u = 0\nmodel mlp(activation = relu)", PdeNameError, 4, 24, "unknown activation 'relu'",
     "did you mean 'gelu'? choose one of: tanh, sin, cos, softplus, sigmoid, gelu, silu"),
    (SQUARE + "pde: dxxxxxxxxx(u) = 0", PdeSemanticError, 3, 6, "derivative of order 9; at most 8 is supported", None),
    (SQUARE + "pde: u^100 = 0", PdeSemanticError, 3, 8, "the exponent 100 is too large (at most 64)",
     "rewrite the power, e.g. with exp()"),
    (SQUARE + "pde: u = sum(k = 1..2000, x)", PdeSemanticError, 3, 10,
     "this sum has too many terms (at most 1000 in all)", None),
    (SQUARE + "pde: u = sum(k = 3..1, x)", PdeSemanticError, 3, 10, "the sum range 3..1 is empty",
     "write the lower bound first, e.g. k = 1..5"),
    (SQUARE + "pde: grad(u) = [0, 0, 1]", PdeSemanticError, 3, 6,
     "the two sides have different numbers of components: a vector of 2 components on the left, a vector of 3 "
     "components on the right", "a vector equation needs vectors of the same length on both sides (or 0 on one side)"),
    (SQUARE + "pde: grad(u) * grad(u) = 0", PdeSemanticError, 3, 6,
     "'*' cannot combine these operands: vector(2) * vector(2)",
     "vectors (from grad) can be added, scaled, divided by a scalar, and combined with dot(a, b) or div(v)"),
    (SQUARE + "pde: u(x) = 0", PdeSemanticError, 3, 6, "'u' is an unknown, not a function",
     "an unknown is evaluated where its equation holds: write u, not u(...)"),
    (SQUARE + "pde: x = 0", PdeSemanticError, 3, 6, "this equation does not involve any unknown",
     "equations and conditions constrain the unknowns (u)"),
    (SQUARE + "pde: u = 1/0", PdeSemanticError, 3, 10, "division by zero", None),
    (SQUARE + "pde: u = sqrt(-1)", PdeSemanticError, 3, 10, "sqrt(-1) has no real value", None),
    ("domain x in [1, 0]\nunknown u\npde: u = 0", PdeSemanticError, 1, 8, "the interval [1, 0] is empty",
     "write the lower end first, e.g. [0, 1]"),
    ("domain x in [0, 1]^5\nunknown u\npde: u = x[6]", PdeSemanticError, 3, 12,
     "the index of x must lie in 1..5, not 6", None),
    ("domain x in [0, 1]^5\nunknown u\npde: u = x", PdeSemanticError, 3, 10, "'x' has 5 components; use one of them",
     "write x[k] inside a sum, or x1 .. x5"),
    ("unknown u\npde: u = 0", PdeSemanticError, 1, 1, "the spec declares no domain",
     "add a line such as `domain x in [0, 1], y in [0, 1]`"),
    ("domain x in [0, 1]\ndomain y in [0, 1]\nunknown u\npde: u = 0", PdeNameError, 2, 1,
     "a second domain statement (the first is at line 1)", "declare every coordinate in one `domain` line"),
    (SQUARE + "unknown v\npde: u = 0", PdeSemanticError, 3, 9, "the unknown 'v' appears in no `pde:` equation",
     "every unknown needs an equation that determines it"),
    (SQUARE + "pde: sin(grad(u)) = 0", PdeSemanticError, 3, 10,
     "sin() needs a scalar, but this is a vector of 2 components",
     "take div(...) or dot(..., ...) to get a scalar"),
    (SQUARE + "pde: u = 0 weight -1", PdeSemanticError, 3, 19, "a weight must be positive, not -1", None),
]


@pytest.mark.parametrize("text, kind, line, column, message, hint", ERRORS,
                         ids=[e[4][:40] for e in ERRORS])
def test_mistakes_are_reported_exactly(text, kind, line, column, message, hint):
    with pytest.raises(kind) as info:
        checked(text)
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (line, column, message, hint)
