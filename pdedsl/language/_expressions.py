"""Expressions → resolved trees: names, arithmetic, sums and constants.

Every name is resolved against the scope — coordinates, unknowns, `let` definitions,
sum indices and the built-ins — and every expression becomes a small resolved tree
(`Coord`, `Var`, `Arith` …) whose shape and derivative order are known.  Sums are
unrolled and constant sub-expressions evaluated, so that overflow, division by zero
and huge exponents are caught with a position.  Calls are resolved in `_calls`.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.language import _ast as ast
from pdedsl.language import _calls
from pdedsl.language._ir import Arith, Const, Coord, Learned, Neg, Num, Param, Total, Var, Vec
from pdedsl.language._registry import CONSTANTS, FUNCTIONS, OPERATORS, shape_text
from pdedsl.language._scope import BUILTINS, MAX_EXPONENT, MAX_SUM_TERMS, Env, Scope, Typed, fmt, found_in
from pdedsl.language._shapes import SHAPES

__all__ = ["Resolver", "fold"]

_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b, "^": lambda a, b: a**b}


class Resolver:
    """Resolves expressions against a scope."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def resolve(self, expr: ast.Expr, env: Env) -> Typed:
        """Resolve `expr` in `env` (sum indices, unrolled copies, the condition it belongs to)."""
        if isinstance(expr, ast.BinOp):
            return self._flat_binop(expr, env)
        return getattr(self, f"_resolve_{type(expr).__name__.lower()}")(expr, env)

    # -- constants

    def constant(self, expr: ast.Expr, what: str, env: Env | None = None) -> float:
        typed = self.resolve(expr, (env or Env()).outside())
        if typed.value is None or typed.size:
            raise PdeSemanticError(f"{what} must be a constant", expr.span,
                                   hint="use numbers, pi, e and `let` constants")
        return typed.value

    def constant_int(self, expr: ast.Expr, low: int, high: int, what: str, env: Env | None = None) -> int:
        typed = self.resolve(expr, env or Env())
        value = typed.value
        if value is None or typed.size or value != int(value):
            raise PdeSemanticError(f"{what} must be a whole number", expr.span)
        if not low <= value <= high:
            raise PdeSemanticError(f"{what} must lie in {low}..{high}, not {int(value)}", expr.span)
        return int(value)

    def coordinate_axis(self, expr, what: str, env: Env | None = None) -> int:
        """The axis of a coordinate reference (`x`, `x2` or `x[k]`)."""
        scope, env = self.scope, env or Env()
        if isinstance(expr, ast.Name) and expr.name in scope.coordinates:
            return scope.coordinates[expr.name]
        if isinstance(expr, ast.Index) and expr.base.name in scope.vectors:
            return self.resolve(expr, env).expr.axis
        if isinstance(expr, (ast.Name, ast.Index)):
            name = expr.name if isinstance(expr, ast.Name) else expr.base.name
            if name in scope.definitions or name in BUILTINS or isinstance(expr, ast.Index):
                raise PdeSemanticError(f"'{name}' is not a coordinate", expr.span,
                                       hint=f"{what} names a coordinate: {', '.join(scope.coordinates)}")
            raise scope.unknown_name(expr, env)
        raise PdeSemanticError(f"{what} must name a coordinate", expr.span,
                               hint=f"the coordinates are: {', '.join(scope.coordinates)}")

    @staticmethod
    def scalar(typed: Typed, arg, what: str) -> Typed:
        if typed.size:
            raise PdeSemanticError(f"{what} needs a scalar, but this is a vector of {typed.size} components",
                                   arg.span, hint="take div(...) or dot(..., ...) to get a scalar")
        return typed

    # -- leaves

    def _resolve_number(self, expr: ast.Number, env: Env) -> Typed:
        return Typed(Num(expr.span, expr.value), value=float(expr.value))

    def _resolve_name(self, expr: ast.Name, env: Env) -> Typed:
        scope, name, span = self.scope, expr.name, expr.span
        if name in env.indices:
            return Typed(Num(span, Fraction(env.indices[name])), value=float(env.indices[name]))
        if name in scope.coordinates:
            return Typed(Coord(span, scope.coordinates[name], name))
        if name in scope.unknowns:
            _calls.bare_unknown(self, expr, env)
            return Typed(Var(span, scope.unknowns[name], name), unknown=True)
        if name in scope.learned:
            return Typed(Learned(span, name))
        if name == "manufactured":
            raise PdeSemanticError("'manufactured' stands for a whole right side", span,
                                   hint="write `lhs = manufactured`: the right side is then the left side "
                                        "evaluated at the exact solution")
        if name in scope.lets:
            typed = scope.lets[name]
            if isinstance(typed.expr, Param):  # a named constant, at the place it is used
                return dataclasses.replace(typed, expr=Param(span, name))
            return typed
        if name in CONSTANTS:
            return Typed(Const(span, name), value=CONSTANTS[name][0])
        if name in scope.vectors:
            n = len(scope.vectors[name])
            raise PdeSemanticError(f"'{name}' has {n} components; use one of them", span,
                                   hint=f"write {name}[k] inside a sum, or {name}1 .. {name}{n}")
        if name in FUNCTIONS or name in OPERATORS:
            raise PdeSemanticError(f"'{name}' is a function; call it, as in {name}(...)", span)
        if name in SHAPES:
            raise PdeSemanticError(f"'{name}' is a shape; shapes belong on the `domain` line", span)
        raise scope.unknown_name(expr, env)

    def _resolve_face(self, expr: ast.Face, env: Env) -> Typed:
        raise PdeSemanticError("a face `coordinate = value` is not an expression", expr.span,
                               hint="an unknown on a face, as in u(x = 0), is written in `periodic:` conditions only")

    def _resolve_index(self, expr: ast.Index, env: Env) -> Typed:
        scope, base = self.scope, expr.base.name
        if base not in scope.vectors:
            if base in scope.definitions or base in BUILTINS:
                raise PdeSemanticError(f"'{base}' is not an indexed coordinate", expr.span,
                                       hint="only coordinates declared as `x in [a, b]^n` take an index")
            raise scope.unknown_name(expr, env)
        axes = scope.vectors[base]
        k = self.constant_int(expr.index, 1, len(axes), f"the index of {base}", env)
        return Typed(Coord(expr.span, axes[k - 1], f"{base}{k}"))

    def _resolve_call(self, expr: ast.Call, env: Env) -> Typed:
        return _calls.resolve_call(self, expr, env)

    # -- compound expressions

    def _resolve_vector(self, expr: ast.Vector, env: Env) -> Typed:
        items = [self.scalar(self.resolve(item, env), item, "a vector's component") for item in expr.items]
        return Typed(Vec(expr.span, tuple(t.expr for t in items)), len(items), max(t.order for t in items), None,
                     any(t.unknown for t in items), found_in(*items))

    def _resolve_neg(self, expr: ast.Neg, env: Env) -> Typed:
        typed = self.resolve(expr.operand, env)
        value = None if typed.value is None else -typed.value
        return Typed(Neg(expr.span, typed.expr), typed.size, typed.order, value, typed.unknown, typed.found)

    def _flat_binop(self, expr: ast.BinOp, env: Env) -> Typed:
        """A chain `a + b + c …` (left-nested in the tree) resolved by a loop, not by recursion: a flat sum of
        many terms is not deep nesting."""
        chain = []
        while isinstance(expr, ast.BinOp) and expr.op != "^":
            chain.append(expr)
            expr = expr.left
        typed = self.resolve(expr, env) if not isinstance(expr, ast.BinOp) else self._binop(expr, None, env)
        for node in reversed(chain):
            typed = self._binop(node, typed, env)
        return typed

    def _binop(self, expr: ast.BinOp, left: Typed | None, env: Env) -> Typed:
        left = left or self.resolve(expr.left, env)
        right = self.resolve(expr.right, env)
        size = _binop_size(expr, left, right)
        if expr.op == "^" and right.value is not None and abs(right.value) > MAX_EXPONENT:
            raise PdeSemanticError(f"the exponent {fmt(right.value)} is too large (at most {MAX_EXPONENT})",
                                   expr.right.span, hint="rewrite the power, e.g. with exp()")
        value = None
        if left.value is not None and right.value is not None:
            value = fold(expr, left.value, right.value)
        return Typed(Arith(expr.span, expr.op, left.expr, right.expr), size, max(left.order, right.order), value,
                     left.unknown or right.unknown, found_in(left, right))

    def _resolve_sum(self, expr: ast.Sum, env: Env) -> Typed:
        index = expr.index.name
        if index in env.indices or index in self.scope.definitions or index in BUILTINS:
            raise PdeNameError(f"the sum index '{index}' hides another name", expr.index.span,
                               hint="choose an index name that is not used elsewhere, e.g. k")
        low = self.constant_int(expr.low, -10**6, 10**6, "a sum bound", env)
        high = self.constant_int(expr.high, -10**6, 10**6, "a sum bound", env)
        count = high - low + 1
        if count < 1:
            raise PdeSemanticError(f"the sum range {low}..{high} is empty", expr.span,
                                   hint="write the lower bound first, e.g. k = 1..5")
        if count * env.multiplicity > MAX_SUM_TERMS:
            raise PdeSemanticError(f"this sum has too many terms (at most {MAX_SUM_TERMS} in all)", expr.span)
        terms = [self.resolve(expr.body, env.with_index(index, k, count)) for k in range(low, high + 1)]
        sizes = {t.size for t in terms}
        values = [t.value for t in terms]
        value = None if None in values else math.fsum(values)
        return Typed(Total(expr.span, tuple(t.expr for t in terms)), sizes.pop(), max(t.order for t in terms),
                     value, any(t.unknown for t in terms), found_in(*terms))


def _binop_size(expr: ast.BinOp, left: Typed, right: Typed) -> int:
    if not (left.size or right.size):
        return 0
    if expr.op in "+-" and left.size == right.size:
        return left.size
    if expr.op == "*" and not (left.size and right.size):
        return left.size or right.size
    if expr.op == "/" and not right.size:
        return left.size
    raise PdeSemanticError(f"'{expr.op}' cannot combine these operands: "
                           f"{shape_text(left.size)} {expr.op} {shape_text(right.size)}", expr.span,
                           hint="vectors (from grad) can be added, scaled, divided by a scalar, "
                                "and combined with dot(a, b) or div(v)")


def fold(expr: ast.BinOp, a: float, b: float) -> float:
    """The value of a constant `a op b`, or a positioned error (division by zero, overflow, complex)."""
    try:
        value = _ARITHMETIC[expr.op](a, b)
    except ZeroDivisionError:
        raise PdeSemanticError("division by zero", expr.span) from None
    except OverflowError:
        value = math.inf
    if isinstance(value, complex):
        raise PdeSemanticError("this constant has no real value", expr.span,
                               hint="a negative number to a fractional power is complex")
    if not math.isfinite(value):
        raise PdeSemanticError("this constant is too large for a float", expr.span)
    return value
