"""Checked problem → SymPy: one residual `lhs − rhs` per equation or condition.

SymPy objects are *constructed* from the resolved tree (never parsed from text):
coordinates are real `Symbol`s, each unknown is an applied real `Function`
(`u(t, x)`), `let` constants are `Symbol`s whose definitions travel alongside, and
`d`, `grad`, `div`, `lap` become `sympy.diff` — so a derivative of any expression
(`dx((1 + u^2) * dx(u))`) is expanded by the product and chain rules here, and
only derivatives of the unknowns themselves remain as `Derivative` atoms.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdedsl.language import _ir as checked
from pdedsl.language._ir import CheckedCondition, CheckedProblem

__all__ = ["SymbolicProblem", "SymbolicResidual", "to_sympy"]

_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp, "log": sympy.log,
    "sqrt": sympy.sqrt, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "abs": sympy.Abs,
}


@dataclass(frozen=True)
class SymbolicResidual:
    """The residual `expr = lhs − rhs` of one condition, in coordinates, parameters and `u(t, x)` atoms."""

    condition: CheckedCondition
    expr: sympy.Expr


@dataclass(frozen=True)
class SymbolicProblem:
    coordinates: tuple[sympy.Symbol, ...]  # in the order of the domain's axes
    unknowns: tuple[sympy.Expr, ...]  # applied functions u(t, x), in declaration order
    parameters: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # `let` constants, in definition order
    residuals: tuple[SymbolicResidual, ...]
    exact: tuple[sympy.Expr, ...] | None  # one per unknown


def to_sympy(problem: CheckedProblem) -> SymbolicProblem:
    """Build the SymPy form of every residual and of the exact solution."""
    builder = _Builder(problem)
    residuals = tuple(
        SymbolicResidual(c, builder.build(c.lhs) - builder.build(c.rhs)) for c in problem.conditions
    )
    exact = None if problem.exact is None else tuple(builder.build(e) for e in problem.exact)
    parameters = tuple((builder.parameters[name], builder.build(value)) for name, value in problem.parameters)
    return SymbolicProblem(builder.coordinates, builder.unknowns, parameters, residuals, exact)


class _Builder:
    """Resolved tree → SymPy expression (a list of them for a vector)."""

    def __init__(self, problem: CheckedProblem):
        box = problem.domain
        self.coordinates = tuple(sympy.Symbol(name, real=True) for name in box.names)
        self.spatial = tuple(self.coordinates[axis] for axis in box.spatial_axes)
        self.unknowns = tuple(sympy.Function(name, real=True)(*self.coordinates) for name in problem.unknowns)
        self.parameters = {name: sympy.Symbol(name, real=True) for name, _ in problem.parameters}

    def build(self, expr):
        return getattr(self, f"_{type(expr).__name__.lower()}")(expr)

    def _num(self, expr: checked.Num):
        return sympy.Rational(expr.value.numerator, expr.value.denominator)

    def _const(self, expr: checked.Const):
        return sympy.pi if expr.name == "pi" else sympy.E

    def _param(self, expr: checked.Param):
        return self.parameters[expr.name]

    def _coord(self, expr: checked.Coord):
        return self.coordinates[expr.axis]

    def _var(self, expr: checked.Var):
        return self.unknowns[expr.index]

    def _apply(self, expr: checked.Apply):
        return _FUNCTIONS[expr.func](self.build(expr.arg))

    def _neg(self, expr: checked.Neg):
        value = self.build(expr.operand)
        return [-v for v in value] if isinstance(value, list) else -value

    def _arith(self, expr: checked.Arith):
        left, right = self.build(expr.left), self.build(expr.right)
        op = {"+": sympy.Add, "-": lambda a, b: a - b, "*": sympy.Mul, "/": lambda a, b: a / b, "^": sympy.Pow}
        combine = op[expr.op]
        if isinstance(left, list) and isinstance(right, list):
            return [combine(a, b) for a, b in zip(left, right)]
        if isinstance(left, list):
            return [combine(a, right) for a in left]
        if isinstance(right, list):
            return [combine(left, b) for b in right]
        return combine(left, right)

    def _total(self, expr: checked.Total):
        terms = [self.build(t) for t in expr.terms]
        if isinstance(terms[0], list):
            return [sympy.Add(*parts) for parts in zip(*terms)]
        return sympy.Add(*terms)

    def _diff(self, expr: checked.Diff):
        return sympy.diff(self.build(expr.operand), *(self.coordinates[axis] for axis in expr.axes))

    def _grad(self, expr: checked.Grad):
        value = self.build(expr.operand)
        return [sympy.diff(value, x) for x in self.spatial]

    def _div(self, expr: checked.Div):
        return sympy.Add(*(sympy.diff(v, x) for v, x in zip(self.build(expr.operand), self.spatial)))

    def _lap(self, expr: checked.Lap):
        value = self.build(expr.operand)
        return sympy.Add(*(sympy.diff(value, x, 2) for x in self.spatial))

    def _dot(self, expr: checked.Dot):
        return sympy.Add(*(a * b for a, b in zip(self.build(expr.left), self.build(expr.right))))
