"""General periodic pairs `periodic: u(x = 0) = u(x = 1)`: parsing, compiling, residual values, mistakes."""

import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
import sympy

import pdedsl
from pdedsl.cli import main
from pdedsl.errors import PdeNameError, PdeSemanticError, PdeSyntaxError
from pdedsl.geometry import PeriodicFaces
from pdedsl.language import _ast as ast
from pdedsl.language._parser import parse_spec
from pdedsl.run._sampling import collocation_points

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STRIP = "domain t in [0, 1], x in [0, 2]\nunknown u\npde: dt(u) = 0\n"  # x is axis 1, faces x = 0 and x = 2


def group(compiled, name="periodic"):
    return next(g for g in compiled.groups if g.name == name)


def values(text, u, name="periodic", n=7):
    """The group's residual at the runner's points (sampled on x = 0, each paired with its image on x = 2)."""
    compiled = pdedsl.parse(text).compile()
    g = group(compiled, name)
    data = collocation_points(compiled.domain, [g], {"boundary": n}, "sobol", 0)[name]
    assert np.all(data["points"][:, 1] == 0) and np.all(data["pair"][:, 1] == 2)
    np.testing.assert_array_equal(data["pair"][:, 0], data["points"][:, 0])
    extras = {k: jnp.asarray(data[k]) for k in g.point_data}
    return data["points"], np.asarray(g.fn(u, jnp.asarray(data["points"]), extras))


def periodic_u(point):  # u = (1 + t) sin(πx) + cos(πx): 2-periodic in x, and so is every derivative
    t, x = point
    return jnp.stack([(1 + t) * jnp.sin(jnp.pi * x) + jnp.cos(jnp.pi * x)])


def cubic_u(point):  # u = t + x³: u(t, 0) − u(t, 2) = −8, u_x(t, 0) − u_x(t, 2) = −12, u_xx: 0 − 12
    t, x = point
    return jnp.stack([t + x**3])


# ---- parse and compile ------------------------------------------------------------------------------

def test_a_periodic_block_parses_to_conditions_whose_unknowns_sit_on_faces():
    spec = parse_spec(STRIP + "periodic:\n    u(x = 0) = u(x = 2)\n    dx(u(x = 0)) = dx(u(x = 2))   weight 10\n")
    first, second = spec.statements[-2:]
    assert (first.kind, first.text, first.weight) == ("periodic", "u(x = 0) = u(x = 2)", None)
    (face,) = first.equation.lhs.args
    assert isinstance(face, ast.Face) and face.coordinate.name == "x" and face.value.value == 0
    assert (face.span.line, face.span.column, face.span.end_column) == (5, 7, 12)
    assert second.text == "dx(u(x = 0)) = dx(u(x = 2)) weight 10" and second.weight.value == 10
    assert isinstance(second.equation.rhs.args[0].args[0], ast.Face)


def test_a_periodic_pair_compiles_to_a_group_on_the_lower_face_with_pair_jets():
    problem = pdedsl.parse(STRIP + "periodic: u(x = 0) = u(x = 2)\nperiodic: dx(u(x = 0)) = dx(u(x = 2)) weight 10")
    source = problem.generated_source()
    assert "def periodic(u, u_pair):\n    return u - u_pair\n" in source
    assert "def periodic_2(u_x, u_x_pair):\n    return u_x - u_x_pair\n" in source
    groups = problem.compile().groups[1:]
    assert [(g.name, g.kind, g.region, g.weight, g.n_components, g.point_data) for g in groups] == [
        ("periodic", "periodic", PeriodicFaces(1), 1.0, 1, ("pair",)),
        ("periodic.2", "periodic", PeriodicFaces(1), 10.0, 1, ("pair",)),
    ]


def test_periodic_x_is_the_same_as_its_general_form():
    sugar = pdedsl.parse(STRIP + "periodic x").residual_expressions()["periodic"]
    general = pdedsl.parse(STRIP + "periodic: [u(x = 0), dx(u(x = 0))] = [u(x = 2), dx(u(x = 2))]")
    assert sympy.simplify(general.residual_expressions()["periodic"] - sugar) == sympy.zeros(2, 1)


def test_the_sides_may_be_written_upper_face_first_and_may_differ_in_unknowns():
    t, x = sympy.symbols("t x", real=True)
    u, v = (sympy.Function(f"{n}_{{pair}}", real=True)(t, x) for n in "uv")
    found = pdedsl.parse(STRIP.replace("unknown u", "unknown u, v") + "pde: v = 0\n"
                         "periodic: u(x = 2) = 3 * v(x = 0)").residual_expressions()["periodic"]
    assert found == u - 3 * sympy.Function("v", real=True)(t, x)


