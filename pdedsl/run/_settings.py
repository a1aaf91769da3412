"""Run settings: the defaults, what the spec says, and what the caller says.

Precedence, lowest first: the default recipe (run/_defaults.py: rules that read the problem's
dimension, time coordinate and domain) < the spec's `model`/`sample`/`solve` lines < keyword arguments
of `pdedsl.solve` (or command-line flags). Names, kinds and ranges come from the one table of settings,
`pdedsl.settings`. Changing the optimizer drops the spec's options for the old one (they belong to it),
and the settings of the table that are tuned to it (`restarts`, `restart_noise`, `stall_window`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from pdedsl import settings as schema
from pdedsl.errors import PdeError
from pdedsl.run import _defaults as defaults

__all__ = ["RunSettings", "resolve_settings", "KEYWORDS"]

OPTIMIZERS = schema.OPTIMIZERS
# The keywords of `pdedsl.solve` (and flags) that are settings of the table.
KEYWORDS = tuple(e.name for e in schema.ENTRIES if e.keyword)


@dataclass(frozen=True)
class RunSettings:
    """The resolved settings of one run: one field per entry of `pdedsl.settings.ENTRIES`, plus the
    optimizer, its options, the point counts, the precision, and the constants the runner reads."""

    optimizer: str = "amstramgram"
    optimizer_options: dict = field(default_factory=dict)
    steps: int = defaults.UNLIMITED_STEPS
    time_limit: float | None = defaults.TIME_LIMIT  # wall seconds for the optimisation loop
    target_loss: float | None = None  # None: round-off relative to the problem's scale (the training loop)
    restarts: int = 0  # restarts allowed after a stall above the target (the best attempt is kept)
    restart_noise: float = 0.0  # > 0: restart from the best weights so far, moved by this much noise
    stall_window: int = 0  # > 0: a loss that fell by less than 10x over this many steps is a stall
    seed: int = 0
    counts: dict = field(default_factory=dict)  # "interior"/"boundary"/"initial" -> points
    method: str = "sobol"
    resample_every: int | None = None  # redraw period (0: never; None: automatic, run/_resample.py)
    causal: float = 0.0  # > 0: the first ε of causal training along the time coordinate (0: off)
    widths: tuple = (32, 32)
    activation: str = "tanh"
    init: str | None = "lecun"
    float32: bool = False
    checkpoint_every: int = 50
    n_test: int = 10_000
    resample_pool: int = 0  # constants of pdedsl.settings, read by the redraws and causal training
    causal_slices: int = schema.CAUSAL_SLICES

    def as_dict(self) -> dict:
        d = asdict(self)
        d["widths"] = list(self.widths)
        return d

    def fingerprint(self, source: str, files: str = "") -> str:
        """Hash of everything that determines the trajectory (not the budget): resume must match it.
        `files` stands for the contents of the spec's data and reference files (a hash of them)."""
        d = self.as_dict()
        for volatile in ("steps", "time_limit", "target_loss", "checkpoint_every"):
            d.pop(volatile)
        blob = json.dumps({"settings": d, "source": source, "files": files}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def resolve_settings(spec_settings, domain=None, linear=True, **overrides) -> RunSettings:
    """Merge the defaults for a problem on `domain` (`linear`: whether its residuals are affine in the
    unknowns) with the spec's settings and caller overrides (None means "not given"). Without `domain`,
    the recipe of a stationary problem is used for the model."""
    model = dict(getattr(spec_settings, "model", {}) or {})
    sample = dict(getattr(spec_settings, "sample", {}) or {})
    solve = dict(getattr(spec_settings, "solve", {}) or {})

    recipe = defaults.recipe(domain, linear) if domain is not None else {}
    optimizer = str(overrides.get("optimizer") or solve.get("optimizer") or recipe.get("optimizer", "amstramgram"))
    optimizer = optimizer.lower()
    if optimizer not in OPTIMIZERS:
        raise PdeError(f"unknown optimizer {optimizer!r}", hint=f"choose one of: {', '.join(OPTIMIZERS)}")
    loop_names = {e.name for e in schema.entries("solve")}
    options = {k: v for k, v in solve.items() if k not in loop_names and k != "optimizer"}
    if optimizer != solve.get("optimizer", optimizer):
        # The options, restarts and stall test of the spec are tuned to its optimizer: another one runs
        # without them (the training loop's own settings stay).
        options = {}
        solve = {k: v for k, v in solve.items() if k in loop_names and schema.entry(k).loop}
    options.update(overrides.get("optimizer_options") or {})

    values = {"widths": recipe.get("widths", (32, 32)), "init": "lecun", "method": recipe.get("method", "sobol"),
              **defaults.loop_defaults(optimizer)}
    values.update(model)
    values.update(sample)
    values.update(solve)
    values.pop("kind", None)
    values.update({k: v for k, v in overrides.items() if v is not None and k in KEYWORDS + ("float32",)})
    if values.get("restarts") and "restart_noise" not in values:
        values["restart_noise"] = defaults.RESTART_NOISE

    counts = dict(recipe.get("counts", {}))
    counts.update({k: v for k, v in sample.items() if k in schema.SAMPLE_TARGETS})
    counts.update(overrides.get("points") or {})
    _check(values, counts)
    fields = {f for f in RunSettings.__dataclass_fields__}
    settings = RunSettings(optimizer=optimizer, optimizer_options=options, counts=counts,
                           **{k: v for k, v in values.items()
                              if k in fields and k not in ("optimizer", "optimizer_options", "counts")})
    if settings.widths is not None:
        settings = replace(settings, widths=tuple(int(w) for w in settings.widths))
    return settings


def _check(values: dict, counts: dict) -> None:
    """The same rules for flags and keyword arguments as for the spec's own settings."""
    for group, count in counts.items():
        if not (isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10_000_000):
            raise PdeError(f"the {group} point count must be a positive whole number, not {count!r}",
                           hint="e.g. --points interior=900 boundary=120")
    for name, value in values.items():
        if name not in KEYWORDS:
            continue
        e = schema.entry(name)
        if isinstance(value, tuple) and e.kind == "widths":
            value = list(value)
        if schema.problem_with(e, value) is not None:
            raise PdeError(f"{name} must be {e.must()}, not {value!r}", hint=e.hint)
