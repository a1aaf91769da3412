"""SymPy residuals → expressions in named jet symbols, plus the derivatives each one needs.

A jet symbol stands for one derivative of one unknown at the evaluation point:
`u` for u itself, `u_t` for ∂u/∂t, `u_xx` for ∂²u/∂x², `u_xy` for ∂²u/∂x∂y,
`u_x1x2` for ∂²u/∂x1∂x2.  Its multi-index counts the derivatives per axis of
the domain (`u_xy` on (x, y) is (1, 1)); the residual stage computes exactly the
multi-indices listed here, by automatic differentiation of the network.
Jets at the paired point of a periodic condition are named `u_pair`, `u_x_pair`.
Per-point data (`n_x`, `u_observed`) and learned parameters keep their names, made
distinct from every other name.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdedsl.errors import PdeSemanticError
from pdedsl.language._ir import CheckedCondition
from pdedsl.language._symbolic import SymbolicProblem

__all__ = ["Jet", "LoweredResidual", "LoweredProblem", "lower", "arguments"]


@dataclass(frozen=True)
class Jet:
    """The derivative `multi_index` (a count per axis) of unknown number `unknown`, named `symbol`."""

    symbol: sympy.Symbol
    unknown: int
    multi_index: tuple[int, ...]
    at: str = "point"  # "point", or "pair": at the paired point of a periodic condition

    @property
    def order(self) -> int:
        return sum(self.multi_index)


@dataclass(frozen=True)
class LoweredResidual:
    """A residual in coordinates, parameters, per-point data and jet symbols only (one expression per component)."""

    condition: CheckedCondition
    exprs: tuple[sympy.Expr, ...]
    coordinate_axes: tuple[int, ...]  # the coordinates the expression uses, in axis order
    jets: tuple[Jet, ...]  # the derivatives it needs at the point, lowest order first
    pair_jets: tuple[Jet, ...] = ()  # the derivatives it needs at the paired point
    extras: tuple[tuple[sympy.Symbol, str, int], ...] = ()  # (symbol, data key, component) it uses
    scalars: tuple[sympy.Symbol, ...] = ()  # the learned parameters it uses


@dataclass(frozen=True)
class LoweredProblem:
    coordinates: tuple[sympy.Symbol, ...]
    parameters: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    residuals: tuple[LoweredResidual, ...]
    exact: tuple[sympy.Expr, ...] | None
    learned: tuple[sympy.Symbol, ...] = ()


def lower(problem: SymbolicProblem) -> LoweredProblem:
    """Replace every `u(t, x)` and `Derivative(u(t, x), …)` by its jet symbol."""
    namer = _JetNamer(problem)
    extras = {e.symbol: (sympy.Symbol(namer.fresh(e.name), real=True), e.key, e.index) for e in problem.extras}
    residuals = tuple(_lower_residual(r.condition, r.exprs, problem, namer, extras) for r in problem.residuals)
    return LoweredProblem(problem.coordinates, problem.parameters, residuals, problem.exact, problem.learned)


def is_linear(problem: LoweredProblem) -> bool:
    """Whether every residual is affine in the unknowns' values and derivatives: each second derivative
    of each component with respect to two of them is zero (a product of two unknowns, a power or a
    function of an unknown makes it nonlinear). Learned scalars count as coefficients: κ·∂ₓₓu is linear."""
    for residual in problem.residuals:
        variables = [jet.symbol for jet in residual.jets + residual.pair_jets]
        for expr in residual.exprs:
            for i, a in enumerate(variables):
                if any(sympy.diff(expr, a, b) != 0 for b in variables[i:]):
                    return False
    return True


def arguments(problem: LoweredProblem, residual: LoweredResidual) -> tuple[sympy.Symbol, ...]:
    """The arguments of a residual's point function, in order: the coordinates it uses, its jets at the point
    and at the paired point, its per-point data, its learned parameters."""
    return (tuple(problem.coordinates[axis] for axis in residual.coordinate_axes) + tuple(
        jet.symbol for jet in residual.jets + residual.pair_jets) + tuple(
        symbol for symbol, _, _ in residual.extras) + residual.scalars)


def _lower_residual(condition, exprs, problem: SymbolicProblem, namer: "_JetNamer", extras) -> LoweredResidual:
    lowered = tuple(_lower_expr(condition, expr, problem, namer, extras) for expr in exprs)
    symbols = set().union(*(e.free_symbols for e in lowered))

    def used(at):
        return tuple(sorted((jet for jet in namer.jets.values() if jet.symbol in symbols and jet.at == at),
                            key=lambda jet: (jet.order, jet.unknown, tuple(-k for k in jet.multi_index))))

    axes = tuple(axis for axis, x in enumerate(problem.coordinates) if x in symbols)
    used_extras = tuple(value for value in extras.values() if value[0] in symbols)
    scalars = tuple(p for p in problem.learned if p in symbols)
    return LoweredResidual(condition, lowered, axes, used("point"), used("pair"), used_extras, scalars)


def _lower_expr(condition, expr, problem: SymbolicProblem, namer: "_JetNamer", extras) -> sympy.Expr:
    replacements = {}
    functions = problem.unknowns + problem.paired
    for atom in expr.atoms(sympy.Derivative):
        if atom.expr not in functions:
            raise PdeSemanticError(f"cannot evaluate the derivative {atom}", condition.span,
                                   hint="only derivatives of the unknowns are computed numerically")
        replacements[atom] = namer.jet(atom.expr, _multi_index(atom, problem.coordinates)).symbol
    lowered = expr.xreplace(replacements)  # derivatives first: they contain u(t, x)
    zero = (0,) * len(problem.coordinates)
    lowered = lowered.xreplace({u: namer.jet(u, zero).symbol for u in functions})
    return lowered.xreplace({symbol: value[0] for symbol, value in extras.items()})


def _multi_index(derivative: sympy.Derivative, coordinates) -> tuple[int, ...]:
    counts = dict(derivative.variable_count)
    return tuple(int(counts.get(x, 0)) for x in coordinates)


class _JetNamer:
    """Gives each (unknown, multi-index) one symbol, named `u_xy` and distinct from every other name."""

    def __init__(self, problem: SymbolicProblem):
        self.coordinates = problem.coordinates
        self.unknowns = problem.unknowns
        self.paired = problem.paired
        self.taken = {str(x) for x in problem.coordinates} | {str(p) for p, _ in problem.parameters}
        self.taken |= {str(p) for p in problem.learned}
        self.jets: dict[tuple[int, tuple[int, ...], str], Jet] = {}

    def jet(self, function: sympy.Expr, multi_index: tuple[int, ...]) -> Jet:
        at = "pair" if function in self.paired else "point"
        unknown = (self.paired if at == "pair" else self.unknowns).index(function)
        key = (unknown, multi_index, at)
        if key not in self.jets:
            self.jets[key] = Jet(sympy.Symbol(self._name(unknown, multi_index, at), real=True), unknown, multi_index, at)
        return self.jets[key]

    def _name(self, unknown: int, multi_index: tuple[int, ...], at: str) -> str:
        base = str(self.unknowns[unknown].func)
        suffix = "".join(str(x) * k for x, k in zip(self.coordinates, multi_index))
        name = f"{base}_{suffix}" if suffix else base
        return self.fresh(name + ("_pair" if at == "pair" else ""))

    def fresh(self, name: str) -> str:
        """`name`, with underscores appended until it is distinct from every name given so far."""
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name
