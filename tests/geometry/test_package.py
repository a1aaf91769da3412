"""pdedsl.geometry is a leaf: numpy, scipy and itself; every sampler of a region goes through it."""

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from pdedsl.geometry import Box, Disk, EmptyRegionError, Interior, ShapeDomain, largest_remainder, region_data

PACKAGE = Path(__file__).resolve().parents[2] / "pdedsl"


def test_geometry_imports_only_numpy_scipy_the_standard_library_and_itself():
    allowed = ("numpy", "scipy", "pdedsl.geometry", *sys.stdlib_module_names)
    found = set()
    for path in (PACKAGE / "geometry").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module)
    assert found and [name for name in sorted(found) if name.split(".")[0] not in allowed
                      and not name.startswith("pdedsl.geometry")] == []


def test_the_verifier_and_the_runner_sample_through_the_geometry():
    for path in ("language/_verify.py", "run/_sampling.py"):
        source = (PACKAGE / path).read_text()
        assert "geometry.region_data(" in source
        assert "sample_shape_interior" not in source and "face_normals" not in source


def test_largest_remainder_keeps_the_total_and_the_proportions():
    np.testing.assert_array_equal(largest_remainder([2.0, 2.0, 1.0, 1.0], 120), [40, 40, 20, 20])
    np.testing.assert_array_equal(largest_remainder([1.0, 1.0, 1.0], 10), [4, 3, 3])
    assert largest_remainder([3.0, 0.5, 0.25], 7).sum() == 7


def test_a_region_too_small_to_sample_is_an_empty_region_error_with_a_hint():
    tiny = ShapeDomain(("x", "y"), Disk((0.0, 0.0), 1e-300))
    with pytest.raises(EmptyRegionError, match=r"the domain is \(almost\) empty: 0 of the sample points") as info:
        region_data(tiny, Interior(), 10, np.random.default_rng(0))
    assert "radius below 1e-12" in info.value.hint


def test_an_unknown_method_is_rejected_for_every_domain():
    for domain in (Box(("x",), (0.0,), (1.0,)), ShapeDomain(("x", "y"), Disk((0.0, 0.0), 1.0))):
        with pytest.raises(ValueError, match="unknown sampling method 'lattice'"):
            region_data(domain, Interior(), 10, np.random.default_rng(0), "lattice")
