"""The `model`, `sample` and `solve` lines → the three settings dicts, validated.

Every name and range comes from the one table of settings, `pdedsl.settings`: the model's widths,
activation and initialisation; the point counts, sampling method and redraw period; the training
loop's settings of the `solve` line. Other `solve` options travel to the optimizer unchanged (the runner,
which alone knows each optimizer's fields, checks them), except the solver constants a spec cannot set
(`pdedsl.settings.FIXED_OPTIONS`) and retired names (`RETIRED`), refused here with what replaced them.
"""

from __future__ import annotations

import difflib

from pdedsl import settings as schema
from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.language import _ast as ast
from pdedsl.language._ir import Settings

__all__ = ["check_settings", "single", "choice", "suggest", "OPTIMIZERS"]

OPTIMIZERS = schema.OPTIMIZERS


def check_settings(spec: ast.Spec) -> Settings:
    """The spec's settings as plain dicts (keys absent from the spec are absent)."""
    solve, solve_spans = _solve(spec)
    return Settings(_model(spec), _sample(spec), solve, solve_spans)


def single(spec: ast.Spec, kind, what: str):
    """The one statement of type `kind`, or None; a second one is an error."""
    found = [s for s in spec.statements if isinstance(s, kind)]
    if len(found) > 1:
        raise PdeNameError(f"a second {what} statement (the first is at line {found[0].span.line})",
                           found[1].span, hint=f"merge them into one {what} line")
    return found[0] if found else None


def suggest(name: str, candidates) -> str | None:
    """The candidate closest to a misspelt `name`, if any is close."""
    match = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return match[0] if match else None


def _model(spec: ast.Spec) -> dict:
    model = single(spec, ast.Model, "model")
    if model is None:
        return {}
    choice(model.kind, schema.MODELS, "model")
    values = {"kind": model.kind.name}
    for setting in _each_setting(model.settings, _names("model"), "model"):
        values[setting.name.name] = _value(setting)
    return values


def _names(line: str) -> tuple[str, ...]:
    return tuple(e.name for e in schema.entries(line))


def _value(setting: ast.Setting):
    """The value of a schema setting, checked against its entry."""
    e, value = schema.entry(setting.name.name), setting.value
    if e.kind == "choice":
        if not (isinstance(value, ast.Value) and value.kind == "identifier"):
            raise PdeSemanticError(f"`{e.name}` must be {e.must()}", value.span)
        return choice(ast.Name(value.span, value.value), e.choices, _WHAT.get(e.name, e.name))
    plain = _plain(value)
    if schema.problem_with(e, plain) is not None:
        if e.kind == "widths":
            raise PdeSemanticError(f"`{e.name}` must be {e.must()}", value.span,
                                   hint="e.g. widths = [32, 32] for two hidden layers of 32 neurons")
        shown = "a list" if isinstance(plain, list) else plain
        raise PdeSemanticError(f"`{e.name}` must be {e.must()}, not {shown}", value.span, hint=e.hint)
    return plain


_WHAT = {"method": "sampling method"}


def _sample(spec: ast.Spec) -> dict:
    sample = single(spec, ast.Sample, "sample")
    if sample is None:
        return {}
    values = {}
    counts = [item for item in sample.items if isinstance(item, ast.SampleCount)]
    for item in counts:
        target = choice(item.target, schema.SAMPLE_TARGETS, "point set")
        if target in values:
            raise PdeNameError(f"a second point count for '{target}'", item.target.span)
        values[target] = _count(item.count)
    settings = [item for item in sample.items if isinstance(item, ast.Setting)]
    for setting in _each_setting(settings, _names("sample"), "sample"):
        values[setting.name.name] = _value(setting)
    return values


def _count(count: ast.Value) -> int:
    if not isinstance(count.value, int) or not 0 < count.value <= 10_000_000:
        raise PdeSemanticError(f"a point count must be a positive whole number, not {count.value}", count.span)
    return count.value


def _solve(spec: ast.Spec) -> tuple[dict, dict]:
    """(values, spans): the `solve` line's settings, and where each one's name is."""
    solve = single(spec, ast.Solve, "solve")
    if solve is None:
        return {}, {}
    values = {"optimizer": choice(solve.optimizer, OPTIMIZERS, "optimizer")}
    spans = {}
    loop = _names("solve")
    for setting in _each_setting(solve.settings, None, "solve"):
        key = setting.name.name
        if key in schema.IGNORED:
            continue
        if key in loop:
            values[key] = _value(setting)
        else:
            values[key] = _plain(setting.value)
        spans[key] = setting.name.span
    return values, spans


def _each_setting(settings, allowed, where: str):
    """The settings, each checked against `allowed` (None: any name) and for repetition."""
    seen = set()
    for setting in settings:
        key = setting.name.name
        if key in schema.RETIRED and key not in schema.IGNORED:
            raise PdeNameError(f"'{key}' is no longer a {where} setting", setting.name.span,
                               hint=schema.RETIRED[key])
        if key in schema.FIXED_OPTIONS:
            raise PdeNameError(f"'{key}' is not a setting a spec can change", setting.name.span,
                               hint="a constant of the solvers (docs/solvers.md); Python code can pass it to the "
                                    "optimizer's config")
        if allowed is not None and key not in allowed:
            guess = suggest(key, allowed)
            raise PdeNameError(f"unknown {where} setting '{key}'", setting.name.span,
                               hint=f"did you mean '{guess}'?" if guess else f"the {where} settings are: "
                                                                              f"{', '.join(allowed)}")
        if key in seen:
            raise PdeNameError(f"the {where} setting '{key}' is given twice", setting.name.span)
        seen.add(key)
        yield setting


def choice(name: ast.Name, choices, what: str) -> str:
    """`name`, when it is one of `choices`; otherwise an error suggesting the closest."""
    if name.name not in choices:
        guess = suggest(name.name, choices)
        hint = (f"did you mean '{guess}'? " if guess else "") + f"choose one of: {', '.join(choices)}"
        raise PdeNameError(f"unknown {what} '{name.name}'", name.span, hint=hint)
    return name.name


def _plain(value):
    """A setting value as a plain Python value (lists stay lists; the names true and false are bools)."""
    if isinstance(value, ast.ListValue):
        return [_plain(v) for v in value.items]
    if value.kind == "identifier" and value.value in ("true", "false"):
        return value.value == "true"
    return value.value
