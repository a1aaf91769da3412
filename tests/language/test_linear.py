"""`CompiledProblem.linear`: every residual affine in the unknowns' values and derivatives (learned
scalars are coefficients)."""

from pathlib import Path

import pytest

import pdedsl

ROOT = Path(__file__).resolve().parents[2]

HEADER = "domain t in [0, 1], x in [0, 1]\nunknown u\n"
CONDITIONS = "boundary: u = 0 on x = 0, x = 1\ninitial: u = sin(pi * x) on t = 0\n"


@pytest.mark.parametrize("pde, linear", [
    ("dt(u) - 0.25 * dxx(u) = 0", True),
    ("dt(u) - 0.25 * dxx(u) = sin(x) * exp(-t)", True),  # a source in the coordinates only
    ("dt(u) + x * dx(u) + t^2 * u = 0", True),  # variable coefficients
    ("dt(u) + u * dx(u) = 0.01 * dxx(u)", False),  # Burgers: a product of two unknowns
    ("dt(u) - 0.001 * dxx(u) - 5 * (u - u^3) = 0", False),  # a power
    ("dt(u) - dxx(u) + sin(u) = 0", False),  # a function of the unknown
])
def test_linearity_of_the_pde(pde, linear):
    assert pdedsl.parse(HEADER + f"pde: {pde}\n" + CONDITIONS).compile().linear is linear


def test_a_nonlinear_condition_makes_the_problem_nonlinear_a_learned_coefficient_does_not():
    neumann = HEADER + "pde: dt(u) = dxx(u)\nboundary: dx(u) + u^2 = 0 on x = 0\nboundary: u = 0 on x = 1\n" \
        "initial: u = sin(pi * x) on t = 0\n"
    assert pdedsl.parse(neumann).compile().linear is False
    assert pdedsl.parse(neumann.replace("u^2", "2 * u")).compile().linear is True
    assert pdedsl.load(ROOT / "examples" / "heat_inverse.pde").compile().linear is True  # κ · dxx(u), κ learned
