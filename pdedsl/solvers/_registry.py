"""Optimizers by name, for the runner and the command line."""

from __future__ import annotations

import dataclasses

from pdedsl.solvers._amstramgram import AMStramGRAM
from pdedsl.solvers._anagram import ANaGRAM
from pdedsl.solvers._baselines import LBFGS, Adam, GradientDescent
from pdedsl.solvers._engd import ENGD

__all__ = ["OPTIMIZERS", "make_optimizer", "optimizer_settings"]

OPTIMIZERS: dict[str, type] = {
    "amstramgram": AMStramGRAM,
    "anagram": ANaGRAM,
    "engd": ENGD,
    "gd": GradientDescent,
    "adam": Adam,
    "lbfgs": LBFGS,
}


def optimizer_settings(name: str) -> tuple[str, ...]:
    """The hyper-parameter names of the optimizer called `name` (case-insensitive)."""
    key = name.strip().lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of: {', '.join(OPTIMIZERS)}")
    return tuple(f.name for f in dataclasses.fields(OPTIMIZERS[key]))


def make_optimizer(name: str, **kwargs):
    """Build the optimizer called `name` (case-insensitive) with hyper-parameters `kwargs`.

    Raises ValueError naming the unknown optimizer or hyper-parameter and listing the valid ones.
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
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return cls(**kwargs)
