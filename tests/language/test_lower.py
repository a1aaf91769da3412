"""Derivative atoms → named jet symbols and the multi-indices the residual stage must compute."""

import sympy

from pdedsl.language._check import check
from pdedsl.language._lower import lower
from pdedsl.language._parser import parse_spec
from pdedsl.language._symbolic import to_sympy


def lowered(text):
    return lower(to_sympy(check(parse_spec(text))))


def jets(residual):
    return [(str(j.symbol), j.unknown, j.multi_index) for j in residual.jets]


def test_heat_jets():
    problem = lowered("domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) - dxx(u) / 4 = 0\n"
                      "initial: u = sin(pi * x)")
    pde, initial = problem.residuals
    assert jets(pde) == [("u_t", 0, (1, 0)), ("u_xx", 0, (0, 2))]
    assert pde.coordinate_axes == ()
    u_t, u_xx = (j.symbol for j in pde.jets)
    assert pde.exprs[0] == u_t - u_xx / 4
    assert jets(initial) == [("u", 0, (0, 0))] and initial.coordinate_axes == (1,)


def test_mixed_higher_and_several_unknowns():
    problem = lowered("domain x in [0, 1], y in [0, 1]\nunknown u, v\n"
                      "pde: dxy(u) + d(u, x, x, y) = v\npde: dy(v) = u * dx(u)")
    first, second = problem.residuals
    assert jets(first) == [("v", 1, (0, 0)), ("u_xy", 0, (1, 1)), ("u_xxy", 0, (2, 1))]
    assert jets(second) == [("u", 0, (0, 0)), ("u_x", 0, (1, 0)), ("v_y", 1, (0, 1))]
    assert [j.order for j in first.jets] == [0, 2, 3]


def test_indexed_coordinates_and_name_clashes():
    problem = lowered("domain x in [0, 1]^2\nunknown u\nlet u_x1x1 = 3\npde: lap(u) = u_x1x1")
    (pde,) = problem.residuals
    assert jets(pde) == [("u_x1x1_", 0, (2, 0)), ("u_x2x2", 0, (0, 2))]
    names = {str(s) for s in pde.exprs[0].free_symbols}
    assert names == {"u_x1x1_", "u_x2x2", "u_x1x1"}


def test_chain_rule_leaves_only_jets():
    problem = lowered("domain x in [0, 1]\nunknown u\npde: dxx(sin(u)) = 0")
    (pde,) = problem.residuals
    u, u_x, u_xx = (j.symbol for j in pde.jets)
    assert sympy.expand(pde.exprs[0] - (-sympy.sin(u) * u_x**2 + sympy.cos(u) * u_xx)) == 0
    assert not pde.exprs[0].atoms(sympy.Derivative)
