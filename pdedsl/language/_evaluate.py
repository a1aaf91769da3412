"""Lowered residuals → JAX point functions, by evaluating SymPy trees directly (no source is generated or run).

Each residual's expressions go through `sympy.cse`; the function of one point binds
its arguments (coordinates, jets, per-point data, learned parameters — the order of
`_lower.arguments`) and the `let` constants, computes the common sub-expressions in
order, then the results.  Every SymPy head maps to a `jax.numpy` function through the
whitelist below (the elementary functions come from `_registry`); a head outside it is
refused when the function is built, with the position of its equation.  Powers are
evaluated as the printed module writes them (`jnp.sqrt` for ½, integer powers exact),
so that both agree to rounding.  `let` constants are Python numbers — integers where
they are exact and small, floats otherwise — so they follow the dtype of the points.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import jax.numpy as jnp
import sympy

from pdedsl.errors import PdeSemanticError
from pdedsl.language._lower import LoweredProblem, LoweredResidual, arguments
from pdedsl.language._registry import DERIVED, FUNCTIONS

__all__ = ["residual_functions", "exact_function", "Origin"]

_HEADS: dict = {f.sympy: getattr(jnp, f.jnp) for f in FUNCTIONS.values()}
_HEADS.update({head: getattr(jnp, name) for head, name in DERIVED.items()})
_STRUCTURE = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Symbol, sympy.Number, sympy.NumberSymbol)


@dataclass(frozen=True)
class Origin:
    """Where the `let` constants are written (name → span of the value), to point at one a dtype cannot hold."""

    spans: dict = field(default_factory=dict)
    filename: str | None = None
    text: str | None = None


def residual_functions(problem: LoweredProblem, origin: Origin = Origin()) -> dict[str, Callable]:
    """Group name → its point function `f(*arguments)` (a tuple for a vector equation)."""
    constants = _Constants(problem, origin)
    return {r.condition.name: _function(r.exprs, arguments(problem, r), constants, len(r.exprs) > 1, r)
            for r in problem.residuals}


def exact_function(problem: LoweredProblem, origin: Origin = Origin()) -> Callable | None:
    """The exact solution as a function of all coordinates, returning a tuple (one value per unknown)."""
    if problem.exact is None:
        return None
    return _function(problem.exact, problem.coordinates, _Constants(problem, origin), True, None)


class _Constants:
    """The `let` constants, each a Python number: exact, then rounded once."""

    def __init__(self, problem: LoweredProblem, origin: Origin):
        exact, self.values = {}, {}
        for symbol, value in problem.parameters:
            exact[symbol] = value.xreplace(exact)
            self.values[symbol] = _number(exact[symbol])
        self.origin = origin

    def for_dtype(self, dtype, used: set) -> dict:
        """The values, after checking that a floating `dtype` holds each one in `used` (a PdeSemanticError where
        not)."""
        if jnp.issubdtype(dtype, jnp.floating):
            largest = float(jnp.finfo(dtype).max)
            for symbol, value in self.values.items():
                if symbol in used and abs(value) > largest:
                    raise PdeSemanticError(
                        f"the constant '{symbol}' = {value:g} is beyond {jnp.dtype(dtype).name} "
                        f"(at most {largest:.3g})", self.origin.spans.get(str(symbol)),
                        hint="compute in float64 (without --float32), or rescale the equation",
                        filename=self.origin.filename, source=self.origin.text)
        return self.values


def _number(value: sympy.Expr):
    if value.is_Integer and abs(value.p) < 2**31:
        return int(value)
    return float(value)


def _function(exprs, names, constants, tuple_result: bool, residual: LoweredResidual | None) -> Callable:
    replacements, reduced = sympy.cse(list(exprs), symbols=(sympy.Dummy() for _ in iter(int, 1)))
    for expr in [*(value for _, value in replacements), *reduced]:
        _whitelisted(expr, residual)
    names = tuple(names)
    used = set().union(*(expr.free_symbols for expr in exprs))

    def function(*values):
        dtype = jnp.result_type(*values) if values else jnp.result_type(float)
        env = {**constants.for_dtype(dtype, used), **dict(zip(names, values))}
        for symbol, expr in replacements:
            env[symbol] = _value(expr, env)
        results = tuple(_value(expr, env) for expr in reduced)
        return results if tuple_result else results[0]

    return function


def _whitelisted(expr: sympy.Expr, residual: LoweredResidual | None) -> None:
    for node in sympy.preorder_traversal(expr):
        if not (isinstance(node, _STRUCTURE) or node.func in _HEADS):
            raise PdeSemanticError("cannot generate code for this residual", residual and residual.condition.span,
                                   hint="it needs a function JAX does not provide")


def _value(expr: sympy.Expr, env: dict):
    if expr in env:
        return env[expr]
    if expr.is_Number or expr.is_NumberSymbol:
        return _number(expr) if expr.is_Integer else expr.p / expr.q if expr.is_Rational else float(expr)
    args = [_value(arg, env) for arg in expr.args] if not expr.is_Pow else None
    if expr.is_Add:
        return functools.reduce(operator.add, args)
    if expr.is_Mul:
        return functools.reduce(operator.mul, args)
    if expr.is_Pow:
        return _power(_value(expr.base, env), expr.exp, env)
    return _HEADS[expr.func](*args)


def _power(base, exponent: sympy.Expr, env: dict):
    if exponent == sympy.S.Half:
        return jnp.sqrt(base)
    if exponent == -sympy.S.Half:
        return 1 / jnp.sqrt(base)
    if exponent.is_Integer:
        return base ** int(exponent)
    if exponent.is_Rational:
        return base ** (exponent.p / exponent.q)
    return base ** _value(exponent, env)

