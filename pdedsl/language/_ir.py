"""The checked form of a spec: resolved expressions, conditions placed on regions, settings.

`_check` produces these values; the later stages consume them.  In a resolved
expression every name has become what it denotes — a coordinate axis (`Coord`), an
unknown (`Var`), a named constant (`Param`), a built-in — sums are unrolled, and
derivatives and operators are explicit nodes.  Every node keeps the `span` of the
text it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from pdedsl.errors import Span
from pdedsl.geometry import Domain, Region

__all__ = [
    "Expr", "Num", "Const", "Param", "Learned", "Coord", "Var", "Apply", "Arith", "Neg", "Total", "Diff", "Op",
    "Vec", "Extra", "Paired", "Manufactured", "Settings",
    "CheckedCondition", "CheckedProblem", "unknowns_in", "nodes_in",
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
class Learned:
    """A scalar learned with the network, from `param name unknown init value`."""

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
    """An elementary function (one of `_registry.FUNCTIONS`) of a scalar."""

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
class Op:
    """A built-in operator of `_registry.OPERATORS` (`grad`, `div`, `lap`, `dot`, `curl`, `dn`) applied to
    its operands."""

    span: Span
    name: str
    operands: tuple["Expr", ...]


@dataclass(frozen=True)
class Vec:
    """`[a, b, …]`: a vector of scalars."""

    span: Span
    items: tuple["Expr", ...]


@dataclass(frozen=True)
class Extra:
    """Component `index` of the per-point data array `key` of the group (e.g. "observed")."""

    span: Span
    key: str
    index: int
    name: str  # what the generated code calls it, e.g. "u_observed"


@dataclass(frozen=True)
class Paired:
    """`operand` evaluated at the paired point (the image on the opposite face, for periodic conditions)."""

    span: Span
    operand: "Expr"


@dataclass(frozen=True)
class Manufactured:
    """`= manufactured`: the left side evaluated at the exact solution (the method of manufactured solutions)."""

    span: Span


Expr = (Num | Const | Param | Learned | Coord | Var | Apply | Arith | Neg | Total | Diff | Op | Vec | Extra | Paired
        | Manufactured)


# ---- checked problem -------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The spec's `model`, `sample` and `solve` lines as plain dicts (absent keys are absent).

    `solve_spans` maps each `solve` option to the span of its name, so that the runner, which alone
    knows each optimizer's settings, can point at a wrong one.
    """

    model: dict = field(default_factory=dict)
    sample: dict = field(default_factory=dict)
    solve: dict = field(default_factory=dict)
    solve_spans: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class CheckedCondition:
    """One equation or condition: residual `lhs - rhs` on `region`, named `name` ("pde", "boundary.2" …).

    `kind` is "pde", "boundary", "initial", "periodic", "point" or "data". `fixed` holds the per-point data
    of groups whose points are given rather than sampled: {"points": (N, dim)} for a `point:` condition,
    plus "observed": (N, k) for a `data` file.
    """

    name: str
    kind: str
    region: Region
    weight: float
    span: Span
    text: str
    lhs: Expr
    rhs: Expr
    fixed: dict | None = field(default=None, compare=False)

    @property
    def line(self) -> int:
        return self.span.line


@dataclass(frozen=True)
class CheckedProblem:
    """A spec whose names, shapes and regions are all known to be valid."""

    domain: Domain
    unknowns: tuple[str, ...]
    parameters: tuple[tuple[str, Expr], ...]  # named constants in definition order
    conditions: tuple[CheckedCondition, ...]
    exact: tuple[Expr, ...] | None  # one per unknown
    reference: str | None  # as written in the spec
    settings: Settings
    learned: tuple[tuple[str, float], ...] = ()  # `param name unknown init value`, in definition order
    exact_parameters: tuple[tuple[str, float], ...] = ()  # their true values, from the `exact:` block
    reference_span: Span | None = None  # where the `reference` statement is


def nodes_in(expr: Expr, kind) -> list:
    """Every node of type `kind` in an expression tree."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            found.append(node)
        for value in vars(node).values():
            if isinstance(value, tuple):
                stack.extend(v for v in value if not isinstance(v, int))
            elif not isinstance(value, (Span, str, int, Fraction)):
                stack.append(value)
    return found


def unknowns_in(expr: Expr) -> set[int]:
    """Indices of the unknowns an expression mentions."""
    return {node.index for node in nodes_in(expr, Var)}
