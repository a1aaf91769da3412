"""The `model`, `sample` and `solve` lines → the three settings dicts, validated.

Only what the runner reads is constrained: the model kind, widths, activation and
initializer; the point counts and sampling method; the optimizer name, `steps` and
the positive numbers.  Other `solve` options travel to the optimizer unchanged.
"""

from __future__ import annotations

import difflib

from pdedsl.errors import PdeNameError, PdeSemanticError
from pdedsl.language import _ast as ast
from pdedsl.language._ir import Settings

__all__ = ["check_settings", "single", "choice", "suggest", "OPTIMIZERS"]

MODELS = ("mlp",)
ACTIVATIONS = ("tanh", "sin", "cos", "softplus", "sigmoid", "gelu", "silu")
INITIALIZERS = ("glorot", "lecun", "normal")
SAMPLE_TARGETS = ("interior", "boundary", "initial")
SAMPLE_METHODS = ("random", "sobol", "halton", "grid")
RESAMPLE_LIMITS = {  # key -> (lowest, highest, hint)
    "resample_every": (0, 1_000_000, "redraw the interior points from the residual every N steps; 0 never does"),
    "resample_pool": (0, 10_000_000, "the number of candidate points the residual is evaluated at; "
                                     "0 takes 20 times the interior count"),
}
OPTIMIZERS = ("amstramgram", "anagram", "engd", "adam", "lbfgs", "adam_lbfgs", "gd")


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
    choice(model.kind, MODELS, "model")
    values = {"kind": model.kind.name}
    for setting in _each_setting(model.settings, ("widths", "activation", "init"), "model"):
        key, value = setting.name.name, setting.value
        if key == "widths":
            values[key] = _widths(value)
        else:
            choices = ACTIVATIONS if key == "activation" else INITIALIZERS
            if not (isinstance(value, ast.Value) and value.kind == "identifier"):
                raise PdeSemanticError(f"`{key}` must be one of: {', '.join(choices)}", value.span)
            values[key] = choice(ast.Name(value.span, value.value), choices, key)
    return values


def _widths(value) -> list[int]:
    items = value.items if isinstance(value, ast.ListValue) else ()
    if not items or not all(isinstance(v, ast.Value) and isinstance(v.value, int) and 0 < v.value <= 100_000
                            for v in items):
        raise PdeSemanticError("`widths` must be a list of positive whole numbers", value.span,
                               hint="e.g. widths = [32, 32] for two hidden layers of 32 neurons")
    return [v.value for v in items]


def _sample(spec: ast.Spec) -> dict:
    sample = single(spec, ast.Sample, "sample")
    if sample is None:
        return {}
    values = {}
    counts = [item for item in sample.items if isinstance(item, ast.SampleCount)]
    for item in counts:
        target = choice(item.target, SAMPLE_TARGETS, "point set")
        if target in values:
            raise PdeNameError(f"a second point count for '{target}'", item.target.span)
        values[target] = _count(item.count)
    settings = [item for item in sample.items if isinstance(item, ast.Setting)]
    for setting in _each_setting(settings, ("method", "resample_every", "resample_pool"), "sample"):
        value = setting.value
        if setting.name.name in RESAMPLE_LIMITS:
            values[setting.name.name] = _resample_setting(setting.name.name, value)
            continue
        if not (isinstance(value, ast.Value) and value.kind == "identifier"):
            raise PdeSemanticError(f"`method` must be one of: {', '.join(SAMPLE_METHODS)}", value.span)
        values["method"] = choice(ast.Name(value.span, value.value), SAMPLE_METHODS, "sampling method")
    return values


def _resample_setting(key: str, value) -> int:
    low, high, meaning = RESAMPLE_LIMITS[key]
    if not (isinstance(value, ast.Value) and isinstance(value.value, int) and not isinstance(value.value, bool)
            and low <= value.value <= high):
        shown = value.value if isinstance(value, ast.Value) else "a list"
        raise PdeSemanticError(f"`{key}` must be a whole number from {low} to {high}, not {shown}", value.span,
                               hint=meaning)
    return value.value


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
    for setting in _each_setting(solve.settings, None, "solve"):
        key, value = setting.name.name, _plain(setting.value)
        if key == "steps" and not (isinstance(value, int) and value > 0):
            raise PdeSemanticError(f"`steps` must be a positive whole number, not {value}", setting.value.span)
        if key == "restarts" and not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100):
            raise PdeSemanticError(f"`restarts` must be a whole number from 0 to 100, not {value}", setting.value.span)
        if key == "restart_above" and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                           and value >= 0):
            raise PdeSemanticError(f"`restart_above` must be a number >= 0 (a loss), not {value}", setting.value.span)
        if key == "stall_window" and not (isinstance(value, int) and not isinstance(value, bool)
                                          and 0 <= value <= 100_000):
            raise PdeSemanticError(f"`stall_window` must be a whole number of steps from 0 to 100000, not {value}",
                                   setting.value.span)
        if key == "stall_factor" and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                          and 1 <= value <= 1e300):
            raise PdeSemanticError(f"`stall_factor` must be a number >= 1, not {value}", setting.value.span)
        if key == "restart_noise" and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                           and 0 <= value <= 1e3):
            raise PdeSemanticError(f"`restart_noise` must be a number from 0 to 1000 (a relative size), not {value}",
                                   setting.value.span)
        if key == "causal" and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                    and 0 <= value <= 1e12):
            raise PdeSemanticError(f"`causal` must be a number from 0 to 1e12 (the first ε of the causal "
                                   f"weights), not {value}", setting.value.span,
                                   hint="e.g. causal = 1 trains the time slices in order; 0 turns it off")
        if key == "causal_slices" and not (isinstance(value, int) and not isinstance(value, bool)
                                           and 1 <= value <= 10_000):
            raise PdeSemanticError(f"`causal_slices` must be a whole number from 1 to 10000, not {value}",
                                   setting.value.span, hint="the number of time slices, e.g. 32")
        if key in ("time_limit", "target_loss", "eps") and not (
            isinstance(value, (int, float)) and value > 0
        ):
            raise PdeSemanticError(f"`{key}` must be a positive number, not {value}", setting.value.span)
        values[key] = value
        spans[key] = setting.name.span
    return values, spans


def _each_setting(settings, allowed, where: str):
    """The settings, each checked against `allowed` (None: any name) and for repetition."""
    seen = set()
    for setting in settings:
        key = setting.name.name
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
