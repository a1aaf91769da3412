"""Checked problem → SymPy: one residual `lhs − rhs` per equation or condition.

SymPy objects are *constructed* from the resolved tree (never parsed from text):
coordinates are real `Symbol`s, each unknown is an applied real `Function`
(`u(t, x)`), `let` constants are `Symbol`s whose definitions travel alongside, and
`d`, `grad`, `div`, `lap`, `curl`, `dn` become `sympy.diff` — so a derivative of any
expression (`dx((1 + u^2) * dx(u))`) is expanded by the product and chain rules here,
and only derivatives of the unknowns themselves remain as `Derivative` atoms.

A residual has one component per scalar equation (a vector equation has several).
Per-point data that is not a coordinate — the outward normal of `dn`, observed values —
are `Dummy` symbols listed in `SymbolicProblem.extras`; learned parameters are
`Symbol`s; values at the paired point of a periodic condition are the applied functions
`SymbolicProblem.paired` (`u_{pair}(t, x)`: the braces keep them apart from every name a
spec can write).  `= manufactured` is the left side with the exact solution substituted
for the unknowns, derivatives evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from pdedsl.errors import PdeSemanticError
from pdedsl.language import _ir as checked
from pdedsl.language._ir import CheckedCondition, CheckedProblem
from pdedsl.language._registry import CONSTANTS, FUNCTIONS, OPERATORS, each

__all__ = ["SymbolicProblem", "SymbolicResidual", "to_sympy"]

@dataclass(frozen=True)
class SymbolicResidual:
    """The residual `lhs − rhs` of one condition, one expression per component (in coordinates, parameters,
    extras and `u(t, x)` atoms)."""

    condition: CheckedCondition
    exprs: tuple[sympy.Expr, ...]

    @property
    def expr(self) -> sympy.Expr:
        """The residual of a scalar equation."""
        (expr,) = self.exprs
        return expr


@dataclass(frozen=True)
class Extra:
    """A per-point value: component `index` of the group's data array `key`, called `name` in generated code."""

    symbol: sympy.Dummy
    key: str
    index: int
    name: str


@dataclass(frozen=True)
class SymbolicProblem:
    coordinates: tuple[sympy.Symbol, ...]  # in the order of the domain's axes
    unknowns: tuple[sympy.Expr, ...]  # applied functions u(t, x), in declaration order
    parameters: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # `let` constants, in definition order
    residuals: tuple[SymbolicResidual, ...]
    exact: tuple[sympy.Expr, ...] | None  # one per unknown
    learned: tuple[sympy.Symbol, ...] = ()  # `param … unknown` scalars, in definition order
    extras: tuple[Extra, ...] = ()
    paired: tuple[sympy.Expr, ...] = ()  # u_{pair}(t, x): each unknown at the paired point


def to_sympy(problem: CheckedProblem) -> SymbolicProblem:
    """Build the SymPy form of every residual and of the exact solution."""
    builder = _Builder(problem)
    parameters = []
    for name, value in problem.parameters:
        symbol = builder.parameters[name]
        parameters.append((symbol, _finite(builder.build(value), value.span)))
        builder.values[symbol] = parameters[-1][1].xreplace(builder.values)
    exact = None if problem.exact is None else tuple(_finite(builder.build(e), e.span) for e in problem.exact)
    residuals = tuple(SymbolicResidual(c, _finite(_residual(builder, c, exact), c.span)) for c in problem.conditions)
    return SymbolicProblem(builder.coordinates, builder.unknowns, tuple(parameters), residuals, exact,
                           tuple(builder.learned.values()), tuple(builder.extras.values()), builder.paired)


_NOT_FINITE = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)


def _finite(value, span):
    """`value` (an expression, or a list or tuple of them) unchanged, or a PdeSemanticError at `span` when
    SymPy folded part of it to ∞ or NaN (x/(x − x), tan(π/2), log(0)…) or to a number no float holds."""
    for expr in value if isinstance(value, (list, tuple)) else [value]:
        bad = any(expr.has(v) for v in _NOT_FINITE)
        for number in () if bad else expr.atoms(sympy.Number):
            try:
                bad = bad or not math.isfinite(float(number))
            except OverflowError:
                bad = True
        if bad:
            raise PdeSemanticError("this expression is not finite: part of it is a division by zero, a pole "
                                   "(such as tan(pi/2) or log(0)) or a number beyond 1.8e308", span,
                                   hint="rewrite it so that every denominator and every argument of "
                                        "log, tan … stays away from its singularity")
    return value


def _residual(builder: "_Builder", condition: CheckedCondition, exact) -> tuple[sympy.Expr, ...]:
    """lhs − rhs per component; a manufactured right side is the left side at the exact solution."""
    lhs = _components(builder.build(condition.lhs))
    if _is_manufactured(condition.rhs):
        at_exact = dict(zip(builder.unknowns, exact))
        rhs = [side.subs(at_exact).doit() for side in lhs]
    else:
        rhs = _components(builder.build(condition.rhs))
    return tuple(a - b for a, b in zip(lhs, rhs))


def _is_manufactured(expr) -> bool:
    return isinstance(expr, checked.Manufactured) or (
        isinstance(expr, checked.Vec) and all(isinstance(e, checked.Manufactured) for e in expr.items))


def _components(value) -> list:
    return value if isinstance(value, list) else [value]


_OPERATIONS = {"+": sympy.Add, "-": lambda a, b: a - b, "*": sympy.Mul, "/": lambda a, b: a / b, "^": sympy.Pow}


