"""Run settings: what the spec says, overridden by what the caller says.

Precedence, lowest first: built-in defaults < the spec's `model`/`sample`/`solve` lines <
keyword arguments of `pdedsl.solve` (or command-line flags). Changing the optimizer drops
the spec's options for the old one (they belong to it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from pdedsl.errors import PdeError

__all__ = ["RunSettings", "resolve_settings"]

OPTIMIZERS = ("amstramgram", "anagram", "engd", "gd", "adam", "lbfgs")
DEFAULT_STEPS = {"amstramgram": 500, "anagram": 500, "engd": 500, "gd": 2000, "adam": 5000, "lbfgs": 2000}
_SOLVE_KEYS = ("optimizer", "steps", "time_limit", "target_loss")


@dataclass(frozen=True)
class RunSettings:
    optimizer: str = "amstramgram"
    optimizer_options: dict = field(default_factory=dict)
    steps: int = 500
    time_limit: float | None = None  # wall seconds for the optimisation loop
    target_loss: float | None = None
    seed: int = 0
    counts: dict = field(default_factory=dict)  # "interior"/"boundary"/"initial" -> points
    method: str = "sobol"
    widths: tuple = (32,)
    activation: str = "tanh"
    init: str | None = None  # network initialisation scheme (solver default when None)
    float32: bool = False
    checkpoint_every: int = 50
    n_test: int = 10_000

    def as_dict(self) -> dict:
        d = asdict(self)
        d["widths"] = list(self.widths)
        return d

    def fingerprint(self, source: str) -> str:
        """Hash of everything that determines the trajectory (not the budget): resume must match it."""
        d = self.as_dict()
        for volatile in ("steps", "time_limit", "target_loss", "checkpoint_every"):
            d.pop(volatile)
        blob = json.dumps({"settings": d, "source": source}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def resolve_settings(spec_settings, **overrides) -> RunSettings:
    """Merge the spec's settings with caller overrides (None means "not given")."""
    model = dict(getattr(spec_settings, "model", {}) or {})
    sample = dict(getattr(spec_settings, "sample", {}) or {})
    solve = dict(getattr(spec_settings, "solve", {}) or {})

    optimizer = overrides.get("optimizer") or solve.get("optimizer", "amstramgram")
    optimizer = str(optimizer).lower()
    if optimizer not in OPTIMIZERS:
        raise PdeError(f"unknown optimizer {optimizer!r}", hint=f"choose one of: {', '.join(OPTIMIZERS)}")
    options = {k: v for k, v in solve.items() if k not in _SOLVE_KEYS}
    if optimizer != solve.get("optimizer", optimizer):
        options = {}
    options.update(overrides.get("optimizer_options") or {})

    counts = {k: int(v) for k, v in sample.items() if k in ("interior", "boundary", "initial")}
    counts.update({k: int(v) for k, v in (overrides.get("points") or {}).items()})

    settings = RunSettings(
        optimizer=optimizer,
        optimizer_options=options,
        steps=int(solve.get("steps", DEFAULT_STEPS[optimizer])),
        time_limit=solve.get("time_limit"),
        target_loss=solve.get("target_loss"),
        counts=counts,
        method=str(sample.get("method", "sobol")),
        widths=tuple(int(w) for w in model.get("widths", (32,))),
        activation=str(model.get("activation", "tanh")),
        init=model.get("init"),
    )
    if optimizer != solve.get("optimizer", optimizer) and "steps" not in overrides:
        settings = replace(settings, steps=DEFAULT_STEPS[optimizer])
    chosen = {k: v for k, v in overrides.items()
              if v is not None and k not in ("optimizer", "optimizer_options", "points")}
    if "widths" in chosen:
        chosen["widths"] = tuple(int(w) for w in chosen["widths"])
    return replace(settings, **chosen)
