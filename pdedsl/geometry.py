"""Domains, the regions of them that equations and conditions live on, and how to sample them.

This module is neutral ground between the language (which builds these values
from a spec) and the runner (which samples collocation points from them); it
imports neither.  Everything is a frozen dataclass so that it can be hashed,
compared and printed.

Two kinds of domain:

* `Box` — the product of intervals; its boundary is made of `Face`s.
* `ShapeDomain` — a `shape` in the spatial coordinates (`Disk`, `Annulus`, `Rect` or a
  constructive combination `Union`, `Intersection`, `Difference` of them), optionally
  times a time interval.  Its boundary is made of named *pieces*: `"circle"` (`"sphere"`
  in 3-D) for a disk, `"inner"` and `"outer"` for an annulus, `Plane(axis, value)` for the
  faces of a rectangle.

Shapes sample themselves from unit-cube samples (`unit(n, k) -> (n, k)` in [0, 1)), so
that the runner's quasi-random methods and the verifier's plain random numbers share
one code path: interiors by vectorised rejection from the bounding box, boundaries by
parametrising each primitive's pieces and keeping the points that lie on the boundary
of the combination, with outward unit normals.

Shapes: a point is a vector of length `dim` in the order of `names`; arrays of points
are (N, dim).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pdedsl.errors import PdeError

__all__ = [
    "Box", "ShapeDomain", "Domain", "Interior", "Face", "Faces", "Boundary", "PeriodicFaces", "Region",
    "Plane", "Rect", "Disk", "Annulus", "Union", "Intersection", "Difference", "Shape",
    "face_normals", "sample_shape_interior", "sample_shape_boundary", "boundary_pieces",
]

UnitSampler = Callable[[int, int], np.ndarray]  # unit(n, k) -> (n, k) points of [0, 1)^k
INSIDE_TOLERANCE = 1e-12  # points closer than this to a primitive's boundary are not strictly inside it


# ---- box domains ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """The product of intervals `[lows[k], highs[k]]` over the coordinates `names`.

    `time` names the coordinate that plays the role of time (or is None); the
    "whole boundary" of a time-dependent problem is the boundary in space only.
    """

    names: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    time: str | None = None

    @property
    def dim(self) -> int:
        return len(self.names)

    @property
    def time_axis(self) -> int | None:
        return None if self.time is None else self.names.index(self.time)

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        return tuple(k for k in range(self.dim) if k != self.time_axis)

    def face(self, axis: int, side: int) -> "Face":
        return Face(axis, side)

    def face_value(self, face: "Face") -> float:
        return self.lows[face.axis] if face.side == 0 else self.highs[face.axis]

    def face_measure(self, face: "Face") -> float:
        """(dim-1)-dimensional measure of a face (1 for a point in 1-D)."""
        m = 1.0
        for k in range(self.dim):
            if k != face.axis:
                m *= self.highs[k] - self.lows[k]
        return m

    def whole_boundary(self) -> "Faces":
        """Every face of the spatial axes (both sides): ∂Ω in space."""
        return Faces(tuple(Face(k, s) for k in self.spatial_axes for s in (0, 1)))

    def initial_slice(self) -> "Faces":
        """The face `time = low` (raises if the box has no time coordinate)."""
        if self.time_axis is None:
            raise ValueError("this domain has no time coordinate")
        return Faces((Face(self.time_axis, 0),))


# ---- regions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interior:
    """The open domain itself."""


@dataclass(frozen=True)
class Face:
    """The face `names[axis] = lows[axis]` (side 0) or `= highs[axis]` (side 1); outward normal ∓e_axis."""

    axis: int
    side: int


@dataclass(frozen=True)
class Faces:
    """A union of faces of a box, e.g. `x = 0, x = 1` (or the time faces of a `ShapeDomain`)."""

    faces: tuple[Face, ...]


@dataclass(frozen=True)
class Boundary:
    """A union of named boundary pieces of a `ShapeDomain` (times the time interval, if any)."""

    pieces: tuple["str | Plane", ...]


@dataclass(frozen=True)
class PeriodicFaces:
    """The face `axis = low`, each point paired with its image on the face `axis = high`."""

    axis: int


Region = Interior | Faces | Boundary | PeriodicFaces


def face_normals(dim: int, faces: list[Face], counts: list[int]) -> np.ndarray:
    """Outward unit normals (Σ counts, dim) of points lying on `faces`, `counts[k]` on face k, in order."""
    normals = np.zeros((sum(counts), dim))
    row = 0
    for face, count in zip(faces, counts):
        normals[row:row + count, face.axis] = 1.0 if face.side == 1 else -1.0
        row += count
    return normals


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
class Disk:
    """The open disk (2-D) or ball (3-D) `|x − center| < radius`; its boundary piece is "circle"/"sphere"."""

    center: tuple[float, ...]
    radius: float

    @property
    def dim(self) -> int:
        return len(self.center)

    def bounds(self):
        c = np.asarray(self.center, float)
        return c - self.radius, c + self.radius

    def inside(self, p: np.ndarray) -> np.ndarray:
        return _radius(p, self.center) < self.radius - INSIDE_TOLERANCE

    def pieces(self) -> tuple[str, ...]:
        return ("circle" if self.dim == 2 else "sphere",)

    def measure(self, piece: str) -> float:
        return _sphere_measure(self.dim, self.radius)

    def place(self, piece: str, unit: np.ndarray):
        return _on_sphere(self.center, self.radius, unit, outward=True)


@dataclass(frozen=True)
class Annulus:
    """The open ring (2-D) or shell (3-D) `inner < |x − center| < outer`; pieces "inner" and "outer"."""

    center: tuple[float, ...]
    inner: float
    outer: float

    @property
    def dim(self) -> int:
        return len(self.center)

    def bounds(self):
        c = np.asarray(self.center, float)
        return c - self.outer, c + self.outer

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
class Union:
    parts: tuple["Shape", ...]

    @property
    def dim(self) -> int:
        return self.parts[0].dim

    def bounds(self):
        boxes = [p.bounds() for p in self.parts]
        return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)

    def inside(self, p):
        return np.any([part.inside(p) for part in self.parts], axis=0)


@dataclass(frozen=True)
class Intersection:
    parts: tuple["Shape", ...]

    @property
    def dim(self) -> int:
        return self.parts[0].dim

    def bounds(self):
        boxes = [p.bounds() for p in self.parts]
        return np.max([b[0] for b in boxes], axis=0), np.min([b[1] for b in boxes], axis=0)

    def inside(self, p):
        return np.all([part.inside(p) for part in self.parts], axis=0)


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
class _Patch:
    """A piece of a primitive's boundary, as far as it lies on the boundary of the whole shape."""

    primitive: object
    piece: object
    flip: bool
    keep: tuple  # ((shape, must_be_inside: bool), ...): conditions on the points


