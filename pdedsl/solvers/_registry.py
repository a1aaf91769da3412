"""Optimizers by name, for the runner and the command line."""

from __future__ import annotations

import dataclasses
import math

from pdedsl.solvers._amstramgram import AMStramGRAM
from pdedsl.solvers._anagram import ANaGRAM
from pdedsl.solvers._baselines import LBFGS, Adam, AdamLBFGS, GradientDescent
from pdedsl.solvers._engd import ENGD
from pdedsl.solvers._errors import OptimizerSettingError
from pdedsl.solvers._factorization import FACTORIZATIONS
from pdedsl.solvers._quasi_newton import SSBroyden

__all__ = ["OPTIMIZERS", "OptimizerSettingError", "make_optimizer", "optimizer_settings"]

OPTIMIZERS: dict[str, type] = {
    "amstramgram": AMStramGRAM,
    "anagram": ANaGRAM,
    "engd": ENGD,
    "gd": GradientDescent,
    "adam": Adam,
    "lbfgs": LBFGS,
    "adam_lbfgs": AdamLBFGS,
    "ssbroyden": SSBroyden,
}


def optimizer_settings(name: str) -> tuple[str, ...]:
    """The hyper-parameter names of the optimizer called `name` (case-insensitive)."""
    key = name.strip().lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of: {', '.join(OPTIMIZERS)}")
    return tuple(f.name for f in dataclasses.fields(OPTIMIZERS[key]))


# Choices of the string-valued settings, and float settings that must stay below 1.
_CHOICES = {"jacobian_mode": ("auto", "fwd", "rev", "pointwise"), "factorization": FACTORIZATIONS}
_BELOW_ONE = {"b1", "b2"}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _value_problem(field: dataclasses.Field, value) -> str | None:
    """What is wrong with `value` for `field` (from its annotation), or None."""
    kind = str(field.type)
    if value is None and "None" in kind:
        return None
    if kind.startswith("tuple"):
        ok = isinstance(value, (tuple, list)) and len(value) > 0 and all(_is_number(v) and v > 0 for v in value)
        return None if ok else "a list of positive numbers"
    if kind == "bool":
        return None if isinstance(value, bool) else "true or false"
    if kind == "str":
        choices = _CHOICES.get(field.name)
        if isinstance(value, str) and (choices is None or value in choices):
            return None
        return "one of " + ", ".join(choices) if choices else "a name"
    if kind == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) and value > 0 else "a positive whole number"
    if field.name in _BELOW_ONE:
        return None if _is_number(value) and 0 <= value < 1 else "a number from 0 up to (not including) 1"
    return None if _is_number(value) and value >= 0 else "a number >= 0"


def make_optimizer(name: str, **kwargs):
    """Build the optimizer called `name` (case-insensitive) with hyper-parameters `kwargs`.

    Raises ValueError naming the unknown optimizer or hyper-parameter and listing the valid ones, and
    OptimizerSettingError (a ValueError) for a value of the wrong kind or out of range.
    Lists are turned into tuples (the configs are frozen and hashable).
    """
    fields = optimizer_settings(name)
    key = name.strip().lower()
    cls = OPTIMIZERS[key]
    unknown = [k for k in kwargs if k not in fields]
    if unknown:
        raise ValueError(
            f"optimizer {key!r} has no setting {unknown[0]!r}; valid settings: {', '.join(fields)}"
        )
    for f in dataclasses.fields(cls):
        if f.name in kwargs and (expected := _value_problem(f, kwargs[f.name])) is not None:
            raise OptimizerSettingError(f"optimizer {key!r}: setting {f.name!r} must be {expected}, "
                                        f"not {kwargs[f.name]!r}", f.name)
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return cls(**kwargs)
