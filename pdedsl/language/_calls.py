"""Calls → resolved trees: elementary functions, derivatives, operators, and unknowns at points or on faces.

A function or operator is looked up in `_registry`; its entry gives the arity, the
shape rule and the derivative order it adds.  `dxy(u)` is the shorthand of
`d(u, x, y)`.  An unknown is called only in two kinds of condition, as the `env`
says: `u(0.5, 0.5)` in a `point:` condition, `u(x = 0)` in a `periodic:` one; the
point or face travels up in `Typed.found` for the condition to read.
"""

from __future__ import annotations

import math
import re

from pdedsl.errors import PdeError, PdeNameError, PdeSemanticError
from pdedsl.geometry import Box
from pdedsl.language import _ast as ast
from pdedsl.language._ir import Apply, Diff, Op, Var
from pdedsl.language._registry import CONSTANTS, FUNCTIONS, OPERATORS
from pdedsl.language._scope import MAX_DERIVATIVE_ORDER, Env, Found, Typed, fmt, found_in
from pdedsl.language._settings import suggest

__all__ = ["resolve_call", "bare_unknown"]


def resolve_call(r, expr: ast.Call, env: Env) -> Typed:
    """`r` is the `Resolver` (its scope, and `resolve` for the arguments)."""
    scope, func = r.scope, expr.func.name
    if func in FUNCTIONS:
        (arg,) = _args(expr, 1)
        typed = r.scalar(r.resolve(arg, env), arg, f"{func}()")
        value = None if typed.value is None else _fold_function(expr, func, typed.value)
        return Typed(Apply(expr.span, func, typed.expr), 0, typed.order, value, typed.unknown, typed.found)
    if func in OPERATORS and func != "d":
        return _operator(r, expr, env)
    if func in scope.unknowns and env.condition == "point":
        return _unknown_at_point(r, expr, env)
    if func in scope.unknowns and env.condition == "periodic":
        return _unknown_on_face(r, expr, env)
    if func == "d":
        return _call_d(r, expr, env)
    axes = _shorthand_axes(r, expr)
    if axes is not None:
        (arg,) = _args(expr, 1)
        typed = r.resolve(arg, env)
        return _with_order(expr, Diff(expr.span, typed.expr, axes), typed, len(axes), typed.size)
    raise _not_a_function(r, expr, env)


def bare_unknown(r, expr: ast.Name, env: Env) -> None:
    """An unknown written alone, where the condition needs it at a point or on a face: an error."""
    name = expr.name
    if env.condition == "point":
        example = ", ".join(["0.5"] * r.scope.box.dim)
        raise PdeSemanticError(f"in a `point:` condition, '{name}' is written with its point", expr.span,
                               hint=f"e.g. {name}({example})")
    if env.condition == "periodic":
        raise PdeSemanticError(f"in a `periodic:` condition, '{name}' is written on a face", expr.span,
                               hint=f"e.g. {r.scope.face_example(name=name)}")


def _args(expr: ast.Call, n: int) -> tuple:
    if len(expr.args) != n:
        plural = "argument" if n == 1 else "arguments"
        raise PdeSemanticError(f"{expr.func.name}() takes {n} {plural}, got {len(expr.args)}", expr.span)
    return expr.args


def _fold_function(expr: ast.Call, func: str, x: float) -> float:
    try:
        value = FUNCTIONS[func].fold(x)
    except ValueError:
        raise PdeSemanticError(f"{func}({fmt(x)}) has no real value", expr.span) from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise PdeSemanticError("this constant is too large for a float", expr.span)
    return value


def _with_order(expr: ast.Call, node, typed: Typed, increase: int, size: int) -> Typed:
    return Typed(node, size, _order(expr, typed.order + increase), None, typed.unknown, typed.found)


def _order(expr: ast.Call, order: int) -> int:
    if order > MAX_DERIVATIVE_ORDER:
        raise PdeSemanticError(f"derivative of order {order}; at most {MAX_DERIVATIVE_ORDER} is supported",
                               expr.span)
    return order


def _operator(r, expr: ast.Call, env: Env) -> Typed:
    op = OPERATORS[expr.func.name]
    args = _args(expr, op.arity)
    if op.only_in is not None and env.condition != op.only_in[0]:
        _, message, hint = op.only_in
        raise PdeSemanticError(message, expr.span, hint=hint)
    operands = [r.resolve(arg, env) for arg in args]
    n = len(r.scope.spatial_axes())
    if op.order and not n:
        raise PdeSemanticError(f"{op.name}() acts on the spatial coordinates, and there are none", expr.span)
    size = op.shape(tuple(t.size for t in operands), n, expr)
    order = _order(expr, max(t.order for t in operands) + op.order)
    return Typed(Op(expr.span, op.name, tuple(t.expr for t in operands)), size, order, None,
                 any(t.unknown for t in operands), found_in(*operands))


def _call_d(r, expr: ast.Call, env: Env) -> Typed:
    if len(expr.args) < 2:
        raise PdeSemanticError(f"d() takes an expression and at least one coordinate, got {len(expr.args)} "
                               f"argument{'s' if len(expr.args) != 1 else ''}", expr.span,
                               hint="e.g. d(u, x) or d(u, x, x, y)")
    operand, *variables = expr.args
    axes = tuple(r.coordinate_axis(v, "a derivative", env) for v in variables)
    typed = r.resolve(operand, env)
    return _with_order(expr, Diff(expr.span, typed.expr, axes), typed, len(axes), typed.size)


