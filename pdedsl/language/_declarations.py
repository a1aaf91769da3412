"""Declarations → scope: the domain and its coordinates, the unknowns, `let` definitions and learned parameters.

They are read in source order, each using the names defined above it; the domain
becomes a `Box` (a product of intervals) or a `ShapeDomain` (a shape, and perhaps a
time interval beside it).
"""

from __future__ import annotations

from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.geometry import Box, Domain, ShapeDomain
from pdedsl.language import _ast as ast
from pdedsl.language._expressions import Resolver
from pdedsl.language._ir import Param
from pdedsl.language._scope import MAX_DIMENSION, Env, Typed, fmt
from pdedsl.language._shapes import build_shape

__all__ = ["declare"]


def declare(r: Resolver, spec: ast.Spec) -> None:
    """Fill `r.scope` from the declarations, in source order."""
    scope, first_domain = r.scope, None
    for statement in spec.statements:
        if isinstance(statement, ast.Domain):
            if first_domain is not None:
                raise PdeNameError(f"a second domain statement (the first is at line {first_domain.line})",
                                   statement.span, hint="declare every coordinate in one `domain` line")
            first_domain = statement.span
            scope.box = _declare_domain(r, statement)
        elif isinstance(statement, ast.Unknowns):
            for name in statement.names:
                scope.define(name, "an unknown")
                scope.unknowns[name.name] = len(scope.unknowns)
        elif isinstance(statement, ast.Let):
            _define_let(r, statement)
        elif isinstance(statement, ast.LearnedParam):
            value = r.constant(statement.init, "the initial value of a parameter")
            scope.define(statement.name, "a learned parameter")
            scope.learned[statement.name.name] = value
    if scope.box is None:
        raise PdeSemanticError("the spec declares no domain", spec.statements[0].span,
                               hint="add a line such as `domain x in [0, 1], y in [0, 1]`")


def _define_let(r: Resolver, let: ast.Let) -> None:
    typed = r.resolve(let.value, Env(defining=let.name.name))
    r.scope.define(let.name, "a `let` definition")
    if typed.value is not None:
        r.scope.parameters.append((let.name.name, typed.expr))
        typed = Typed(Param(let.name.span, let.name.name), value=typed.value)
    r.scope.lets[let.name.name] = typed


def _declare_domain(r: Resolver, domain: ast.Domain) -> Domain:
    """Register the coordinates (their bounds may use the `let` constants defined above)."""
    scope, names = r.scope, []

    def coordinate(name: ast.Name, kind: str) -> None:
        scope.define(name, kind)
        scope.coordinates[name.name] = len(names)
        names.append(name.name)

    for item in domain.items:
        if item.power is not None and item.shape is None:
            if len(item.names) > 1 or item.time:
                raise PdeSemanticError("an indexed coordinate `x in [a, b]^n` takes a single name",
                                       item.span, hint="write `x in [0, 1]^5`, then use x[k] or x1 .. x5")
            base = item.names[0]
            n = r.constant_int(item.power, 1, MAX_DIMENSION, "the dimension")
            scope.define(base, "an indexed coordinate")
            scope.vectors[base.name] = tuple(range(len(names), len(names) + n))
            for k in range(1, n + 1):
                coordinate(ast.Name(base.span, f"{base.name}{k}"), f"a component of {base.name}")
            continue
        if item.shape is None and item.time and (len(item.names) > 1 or scope.time is not None):
            raise PdeSemanticError("only one coordinate can be the time", item.span,
                                   hint="write `time t in [0, 1], x in [0, 1]`")
        if item.shape is None and item.time:
            scope.time = item.names[0].name
        for name in item.names:
            coordinate(name, "a coordinate")
    if scope.time is None and "t" in scope.coordinates:
        scope.time = "t"
    if len(names) > MAX_DIMENSION:
        raise PdeSemanticError(f"the domain has {len(names)} coordinates; at most {MAX_DIMENSION} are supported",
                               domain.span)
    if any(item.shape is not None for item in domain.items):
        return _shape_domain(r, domain, names)
    return _box(r, domain, names)


def _shape_domain(r: Resolver, domain: ast.Domain, names: list[str]) -> ShapeDomain:
    """One shape over the spatial coordinates, and at most a time interval beside it."""
    time = r.scope.time
    shapes = [item for item in domain.items if item.shape is not None]
    others = [item for item in domain.items if item.shape is None]
    if len(shapes) > 1:
        raise PdeSemanticError("a domain has at most one shape", shapes[1].span,
                               hint="combine shapes with union(…), intersection(…) or difference(…)")
    for item in others:
        if item.names[0].name != time or item.power is not None:
            raise PdeSemanticError("beside a shape, a domain line may only give the time interval", item.span,
                                   hint="put every spatial coordinate in the shape: `domain x, y in disk(...)`")
    (item,) = shapes
    shape = build_shape(item.shape, len(item.names), r.constant)
    interval = None
    if others:
        low, high = (r.constant(e, "a domain bound") for e in (others[0].low, others[0].high))
        if not low < high:
            raise PdeSemanticError(f"the interval [{fmt(low)}, {fmt(high)}] is empty", others[0].span)
        interval = (low, high)
    return ShapeDomain(tuple(names), shape, time, interval)


def _box(r: Resolver, domain: ast.Domain, names: list[str]) -> Box:
    lows, highs = [], []
    for item in domain.items:
        low = r.constant(item.low, "a domain bound")
        high = r.constant(item.high, "a domain bound")
        if not low < high:
            raise PdeSemanticError(f"the interval [{fmt(low)}, {fmt(high)}] is empty", item.span,
                                   hint="write the lower end first, e.g. [0, 1]")
        count = len(r.scope.vectors.get(item.names[0].name, ())) or len(item.names)
        lows += [low] * count
        highs += [high] * count
    return Box(tuple(names), tuple(lows), tuple(highs), r.scope.time)
