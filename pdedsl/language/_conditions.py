"""Equations and conditions → `CheckedCondition`s: both sides resolved, a region, a weight.

Each condition is resolved in an `Env` that names its kind, so that `dn` is allowed
on the boundary only, `u(0.5, 0.5)` in a `point:` condition and `u(x = 0)` in a
`periodic:` one (`_periodic`); where it holds comes from `_regions`.
"""

from __future__ import annotations

import numpy as np

from pdedsl.errors import PdeSemanticError
from pdedsl.geometry import Interior
from pdedsl.language import _ast as ast
from pdedsl.language._data import read_observations
from pdedsl.language._expressions import Resolver
from pdedsl.language._ir import CheckedCondition, Expr, Extra, Learned, Manufactured, Var, Vec, nodes_in, unknowns_in
from pdedsl.language._periodic import periodic, periodic_pair
from pdedsl.language._regions import region
from pdedsl.language._registry import components
from pdedsl.language._scope import Env, Typed, fmt, found_in

__all__ = ["conditions", "weight"]


def conditions(r: Resolver, spec: ast.Spec, folder) -> tuple[CheckedCondition, ...]:
    """Every equation and condition, named by kind and count ("pde", "boundary", "boundary.2" …)."""
    counts: dict[str, int] = {}
    checked = []

    def name_for(kind: str) -> str:
        counts[kind] = counts.get(kind, 0) + 1
        return kind if counts[kind] == 1 else f"{kind}.{counts[kind]}"

    for statement in spec.statements:
        if isinstance(statement, ast.Condition) and statement.kind == "periodic":
            checked.append(periodic_pair(r, statement, name_for("periodic"), weight(r, statement.weight)))
        elif isinstance(statement, ast.Condition):
            checked.append(_condition(r, spec, statement, name_for(statement.kind)))
        elif isinstance(statement, ast.Periodic):
            checked += [periodic(r, statement, name, name_for("periodic"), weight(r, statement.weight))
                        for name in statement.names]
        elif isinstance(statement, ast.Data):
            checked.append(_data(r, statement, name_for("data"), folder))
    if "pde" not in counts:
        raise PdeSemanticError("the spec has no `pde:` equation", spec.statements[-1].span,
                               hint="add the differential equation, e.g. `pde: -lap(u) = f`")
    _every_unknown_in_a_pde(r, spec, checked)
    return tuple(checked)


def weight(r: Resolver, weight_expr: ast.Expr | None) -> float:
    if weight_expr is None:
        return 1.0
    value = r.constant(weight_expr, "a weight")
    if not value > 0:
        raise PdeSemanticError(f"a weight must be positive, not {fmt(value)}", weight_expr.span)
    return value


def _condition(r: Resolver, spec: ast.Spec, condition: ast.Condition, name: str) -> CheckedCondition:
    (lhs, rhs), found = _sides(r, spec, condition.equation, Env(condition=condition.kind))
    fixed = {"points": _point_of(r, condition, found)} if condition.kind == "point" else None
    return CheckedCondition(name, condition.kind, region(r, condition), weight(r, condition.weight), condition.span,
                            condition.text, lhs, rhs, fixed)


def _sides(r: Resolver, spec: ast.Spec, equation: ast.Equation, env: Env):
    """Both sides resolved: scalars, or vectors of the same length (a right side of 0 fits any vector); and the
    points at which they evaluate unknowns."""
    left = r.resolve(equation.lhs, env)
    if isinstance(equation.rhs, ast.Name) and equation.rhs.name == "manufactured":
        return (left.expr, _manufactured(spec, equation.rhs, left)), left.found
    right = r.resolve(equation.rhs, env)
    found = found_in(left, right)
    if left.size != right.size:
        if right.value == 0 and not right.size:
            return (left.expr, Vec(equation.rhs.span, (right.expr,) * left.size)), found
        if left.value == 0 and not left.size:
            return (Vec(equation.lhs.span, (left.expr,) * right.size), right.expr), found
        raise PdeSemanticError(f"the two sides have different numbers of components: {components(left.size)} on "
                               f"the left, {components(right.size)} on the right", equation.span,
                               hint="a vector equation needs vectors of the same length on both sides "
                                    "(or 0 on one side)")
    if not (left.unknown or right.unknown):
        hint = (f"equations and conditions constrain the unknowns ({', '.join(r.scope.unknowns)})"
                if r.scope.unknowns else "the spec declares no unknown; add a line such as `unknown u`")
        raise PdeSemanticError("this equation does not involve any unknown", equation.span, hint=hint)
    return (left.expr, right.expr), found


def _manufactured(spec: ast.Spec, name: ast.Name, left: Typed) -> Expr:
    if not any(isinstance(s, ast.ExactItem) for s in spec.statements):
        raise PdeSemanticError("'manufactured' needs an exact solution", name.span,
                               hint="add an `exact:` block; the right side is then the left side evaluated "
                                    "at the exact solution")
    if nodes_in(left.expr, (Learned, Extra)):
        raise PdeSemanticError("a manufactured right side cannot depend on learned parameters or data",
                               name.span, hint="write the right side explicitly")
    if not left.unknown:
        raise PdeSemanticError("this equation does not involve any unknown", name.span)
    return Manufactured(name.span) if not left.size else Vec(name.span, (Manufactured(name.span),) * left.size)


def _point_of(r: Resolver, condition: ast.Condition, found) -> np.ndarray:
    """The one point at which a `point:` condition evaluates its unknowns."""
    if not found:
        name = next(iter(r.scope.unknowns))
        example = ", ".join(["0.5"] * r.scope.box.dim)
        raise PdeSemanticError("a `point:` condition needs the point where it holds", condition.equation.span,
                               hint=f"write the unknown at its point, e.g. {name}({example}) = 0")
    first = found[0]
    for other in found[1:]:
        if not np.allclose(first.point, other.point):
            raise PdeSemanticError("a `point:` condition holds at one point; this one names two", other.span,
                                   hint=f"the first is at line {first.span.line}, column {first.span.column}; "
                                        "write one condition per point")
    return np.asarray([first.point], float)


def _data(r: Resolver, statement: ast.Data, name: str, folder) -> CheckedCondition:
    """Residual u_k(x_i) − observed_ik for each observed unknown, at the points of the file."""
    scope = r.scope
    observations = read_observations(statement.path, statement.path_span, folder, scope.box.names,
                                     tuple(scope.unknowns), bounds=(scope.box.lows, scope.box.highs))
    span = statement.span
    lhs = tuple(Var(span, scope.unknowns[u], u) for u in observations.unknowns)
    rhs = tuple(Extra(span, "observed", j, f"{u}_observed") for j, u in enumerate(observations.unknowns))
    fixed = {"points": observations.points, "observed": observations.values}
    return CheckedCondition(name, "data", Interior(), weight(r, statement.weight), span, statement.text,
                            Vec(span, lhs), Vec(span, rhs), fixed)


def _every_unknown_in_a_pde(r: Resolver, spec: ast.Spec, checked: list[CheckedCondition]) -> None:
    used: set[int] = set()
    for condition in checked:
        if condition.kind == "pde":
            used |= unknowns_in(condition.lhs) | unknowns_in(condition.rhs)
    for statement in spec.statements:
        for name in statement.names if isinstance(statement, ast.Unknowns) else ():
            if r.scope.unknowns[name.name] not in used:
                raise PdeSemanticError(f"the unknown '{name.name}' appears in no `pde:` equation", name.span,
                                       hint="every unknown needs an equation that determines it")