def _combine(op: str, left, right):
    """`left op right` for scalars, or componentwise where either side is a vector (a list)."""
    combine = _OPERATIONS[op]
    if isinstance(left, list) and isinstance(right, list):
        return [combine(a, b) for a, b in zip(left, right)]
    if isinstance(left, list):
        return [combine(a, right) for a in left]
    if isinstance(right, list):
        return [combine(left, b) for b in right]
    return combine(left, right)


def _sum(terms: list):
    return terms[0] if len(terms) == 1 else sympy.Add(*terms)


class _Builder:
    """Resolved tree → SymPy expression (a list of them for a vector)."""

    def __init__(self, problem: CheckedProblem):
        box = problem.domain
        self.coordinates = tuple(sympy.Symbol(name, real=True) for name in box.names)
        self.spatial = tuple(self.coordinates[axis] for axis in box.spatial_axes)
        self.unknowns = tuple(sympy.Function(name, real=True)(*self.coordinates) for name in problem.unknowns)
        self.paired = tuple(sympy.Function(f"{name}_{{pair}}", real=True)(*self.coordinates)
                            for name in problem.unknowns)
        self.parameters = {name: sympy.Symbol(name, real=True) for name, _ in problem.parameters}
        self.learned = {name: sympy.Symbol(name, real=True) for name, _ in problem.learned}
        self.values: dict[sympy.Symbol, sympy.Expr] = {}  # the exact value of each `let` constant built so far
        self.extras: dict[tuple[str, int], Extra] = {}
        self.normal = tuple(self._extra_symbol("normal", axis, f"n_{x}")
                            for axis, x in enumerate(self.coordinates) if axis in box.spatial_axes)

    def _extra_symbol(self, key: str, index: int, name: str) -> sympy.Dummy:
        if (key, index) not in self.extras:
            self.extras[(key, index)] = Extra(sympy.Dummy(name, real=True), key, index, name)
        return self.extras[(key, index)].symbol

    def build(self, expr):
        return getattr(self, f"_{type(expr).__name__.lower()}")(expr)

    def _num(self, expr: checked.Num):
        return sympy.Rational(expr.value.numerator, expr.value.denominator)

    def _const(self, expr: checked.Const):
        return CONSTANTS[expr.name][1]

    def _param(self, expr: checked.Param):
        return self.parameters[expr.name]

    def _learned(self, expr: checked.Learned):
        return self.learned[expr.name]

    def _extra(self, expr: checked.Extra):
        return self._extra_symbol(expr.key, expr.index, expr.name)

    def _paired(self, expr: checked.Paired):
        return each(self.build(expr.operand), lambda v: v.xreplace(dict(zip(self.unknowns, self.paired))))

    def _vec(self, expr: checked.Vec):
        return [self.build(item) for item in expr.items]

    def _coord(self, expr: checked.Coord):
        return self.coordinates[expr.axis]

    def _var(self, expr: checked.Var):
        return self.unknowns[expr.index]

    def _apply(self, expr: checked.Apply):
        return FUNCTIONS[expr.func].sympy(self.build(expr.arg))

    def _neg(self, expr: checked.Neg):
        value = self.build(expr.operand)
        return [-v for v in value] if isinstance(value, list) else -value

    def _arith(self, expr: checked.Arith):
        """A chain `a + b - c …` (nested down the left operands) is built by a loop, its scalar terms summed at
        once: a flat sum of many terms is not deep nesting."""
        chain = []
        while isinstance(expr, checked.Arith) and expr.op != "^":
            chain.append(expr)
            expr = expr.left
        if not chain:
            base, exponent = self.build(expr.left), self.build(expr.right)
            if not isinstance(exponent, list) and exponent.is_negative:
                self._nonzero(base, expr.left)
            return _combine("^", base, exponent)
        terms = [self.build(expr)]
        for node in reversed(chain):
            right = self.build(node.right)
            if node.op == "/":
                self._nonzero(right, node.right)
            if node.op in "+-" and not isinstance(right, list) and not isinstance(terms[0], list):
                terms.append(right if node.op == "+" else -right)
            else:
                terms = [_combine(node.op, _sum(terms), right)]
        return _sum(terms)

    def _total(self, expr: checked.Total):
        terms = [self.build(t) for t in expr.terms]
        if isinstance(terms[0], list):
            return [sympy.Add(*parts) for parts in zip(*terms)]
        return sympy.Add(*terms)

    def _diff(self, expr: checked.Diff):
        axes = [self.coordinates[axis] for axis in expr.axes]
        return each(self.build(expr.operand), lambda v: sympy.diff(v, *axes))

    def _op(self, expr: checked.Op):
        return OPERATORS[expr.name].build([self.build(operand) for operand in expr.operands], self)

    def _nonzero(self, divisor, node) -> None:
        """A divisor that uses `let` constants and whose exact value is 0 (`z` with z = sin(pi), `a*a - 2` with
        a = sqrt(2)) is refused where it is written: floats at check time see 1.2e-16 there, and the division
        would fail only when evaluated.  (A divisor SymPy itself folds to 0 is caught as not finite.)"""
        for value in divisor if isinstance(divisor, list) else [divisor]:
            if value.free_symbols & self.values.keys() and value.xreplace(self.values).is_zero:
                raise PdeSemanticError("division by zero: this divisor is exactly 0", node.span,
                                       hint="its exact value is 0 (as sin(pi) or cos(pi/2) are), although a "
                                            "float shows a tiny number; divide by something else")
