"""Shapes for constructive geometry, the boundary pieces of their combinations, and shape domains.

* `ShapeDomain` — a `shape` in the spatial coordinates (`Disk`, `Annulus`, `Rect` or a
  constructive combination `Union`, `Intersection`, `Difference` of them), optionally
  times a time interval.  Its boundary is made of named *pieces*: `"circle"` (`"sphere"`
  in 3-D) for a disk, `"inner"` and `"outer"` for an annulus, `Plane(axis, value)` for the
  faces of a rectangle.

Each primitive parametrises its boundary pieces (`place`, from unit-cube samples) and
reports their measure; `patches` says which part of each primitive piece lies on the
boundary of a combination, so that `pdedsl.geometry._sampling` can keep only those points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pdedsl.geometry._regions import Boundary, Face, Faces

__all__ = ["Plane", "Rect", "Disk", "Annulus", "Union", "Intersection", "Difference", "Shape", "ShapeDomain",
           "boundary_pieces"]

INSIDE_TOLERANCE = 1e-12  # points closer than this to a primitive's boundary are not strictly inside it

# ---- shapes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plane:
    """The boundary piece `x_axis = value` of a rectangle (axis counted in the shape's coordinates)."""

    axis: int
    value: float


@dataclass(frozen=True)
class Rect:
    """The open rectangle (box) `lows < x < highs`, as an operand of constructive geometry."""

    lows: tuple[float, ...]
    highs: tuple[float, ...]

    @property
    def dim(self) -> int:
        return len(self.lows)

    def bounds(self):
        return np.asarray(self.lows, float), np.asarray(self.highs, float)

    def inside(self, p: np.ndarray) -> np.ndarray:
        lows, highs = self.bounds()
        return np.all((p > lows + INSIDE_TOLERANCE) & (p < highs - INSIDE_TOLERANCE), axis=-1)

    def pieces(self) -> tuple[Plane, ...]:
        return tuple(Plane(k, v) for k in range(self.dim) for v in (self.lows[k], self.highs[k]))

    def measure(self, piece: Plane) -> float:
        return math.prod(h - l for k, (l, h) in enumerate(zip(self.lows, self.highs)) if k != piece.axis)

    def place(self, piece: Plane, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points (n, dim) on a face from unit samples (n, dim-1), and the outward normals."""
        lows, highs = self.bounds()
        others = [k for k in range(self.dim) if k != piece.axis]
        points = np.empty((unit.shape[0], self.dim))
        points[:, others] = lows[others] + unit * (highs[others] - lows[others])
        points[:, piece.axis] = piece.value
        normals = np.zeros_like(points)
        normals[:, piece.axis] = 1.0 if piece.value == self.highs[piece.axis] else -1.0
        return points, normals


@dataclass(frozen=True)
class _Round:
    """A shape around a centre: a disk or an annulus."""

    center: tuple[float, ...]

    @property
    def dim(self) -> int:
        return len(self.center)

    def _box(self, radius: float):
        c = np.asarray(self.center, float)
        return c - radius, c + radius


@dataclass(frozen=True)
class Disk(_Round):
    """The open disk (2-D) or ball (3-D) `|x − center| < radius`; its boundary piece is "circle"/"sphere"."""

    radius: float

    def bounds(self):
        return self._box(self.radius)

    def inside(self, p: np.ndarray) -> np.ndarray:
        return _radius(p, self.center) < self.radius - INSIDE_TOLERANCE

    def pieces(self) -> tuple[str, ...]:
        return ("circle" if self.dim == 2 else "sphere",)

    def measure(self, piece: str) -> float:
        return _sphere_measure(self.dim, self.radius)

    def place(self, piece: str, unit: np.ndarray):
        return _on_sphere(self.center, self.radius, unit, outward=True)


@dataclass(frozen=True)
class Annulus(_Round):
    """The open ring (2-D) or shell (3-D) `inner < |x − center| < outer`; pieces "inner" and "outer"."""

    inner: float
    outer: float

    def bounds(self):
        return self._box(self.outer)

    def inside(self, p: np.ndarray) -> np.ndarray:
        r = _radius(p, self.center)
        return (r > self.inner + INSIDE_TOLERANCE) & (r < self.outer - INSIDE_TOLERANCE)

    def pieces(self) -> tuple[str, ...]:
        return ("inner", "outer")

    def measure(self, piece: str) -> float:
        return _sphere_measure(self.dim, self.inner if piece == "inner" else self.outer)

    def place(self, piece: str, unit: np.ndarray):
        if piece == "inner":  # the outward normal of the ring points towards the centre there
            return _on_sphere(self.center, self.inner, unit, outward=False)
        return _on_sphere(self.center, self.outer, unit, outward=True)


@dataclass(frozen=True)
class _Combination:
    """A union (`_any = True`) or an intersection of shapes."""

    parts: tuple["Shape", ...]
    _any = True  # a class constant, not a field

    @property
    def dim(self) -> int:
        return self.parts[0].dim

    def bounds(self):
        lows = np.array([p.bounds()[0] for p in self.parts])
        highs = np.array([p.bounds()[1] for p in self.parts])
        return (lows.min(axis=0), highs.max(axis=0)) if self._any else (lows.max(axis=0), highs.min(axis=0))

    def inside(self, p):
        return (np.any if self._any else np.all)([part.inside(p) for part in self.parts], axis=0)


@dataclass(frozen=True)
class Union(_Combination):
    """The points inside any of the parts."""


@dataclass(frozen=True)
class Intersection(_Combination):
    """The points inside every part."""

    _any = False


@dataclass(frozen=True)
class Difference:
    """`base` with `cut` removed (the cut's boundary inside the base becomes boundary, normals reversed)."""

    base: "Shape"
    cut: "Shape"

    @property
    def dim(self) -> int:
        return self.base.dim

    def bounds(self):
        return self.base.bounds()

    def inside(self, p):
        return self.base.inside(p) & ~_closure_inside(self.cut, p)


Shape = Rect | Disk | Annulus | Union | Intersection | Difference
PRIMITIVES = (Rect, Disk, Annulus)


def _closure_inside(shape, p):
    """Inside or on the boundary (used so that a difference stays open)."""
    return shape.inside(p) | _on_boundary(shape, p)


def _on_boundary(shape, p, tol: float = 1e-9):
    if isinstance(shape, Rect):
        lows, highs = shape.bounds()
        within = np.all((p >= lows - tol) & (p <= highs + tol), axis=-1)
        return within & ~shape.inside(p)
    if isinstance(shape, Disk):
        return np.abs(_radius(p, shape.center) - shape.radius) < tol
    if isinstance(shape, Annulus):
        r = _radius(p, shape.center)
        return (np.abs(r - shape.inner) < tol) | (np.abs(r - shape.outer) < tol)
    return np.zeros(p.shape[0], bool)


def _radius(p: np.ndarray, center) -> np.ndarray:
    return np.linalg.norm(p - np.asarray(center, float), axis=-1)


def _sphere_measure(dim: int, radius: float) -> float:
    return 2 * math.pi * radius if dim == 2 else 4 * math.pi * radius**2


def _on_sphere(center, radius: float, unit: np.ndarray, *, outward: bool):
    """Area-uniform points on a circle (unit (n, 1)) or sphere (unit (n, 2)), and the unit normals."""
    if len(center) == 2:
        angle = 2 * math.pi * unit[:, 0]
        directions = np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    else:
        z = 1 - 2 * unit[:, 0]
        angle = 2 * math.pi * unit[:, 1]
        ring = np.sqrt(np.maximum(1 - z**2, 0.0))
        directions = np.stack([ring * np.cos(angle), ring * np.sin(angle), z], axis=-1)
    points = np.asarray(center, float) + radius * directions
    return points, directions if outward else -directions


# ---- boundary pieces of a combination -----------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    """A piece of a primitive's boundary, as far as it lies on the boundary of the whole shape."""

    primitive: object
    piece: object
    flip: bool
    keep: tuple  # ((shape, must_be_inside: bool), ...): conditions on the points


def patches(shape) -> list[Patch]:
    if isinstance(shape, PRIMITIVES):
        return [Patch(shape, piece, False, ()) for piece in shape.pieces()]
    if isinstance(shape, (Union, Intersection)):
        inside = isinstance(shape, Intersection)
        return [Patch(p.primitive, p.piece, p.flip, p.keep + tuple((o, inside) for o in shape.parts if o is not part))
                for part in shape.parts for p in patches(part)]
    base = [Patch(p.primitive, p.piece, p.flip, p.keep + ((shape.cut, False),)) for p in patches(shape.base)]
    cut = [Patch(p.primitive, p.piece, not p.flip, p.keep + ((shape.base, True),)) for p in patches(shape.cut)]
    return base + cut


def boundary_pieces(shape) -> tuple:
    """The names of a shape's boundary pieces ("circle", "inner", Plane(…) …), without repetition."""
    return tuple(dict.fromkeys(p.piece for p in patches(shape)))


def kept(patch: Patch, points: np.ndarray) -> np.ndarray:
    """Mask of the points (on the patch's primitive piece) that lie on the boundary of the whole shape."""
    mask = np.ones(points.shape[0], bool)
    for other, must_be_inside in patch.keep:
        mask &= other.inside(points) if must_be_inside else ~_closure_inside(other, points)
    return mask


# ---- shape domains -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeDomain:
    """`shape` in the spatial coordinates, times the interval of the time coordinate (if any).

    `lows`/`highs` are the bounding box (the time interval on the time axis), so that code written
    for a `Box` (grids for plots, slices) keeps working; sampling uses the shape itself.
    """

    names: tuple[str, ...]
    shape: Shape
    time: str | None = None
    time_interval: tuple[float, float] | None = None

    @property
    def dim(self) -> int:
        return len(self.names)

    @property
    def time_axis(self) -> int | None:
        return None if self.time is None else self.names.index(self.time)

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        return tuple(k for k in range(self.dim) if k != self.time_axis)

    @property
    def lows(self) -> tuple[float, ...]:
        return self._bounds(0)

    @property
    def highs(self) -> tuple[float, ...]:
        return self._bounds(1)

    def _bounds(self, which: int) -> tuple[float, ...]:
        spatial = iter(self.shape.bounds()[which])
        return tuple(self.time_interval[which] if k == self.time_axis else float(next(spatial))
                     for k in range(self.dim))

    def pieces(self) -> tuple:
        return boundary_pieces(self.shape)

    def whole_boundary(self) -> Boundary:
        return Boundary(self.pieces())

    def initial_slice(self) -> Faces:
        if self.time_axis is None:
            raise ValueError("this domain has no time coordinate")
        return Faces((Face(self.time_axis, 0),))

    def face_value(self, face: Face) -> float:
        return self.time_interval[face.side]

    def inside(self, points: np.ndarray) -> np.ndarray:
        """Mask (N,) of the points strictly inside in space (any time)."""
        return self.shape.inside(points[:, list(self.spatial_axes)])

    def with_time(self, spatial: np.ndarray, time_unit: np.ndarray | None) -> np.ndarray:
        """Points (n, dim) from spatial points (n, dim−1) and time samples in [0, 1) (n,) or None."""
        if self.time_axis is None:
            return spatial
        low, high = self.time_interval
        return np.insert(spatial, self.time_axis, low + (high - low) * time_unit, axis=1)
