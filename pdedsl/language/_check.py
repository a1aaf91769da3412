"""Semantic checks: syntax tree → `CheckedProblem`.

The declarations fill a `Scope` (`_declarations`); every expression is resolved
against it (`_expressions`, `_calls`, with the built-ins of `_registry`); equations
and conditions get their regions and weights (`_conditions`, `_regions`,
`_periodic`); the settings are validated (`_settings`).  Nothing after this stage
reports a user mistake.
"""

from __future__ import annotations

import copy
from pathlib import Path

from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.language import _ast as ast
from pdedsl.language._conditions import conditions
from pdedsl.language._declarations import declare
from pdedsl.language._expressions import Resolver
from pdedsl.language._ir import CheckedProblem, Expr, Learned, nodes_in
from pdedsl.language._scope import Env, Scope
from pdedsl.language._settings import check_settings, single, suggest

__all__ = ["check"]

# The point sets a `sample` count feeds, by the kinds of condition that use it.
_SAMPLED_BY = {"interior": ("pde",), "boundary": ("boundary", "periodic"), "initial": ("initial",)}


def check(spec: ast.Spec, folder: Path | None = None) -> CheckedProblem:
    """Resolve and validate a parsed spec (raises `PdeError` subclasses with spans).

    `folder` is where relative `data` paths start (the spec's folder; the working directory if None).
    """
    resolver = Resolver(Scope())
    scope = resolver.scope
    scope.declares_unknowns = any(isinstance(s, ast.Unknowns) for s in spec.statements)
    declare(resolver, spec)
    checked = conditions(resolver, spec, folder or Path.cwd())
    if not scope.unknowns:
        raise PdeSemanticError("the spec declares no unknown", spec.statements[0].span,
                               hint="add a line such as `unknown u`")
    _sample_targets(spec, checked)
    exact, exact_parameters = _exact(resolver, spec)
    reference = single(spec, ast.Reference, "reference")
    return CheckedProblem(
        domain=scope.box,
        unknowns=tuple(scope.unknowns),
        parameters=tuple(scope.parameters),
        conditions=checked,
        exact=exact,
        reference=_reference(reference),
        settings=check_settings(spec),
        learned=tuple(scope.learned.items()),
        exact_parameters=exact_parameters,
        reference_span=None if reference is None else reference.span,
    )


def _sample_targets(spec: ast.Spec, checked) -> None:
    """A `sample` count for a point set no condition uses would be silently ignored: an error."""
    sample = single(spec, ast.Sample, "sample")
    kinds = {c.kind for c in checked}
    for item in () if sample is None else sample.items:
        target = getattr(item, "target", None)
        uses = _SAMPLED_BY.get(getattr(target, "name", None), ())
        if uses and not kinds.intersection(uses):
            raise PdeSemanticError(
                f"`{target.name} {item.count.value}` samples points that no condition uses", item.span,
                hint=f"the spec has no {' or '.join(u + ':' for u in uses)} condition; remove this count")


def _exact(r: Resolver, spec: ast.Spec):
    """The exact solution (one expression per unknown) and the exact values of learned parameters.

    An exact solution may use a learned parameter whose exact value the block gives: it stands for that value.
    """
    scope = r.scope
    items = [s for s in spec.statements if isinstance(s, ast.ExactItem)]
    values, known = {}, {}
    for item in items:
        name = item.name.name
        if name in scope.learned:
            if name in values:
                raise PdeNameError(f"a second exact value for '{name}'", item.name.span)
            known[name] = r.resolve(item.value, Env())
            values[name] = r.constant(item.value, "the exact value of a parameter")
    exact_scope = copy.copy(scope)
    exact_scope.learned = {k: v for k, v in scope.learned.items() if k not in known}
    exact_scope.lets = {**scope.lets, **known}
    exact_resolver = Resolver(exact_scope)
    solutions: dict[str, Expr] = {}
    for item in items:
        name = item.name.name
        if name in scope.learned:
            continue
        if name not in scope.unknowns:
            guess = suggest(name, scope.unknowns)
            hint = f"did you mean '{guess}'?" if guess else f"the unknowns are: {', '.join(scope.unknowns)}"
            raise PdeNameError(f"exact solution for '{name}', which is not a declared unknown", item.name.span,
                               hint=hint)
        if name in solutions:
            raise PdeNameError(f"a second exact solution for '{name}'", item.name.span)
        typed = exact_resolver.resolve(item.value, Env())
        learned = nodes_in(typed.expr, Learned)
        if learned:
            raise PdeSemanticError(f"the exact solution uses the learned parameter '{learned[0].name}', whose exact "
                                   "value the `exact:` block does not give", learned[0].span,
                                   hint=f"add `{learned[0].name} = <its true value>` to the `exact:` block")
        if typed.unknown or typed.size:
            raise PdeSemanticError("an exact solution must be a scalar expression of the coordinates",
                                   item.value.span, hint="it may use coordinates and `let` constants, "
                                                         "not the unknowns")
        solutions[name] = typed.expr
    missing = [u for u in scope.unknowns if u not in solutions]
    if len(missing) == len(scope.unknowns):
        return None, tuple(values.items())
    if missing:
        raise PdeSemanticError(f"no exact solution for '{missing[0]}'", items[-1].span,
                               hint=f"add `{missing[0]} = ...` to the `exact:` block")
    return tuple(solutions[u] for u in scope.unknowns), tuple(values.items())


def _reference(reference) -> str | None:
    if reference is None:
        return None
    if not reference.path.strip():
        raise PdeSemanticError("the reference path is empty", reference.span,
                               hint='write the data file\'s path, e.g. reference "data/burgers_reference.npz"')
    return reference.path
