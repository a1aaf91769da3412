"""Curved boundaries through the language: the annulus example checks and verifies; its boundary points, normals
and normal derivatives (and those of a plate with a hole) match hand-derived values; unknown pieces are errors."""

import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main
from pdedsl.errors import PdeSemanticError
from pdedsl.geometry import Annulus, Boundary, ShapeDomain
from pdedsl.language import _verify
from pdedsl.run._sampling import collocation_points

ANNULUS = Path(__file__).resolve().parents[2] / "examples" / "poisson_annulus.pde"


def test_check_and_verify_pass_on_the_annulus_example(capsys):
    assert main(["check", str(ANNULUS)]) == 0
    assert capsys.readouterr().out == (f"{ANNULUS}: ok: 2-D annulus (x, y); unknown u; groups pde, boundary, "
                                       "boundary.2; exact solution\n")
    assert main(["verify", str(ANNULUS), "--points", "200"]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"max \|residual\| = \S+\s+ok", out)) == 3
    assert out.splitlines()[-1] == f"{ANNULUS}: ok: every residual <= 1e-08"


@pytest.fixture(scope="module")
def annulus():
    compiled = pdedsl.load(ANNULUS).compile()
    assert compiled.domain == ShapeDomain(("x", "y"), Annulus((0.0, 0.0), 0.5, 1.0))
    assert [g.region for g in compiled.groups[1:]] == [Boundary(("outer",)), Boundary(("inner",))]
    return compiled


def test_boundary_points_and_normals_on_the_two_circles(annulus):
    """Outer circle: |p| = 1, n = p. Inner circle: |p| = 1/2, n = −p/|p| = −2p (out of the ring, to the centre)."""
    data = collocation_points(annulus.domain, annulus.groups, {"interior": 50, "boundary": 64}, "sobol", 0)
    outer, inner = data["boundary"], data["boundary.2"]
    assert "normal" not in outer and inner["normal"].shape == (64, 2)  # `u = …` needs no normal, `dn(u)` does
    np.testing.assert_allclose(np.linalg.norm(outer["points"], axis=1), 1.0, atol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(inner["points"], axis=1), 0.5, atol=1e-14)
    np.testing.assert_allclose(inner["normal"], -2 * inner["points"], atol=1e-14)
    angles = np.arctan2(inner["points"][:, 1], inner["points"][:, 0])  # spread round the circle
    assert np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0].min() >= 10
    verify = _verify.region_data(annulus.domain, Boundary(("outer",)), 64, np.random.default_rng(0))
    np.testing.assert_allclose(verify["normal"], verify["points"], atol=1e-14)  # n = p on r = 1


def test_normal_derivatives_on_the_inner_circle(annulus):
    """dn(u) − (1 − 4xy) on r = 1/2: 0 for the exact solution; for u = x² + y², dn(u) = −2r = −1."""
    g = annulus.groups[2]
    data = collocation_points(annulus.domain, [g], {"boundary": 40}, "random", 3)["boundary.2"]
    points, normal = jnp.asarray(data["points"]), {"normal": jnp.asarray(data["normal"])}
    np.testing.assert_allclose(g.fn(lambda p: annulus.exact(p[None])[0], points, normal), 0.0, atol=1e-13)
    found = g.fn(lambda p: jnp.stack([p[0] ** 2 + p[1] ** 2]), points, normal)[:, 0]
    x, y = data["points"].T
    np.testing.assert_allclose(found, -1 - (1 - 4 * x * y), atol=1e-13)


def test_the_hole_of_a_plate_has_normals_into_the_hole():
    """A plate minus the disk |p − (1, 1/2)| < 1/4: on the hole, n = −(p − c)/r, and for u = x, dn(u) = −(x − 1)/r."""
    compiled = pdedsl.parse("domain x, y in difference(box([0, 2], [0, 1]), disk([1, 0.5], 0.25))\nunknown u\n"
                            "pde: lap(u) = 0\nboundary: dn(u) = 0 on circle\nboundary: u = 0 on x = 0, x = 2\n"
                            "boundary: dn(u) = 0 on y = 1").compile()
    data = collocation_points(compiled.domain, compiled.groups, {"interior": 20, "boundary": 30}, "halton", 4)
    hole, sides, top = data["boundary"], data["boundary.2"], data["boundary.3"]
    center = np.array([1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(hole["points"] - center, axis=1), 0.25, atol=1e-14)
    np.testing.assert_allclose(hole["normal"], -(hole["points"] - center) / 0.25, atol=1e-12)
    assert set(sides["points"][:, 0]) == {0.0, 2.0} and np.all(top["points"][:, 1] == 1.0)
    np.testing.assert_array_equal(top["normal"], [[0.0, 1.0]] * len(top["normal"]))
    found = compiled.groups[1].fn(lambda p: p[:1], jnp.asarray(hole["points"]), {"normal": jnp.asarray(hole["normal"])})
    np.testing.assert_allclose(found[:, 0], -(hole["points"][:, 0] - 1) / 0.25, atol=1e-12)


def test_a_condition_on_a_boundary_the_annulus_does_not_have():
    text = ANNULUS.read_text().replace("on inner", "on circle")
    with pytest.raises(PdeSemanticError) as info:
        pdedsl.parse(text, "ring.pde")
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (
        11, 39, "the domain has no boundary 'circle'", "its boundary pieces are: inner, outer; or write `on boundary`")
    assert str(err).splitlines()[1:3] == ["    boundary: dn(u) = 1 - 4 * x * y    on circle",
                                          " " * 42 + "^~~~~~"]
