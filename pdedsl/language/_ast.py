"""The syntax tree of a `.pde` spec: frozen dataclasses, each with the `span` it was read from.

The parser builds these values and nothing else; names are not resolved yet
(`Name("kappa")` may turn out to be a constant, a coordinate or a mistake —
`_check.py` decides).  Statement blocks (`pde:`, `boundary:` …) are flattened:
a spec is a sequence of statements, one `Condition` per equation line.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pdedsl.errors import Span

__all__ = [
    "Expr", "Number", "Name", "Index", "Call", "Sum", "BinOp", "Neg", "Vector",
    "Let", "DomainItem", "Domain", "Unknowns", "LearnedParam", "Equation", "Face", "Piece", "OnBoundary", "OnFaces",
    "Condition", "Periodic", "ExactItem", "Reference", "Data", "Value", "ListValue", "Setting", "SampleCount",
    "Model", "Sample", "Solve", "Statement", "Spec",
]


# ---- expressions -------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A numeric literal, kept exact (`0.01` is 1/100)."""

    span: Span
    value: Fraction
    text: str


@dataclass(frozen=True)
class Name:
    """An identifier: a coordinate, unknown, `let` constant, built-in or sum index."""

    span: Span
    name: str


@dataclass(frozen=True)
class Index:
    """A component of an indexed coordinate, `x[k]`."""

    span: Span
    base: Name
    index: "Expr"


@dataclass(frozen=True)
class Call:
    """`f(a, b, …)`: a function, an operator (`grad`, `d`, `dxx` …), or an unknown at a point `u(0, 0)` or on a
    face `u(x = 0)` (then the argument is a `Face`; the checker accepts it in `periodic:` conditions only)."""

    span: Span
    func: Name
    args: tuple["Expr | Face", ...]


@dataclass(frozen=True)
class Sum:
    """`sum(k = low..high, body)`: a finite sum with an integer index."""

    span: Span
    index: Name
    low: "Expr"
    high: "Expr"
    body: "Expr"


@dataclass(frozen=True)
class BinOp:
    """`left op right` with op one of `+ - * / ^`."""

    span: Span
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Vector:
    """`[a, b, …]`: a vector of expressions (also the interval `[low, high]` of a domain line)."""

    span: Span
    items: tuple["Expr", ...]


Expr = Number | Name | Index | Call | Sum | BinOp | Neg | Vector


# ---- statements ------------------------------------------------------------------


@dataclass(frozen=True)
class Let:
    """`let name = value`."""

    span: Span
    name: Name
    value: Expr


@dataclass(frozen=True)
class DomainItem:
    """`x in [low, high]`, `x, y in [low, high]`, `x in [low, high]^n`, `time t in [low, high]`,
    or `x, y in SHAPE` (then `shape` is the shape expression, e.g. `disk([0, 0], 1)`, and low/high are None)."""

    span: Span
    names: tuple[Name, ...]
    low: Expr | None
    high: Expr | None
    power: Expr | None
    time: bool
    shape: Expr | None = None


@dataclass(frozen=True)
class Domain:
    span: Span
    items: tuple[DomainItem, ...]


@dataclass(frozen=True)
class Unknowns:
    """`unknown u, v`."""

    span: Span
    names: tuple[Name, ...]


@dataclass(frozen=True)
class LearnedParam:
    """`param name unknown init value`: a scalar learned together with the network."""

    span: Span
    name: Name
    init: Expr


@dataclass(frozen=True)
class Equation:
    span: Span
    lhs: Expr
    rhs: Expr


@dataclass(frozen=True)
class Face:
    """`x = 0` in an `on` clause, or the argument of an unknown on a face `u(x = 0)`; `coordinate` is a `Name` or
    an `Index`."""

    span: Span
    coordinate: Name | Index
    value: Expr


@dataclass(frozen=True)
class Piece:
    """A named boundary piece in an `on` clause: `on circle`, `on inner`."""

    span: Span
    name: str


@dataclass(frozen=True)
class OnBoundary:
    """`on boundary`: every spatial face."""

    span: Span


@dataclass(frozen=True)
class OnFaces:
    span: Span
    faces: tuple[Face | Piece, ...]


@dataclass(frozen=True)
class Condition:
    """One line of a `pde:`, `boundary:`, `initial:`, `point:` or `periodic:` block (`kind`), with its source
    `text`."""

    span: Span
    kind: str
    equation: Equation
    region: OnBoundary | OnFaces | None
    weight: Expr | None
    text: str


@dataclass(frozen=True)
class Periodic:
    """`periodic x, y`: every unknown and its derivative along x (along y) match on opposite faces.

    (The general form `periodic: u(x = 0) = u(x = 1)` is a `Condition` of kind "periodic".)"""

    span: Span
    names: tuple[Name, ...]
    weight: Expr | None
    text: str


@dataclass(frozen=True)
class ExactItem:
    """`u = expr` in an `exact:` block."""

    span: Span
    name: Name
    value: Expr


@dataclass(frozen=True)
class Reference:
    """`reference "path"` (the path as written, without quotes)."""

    span: Span
    path: str


@dataclass(frozen=True)
class Data:
    """`data "path"`: observations of unknowns at points (the path as written, without quotes)."""

    span: Span
    path: str
    path_span: Span
    weight: Expr | None
    text: str


@dataclass(frozen=True)
class Value:
    """A setting value: a number (int or float), an identifier or a string (`kind` says which)."""

    span: Span
    value: int | float | str
    kind: str


@dataclass(frozen=True)
class ListValue:
    span: Span
    items: tuple["Value | ListValue", ...]


@dataclass(frozen=True)
class Setting:
    """`name = value` inside `model …(…)`, `solve …(…)` or `sample …`."""

    span: Span
    name: Name
    value: Value | ListValue


@dataclass(frozen=True)
class SampleCount:
    """`interior 900` in a `sample` line."""

    span: Span
    target: Name
    count: Value


@dataclass(frozen=True)
class Model:
    span: Span
    kind: Name
    settings: tuple[Setting, ...]


@dataclass(frozen=True)
class Sample:
    span: Span
    items: tuple[SampleCount | Setting, ...]


@dataclass(frozen=True)
class Solve:
    span: Span
    optimizer: Name
    settings: tuple[Setting, ...]


Statement = (Let | Domain | Unknowns | LearnedParam | Condition | Periodic | ExactItem | Reference | Data | Model
             | Sample | Solve)


@dataclass(frozen=True)
class Spec:
    """A whole file: its statements in source order."""

    span: Span
    statements: tuple[Statement, ...]
