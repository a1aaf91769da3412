"""The checked form of a spec: resolved expressions, conditions placed on regions, settings.

`_check` produces these values; the later stages consume them.  In a resolved
expression every name has become what it denotes — a coordinate axis (`Coord`), an
unknown (`Var`), a named constant (`Param`), a built-in — sums are unrolled, and
`d`, `grad`, `div`, `lap` are explicit nodes.  Every node keeps the `span` of the
text it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from pdedsl.errors import Span
from pdedsl.geometry import Box, Region

__all__ = [
    "Expr", "Num", "Const", "Param", "Coord", "Var", "Apply", "Arith", "Neg", "Total", "Diff", "Grad", "Div",
    "Lap", "Dot", "Settings", "CheckedCondition", "CheckedProblem", "unknowns_in",
]


# ---- resolved expressions ----------------------------------------------------------


@dataclass(frozen=True)
class Num:
    span: Span
    value: Fraction


@dataclass(frozen=True)
class Const:
    """`pi` or `e`."""

    span: Span
    name: str


@dataclass(frozen=True)
class Param:
    """A named constant from `let name = <constant>`."""

    span: Span
    name: str


@dataclass(frozen=True)
class Coord:
    span: Span
    axis: int
    name: str


@dataclass(frozen=True)
class Var:
    """The unknown number `index`."""

    span: Span
    index: int
    name: str


@dataclass(frozen=True)
class Apply:
    """An elementary function (one of FUNCTIONS) of a scalar."""

    span: Span
    func: str
    arg: "Expr"


@dataclass(frozen=True)
class Arith:
    """`left op right`, op in `+ - * / ^`; operands may be vectors where the shapes allow."""

    span: Span
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Neg:
    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Total:
    """An unrolled `sum(k = a..b, body)`: the body once per index value."""

    span: Span
    terms: tuple["Expr", ...]


@dataclass(frozen=True)
class Diff:
    """∂^|axes| operand / ∂x_axes[0] …, of a scalar."""

    span: Span
    operand: "Expr"
    axes: tuple[int, ...]


@dataclass(frozen=True)
class Grad:
    """Gradient over the spatial axes (a vector)."""

    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Div:
    """Divergence over the spatial axes of a vector."""

    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Lap:
    """Σ of the second derivatives over the spatial axes."""

    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Dot:
    span: Span
    left: "Expr"
    right: "Expr"


Expr = Num | Const | Param | Coord | Var | Apply | Arith | Neg | Total | Diff | Grad | Div | Lap | Dot


# ---- checked problem -------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The spec's `model`, `sample` and `solve` lines as plain dicts (absent keys are absent)."""

    model: dict = field(default_factory=dict)
    sample: dict = field(default_factory=dict)
    solve: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedCondition:
    """One equation or condition: residual `lhs - rhs` on `region`, named `name` ("pde", "boundary.2" …)."""

    name: str
    kind: str
    region: Region
    weight: float
    span: Span
    text: str
    lhs: Expr
    rhs: Expr

    @property
    def line(self) -> int:
        return self.span.line


@dataclass(frozen=True)
class CheckedProblem:
    """A spec whose names, shapes and regions are all known to be valid."""

    domain: Box
    unknowns: tuple[str, ...]
    parameters: tuple[tuple[str, Expr], ...]  # named constants in definition order
    conditions: tuple[CheckedCondition, ...]
    exact: tuple[Expr, ...] | None  # one per unknown
    reference: str | None  # as written in the spec
    settings: Settings


def unknowns_in(expr: Expr) -> set[int]:
    """Indices of the unknowns an expression mentions."""
    found, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            found.add(node.index)
        for value in vars(node).values():
            if isinstance(value, tuple):
                stack.extend(v for v in value if not isinstance(v, int))
            elif not isinstance(value, (Span, str, int, Fraction)):
                stack.append(value)
    return found
