"""Systems, vector operators, normal derivatives, periodic pairs, point values, shapes, learned parameters,
data files and manufactured right sides: each against hand-derived values or exact messages."""

import jax.numpy as jnp
import numpy as np
import pytest
import sympy

import pdedsl
from pdedsl.errors import PdeDataError, PdeNameError, PdeSemanticError
from pdedsl.geometry import Annulus, Boundary, Difference, Disk, Faces, Face, PeriodicFaces, Plane, Rect, ShapeDomain
from pdedsl.language._verify import region_data

RECT = "domain x in [0, 1], y in [0, 2]\nunknown u\npde: lap(u) = 0\n"


def u_quadratic(point):
    """u = x² + 3y at a point (2,) -> (1,): ∇u = (2x, 3)."""
    x, y = point
    return jnp.stack([x**2 + 3 * y])


def group_values(compiled, name, data, u=u_quadratic, scalars=None):
    group = next(g for g in compiled.groups if g.name == name)
    extras = {k: jnp.asarray(data[k]) for k in group.point_data}
    return np.asarray(group.fn(u, jnp.asarray(data["points"]), extras, scalars))


# ---- the normal derivative ----------------------------------------------------------------------

@pytest.mark.parametrize("face, axis, side, expected", [
    ("x = 0", 0, 0, lambda p: -2 * p[:, 0]),     # n = −e_x: −∂u/∂x = −2x = 0 on x = 0
    ("x = 1", 0, 1, lambda p: 2 * p[:, 0]),      # n = +e_x: ∂u/∂x = 2
    ("y = 0", 1, 0, lambda p: -3 + 0 * p[:, 0]),  # n = −e_y: −∂u/∂y = −3
    ("y = 2", 1, 1, lambda p: 3 + 0 * p[:, 0]),   # n = +e_y: ∂u/∂y = 3
])
def test_dn_on_each_face_of_a_box(face, axis, side, expected):
    compiled = pdedsl.parse(RECT + f"boundary: dn(u) = 0 on {face}").compile()
    group = compiled.groups[1]
    assert group.region == Faces((Face(axis, side),)) and group.point_data == ("normal",)
    data = region_data(compiled.domain, group.region, 20, np.random.default_rng(0))
    np.testing.assert_allclose(group_values(compiled, "boundary", data)[:, 0], expected(data["points"]), atol=1e-14)


def test_dn_on_the_whole_boundary_of_a_box_uses_each_face_normal():
    compiled = pdedsl.parse(RECT + "boundary: dn(u) = 0").compile()
    data = region_data(compiled.domain, compiled.groups[1].region, 200, np.random.default_rng(1))
    p = data["points"]
    expected = np.select([p[:, 0] == 0, p[:, 0] == 1, p[:, 1] == 0, p[:, 1] == 2], [0.0, 2.0, -3.0, 3.0])
    np.testing.assert_allclose(group_values(compiled, "boundary", data)[:, 0], expected, atol=1e-14)


def test_dn_on_a_circle_and_on_the_inner_circle_of_an_annulus():
    """u = x² + y² on the circle (x−1)² + y² = 4: n = (x − 1, y)/2, so dn(u) = x(x−1) + y² = 3 + x."""
    def u(point):
        return jnp.stack([point[0] ** 2 + point[1] ** 2])

    compiled = pdedsl.parse("domain x, y in disk([1, 0], 2)\nunknown u\npde: lap(u) = 4\n"
                            "boundary: dn(u) = 0 on circle").compile()
    data = region_data(compiled.domain, Boundary(("circle",)), 50, np.random.default_rng(2))
    np.testing.assert_allclose(group_values(compiled, "boundary", data, u)[:, 0], 3 + data["points"][:, 0],
                               atol=1e-13)
    # the inner circle r = 1 of an annulus around 0: the outward normal points to the centre, dn(u) = −2r = −2
    ring = pdedsl.parse("domain x, y in annulus([0, 0], 1, 2)\nunknown u\npde: lap(u) = 4\n"
                        "boundary: dn(u) = 0 on inner").compile()
    data = region_data(ring.domain, Boundary(("inner",)), 50, np.random.default_rng(3))
    np.testing.assert_allclose(group_values(ring, "boundary", data, u)[:, 0], -2.0, atol=1e-13)


def test_robin_condition_compiles_to_normal_derivative_plus_value():
    compiled = pdedsl.parse(RECT + "boundary: dn(u) + 2 * u = 1 on x = 1").compile()
    data = region_data(compiled.domain, compiled.groups[1].region, 10, np.random.default_rng(0))
    x, y = data["points"].T
    np.testing.assert_allclose(group_values(compiled, "boundary", data)[:, 0], 2 * x + 2 * (x**2 + 3 * y) - 1,
                               atol=1e-13)