# ---- residual values ------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [
    "u(x = 0) = u(x = 2)", "dx(u(x = 0)) = dx(u(x = 2))", "dxx(u(x = 0)) = dxx(u(x = 2))",
    "[u(x = 2), dt(u(x = 2))] = [u(x = 0), dt(u(x = 0))]", "dx(u(x = 0))^2 + u(x = 0) = dx(u(x = 2))^2 + u(x = 2)",
])
def test_the_residual_vanishes_for_a_periodic_function(condition):
    _, found = values(STRIP + f"periodic: {condition}", periodic_u)
    np.testing.assert_allclose(found, 0.0, atol=1e-12)


@pytest.mark.parametrize("condition, expected", [
    ("u(x = 0) = u(x = 2)", [-8.0]),
    ("u(x = 2) = u(x = 0)", [8.0]),  # upper face first: the same pairs, the opposite sign
    ("dx(u(x = 0)) = dx(u(x = 2))", [-12.0]),
    ("dxx(u(x = 0)) = dxx(u(x = 2))", [-12.0]),
    ("[u(x = 0), dx(u(x = 0))] = [u(x = 2), dx(u(x = 2))]", [-8.0, -12.0]),
    ("dx(x * u(x = 0)) = dx(x * u(x = 2))", [-32.0]),  # x is 0 on the left, 2 on the right: t − (t + 8 + 24)
])
def test_the_residual_of_a_non_periodic_function_is_the_jump_between_the_faces(condition, expected):
    _, found = values(STRIP + f"periodic: {condition}", cubic_u)
    np.testing.assert_allclose(found, [expected] * len(found), atol=1e-12)


def test_the_coordinate_of_the_pair_is_its_own_on_each_side():
    """u(x = 0) + x = u(x = 2) + x with x = 0 on the left and x = 2 on the right: u = t + x³ gives −8 − 2."""
    points, found = values(STRIP + "periodic: u(x = 0) + x * t = u(x = 2) + x * t", cubic_u)
    np.testing.assert_allclose(found[:, 0], -8.0 - 2 * points[:, 0], atol=1e-12)


def test_a_weighted_pair_on_a_2d_box_with_the_runner_points():
    text = "domain x in [-1, 1], y in [0, 3]\nunknown u\npde: lap(u) = 0\nperiodic: u(y = 0) = u(y = 3) weight 4"
    compiled = pdedsl.parse(text).compile()
    g = group(compiled)
    assert (g.region, g.weight) == (PeriodicFaces(1), 4.0)
    data = collocation_points(compiled.domain, [g], {"boundary": 5}, "random", 1)["periodic"]
    assert np.all(data["points"][:, 1] == 0) and np.all(data["pair"][:, 1] == 3)

    def u(point):  # u = x y²: u(x, 0) − u(x, 3) = −9x
        return jnp.stack([point[0] * point[1] ** 2])

    found = g.fn(u, jnp.asarray(data["points"]), {"pair": jnp.asarray(data["pair"])})
    np.testing.assert_allclose(found[:, 0], -9 * data["points"][:, 0], atol=1e-12)


