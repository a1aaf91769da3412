"""Run settings: the defaults, what the spec says, and what the caller says.

Precedence, lowest first: the default recipe (run/_defaults.py: rules that read the problem's
dimension, time coordinate and domain) < the spec's `model`/`sample`/`solve` lines < keyword arguments
of `pdedsl.solve` (or command-line flags). Names, kinds and ranges come from the one table of settings,
`pdedsl.settings`: `RunSettings` has one field per entry of `ENTRIES`, made from the table (with the
entry's default; None, "automatic", is filled here or by the code that reads it), after the fields
that are not settings of the table (the optimizer, its options, the point counts, the precision).
Changing the optimizer drops the spec's options for the old one (they belong to it), and the settings
of the table that are tuned to it (`restarts`, `restart_noise`, `stall_window`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field, make_dataclass, replace

from pdedsl import settings as schema
from pdedsl.errors import PdeError
from pdedsl.run import _defaults as defaults

__all__ = ["RunSettings", "resolve_settings", "settings_class"]

OPTIMIZERS = schema.OPTIMIZERS
_TYPES = {"int": int, "float": float, "choice": str, "widths": tuple, "flag": bool}


@dataclass(frozen=True)
class _Run:
    """The settings of a run that are not entries of the table; `RunSettings` adds one field per entry."""

    optimizer: str = "amstramgram"
    optimizer_options: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)  # "interior"/"boundary"/"initial" -> points
    float32: bool = False

    def as_dict(self) -> dict:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    def fingerprint(self, source: str, files: str = "") -> str:
        """Hash of everything that determines the trajectory (not the budget): resume must match it.
        `files` stands for the contents of the spec's data and reference files (a hash of them)."""
        budget = {e.name for e in schema.ENTRIES if not e.trajectory}
        d = {k: v for k, v in self.as_dict().items() if k not in budget}
        d.update(_constants())
        blob = json.dumps({"settings": d, "source": source, "files": files}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _constants() -> dict:
    """The constants of `pdedsl.settings` that shape the trajectory, under the names and with the values
    they had as fields of the run settings, which keeps the fingerprints of earlier runs (a pool of 0
    stood for the default, 20 candidates per point)."""
    pool = 0 if schema.RESAMPLE_POOL == 20 else f"{schema.RESAMPLE_POOL} per point"
    return {"resample_pool": pool, "causal_slices": schema.CAUSAL_SLICES}


def settings_class() -> type:
    """The class of the run settings of the table as it is now (`RunSettings` unless the table changed)."""
    return _make_class(schema.ENTRIES)


@functools.lru_cache(maxsize=None)
def _make_class(entries: tuple) -> type:
    fields = [(e.name, _TYPES[e.kind] if e.default is not None else _TYPES[e.kind] | None,
               field(default=e.default)) for e in entries]
    doc = ("The resolved settings of one run: the optimizer, its options, the point counts, the precision, "
           "and one field per entry of `pdedsl.settings.ENTRIES`.")
    return make_dataclass("RunSettings", fields, bases=(_Run,), frozen=True,
                          namespace={"__module__": __name__, "__doc__": doc})


RunSettings = settings_class()


def resolve_settings(spec_settings, domain=None, linear=True, unknowns=1, **overrides) -> RunSettings:
    """Merge the defaults for a problem on `domain` (`linear`: whether its residuals are affine in the
    unknowns; `unknowns`: how many it has) with the spec's settings and caller overrides (None means
    "not given"). Without `domain`, the recipe of a stationary problem is used for the model."""
    model = dict(getattr(spec_settings, "model", {}) or {})
    sample = dict(getattr(spec_settings, "sample", {}) or {})
    solve = dict(getattr(spec_settings, "solve", {}) or {})

    recipe = defaults.recipe(domain, linear, unknowns) if domain is not None else {}
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

    # The automatic defaults (None in the table) that are known before the run; `target_loss` and
    # `resample_every` stay None, for the training loop and run/_resample.py to fill.
    values = {"widths": recipe.get("widths", (32, 32)), "init": "lecun", "method": recipe.get("method", "sobol"),
              "steps": defaults.UNLIMITED_STEPS, "time_limit": defaults.TIME_LIMIT,
              **defaults.loop_defaults(optimizer)}
    values.update(model)
    values.update(sample)
    values.update(solve)
    values.pop("kind", None)
    keywords = schema.keywords()
    values.update({k: v for k, v in overrides.items() if v is not None and (k in keywords or k == "float32")})
    values.setdefault("restart_noise", defaults.RESTART_NOISE if values.get("restarts") else 0.0)

    counts = dict(recipe.get("counts", {}))
    counts.update({k: v for k, v in sample.items() if k in schema.SAMPLE_TARGETS})
    counts.update(overrides.get("points") or {})
    _check(values, counts, keywords)
    cls = settings_class()
    fields = set(cls.__dataclass_fields__)
    settings = cls(optimizer=optimizer, optimizer_options=options, counts=counts,
                   **{k: v for k, v in values.items()
                      if k in fields and k not in ("optimizer", "optimizer_options", "counts")})
    if settings.widths is not None:
        settings = replace(settings, widths=tuple(int(w) for w in settings.widths))
    return settings


def _check(values: dict, counts: dict, keywords) -> None:
    """The same rules for flags and keyword arguments as for the spec's own settings."""
    for group, count in counts.items():
        if not (isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10_000_000):
            raise PdeError(f"the {group} point count must be a positive whole number, not {count!r}",
                           hint="e.g. --points interior=900 boundary=120")
    for name, value in values.items():
        if name not in keywords:
            continue
        e = schema.entry(name)
        if isinstance(value, tuple) and e.kind == "widths":
            value = list(value)
        if schema.problem_with(e, value) is not None:
            raise PdeError(f"{name} must be {e.must()}, not {value!r}", hint=e.hint)