# ---- systems and vector operators ---------------------------------------------------------------

def residuals(text):
    return pdedsl.parse(text).residual_expressions()


def test_vector_equation_is_one_group_with_a_component_per_row():
    text = "domain x in [0, 1], y in [0, 1]\nunknown u, v\npde: lap([u, v]) = [1, 2]\nboundary: [u, v] = 0\n"
    compiled = pdedsl.parse(text).compile()
    assert [g.n_components for g in compiled.groups] == [2, 2]

    def field(point):
        x, y = point
        return jnp.stack([x**2, 3 * y**2])

    values = compiled.groups[0].fn(field, jnp.asarray([[0.3, 0.4], [0.1, 0.9]]))
    np.testing.assert_allclose(values, [[1.0, 4.0], [1.0, 4.0]])


def test_curl_in_two_and_three_dimensions():
    x, y, z = sympy.symbols("x y z", real=True)
    u, v, w = (sympy.Function(n, real=True)(x, y) for n in "uvw")
    two = residuals("domain x in [0, 1], y in [0, 1]\nunknown u, v\npde: curl([u, v]) = 0\npde: div([u, v]) = 0")
    assert sympy.expand(two["pde"] - (sympy.diff(v, x) - sympy.diff(u, y))) == 0
    stream = residuals("domain x in [0, 1], y in [0, 1]\nunknown u\npde: div(curl(u)) = 0")
    assert stream["pde"] == 0 * x  # div curl ψ = 0 identically
    u, v, w = (sympy.Function(n, real=True)(x, y, z) for n in "uvw")
    three = residuals("domain x, y, z in [0, 1]\nunknown u, v, w\npde: curl([u, v, w]) = 0")
    expected = [sympy.diff(w, y) - sympy.diff(v, z), sympy.diff(u, z) - sympy.diff(w, x),
                sympy.diff(v, x) - sympy.diff(u, y)]
    assert three["pde"] == sympy.Matrix(expected)


# ---- periodic pairs and point values --------------------------------------------------------------

def test_periodic_pairs_values_and_first_derivatives_on_opposite_faces():
    compiled = pdedsl.parse("domain t in [0, 1], x in [0, 2]\nunknown u\npde: dt(u) = 0\nperiodic x").compile()
    group = compiled.groups[1]
    assert (group.kind, group.region, group.n_components, group.point_data) == (
        "periodic", PeriodicFaces(1), 2, ("pair",))

    def u(point):  # u = t + x³: u(t, 0) − u(t, 2) = −8, u_x(t, 0) − u_x(t, 2) = −12
        return jnp.stack([point[0] + point[1] ** 3])

    data = region_data(compiled.domain, group.region, 5, np.random.default_rng(0))
    assert np.all(data["points"][:, 1] == 0) and np.all(data["pair"][:, 1] == 2)
    np.testing.assert_allclose(group_values(compiled, "periodic", data, u), [[-8.0, -12.0]] * 5)


def test_point_condition_holds_at_its_point():
    compiled = pdedsl.parse(RECT + "point: u(0.5, 1) = 2 weight 3").compile()
    group = compiled.groups[1]
    assert (group.kind, group.weight) == ("point", 3.0)
    np.testing.assert_array_equal(group.fixed["points"], [[0.5, 1.0]])
    np.testing.assert_allclose(group_values(compiled, "point", group.fixed), [[0.25 + 3 - 2]])


# ---- manufactured right sides -------------------------------------------------------------------

def test_manufactured_source_is_the_operator_applied_to_the_exact_solution():
    text = ("domain x in [0, 1], y in [0, 1]\nunknown u\npde: -lap(u) + u^2 = manufactured\n"
            "boundary: u = manufactured\nexact: u = sin(pi * x) * y")
    x, y = sympy.symbols("x y", real=True)
    u = sympy.Function("u", real=True)(x, y)
    exact = sympy.sin(sympy.pi * x) * y
    expected = -sympy.diff(u, x, 2) - sympy.diff(u, y, 2) + u**2 - (sympy.pi**2 * exact + exact**2)
    found = residuals(text)
    assert sympy.simplify(found["pde"] - expected) == 0
    assert sympy.simplify(found["boundary"] - (u - exact)) == 0


# ---- shape domains ------------------------------------------------------------------------------

