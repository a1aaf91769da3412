"""Where a condition holds: the interior, faces of a box, the start of time, or pieces of a shape's boundary."""

from __future__ import annotations

import math

from pdedsl.errors import PdeSemanticError
from pdedsl.geometry import Boundary, Box, Face, Faces, Interior, Plane, Region, ShapeDomain
from pdedsl.language import _ast as ast
from pdedsl.language._expressions import Resolver
from pdedsl.language._scope import fmt

__all__ = ["region"]


def region(r: Resolver, condition: ast.Condition) -> Region:
    box, where = r.scope.box, condition.region
    if condition.kind in ("pde", "point"):
        return Interior()
    if condition.kind == "initial":
        if box.time is None:
            raise PdeSemanticError("an initial condition needs a time coordinate", condition.span,
                                   hint="name a coordinate `t`, or mark one with `time`, "
                                        "e.g. `domain time s in [0, 1], x in [0, 1]`")
        start = box.initial_slice()
        if where is not None and _faces(r, where) != start:
            raise PdeSemanticError(f"an initial condition holds at the start of time, "
                                   f"{box.time} = {fmt(box.lows[box.time_axis])}", where.span,
                                   hint="drop the `on` clause, or use a `boundary:` condition for other faces")
        return start
    if where is None or isinstance(where, ast.OnBoundary):
        if not box.spatial_axes:
            raise PdeSemanticError("the domain has no spatial boundary", condition.span,
                                   hint="name the faces: `on t = 1`")
        return box.whole_boundary()
    return _faces(r, where)


def _faces(r: Resolver, where) -> Faces | Boundary:
    box = r.scope.box
    if isinstance(where, ast.OnBoundary):
        return box.whole_boundary()
    parts = [_face(r, face) for face in where.faces]
    if isinstance(box, Box):
        return Faces(tuple(parts))
    faces = [p for p in parts if isinstance(p, Face)]
    if faces and len(faces) != len(parts):
        raise PdeSemanticError("a condition holds either on time faces or on the boundary in space, not both",
                               where.span, hint="split it into two conditions")
    return Faces(tuple(faces)) if faces else Boundary(tuple(dict.fromkeys(parts)))


def _face(r: Resolver, face: ast.Face | ast.Piece) -> Face | Plane | str:
    box = r.scope.box
    if isinstance(face, ast.Piece):
        return _piece(box, face)
    axis = r.coordinate_axis(face.coordinate, "a condition's face")
    name = box.names[axis]
    value = r.constant(face.value, "a face position")
    if isinstance(box, ShapeDomain) and axis != box.time_axis:
        return _plane(box, face, axis, value)
    low, high = box.lows[axis], box.highs[axis]
    for side, end in ((0, low), (1, high)):
        if math.isclose(value, end, rel_tol=1e-12, abs_tol=1e-12):
            return Face(axis, side)
    raise PdeSemanticError(f"{name} = {fmt(value)} is not a face of the domain: "
                           f"{name} ranges over [{fmt(low)}, {fmt(high)}]", face.span,
                           hint=f"conditions hold on faces: {name} = {fmt(low)} or {name} = {fmt(high)}")


def _plane(box: ShapeDomain, face: ast.Face, axis: int, value: float) -> Plane:
    """The flat boundary piece `x = value` of a shape domain (a side of one of its boxes)."""
    k = box.spatial_axes.index(axis)
    for piece in box.pieces():
        if isinstance(piece, Plane) and piece.axis == k and math.isclose(piece.value, value, rel_tol=1e-12,
                                                                          abs_tol=1e-12):
            return piece
    raise PdeSemanticError(f"the domain has no boundary {box.names[axis]} = {fmt(value)}", face.span,
                           hint=f"its boundary pieces are: {_piece_names(box)}")


def _piece(box, piece: ast.Piece) -> str:
    if isinstance(box, ShapeDomain) and piece.name in box.pieces():
        return piece.name
    if isinstance(box, Box):
        faces = ", ".join(f"{box.names[f.axis]} = {fmt(box.face_value(f))}" for f in box.whole_boundary().faces)
        hint = f"a box's boundary is made of faces: {faces}; or write `on boundary`"
    else:
        hint = f"its boundary pieces are: {_piece_names(box)}; or write `on boundary`"
    raise PdeSemanticError(f"the domain has no boundary '{piece.name}'", piece.span, hint=hint)


def _piece_names(box: ShapeDomain) -> str:
    spatial = box.spatial_axes
    return ", ".join(f"{box.names[spatial[p.axis]]} = {fmt(p.value)}" if isinstance(p, Plane) else p
                     for p in box.pieces())
