"""Checked problem → SymPy residuals lhs − rhs, compared with the mathematics written by hand."""

import sympy

from pdedsl.language._check import check
from pdedsl.language._parser import parse_spec
from pdedsl.language._symbolic import to_sympy


def residuals(text):
    problem = to_sympy(check(parse_spec(text)))
    return problem, {r.condition.name: r.expr for r in problem.residuals}


def test_heat_residuals():
    problem, r = residuals("let kappa = 1/4\ndomain t in [0, 1], x in [0, 1]\nunknown u\n"
                           "pde: dt(u) - kappa * dxx(u) = 0\nboundary: u = 0 on x = 0\ninitial: u = sin(pi*x)\n"
                           "exact: u = exp(-kappa * pi^2 * t) * sin(pi * x)")
    t, x = problem.coordinates
    u = problem.unknowns[0]
    (kappa, value), = problem.parameters
    assert value == sympy.Rational(1, 4)
    assert sympy.simplify(r["pde"] - (u.diff(t) - kappa * u.diff(x, 2))) == 0
    assert r["boundary"] == u
    assert r["initial"] == u - sympy.sin(sympy.pi * x)
    assert problem.exact == (sympy.exp(-kappa * sympy.pi**2 * t) * sympy.sin(sympy.pi * x),)


def test_lap_grad_div_act_on_space_only():
    problem, r = residuals("domain t in [0, 1], x in [0, 1], y in [0, 1]\nunknown u\n"
                           "pde: lap(u) + div(grad(u)) + dot(grad(u), grad(u)) = 0")
    t, x, y = problem.coordinates
    u = problem.unknowns[0]
    expected = 2 * (u.diff(x, 2) + u.diff(y, 2)) + u.diff(x) ** 2 + u.diff(y) ** 2
    assert sympy.expand(r["pde"] - expected) == 0


def test_product_rule_of_nonlinear_flux():
    problem, r = residuals("domain x in [0, 1], y in [0, 1]\nunknown u\npde: -div((1 + u^2) * grad(u)) = 0")
    x, y = problem.coordinates
    u = problem.unknowns[0]
    expected = -(1 + u**2) * (u.diff(x, 2) + u.diff(y, 2)) - 2 * u * (u.diff(x) ** 2 + u.diff(y) ** 2)
    assert sympy.expand(r["pde"] - expected) == 0


def test_sums_and_indexed_coordinates():
    problem, r = residuals("domain x in [0, 1]^3\nunknown u\npde: -lap(u) = pi^2 * sum(k = 1..3, sin(pi * x[k]))")
    u = problem.unknowns[0]
    xs = problem.coordinates
    assert [str(x) for x in xs] == ["x1", "x2", "x3"]
    expected = -sum(u.diff(x, 2) for x in xs) - sympy.pi**2 * sum(sympy.sin(sympy.pi * x) for x in xs)
    assert sympy.expand(r["pde"] - expected) == 0


def test_mixed_and_general_derivatives():
    problem, r = residuals("domain x in [0, 1], y in [0, 1]\nunknown u\npde: dxy(u) - d(u, y, x, x) = d(x^3, x, x)")
    x, y = problem.coordinates
    u = problem.unknowns[0]
    assert sympy.expand(r["pde"] - (u.diff(x, y) - u.diff(x, 2, y) - 6 * x)) == 0
