"""Shape domains: interior points inside, boundary points on the boundary, normals unit and outward."""

import numpy as np
import pytest

from pdedsl.geometry import (
    Annulus, Boundary, Difference, Disk, Face, Faces, Interior, Intersection, Plane, Rect, ShapeDomain, Union,
    boundary_pieces,
)
from pdedsl.run._sampling import SAMPLING_METHODS, evaluation_points, region_data

DISK = Disk((0.5, -1.0), 2.0)
RING = Annulus((0.0, 0.0), 0.5, 1.0)
BALL = Disk((0.0, 0.0, 0.0), 1.0)
PLATE = Difference(Rect((0.0, 0.0), (2.0, 1.0)), Disk((1.0, 0.5), 0.25))  # a plate with a hole
LENS = Intersection((Disk((0.0, 0.0), 1.0), Disk((1.0, 0.0), 1.0)))
PAIR = Union((Rect((0.0, 0.0), (1.0, 1.0)), Disk((1.0, 0.5), 0.5)))
SHAPES = {"disk": DISK, "ring": RING, "ball": BALL, "plate": PLATE, "lens": LENS, "pair": PAIR}


def distance_to_boundary(shape, p):
    """Unsigned distance of points to the boundary of a shape (exact for these primitives and combinations)."""
    if isinstance(shape, Disk):
        return np.abs(np.linalg.norm(p - shape.center, axis=-1) - shape.radius)
    if isinstance(shape, Annulus):
        r = np.linalg.norm(p - shape.center, axis=-1)
        return np.minimum(np.abs(r - shape.inner), np.abs(r - shape.outer))
    if isinstance(shape, Rect):
        inside = np.minimum(p - shape.lows, np.asarray(shape.highs) - p).min(axis=-1)
        outside = np.linalg.norm(np.maximum(np.maximum(shape.lows - p, p - np.asarray(shape.highs)), 0), axis=-1)
        return np.where(inside > 0, inside, outside)
    parts = (shape.base, shape.cut) if isinstance(shape, Difference) else shape.parts
    return np.min([distance_to_boundary(part, p) for part in parts], axis=0)


@pytest.mark.parametrize("method", SAMPLING_METHODS)
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_interior_points_lie_inside(name, method):
    shape = SHAPES[name]
    domain = ShapeDomain(tuple("xyz"[: shape.dim]), shape)
    points = region_data(domain, Interior(), 300, method, np.random.default_rng(0))["points"]
    assert points.shape == (300, shape.dim) and np.all(shape.inside(points))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_boundary_points_lie_on_the_boundary_with_unit_outward_normals(name):
    shape = SHAPES[name]
    domain = ShapeDomain(tuple("xyz"[: shape.dim]), shape)
    data = region_data(domain, domain.whole_boundary(), 400, "sobol", np.random.default_rng(1))
    p, n = data["points"], data["normal"]
    assert p.shape == n.shape == (400, shape.dim)
    np.testing.assert_allclose(distance_to_boundary(shape, p), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(n, axis=-1), 1, atol=1e-14)
    step = 1e-6
    assert not np.any(shape.inside(p + step * n)) and np.all(shape.inside(p - step * n))


def test_boundary_pieces_are_named_and_sampled_separately():
    assert boundary_pieces(RING) == ("inner", "outer")
    assert boundary_pieces(PLATE) == (Plane(0, 0.0), Plane(0, 2.0), Plane(1, 0.0), Plane(1, 1.0), "circle")
    domain = ShapeDomain(("x", "y"), RING)
    inner = region_data(domain, Boundary(("inner",)), 100, "random", np.random.default_rng(2))
    np.testing.assert_allclose(np.linalg.norm(inner["points"], axis=-1), 0.5)
    np.testing.assert_allclose(inner["normal"], -inner["points"] / 0.5)  # towards the centre: out of the ring
    hole = region_data(ShapeDomain(("x", "y"), PLATE), Boundary(("circle",)), 100, "halton", np.random.default_rng(3))
    np.testing.assert_allclose(hole["normal"], -(hole["points"] - [1.0, 0.5]) / 0.25, atol=1e-12)


def test_boundary_counts_follow_the_measure_of_the_pieces():
    """Ring r ∈ (0.5, 1): the outer circle is twice as long as the inner one, so it gets ~2/3 of the points."""
    data = region_data(ShapeDomain(("x", "y"), RING), Boundary(("inner", "outer")), 3000, "random",
                       np.random.default_rng(4))
    outer = np.mean(np.linalg.norm(data["points"], axis=-1) > 0.75)
    assert abs(outer - 2 / 3) < 0.03


def test_space_time_cylinder_over_a_disk():
    domain = ShapeDomain(("t", "x", "y"), Disk((0.0, 0.0), 1.0), "t", (0.0, 2.0))
    assert domain.lows == (0.0, -1.0, -1.0) and domain.highs == (2.0, 1.0, 1.0)
    rng = np.random.default_rng(5)
    side = region_data(domain, domain.whole_boundary(), 100, "sobol", rng)
    np.testing.assert_allclose(np.linalg.norm(side["points"][:, 1:], axis=-1), 1.0)
    assert np.all((side["points"][:, 0] >= 0) & (side["points"][:, 0] <= 2)) and np.all(side["normal"][:, 0] == 0)
    start = region_data(domain, Faces((Face(0, 0),)), 100, "sobol", rng)
    assert np.all(start["points"][:, 0] == 0) and np.all(np.linalg.norm(start["points"][:, 1:], axis=-1) < 1)
    test = evaluation_points(domain, 500, seed=0)
    assert np.all(domain.inside(test)) and test.shape == (500, 3)