def _shorthand_axes(r, expr: ast.Call) -> tuple[int, ...] | None:
    """`dxy` → the axes of x and y, when every letter after the `d` is a one-letter coordinate."""
    scope, func = r.scope, expr.func.name
    if not re.fullmatch(r"d[A-Za-z]+", func) or func in scope.definitions:
        return None
    letters = func[1:]
    if not all(c in scope.coordinates for c in letters):
        return None
    if len(letters) > 1 and letters in scope.coordinates:
        spelled = ", ".join(letters)
        raise PdeSemanticError(f"'{func}' is ambiguous: the derivative along {spelled}, or along the coordinate "
                               f"'{letters}'", expr.func.span,
                               hint=f"write d(u, {spelled}) or d(u, {letters})")
    return tuple(scope.coordinates[c] for c in letters)


def _not_a_function(r, expr: ast.Call, env: Env) -> PdeError:
    scope, func = r.scope, expr.func.name
    if func in scope.unknowns and any(isinstance(arg, ast.Face) for arg in expr.args):
        return PdeSemanticError(f"'{func}' on a face is written in `periodic:` conditions only", expr.span,
                                hint=f"elsewhere an unknown is evaluated where its equation holds: write {func}; "
                                     f"a condition on a face is written `boundary: ... on x = 0`")
    if func in scope.unknowns:
        return PdeSemanticError(f"'{func}' is an unknown, not a function", expr.span,
                                hint=f"an unknown is evaluated where its equation holds: write {func}, "
                                     f"not {func}(...)")
    if func in scope.definitions or func in CONSTANTS or func in env.indices:
        return PdeSemanticError(f"'{func}' is not a function", expr.func.span,
                                hint=f"the functions are: {', '.join(FUNCTIONS)}")
    one_letter = [c for c in scope.coordinates if len(c) == 1]
    shorthands = ["d" + c for c in one_letter] + ["d" + a + b for a in one_letter for b in one_letter]
    guess = suggest(func, [*FUNCTIONS, *OPERATORS, *shorthands])
    hint = f"did you mean '{guess}'? " if guess else ""
    letters = func[1:]
    strangers = [c for c in letters if c not in scope.coordinates]
    looks_like_shorthand = len(letters) <= 3 or len(strangers) < len(letters)
    if re.fullmatch(r"d[A-Za-z]+", func) and strangers and looks_like_shorthand:
        hint = hint if guess not in (None, "d") else ""  # `d` itself is no help for `dz`
        hint += f"'{strangers[0]}' is not a coordinate (the coordinates are: {', '.join(scope.coordinates)}); "
    if func.startswith("d"):
        hint += "derivatives are d(u, x, y) or the shorthand d + coordinate letters (dx, dxx, dxy)"
    else:
        hint += f"the functions are: {', '.join(FUNCTIONS)}"
    return PdeNameError(f"unknown function '{func}'", expr.func.span, hint=hint)


def _unknown_at_point(r, expr: ast.Call, env: Env) -> Typed:
    """`u(0.5, 0.5)` in a `point:` condition: the unknown at a constant point inside the domain."""
    scope, name = r.scope, expr.func.name
    box = scope.box
    if len(expr.args) != box.dim:
        raise PdeSemanticError(f"{name}(...) at a point takes {box.dim} coordinates "
                               f"({', '.join(box.names)}), got {len(expr.args)}", expr.span)
    point = tuple(r.constant(arg, "a coordinate of the point") for arg in expr.args)
    for axis, value in enumerate(point):
        if not box.lows[axis] - 1e-12 <= value <= box.highs[axis] + 1e-12:
            raise PdeSemanticError(f"the point lies outside the domain: {box.names[axis]} = {fmt(value)} is "
                                   f"not in [{fmt(box.lows[axis])}, {fmt(box.highs[axis])}]", expr.args[axis].span)
    return Typed(Var(expr.span, scope.unknowns[name], name), unknown=True, found=(Found(expr.span, point=point),))


def _unknown_on_face(r, expr: ast.Call, env: Env) -> Typed:
    """`u(x = 0)` in a `periodic:` condition: the unknown on the face x = 0 of a box."""
    scope, name = r.scope, expr.func.name
    box = scope.box
    if not isinstance(box, Box):
        raise PdeSemanticError("periodic conditions need a box domain", expr.span,
                               hint="a shape domain has no pairs of opposite faces")
    if len(expr.args) != 1 or not isinstance(expr.args[0], ast.Face):
        raise PdeSemanticError(f"in a `periodic:` condition, '{name}' is written on one face", expr.span,
                               hint=f"a periodic condition pairs two faces of one coordinate, e.g. "
                                    f"{scope.face_example(name=name)}")
    (face,) = expr.args
    axis = r.coordinate_axis(face.coordinate, "a periodic face", env)
    coordinate = box.names[axis]
    if axis == box.time_axis:
        raise PdeSemanticError(f"'{coordinate}' is the time; periodic conditions pair spatial faces",
                               face.coordinate.span)
    value = r.constant(face.value, "a face position")
    low, high = box.lows[axis], box.highs[axis]
    hint = f"a periodic condition pairs the faces {coordinate} = {fmt(low)} and {coordinate} = {fmt(high)}"
    side = next((side for side, end in ((0, low), (1, high))
                 if math.isclose(value, end, rel_tol=1e-12, abs_tol=1e-12)), None)
    if side is None:
        where = "lies outside the domain" if not low < value < high else "is not a face of the domain"
        raise PdeSemanticError(f"{coordinate} = {fmt(value)} {where}: {coordinate} ranges over "
                               f"[{fmt(low)}, {fmt(high)}]", face.span, hint=hint)
    position = r.resolve(face.value, env.outside()).expr
    face_use = Found(face.span, axis=axis, side=side, value=position, label=f"{coordinate} = {fmt(value)}")
    return Typed(Var(expr.span, scope.unknowns[name], name), unknown=True, found=(face_use,))
