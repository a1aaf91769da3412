"""Shape expressions of a `domain` line → `pdedsl.geometry` shapes, validated with positions.

    domain x, y in disk([0, 0], 1)
    domain x, y in annulus([0, 0], 0.5, 1)
    domain x, y, z in ball([0, 0, 0], 1)
    domain x, y in difference(box([0, 1], [0, 1]), disk([0.5, 0.5], 0.25))

Primitives: `disk(center, radius)` (2-D), `ball(center, radius)` (3-D), `annulus(center,
inner, outer)` (2-D ring or 3-D shell), `box([a, b], [c, d], …)`. Combinations:
`union(s1, s2, …)`, `intersection(s1, s2, …)`, `difference(base, cut)`.
"""

from __future__ import annotations

from collections.abc import Callable

from pdedsl.errors import PdeSemanticError
from pdedsl.geometry import Annulus, Difference, Disk, Intersection, Rect, Union
from pdedsl.language import _ast as ast

__all__ = ["SHAPES", "build_shape"]

SHAPES = ("disk", "ball", "annulus", "box", "union", "intersection", "difference")
_HINT = ("a domain is an interval `x in [0, 1]` or a shape: disk([0, 0], 1), ball([0, 0, 0], 1), "
         "annulus([0, 0], 0.5, 1), box([0, 1], [0, 2]), union(…), intersection(…), difference(…)")

Constant = Callable[[ast.Expr, str], float]


def build_shape(expr: ast.Expr, dim: int, constant: Constant):
    """The shape `expr` describes, in `dim` spatial coordinates (raises `PdeSemanticError`)."""
    if not (isinstance(expr, ast.Call) and expr.func.name in SHAPES):
        raise PdeSemanticError("expected an interval or a shape", expr.span, hint=_HINT)
    return _BUILDERS[expr.func.name](expr, dim, constant)


def _args(expr: ast.Call, low: int, high: int | None = None) -> tuple:
    n = len(expr.args)
    if n < low or (high is not None and n > high):
        want = f"{low}" if high == low else f"at least {low}" if high is None else f"{low} to {high}"
        raise PdeSemanticError(f"{expr.func.name}() takes {want} arguments, got {n}", expr.span, hint=_HINT)
    return expr.args


def _point(expr: ast.Expr, dim: int, constant: Constant, what: str) -> tuple[float, ...]:
    if not isinstance(expr, ast.Vector) or len(expr.items) != dim:
        raise PdeSemanticError(f"{what} must be a point of {dim} coordinates, e.g. [{', '.join(['0'] * dim)}]",
                               expr.span)
    return tuple(constant(item, what) for item in expr.items)


def _positive(expr: ast.Expr, constant: Constant, what: str) -> float:
    value = constant(expr, what)
    if not value > 0:
        raise PdeSemanticError(f"{what} must be positive, not {value:g}", expr.span)
    return value


def _round(expr: ast.Call, dim: int, want: tuple[int, ...]) -> None:
    if dim not in want:
        shape = {2: "disk", 3: "ball"}
        hint = f"use {shape[dim]}(...)" if dim in shape and expr.func.name != "annulus" else None
        raise PdeSemanticError(f"{expr.func.name}() is {' or '.join(f'{d}-D' for d in want)}, and the domain line "
                               f"names {dim} coordinate{'s' if dim != 1 else ''}", expr.span, hint=hint)


def _disk(expr: ast.Call, dim: int, constant: Constant):
    _round(expr, dim, (2,) if expr.func.name == "disk" else (3,))
    center, radius = _args(expr, 2, 2)
    return Disk(_point(center, dim, constant, "the center"), _positive(radius, constant, "the radius"))


def _annulus(expr: ast.Call, dim: int, constant: Constant):
    _round(expr, dim, (2, 3))
    center, inner, outer = _args(expr, 3, 3)
    r_in, r_out = _positive(inner, constant, "the inner radius"), _positive(outer, constant, "the outer radius")
    if not r_in < r_out:
        raise PdeSemanticError(f"the inner radius {r_in:g} must be smaller than the outer radius {r_out:g}",
                               expr.span)
    return Annulus(_point(center, dim, constant, "the center"), r_in, r_out)


def _box(expr: ast.Call, dim: int, constant: Constant):
    intervals = _args(expr, dim, dim)
    lows, highs = [], []
    for interval in intervals:
        if not isinstance(interval, ast.Vector) or len(interval.items) != 2:
            raise PdeSemanticError("a side of a box is an interval [low, high]", interval.span)
        low, high = (constant(item, "a box bound") for item in interval.items)
        if not low < high:
            raise PdeSemanticError(f"the interval [{low:g}, {high:g}] is empty", interval.span,
                                   hint="write the lower end first, e.g. [0, 1]")
        lows.append(low)
        highs.append(high)
    return Rect(tuple(lows), tuple(highs))


def _combination(expr: ast.Call, dim: int, constant: Constant):
    if expr.func.name == "difference":
        base, cut = _args(expr, 2, 2)
        return Difference(build_shape(base, dim, constant), build_shape(cut, dim, constant))
    parts = tuple(build_shape(arg, dim, constant) for arg in _args(expr, 2))
    return (Union if expr.func.name == "union" else Intersection)(parts)


_BUILDERS = {"disk": _disk, "ball": _disk, "annulus": _annulus, "box": _box, "union": _combination,
             "intersection": _combination, "difference": _combination}