def test_shape_domains_and_their_boundary_pieces():
    difference = pdedsl.parse("domain x, y in difference(box([0, 1], [0, 1]), disk([0.5, 0.5], 0.25))\n"
                              "unknown u\npde: lap(u) = 0\nboundary: u = 0 on circle\nboundary: u = 1 on x = 0\n"
                              "boundary: u = 2").checked
    assert difference.domain == ShapeDomain(("x", "y"), Difference(Rect((0, 0), (1, 1)), Disk((0.5, 0.5), 0.25)))
    regions = [c.region for c in difference.conditions[1:]]
    assert regions[0] == Boundary(("circle",)) and regions[1] == Boundary((Plane(0, 0.0),))
    assert regions[2] == Boundary((Plane(0, 0.0), Plane(0, 1.0), Plane(1, 0.0), Plane(1, 1.0), "circle"))
    ring = pdedsl.parse("domain t in [0, 1], x, y in annulus([0, 0], 1, 2)\nunknown u\npde: dt(u) = lap(u)\n"
                        "initial: u = 0\nboundary: u = 0 on inner, outer").checked
    assert ring.domain == ShapeDomain(("t", "x", "y"), Annulus((0, 0), 1, 2), "t", (0.0, 1.0))
    assert ring.domain.lows == (0.0, -2.0, -2.0) and ring.conditions[2].region == Boundary(("inner", "outer"))


# ---- learned parameters and data ------------------------------------------------------------------

HEAT = ("domain t in [0, 1], x in [0, 1]\nunknown u\nparam kappa unknown init 0.5\n"
        "pde: dt(u) - kappa * dxx(u) = 0\n")


def test_learned_parameter_is_an_argument_of_the_residual():
    problem = pdedsl.parse(HEAT + "exact:\n  u = exp(-pi^2 * t / 4) * sin(pi * x)\n  kappa = 1/4")
    assert "def pde(u_t, u_xx, kappa):" in problem.generated_source()
    compiled = problem.compile()
    assert compiled.parameters == (("kappa", 0.5),) and compiled.exact_parameters == (("kappa", 0.25),)

    def u(point):  # u = t + x²: dt(u) − κ dxx(u) = 1 − 2κ
        return jnp.stack([point[0] + point[1] ** 2])

    values = compiled.groups[0].fn(u, jnp.asarray([[0.1, 0.2]]), None, {"kappa": jnp.asarray(0.3)})
    np.testing.assert_allclose(values, [[1 - 0.6]])


def write(path, text):
    path.write_text(text)
    return path


def test_data_file_gives_fixed_points_and_observations(tmp_path):
    write(tmp_path / "obs.csv", "x,t,u\n0.5,0.25,1.5\n0.75,0.5,2\n")
    spec = write(tmp_path / "inv.pde", HEAT + 'data "obs.csv" weight 4\n')
    group = pdedsl.load(spec).compile().groups[1]
    assert (group.name, group.kind, group.weight, group.point_data) == ("data", "data", 4.0, ("observed",))
    np.testing.assert_array_equal(group.fixed["points"], [[0.25, 0.5], [0.5, 0.75]])  # reordered to (t, x)
    np.testing.assert_array_equal(group.fixed["observed"], [[1.5], [2.0]])

    def u(point):
        return jnp.stack([point[0] + point[1]])

    np.testing.assert_allclose(group_values(pdedsl.load(spec).compile(), "data", group.fixed, u),
                               [[0.75 - 1.5], [1.25 - 2.0]])
    np.savez(tmp_path / "obs.npz", t=np.array([0.1]), x=np.array([0.2]), u=np.array([3.0]))
    spec = write(tmp_path / "inv2.pde", HEAT + 'data "obs.npz"\n')
    np.testing.assert_array_equal(pdedsl.load(spec).compile().groups[1].fixed["points"], [[0.1, 0.2]])


DATA_ERRORS = [
    ("missing.csv", None, "data file 'missing.csv' not found",
     "the path is relative to the spec's folder; looked for {folder}/missing.csv"),
    ("obs.csv", "t,x,w\n0,0,1\n", "data file 'obs.csv' has a column 'w', which is neither a coordinate nor an unknown",
     "columns are named after the coordinates (t, x) and unknowns (u)"),
    ("obs.csv", "t,u\n0,1\n", "data file 'obs.csv' has no column 'x'", "it needs one column per coordinate: t, x"),
    ("obs.csv", "t,x\n0,1\n", "data file 'obs.csv' observes no unknown", "add a column named after an unknown: u"),
    ("obs.csv", "t,x,u\n0,0,1\n0,0.5,nan\n", "data file 'obs.csv': column 'u' has a non-finite value in row 2",
     "remove the row or fix the value"),
    ("obs.npz", "2-D", "data file 'obs.npz': the arrays must be 1-D and of the same length",
     "store one array of N values per coordinate and per observed unknown"),
]


