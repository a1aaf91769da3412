"""Domains, the regions of them that equations and conditions live on, and how to sample them.

This package is neutral ground between the language (which builds these values from a spec)
and the runner (which samples collocation points from them); it imports neither, only numpy
and scipy. Everything is a frozen dataclass so that it can be hashed, compared and printed.

Two kinds of domain:

* `Box` (`_regions`) — the product of intervals; its boundary is made of `Face`s.
* `ShapeDomain` (`_shapes`) — a shape in the spatial coordinates (`Disk`, `Annulus`, `Rect` or a
  constructive combination `Union`, `Intersection`, `Difference` of them), optionally times a time
  interval; its boundary is made of named pieces.

All sampling of regions — the runner's collocation and test points, the verifier's check points —
is `region_data` (`_sampling`). A point is a vector of length `dim` in the order of `names`; arrays
of points are (N, dim).
"""

from pdedsl.geometry._regions import (
    Boundary, Box, Face, Faces, Interior, PeriodicFaces, Region, face_normals,
)
from pdedsl.geometry._sampling import (
    SAMPLING_METHODS, EmptyRegionError, largest_remainder, region_data, sample_shape_boundary,
    sample_shape_interior, sample_unit_cube,
)
from pdedsl.geometry._shapes import (
    Annulus, Difference, Disk, Intersection, Plane, Rect, Shape, ShapeDomain, Union, boundary_pieces,
)

Domain = Box | ShapeDomain

__all__ = [
    "Box", "ShapeDomain", "Domain", "Interior", "Face", "Faces", "Boundary", "PeriodicFaces", "Region",
    "Plane", "Rect", "Disk", "Annulus", "Union", "Intersection", "Difference", "Shape",
    "face_normals", "boundary_pieces", "SAMPLING_METHODS", "EmptyRegionError", "region_data", "sample_unit_cube",
    "largest_remainder", "sample_shape_interior", "sample_shape_boundary",
]