@pytest.mark.parametrize("name", ["advection_periodic", "poisson_periodic"])
def test_check_and_verify_pass_on_the_periodic_examples(capsys, name):
    spec = EXAMPLES / f"{name}.pde"
    assert main(["check", str(spec)]) == 0
    assert main(["verify", str(spec), "--points", "100"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"periodic\s+line \d+\s+max \|residual\| = \S+\s+ok", out)
    assert out.splitlines()[-1] == f"{spec}: ok: every residual <= 1e-08"


# ---- mistakes --------------------------------------------------------------------------------------

BOX = "domain t in [0, 1], x in [0, 1], y in [0, 2]\nunknown u, v\npde: dt(u) = lap(v)\npde: v = 0\n"
DISK = "domain x, y in disk([0, 0], 1)\nunknown u\npde: lap(u) = 0\n"
FACES = "a periodic condition pairs the faces x = 0 and x = 1"
ERRORS = [
    (BOX + "periodic: u(z = 0) = u(x = 1)", PdeNameError, 5, 13, "unknown name 'z'",
     "define it first: `let z = ...`, `unknown z`, or a coordinate in the domain"),
    (BOX + "periodic: u(v = 0) = u(x = 1)", PdeSemanticError, 5, 13, "'v' is not a coordinate",
     "a periodic face names a coordinate: t, x, y"),
    (BOX + "periodic: u(x = 0) = u(x = 2)", PdeSemanticError, 5, 24,
     "x = 2 lies outside the domain: x ranges over [0, 1]", FACES),
    (BOX + "periodic: u(x = 0.5) = u(x = 1)", PdeSemanticError, 5, 13,
     "x = 0.5 is not a face of the domain: x ranges over [0, 1]", FACES),
    (BOX + "periodic: u(x = y) = u(x = 1)", PdeSemanticError, 5, 17, "a face position must be a constant",
     "use numbers, pi, e and `let` constants"),
    (BOX + "periodic: u(t = 0) = u(t = 1)", PdeSemanticError, 5, 13,
     "'t' is the time; periodic conditions pair spatial faces", None),
    (BOX + "periodic: [u(x = 0), v(x = 0)] = u(x = 1)", PdeSemanticError, 5, 11,
     "the two sides have different numbers of components: a vector of 2 components on the left, a scalar on the "
     "right", "both sides of a periodic condition have the same shape: scalars, or vectors of the same length"),
    (BOX + "periodic: u(x = 0) = u(y = 2)", PdeSemanticError, 5, 24,
     "the two sides are on faces of different coordinates: x = 0 on the left, y = 2 on the right",
     "a periodic condition pairs the two faces of one coordinate, e.g. u(x = 0) = u(x = 1)"),
    (BOX + "periodic: u(x = 1) = v(x = 1)", PdeSemanticError, 5, 24, "both sides are on the face x = 1",
     "a periodic condition pairs two different faces, e.g. u(x = 0) = u(x = 1)"),
    (BOX + "periodic: u(x = 0) = u(x = 1) + v(x = 0)", PdeSemanticError, 5, 35,
     "the right side of a periodic condition uses two faces, x = 1 and x = 0",
     "each side is evaluated on one face; the other face belongs on the other side"),
    (BOX + "periodic: u(x = 0) = 1", PdeSemanticError, 5, 22,
     "the right side of a periodic condition has no unknown on a face",
     "each side evaluates the unknowns on one face, e.g. u(x = 0) = u(x = 1); a condition on a single face is a "
     "`boundary:` condition"),
    (BOX + "periodic: v = v(x = 1)", PdeSemanticError, 5, 11, "in a `periodic:` condition, 'v' is written on a face",
     "e.g. v(x = 0) = v(x = 1)"),
    (BOX + "periodic: u(0, 0, 0) = u(x = 1)", PdeSemanticError, 5, 11,
     "in a `periodic:` condition, 'u' is written on one face",
     "a periodic condition pairs two faces of one coordinate, e.g. u(x = 0) = u(x = 1)"),
    (BOX + "periodic: u(x = 0, y = 0) = u(x = 1)", PdeSemanticError, 5, 11,
     "in a `periodic:` condition, 'u' is written on one face",
     "a periodic condition pairs two faces of one coordinate, e.g. u(x = 0) = u(x = 1)"),
    (BOX + "periodic: u(x = 0) = manufactured", PdeSemanticError, 5, 22,
     "'manufactured' cannot be used in a `periodic:` condition",
     "a periodic condition pairs two faces: write both sides, e.g. u(x = 0) = u(x = 1)"),
    (BOX + "periodic: u(x = 0) = u(x = 1) weight 0", PdeSemanticError, 5, 38, "a weight must be positive, not 0",
     None),
    (DISK + "periodic: u(x = -1) = u(x = 1)", PdeSemanticError, 4, 11, "periodic conditions need a box domain",
     "a shape domain has no pairs of opposite faces"),
    (BOX + "boundary: u(x = 0) = 0 on x = 0", PdeSemanticError, 5, 11,
     "'u' on a face is written in `periodic:` conditions only",
     "elsewhere an unknown is evaluated where its equation holds: write u; a condition on a face is written "
     "`boundary: ... on x = 0`"),
    (BOX + "pde: sin(x = 0) = u", PdeSemanticError, 5, 10, "a face `coordinate = value` is not an expression",
     "an unknown on a face, as in u(x = 0), is written in `periodic:` conditions only"),
    (BOX + "periodic: u(x = 0) = u(x = 1) on x = 0", PdeSyntaxError, 5, 31,
     "unexpected keyword 'on'; expected end of line or keyword 'weight'", None),
]


@pytest.mark.parametrize("text, kind, line, column, message, hint", ERRORS, ids=[e[4][:40] for e in ERRORS])
def test_mistakes_are_reported_exactly(text, kind, line, column, message, hint):
    with pytest.raises(kind) as info:
        pdedsl.parse(text, "spec.pde")
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (line, column, message, hint)
    shown = str(err).splitlines()
    assert shown[0] == f"spec.pde:{line}:{column}: error: {message}"
    assert shown[1] == "    " + text.splitlines()[line - 1]
    assert shown[2].index("^") == 4 + column - 1


def test_the_caret_underlines_the_face():
    with pytest.raises(PdeSemanticError) as info:
        pdedsl.parse(BOX + "periodic: u(x = 0.5) = u(x = 1)", "spec.pde")
    assert str(info.value).splitlines()[1:4] == [
        "    periodic: u(x = 0.5) = u(x = 1)",
        "                ^~~~~~~",
        f"hint: {FACES}",
    ]
