"""What the checker knows while it reads a spec: the names defined so far, and where an expression sits.

`Scope` holds the names in the order the spec defines them (coordinates, unknowns,
`let` definitions, learned parameters) and the domain.  `Env` is the value an
expression is resolved in: the sum indices in scope, how many unrolled copies of it
there are, and the kind of condition it belongs to — passed down, never stored.
`Typed` is a resolved expression with its shape, derivative order and value, and the points or
faces at which it evaluates unknowns (`u(0.5, 0.5)`, `u(x = 0)`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from pdedsl.errors import PdeNameError, Span
from pdedsl.geometry import Box, Domain
from pdedsl.language import _ast as ast
from pdedsl.language._ir import Expr
from pdedsl.language._registry import CONSTANTS, FUNCTIONS, OPERATORS
from pdedsl.language._settings import suggest
from pdedsl.language._shapes import SHAPES

__all__ = ["Typed", "Env", "Found", "Scope", "found_in", "BUILTINS", "MAX_DERIVATIVE_ORDER", "MAX_EXPONENT",
           "MAX_SUM_TERMS", "MAX_DIMENSION", "fmt"]

BUILTINS = (*FUNCTIONS, *OPERATORS, *CONSTANTS, *SHAPES, "manufactured")

MAX_DERIVATIVE_ORDER = 8
MAX_EXPONENT = 64
MAX_SUM_TERMS = 1000
MAX_DIMENSION = 16


@dataclass(frozen=True)
class Typed:
    """A resolved expression with its shape (0: scalar, n: vector of n), derivative order and value."""

    expr: Expr
    size: int = 0
    order: int = 0
    value: float | None = None  # the number, when the expression is a constant
    unknown: bool = False  # mentions an unknown
    found: tuple["Found", ...] = ()  # the points or faces at which it evaluates unknowns, in source order


@dataclass(frozen=True)
class Found:
    """Where a condition evaluates an unknown: `u(0.5, 0.5)` in a `point:` condition (`point`), `u(x = 0)` in a
    `periodic:` one (`axis`, `side`, `value`, `label`)."""

    span: Span
    point: tuple[float, ...] | None = None
    axis: int = -1
    side: int = -1  # 0: the face x = low, 1: x = high
    value: Expr | None = None  # the face position as written (resolved), e.g. 2 * pi
    label: str = ""  # "x = 0"


def found_in(*parts: Typed) -> tuple[Found, ...]:
    """The points or faces of the parts of an expression, in order."""
    return tuple(f for part in parts for f in part.found)


@dataclass(frozen=True)
class Env:
    """Where an expression is resolved: the sum indices in scope, the count of its unrolled copies, the kind
    of condition it is part of, and the `let` it defines."""

    indices: dict = field(default_factory=dict)
    multiplicity: int = 1
    condition: str | None = None
    defining: str | None = None  # the `let` whose value this is

    def with_index(self, name: str, value: int, count: int) -> "Env":
        return dataclasses.replace(self, indices={**self.indices, name: value},
                                   multiplicity=self.multiplicity * count)

    def outside(self) -> "Env":
        """The same condition, outside every sum (for face positions and point coordinates)."""
        return dataclasses.replace(self, indices={}, multiplicity=1)


class Scope:
    """The names a spec has defined so far, each once."""

    def __init__(self):
        self.definitions: dict[str, tuple[str, Span]] = {}
        self.coordinates: dict[str, int] = {}
        self.vectors: dict[str, tuple[int, ...]] = {}
        self.unknowns: dict[str, int] = {}
        self.lets: dict[str, Typed] = {}
        self.learned: dict[str, float] = {}
        self.parameters: list[tuple[str, Expr]] = []
        self.time: str | None = None
        self.box: Domain | None = None
        self.declares_unknowns = False  # the spec has an `unknown` line (perhaps further down)

    def define(self, name: ast.Name, kind: str) -> None:
        if name.name in BUILTINS:
            raise PdeNameError(f"'{name.name}' is a built-in name and cannot be redefined", name.span,
                               hint="choose another name")
        if name.name in self.definitions:
            other_kind, other = self.definitions[name.name]
            raise PdeNameError(f"'{name.name}' is already defined as {other_kind} at line {other.line}", name.span,
                               hint="every name is defined once; choose another name")
        self.definitions[name.name] = (kind, name.span)

    def unknown_name(self, expr, env: Env) -> PdeNameError:
        name = expr.name if isinstance(expr, ast.Name) else expr.base.name
        if name == env.defining:
            return PdeNameError(f"'{name}' is used in its own definition", expr.span,
                                hint=f"a `let` is defined by the names above it; choose another name for the "
                                     f"new value, e.g. `let {name}2 = ...`")
        if not self.unknowns and not self.declares_unknowns:
            return PdeNameError(f"unknown name '{name}'", expr.span,
                                hint=f"the spec declares no unknown; if '{name}' is the solution, add the line "
                                     f"`unknown {name}`")
        visible = [*self.coordinates, *self.vectors, *self.unknowns, *self.lets, *CONSTANTS, *env.indices]
        guess = suggest(name, visible)
        if guess:
            hint = f"did you mean '{guess}'? Names are coordinates, unknowns and `let` constants."
        else:
            hint = f"define it first: `let {name} = ...`, `unknown {name}`, or a coordinate in the domain"
        return PdeNameError(f"unknown name '{name}'", expr.span, hint=hint)

    def spatial_axes(self) -> tuple[int, ...]:
        return tuple(axis for name, axis in self.coordinates.items() if name != self.time)

    def face_example(self, axis: int | None = None, name: str | None = None) -> str:
        """`u(x = 0) = u(x = 1)` for the first spatial coordinate (or `axis`) and the first unknown (or `name`)."""
        box = self.box
        if axis is None:
            axis = box.spatial_axes[0] if isinstance(box, Box) and box.spatial_axes else 0
        name = name or next(iter(self.unknowns))
        x = box.names[axis]
        return f"{name}({x} = {fmt(box.lows[axis])}) = {name}({x} = {fmt(box.highs[axis])})"


def fmt(value: float) -> str:
    return f"{value:g}"

