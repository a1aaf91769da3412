"""SymPy residuals → expressions in named jet symbols, plus the derivatives each one needs.

A jet symbol stands for one derivative of one unknown at the evaluation point:
`u` for u itself, `u_t` for ∂u/∂t, `u_xx` for ∂²u/∂x², `u_xy` for ∂²u/∂x∂y,
`u_x1x2` for ∂²u/∂x1∂x2.  Its multi-index counts the derivatives per axis of
the domain (`u_xy` on (x, y) is (1, 1)); the residual stage computes exactly the
multi-indices listed here, by automatic differentiation of the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdedsl.errors import PdeSemanticError
from pdedsl.language._ir import CheckedCondition
from pdedsl.language._symbolic import SymbolicProblem

__all__ = ["Jet", "LoweredResidual", "LoweredProblem", "lower"]


@dataclass(frozen=True)
class Jet:
    """The derivative `multi_index` (a count per axis) of unknown number `unknown`, named `symbol`."""

    symbol: sympy.Symbol
    unknown: int
    multi_index: tuple[int, ...]

    @property
    def order(self) -> int:
        return sum(self.multi_index)


@dataclass(frozen=True)
class LoweredResidual:
    """A residual in coordinates, parameters and jet symbols only."""

    condition: CheckedCondition
    expr: sympy.Expr
    coordinate_axes: tuple[int, ...]  # the coordinates the expression uses, in axis order
    jets: tuple[Jet, ...]  # the derivatives it needs, lowest order first


@dataclass(frozen=True)
class LoweredProblem:
    coordinates: tuple[sympy.Symbol, ...]
    parameters: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    residuals: tuple[LoweredResidual, ...]
    exact: tuple[sympy.Expr, ...] | None


def lower(problem: SymbolicProblem) -> LoweredProblem:
    """Replace every `u(t, x)` and `Derivative(u(t, x), …)` by its jet symbol."""
    namer = _JetNamer(problem)
    residuals = tuple(_lower_residual(r.condition, r.expr, problem, namer) for r in problem.residuals)
    return LoweredProblem(problem.coordinates, problem.parameters, residuals, problem.exact)


def _lower_residual(condition, expr, problem: SymbolicProblem, namer: "_JetNamer") -> LoweredResidual:
    replacements = {}
    for atom in expr.atoms(sympy.Derivative):
        if atom.expr not in problem.unknowns:
            raise PdeSemanticError(f"cannot evaluate the derivative {atom}", condition.span,
                                   hint="only derivatives of the unknowns are computed numerically")
        replacements[atom] = namer.jet(atom.expr, _multi_index(atom, problem.coordinates)).symbol
    lowered = expr.xreplace(replacements)  # derivatives first: they contain u(t, x)
    lowered = lowered.xreplace({u: namer.jet(u, (0,) * len(problem.coordinates)).symbol for u in problem.unknowns})
    symbols = lowered.free_symbols
    jets = sorted((jet for jet in namer.jets.values() if jet.symbol in symbols),
                  key=lambda jet: (jet.order, jet.unknown, tuple(-k for k in jet.multi_index)))
    axes = tuple(axis for axis, x in enumerate(problem.coordinates) if x in symbols)
    return LoweredResidual(condition, lowered, axes, tuple(jets))


def _multi_index(derivative: sympy.Derivative, coordinates) -> tuple[int, ...]:
    counts = dict(derivative.variable_count)
    return tuple(int(counts.get(x, 0)) for x in coordinates)


class _JetNamer:
    """Gives each (unknown, multi-index) one symbol, named `u_xy` and distinct from every other name."""

    def __init__(self, problem: SymbolicProblem):
        self.coordinates = problem.coordinates
        self.unknowns = problem.unknowns
        self.taken = {str(x) for x in problem.coordinates} | {str(p) for p, _ in problem.parameters}
        self.jets: dict[tuple[int, tuple[int, ...]], Jet] = {}

    def jet(self, unknown: sympy.Expr, multi_index: tuple[int, ...]) -> Jet:
        key = (self.unknowns.index(unknown), multi_index)
        if key not in self.jets:
            self.jets[key] = Jet(sympy.Symbol(self._name(*key), real=True), *key)
        return self.jets[key]

    def _name(self, unknown: int, multi_index: tuple[int, ...]) -> str:
        base = str(self.unknowns[unknown].func)
        suffix = "".join(str(x) * k for x, k in zip(self.coordinates, multi_index))
        name = f"{base}_{suffix}" if suffix else base
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name
