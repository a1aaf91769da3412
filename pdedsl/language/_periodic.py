"""Periodic conditions: `periodic x` (every unknown and its x-derivative agree on the two faces of x), and
`periodic: lhs = rhs` (the left side on one face, the right side on the opposite one).

The group's points are sampled on the lower face and paired with their image on the
upper one (`PeriodicFaces(axis)`); what is evaluated on the upper face is wrapped in
`Paired`, with the periodic coordinate translated by (upper − lower) wherever it
appears explicitly.
"""

from __future__ import annotations

import dataclasses

from pdedsl.errors import PdeSemanticError, Span
from pdedsl.geometry import Box, PeriodicFaces
from pdedsl.language import _ast as ast
from pdedsl.language._expressions import Resolver
from pdedsl.language._ir import Arith, CheckedCondition, Coord, Diff, Expr, Paired, Var, Vec
from pdedsl.language._registry import components
from pdedsl.language._scope import Env, Found

__all__ = ["periodic", "periodic_pair"]


def periodic(r: Resolver, statement: ast.Periodic, coordinate: ast.Name, name: str, weight: float):
    """Every unknown and its derivative along `coordinate` agree on the two opposite faces."""
    box = r.scope.box
    if not isinstance(box, Box):
        raise PdeSemanticError("periodic conditions need a box domain", statement.span,
                               hint="a shape domain has no pairs of opposite faces")
    axis = r.coordinate_axis(coordinate, "a periodic condition")
    if axis == box.time_axis:
        raise PdeSemanticError(f"'{coordinate.name}' is the time; periodic conditions pair spatial faces",
                               coordinate.span)
    span = statement.span
    here = [Var(span, k, u) for u, k in r.scope.unknowns.items()]
    here += [Diff(span, v, (axis,)) for v in list(here)]
    return CheckedCondition(name, "periodic", PeriodicFaces(axis), weight, span, statement.text,
                            Vec(span, tuple(here)), Vec(span, tuple(Paired(span, e) for e in here)))


def periodic_pair(r: Resolver, condition: ast.Condition, name: str, weight: float) -> CheckedCondition:
    """`periodic: lhs = rhs`: each side resolved on the one face its unknowns name."""
    equation, example = condition.equation, r.scope.face_example
    if isinstance(equation.rhs, ast.Name) and equation.rhs.name == "manufactured":
        raise PdeSemanticError("'manufactured' cannot be used in a `periodic:` condition", equation.rhs.span,
                               hint=f"a periodic condition pairs two faces: write both sides, e.g. {example()}")
    sides = []
    for which, expr in (("left", equation.lhs), ("right", equation.rhs)):
        typed = r.resolve(expr, Env(condition="periodic"))
        sides.append((typed, _side_face(r, which, expr, typed.found)))
    (left, left_face), (right, right_face) = sides
    if left.size != right.size:
        raise PdeSemanticError(f"the two sides have different numbers of components: {components(left.size)} on "
                               f"the left, {components(right.size)} on the right", equation.span,
                               hint="both sides of a periodic condition have the same shape: "
                                    "scalars, or vectors of the same length")
    if left_face.axis != right_face.axis:
        raise PdeSemanticError(f"the two sides are on faces of different coordinates: {left_face.label} on the "
                               f"left, {right_face.label} on the right", right_face.span,
                               hint=f"a periodic condition pairs the two faces of one coordinate, e.g. "
                                    f"{example(left_face.axis)}")
    if left_face.side == right_face.side:
        raise PdeSemanticError(f"both sides are on the face {left_face.label}", right_face.span,
                               hint=f"a periodic condition pairs two different faces, e.g. {example(left_face.axis)}")
    axis, span = left_face.axis, condition.span
    lower, upper = (left_face, right_face) if left_face.side == 0 else (right_face, left_face)
    shift = Arith(span, "-", upper.value, lower.value)
    lhs, rhs = left.expr, right.expr
    if left_face.side == 1:
        lhs = Paired(span, _translate(lhs, axis, shift))
    else:
        rhs = Paired(span, _translate(rhs, axis, shift))
    return CheckedCondition(name, "periodic", PeriodicFaces(axis), weight, span, condition.text, lhs, rhs)


def _side_face(r: Resolver, which: str, expr: ast.Expr, faces: tuple[Found, ...]) -> Found:
    """The one face on which a side of a periodic condition evaluates the unknowns."""
    if not faces:
        raise PdeSemanticError(f"the {which} side of a periodic condition has no unknown on a face", expr.span,
                               hint=f"each side evaluates the unknowns on one face, e.g. {r.scope.face_example()}; "
                                    "a condition on a single face is a `boundary:` condition")
    first = faces[0]
    for face in faces[1:]:
        if (face.axis, face.side) != (first.axis, first.side):
            raise PdeSemanticError(f"the {which} side of a periodic condition uses two faces, {first.label} and "
                                   f"{face.label}", face.span,
                                   hint="each side is evaluated on one face; the other face belongs on the "
                                        "other side")
    return first


def _translate(expr: Expr, axis: int, shift: Expr) -> Expr:
    """`expr` with the coordinate `axis` replaced by coordinate + shift (a translation: derivatives unchanged)."""
    if isinstance(expr, Coord):
        return Arith(expr.span, "+", expr, shift) if expr.axis == axis else expr
    changes = {}
    for item in dataclasses.fields(expr):
        value = getattr(expr, item.name)
        if isinstance(value, tuple) and any(_is_node(v) for v in value):
            changes[item.name] = tuple(_translate(v, axis, shift) if _is_node(v) else v for v in value)
        elif _is_node(value):
            changes[item.name] = _translate(value, axis, shift)
    return dataclasses.replace(expr, **changes) if changes else expr


def _is_node(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, Span)