def _patches(shape) -> list[_Patch]:
    if isinstance(shape, PRIMITIVES):
        return [_Patch(shape, piece, False, ()) for piece in shape.pieces()]
    if isinstance(shape, (Union, Intersection)):
        inside = isinstance(shape, Intersection)
        return [_Patch(p.primitive, p.piece, p.flip, p.keep + tuple((o, inside) for o in shape.parts if o is not part))
                for part in shape.parts for p in _patches(part)]
    base = [_Patch(p.primitive, p.piece, p.flip, p.keep + ((shape.cut, False),)) for p in _patches(shape.base)]
    cut = [_Patch(p.primitive, p.piece, not p.flip, p.keep + ((shape.base, True),)) for p in _patches(shape.cut)]
    return base + cut


def boundary_pieces(shape) -> tuple:
    """The names of a shape's boundary pieces ("circle", "inner", Plane(…) …), without repetition."""
    return tuple(dict.fromkeys(p.piece for p in _patches(shape)))


def _kept(patch: _Patch, points: np.ndarray) -> np.ndarray:
    mask = np.ones(points.shape[0], bool)
    for other, must_be_inside in patch.keep:
        mask &= other.inside(points) if must_be_inside else ~_closure_inside(other, points)
    return mask


# Rejection sampling draws at most _ROUNDS batches, each at most _MAX_BATCH candidates (~16 MB in 2-D):
# a domain too thin to fill the request within them is reported, not sampled until memory runs out.
_ROUNDS = 12
_MAX_BATCH = 1 << 20
_EMPTY_HINT = ("check the sizes of the shapes: a radius below 1e-12, a difference that removes everything or "
               "an intersection of shapes that do not overlap leaves nothing to sample")


def sample_shape_boundary(shape, pieces, n: int, unit: UnitSampler, rng: np.random.Generator):
    """`n` points (n, dim) on the named boundary pieces of `shape`, uniform by measure, and outward normals.

    Each primitive piece is parametrised, a batch drawn in proportion to its measure, and the points
    that do not lie on the boundary of the combination are dropped; batches grow until `n` are kept,
    then `n` are chosen at random among them (so no piece is favoured by the order of the draws).
    """
    patches = [p for p in _patches(shape) if p.piece in pieces]
    measures = np.array([p.primitive.measure(p.piece) for p in patches])
    batch = n
    for _ in range(_ROUNDS):
        points, normals = [], []
        for patch, count in zip(patches, _largest_remainder(measures, 2 * batch)):
            if count == 0:
                continue
            p, nrm = patch.primitive.place(patch.piece, unit(count, shape.dim - 1))
            keep = _kept(patch, p)
            points.append(p[keep])
            normals.append(-nrm[keep] if patch.flip else nrm[keep])
        points, normals = np.concatenate(points), np.concatenate(normals)
        if points.shape[0] >= n:
            chosen = np.sort(rng.choice(points.shape[0], size=n, replace=False))
            return points[chosen], normals[chosen]
        batch = min(4 * batch, _MAX_BATCH)
    raise PdeError(f"the boundary pieces {', '.join(sorted(set(pieces)))} are (almost) empty: after {_ROUNDS} "
                   f"batches of sample points, fewer than the {n} needed lie on them", hint=_EMPTY_HINT)


def sample_shape_interior(shape, n: int, unit: UnitSampler) -> np.ndarray:
    """`n` points (n, dim) strictly inside `shape`: rejection sampling from its bounding box."""
    lows, highs = shape.bounds()
    batch, found = n, []
    for _ in range(_ROUNDS):
        candidates = lows + unit(2 * batch, shape.dim) * (highs - lows)
        found.append(candidates[shape.inside(candidates)])
        if sum(f.shape[0] for f in found) >= n:
            return np.concatenate(found)[:n]
        batch = min(4 * batch, _MAX_BATCH)
    inside = sum(f.shape[0] for f in found)
    raise PdeError(f"the domain is (almost) empty: {inside} of the sample points drawn from its bounding box "
                   f"lie inside it, {n} are needed", hint=_EMPTY_HINT)


def _largest_remainder(measures: np.ndarray, n: int) -> list[int]:
    share = n * measures / measures.sum()
    counts = np.floor(share).astype(int)
    for k in np.argsort(-(share - counts))[: n - counts.sum()]:
        counts[k] += 1
    return [int(c) for c in counts]


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


Domain = Box | ShapeDomain
