"""Collocation sampling: points lie where their region says, counts follow the documented rule."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import pdedsl
from pdedsl.geometry import Box, Face, Faces, Interior
from pdedsl.run._sampling import (
    SAMPLING_METHODS, collocation_points, evaluation_points, region_data, sample_region,
)

SQUARE = Box(("x", "y"), (0.0, 0.0), (1.0, 2.0))
HEAT = Box(("t", "x"), (0.0, -1.0), (1.0, 1.0), time="t")


@pytest.mark.parametrize("method", SAMPLING_METHODS)
def test_interior_points_lie_strictly_inside(method):
    pts = sample_region(SQUARE, Interior(), 400, method, np.random.default_rng(0))
    assert pts.shape[1] == 2 and abs(pts.shape[0] - 400) <= 41
    assert np.all(pts > [0, 0]) and np.all(pts < [1, 2])


def test_grid_matches_the_published_laplace_layout():
    """28×28 interior points of linspace(0, 1, 30): the 784 points of the ANaGRAM set-up."""
    pts = sample_region(Box(("x", "y"), (0, 0), (1, 1)), Interior(), 784, "grid", np.random.default_rng(0))
    axis = np.linspace(0, 1, 30)[1:-1]
    assert pts.shape == (784, 2)
    np.testing.assert_allclose(np.unique(pts[:, 0]), axis)


@pytest.mark.parametrize("method", SAMPLING_METHODS)
def test_face_points_sit_on_their_face_and_split_by_measure(method):
    region = SQUARE.whole_boundary()
    pts = sample_region(SQUARE, region, 120, method, np.random.default_rng(1))
    on_x = np.isclose(pts[:, 0], 0) | np.isclose(pts[:, 0], 1)
    on_y = np.isclose(pts[:, 1], 0) | np.isclose(pts[:, 1], 2)
    assert np.all(on_x | on_y)
    if method != "grid":
        # faces x = 0 and x = 1 have measure 2, faces y = 0 and y = 2 measure 1: 40, 40, 20, 20 points
        assert pts.shape == (120, 2)
        assert np.sum(np.isclose(pts[:, 0], 0)) == 40 and np.sum(np.isclose(pts[:, 1], 2)) == 20


def test_initial_slice_of_a_time_domain():
    pts = sample_region(HEAT, HEAT.initial_slice(), 50, "sobol", np.random.default_rng(2))
    assert pts.shape == (50, 2) and np.all(pts[:, 0] == 0.0)
    assert np.all((pts[:, 1] >= -1) & (pts[:, 1] <= 1))
    assert HEAT.whole_boundary() == Faces((Face(1, 0), Face(1, 1)))


def test_one_dimensional_faces_are_single_points():
    line = Box(("x",), (0.0,), (3.0,))
    pts = sample_region(line, line.whole_boundary(), 100, "random", np.random.default_rng(0))
    np.testing.assert_array_equal(pts, [[0.0], [3.0]])


def test_collocation_points_are_deterministic_and_share_the_interior():
    groups = [SimpleNamespace(name="pde", kind="pde", region=Interior()),
              SimpleNamespace(name="pde.2", kind="pde", region=Interior()),
              SimpleNamespace(name="boundary", kind="boundary", region=SQUARE.whole_boundary())]
    a = collocation_points(SQUARE, groups, {"interior": 64, "boundary": 40}, "sobol", seed=3)
    b = collocation_points(SQUARE, groups, {"interior": 64, "boundary": 40}, "sobol", seed=3)
    c = collocation_points(SQUARE, groups, {"interior": 64, "boundary": 40}, "sobol", seed=4)
    assert a["pde"]["points"] is a["pde.2"]["points"] and a["pde"]["points"].shape == (64, 2)
    assert a["boundary"]["points"].shape == (40, 2)
    np.testing.assert_array_equal(a["boundary"]["points"], b["boundary"]["points"])
    assert not np.allclose(a["pde"]["points"], c["pde"]["points"])


def test_evaluation_points_are_independent_of_training_points():
    groups = [SimpleNamespace(name="pde", kind="pde", region=Interior())]
    train = collocation_points(SQUARE, groups, {"interior": 100}, "random", seed=0)["pde"]["points"]
    test = evaluation_points(SQUARE, 10_000, seed=0)
    assert test.shape == (10_000, 2)
    assert not np.any(np.isin(test[:, 0], train[:, 0]))


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown sampling method 'lattice'"):
        sample_region(SQUARE, Interior(), 10, "lattice", np.random.default_rng(0))


UNIT = Box(("x", "y"), (0.0, 0.0), (1.0, 1.0))


def test_grid_boundary_is_the_published_layout_without_repeated_corners():
    """116 grid points on ∂[0, 1]²: the nodes of linspace(0, 1, 30) on the four sides, each corner once."""
    data = region_data(UNIT, UNIT.whole_boundary(), 116, "grid", np.random.default_rng(0))
    pts = data["points"]
    assert pts.shape == (116, 2) and len(np.unique(pts, axis=0)) == 116
    axis = np.linspace(0, 1, 30)
    expected = {(a, b) for a in axis for b in axis if a in (0, 1) or b in (0, 1)}
    assert set(map(tuple, pts)) == expected
    for corner in ([0, 0], [0, 1], [1, 0], [1, 1]):
        assert np.sum(np.all(pts == corner, axis=1)) == 1
    # the interior grid of the same set-up has the same spacing: together they are the 30 × 30 grid
    inner = sample_region(UNIT, Interior(), 784, "grid", np.random.default_rng(0))
    assert len(np.unique(np.concatenate([pts, inner]), axis=0)) == 900


def test_grid_faces_are_evenly_spaced_distinct_nodes_with_outward_normals():
    data = region_data(SQUARE, SQUARE.whole_boundary(), 120, "grid", np.random.default_rng(0))  # [0, 1] × [0, 2]
    pts, normals = data["points"], data["normal"]
    assert len(np.unique(pts, axis=0)) == len(pts) == 120
    assert set(np.unique(pts[:, 0])) == set(np.linspace(0, 1, 21)) and set(np.unique(pts[:, 1])) == set(
        np.linspace(0, 2, 41))
    np.testing.assert_array_equal(np.abs(normals).sum(axis=1), 1)
    assert np.all(np.isin(pts[np.arange(len(pts)), np.argmax(np.abs(normals), axis=1)], [0, 1, 2]))
    outward = pts + 1e-3 * normals
    assert np.all((outward < 0).any(axis=1) | (outward > [1, 2]).any(axis=1))


def test_grid_faces_of_a_cube_share_edges_once():
    cube = Box(("x", "y", "z"), (0.0,) * 3, (1.0,) * 3)
    pts = sample_region(cube, cube.whole_boundary(), 6 * 25 - 12 * 5 + 8, "grid", np.random.default_rng(0))
    assert len(np.unique(pts, axis=0)) == len(pts) == 98  # the boundary nodes of the 5 × 5 × 5 grid
    assert np.all(np.isin(pts, np.linspace(0, 1, 5)))
    one_face = sample_region(cube, Faces((Face(0, 0),)), 25, "grid", np.random.default_rng(0))
    assert one_face.shape == (25, 3) and np.all(one_face[:, 0] == 0)



def test_the_published_anagram_spec_has_the_published_points_and_unscaled_rows():
    """examples/anagram_paper.pde: the 900 nodes of the 30 × 30 grid, and weight / count = 1 per group, so
    the rows sqrt(weight / count) · R of the residual are the plain point residuals of the published code."""
    problem = pdedsl.load(Path(__file__).resolve().parents[2] / "examples" / "anagram_paper.pde").compile()
    sample = problem.settings.sample
    data = collocation_points(problem.domain, problem.groups, sample, sample["method"], seed=0)
    inner, edge = data["pde"]["points"], data["boundary"]["points"]
    assert inner.shape == (784, 2) and edge.shape == (116, 2)
    both = np.concatenate([inner, edge])
    assert len(np.unique(both, axis=0)) == 900 and set(np.unique(both)) == set(np.linspace(0, 1, 30))
    assert [group.weight / len(data[group.name]["points"]) for group in problem.groups] == [1.0, 1.0]
