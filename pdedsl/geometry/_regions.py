"""Box domains and the regions of a domain that equations and conditions live on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Box", "Interior", "Face", "Faces", "Boundary", "PeriodicFaces", "Region", "face_normals"]


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

    def face_value(self, face: Face) -> float:
        return self.lows[face.axis] if face.side == 0 else self.highs[face.axis]

    def face_measure(self, face: Face) -> float:
        """(dim-1)-dimensional measure of a face (1 for a point in 1-D)."""
        m = 1.0
        for k in range(self.dim):
            if k != face.axis:
                m *= self.highs[k] - self.lows[k]
        return m

    def whole_boundary(self) -> Faces:
        """Every face of the spatial axes (both sides): ∂Ω in space."""
        return Faces(tuple(Face(k, s) for k in self.spatial_axes for s in (0, 1)))

    def initial_slice(self) -> Faces:
        """The face `time = low` (raises if the box has no time coordinate)."""
        if self.time_axis is None:
            raise ValueError("this domain has no time coordinate")
        return Faces((Face(self.time_axis, 0),))


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

    pieces: tuple  # of str | Plane


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