@pytest.mark.parametrize("name, content, message, hint", DATA_ERRORS, ids=[e[2][:40] for e in DATA_ERRORS])
def test_data_file_mistakes_are_positioned_at_the_path(tmp_path, name, content, message, hint):
    if content == "2-D":
        np.savez(tmp_path / name, t=np.zeros((2, 2)), x=np.zeros(2), u=np.zeros(2))
    elif content is not None:
        write(tmp_path / name, content)
    spec = write(tmp_path / "inv.pde", HEAT + f'data "{name}"\n')
    with pytest.raises(PdeDataError) as info:
        pdedsl.load(spec)
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (5, 6, message, hint.format(folder=tmp_path))
    assert str(err).startswith(f"{spec}:5:6: error: {message}\n    data \"{name}\"\n         ^")


# ---- mistakes --------------------------------------------------------------------------------------

DISK = "domain x, y in disk([0, 0], 1)\nunknown u\npde: lap(u) = 0\n"
ERRORS = [
    (RECT + "boundary: u = 0 on circle", PdeSemanticError, 4, 20, "the domain has no boundary 'circle'",
     "a box's boundary is made of faces: x = 0, x = 1, y = 0, y = 2; or write `on boundary`"),
    (DISK + "boundary: u = 0 on inner", PdeSemanticError, 4, 20, "the domain has no boundary 'inner'",
     "its boundary pieces are: circle; or write `on boundary`"),
    (DISK + "boundary: u = 0 on x = 1", PdeSemanticError, 4, 20, "the domain has no boundary x = 1",
     "its boundary pieces are: circle"),
    (RECT + "boundary: [u, u] = [0, 0, 0]", PdeSemanticError, 4, 11,
     "the two sides have different numbers of components: a vector of 2 components on the left, a vector of 3 "
     "components on the right", "a vector equation needs vectors of the same length on both sides (or 0 on one side)"),
    (RECT + "boundary: curl([u, u, u]) = 0", PdeSemanticError, 4, 16,
     "curl() in 2 dimensions needs a vector of 2 components (or a scalar stream function), got a vector of 3 "
     "components", "e.g. curl([u, v])"),
    ("domain x in [0, 1], y in [0, 2]\nunknown u\npde: dn(u) = 0\n", PdeSemanticError, 3, 6,
     "dn() is the outward normal derivative: it is defined on the boundary only",
     "use it in a `boundary:` condition, e.g. `dn(u) = 0 on x = 1`"),
    (RECT + "boundary: u = manufactured", PdeSemanticError, 4, 15, "'manufactured' needs an exact solution",
     "add an `exact:` block; the right side is then the left side evaluated at the exact solution"),
    (RECT + "point: u(2, 0) = 1", PdeSemanticError, 4, 10,
     "the point lies outside the domain: x = 2 is not in [0, 1]", None),
    (RECT + "point: u = 1", PdeSemanticError, 4, 8, "in a `point:` condition, 'u' is written with its point",
     "e.g. u(0.5, 0.5)"),
    (DISK + "periodic x", PdeSemanticError, 4, 1, "periodic conditions need a box domain",
     "a shape domain has no pairs of opposite faces"),
    ("domain x, y in disk([0, 0], 1, 2)\nunknown u\npde: u = 0", PdeSemanticError, 1, 16,
     "disk() takes 2 arguments, got 3",
     "a domain is an interval `x in [0, 1]` or a shape: disk([0, 0], 1), ball([0, 0, 0], 1), annulus([0, 0], 0.5, 1), "
     "box([0, 1], [0, 2]), union(…), intersection(…), difference(…)"),
    ("domain x, y in disk([0, 0, 0], 1)\nunknown u\npde: u = 0", PdeSemanticError, 1, 21,
     "the center must be a point of 2 coordinates, e.g. [0, 0]", None),
    ("domain x, y, z in disk([0, 0, 0], 1)\nunknown u\npde: u = 0", PdeSemanticError, 1, 19,
     "disk() is 2-D, and the domain line names 3 coordinates", "use ball(...)"),
    ("domain x, y in annulus([0, 0], 2, 1)\nunknown u\npde: u = 0", PdeSemanticError, 1, 16,
     "the inner radius 2 must be smaller than the outer radius 1", None),
    (HEAT.replace("init 0.5", "init kappa0"), PdeNameError, 3, 26, "unknown name 'kappa0'",
     "define it first: `let kappa0 = ...`, `unknown kappa0`, or a coordinate in the domain"),
]


@pytest.mark.parametrize("text, kind, line, column, message, hint", ERRORS, ids=[e[4][:40] for e in ERRORS])
def test_mistakes_are_reported_exactly(text, kind, line, column, message, hint):
    with pytest.raises(kind) as info:
        pdedsl.parse(text)
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (line, column, message, hint)
