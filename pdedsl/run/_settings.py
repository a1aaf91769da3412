"""Run settings: what the spec says, overridden by what the caller says.

Precedence, lowest first: built-in defaults < the spec's `model`/`sample`/`solve` lines <
keyword arguments of `pdedsl.solve` (or command-line flags). Changing the optimizer drops
the spec's options for the old one (they belong to it), and its restart and stall settings
(`restarts`, `restart_above`, `restart_noise`, `stall_window`, `stall_factor`), tuned to it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from pdedsl.errors import PdeError

__all__ = ["RunSettings", "resolve_settings"]

OPTIMIZERS = ("amstramgram", "anagram", "engd", "gd", "adam", "lbfgs", "adam_lbfgs")
DEFAULT_STEPS = {"amstramgram": 500, "anagram": 500, "engd": 500, "gd": 2000, "adam": 5000, "lbfgs": 2000,
                 "adam_lbfgs": 20000}
_SOLVE_KEYS = ("optimizer", "steps", "time_limit", "target_loss", "restarts", "restart_above", "restart_noise",
               "stall_window", "stall_factor", "causal", "causal_slices")
# Settings of the training loop, not of the optimizer: another optimizer keeps them.
_LOOP_KEYS = ("optimizer", "steps", "time_limit", "target_loss", "causal", "causal_slices")


@dataclass(frozen=True)
class RunSettings:
    optimizer: str = "amstramgram"
    optimizer_options: dict = field(default_factory=dict)
    steps: int = 500
    time_limit: float | None = None  # wall seconds for the optimisation loop
    target_loss: float | None = None
    restarts: int = 0  # fresh initialisations allowed after a stall (the best attempt is kept)
    restart_above: float = 0.0  # ...but only after a stall at a loss above this
    restart_noise: float = 0.0  # > 0: restart from the best weights so far, moved by this much noise
    stall_window: int = 0  # > 0: a loss that fell by less than stall_factor over this many steps is a stall
    stall_factor: float = 10.0
    seed: int = 0
    counts: dict = field(default_factory=dict)  # "interior"/"boundary"/"initial" -> points
    method: str = "sobol"
    resample_every: int | None = None  # redraw the interior points from the residual (RAD) every this many
    # steps (0: never; None: automatic, run/_resample.py `automatic_period`)
    resample_pool: int = 0  # candidate points for the redraw; 0: 20 times the interior count
    causal: float = 0.0  # > 0: the first ε of causal training along the time coordinate (0: off)
    causal_slices: int = 32  # time slices of causal training
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

    def fingerprint(self, source: str, files: str = "") -> str:
        """Hash of everything that determines the trajectory (not the budget): resume must match it.
        `files` stands for the contents of the spec's data and reference files (a hash of them)."""
        d = self.as_dict()
        for volatile in ("steps", "time_limit", "target_loss", "checkpoint_every"):
            d.pop(volatile)
        blob = json.dumps({"settings": d, "source": source, "files": files}, sort_keys=True, default=str)
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
        # The options, restarts and stall tests of the spec are tuned to its optimizer: another one runs
        # without them (the budget keys, time_limit and target_loss, stay).
        options = {}
        solve = {k: v for k, v in solve.items() if k in _LOOP_KEYS}
    options.update(overrides.get("optimizer_options") or {})

    counts = {k: int(v) for k, v in sample.items() if k in ("interior", "boundary", "initial")}
    counts.update({k: int(v) for k, v in (overrides.get("points") or {}).items()})

    settings = RunSettings(
        optimizer=optimizer,
        optimizer_options=options,
        steps=int(solve.get("steps", DEFAULT_STEPS[optimizer])),
        time_limit=solve.get("time_limit"),
        target_loss=solve.get("target_loss"),
        restarts=int(solve.get("restarts", 0)),
        restart_above=float(solve.get("restart_above", 0.0)),
        restart_noise=float(solve.get("restart_noise", 0.0)),
        stall_window=int(solve.get("stall_window", 0)),
        stall_factor=float(solve.get("stall_factor", 10.0)),
        counts=counts,
        method=str(sample.get("method", "sobol")),
        resample_every=sample.get("resample_every"),
        resample_pool=int(sample.get("resample_pool", 0)),
        causal=float(solve.get("causal", 0.0)),
        causal_slices=int(solve.get("causal_slices", 32)),
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
    settings = replace(settings, **chosen)
    _check(settings)
    return settings


def _whole(value, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


_INF = float("inf")
# The range of each run setting a flag, a keyword or the spec may set: (name, whole number or not, low,
# high, what the message says it must be, hint). A value of None is "not set" for those that may be.
_RANGES = (
    ("steps", True, 1, _INF, "a positive whole number", "pass --steps N with N >= 1"),
    ("seed", True, 0, 2**32 - 1, f"a whole number from 0 to {2**32 - 1}", "pass --seed S with 0 <= S < 2^32"),
    ("checkpoint_every", True, 0, _INF, "a whole number >= 0", "pass --checkpoint-every K (0: only at the end)"),
    ("n_test", True, 1, _INF, "a positive whole number", "e.g. n_test=10000"),
    ("restarts", True, 0, 100, "a whole number from 0 to 100",
     "pass --restarts N (or restarts = N in the solve line) with 0 <= N <= 100"),
    ("restart_above", False, 0, _INF, "a loss >= 0",
     "restart only after a stall above this training loss; 0 restarts after any stall"),
    ("stall_window", True, 0, 100_000, "a whole number of steps from 0 to 100000",
     "0 turns the test off; e.g. 20 with stall_factor 10: a stall is less than 10x over 20 steps"),
    ("stall_factor", False, 1, 1e300, "a number >= 1", "the loss must fall by at least this factor over stall_window steps"),
    ("resample_every", True, 0, 1_000_000, "a whole number of steps from 0 to 1000000",
     "redraw the interior points from the residual every N steps; 0 never does"),
    ("resample_pool", True, 0, 10_000_000, "a whole number from 0 to 10000000",
     "the number of candidate points; 0 takes 20 times the interior count"),
    ("causal", False, 0, 1e12, "a number from 0 to 1e12 (the first ε)",
     "e.g. causal = 1 trains time slices in order; 0 turns it off"),
    ("causal_slices", True, 1, 10_000, "a whole number from 1 to 10000",
     "the number of time slices of causal training, e.g. 32"),
    ("restart_noise", False, 0, 1e3, "a number from 0 to 1000",
     "0 restarts from a fresh initialisation; e.g. 1e-2 perturbs the best weights by 1 %"),
)
_OPTIONAL = ("resample_every",)


def _in_range(value, whole: bool, low, high) -> bool:
    kinds = (int,) if whole else (int, float)
    return isinstance(value, kinds) and not isinstance(value, bool) and low <= value <= high


def _check(settings: RunSettings) -> None:
    """The same rules for flags and keyword arguments as for the spec's own settings."""
    def fail(message, hint):
        raise PdeError(message, hint=hint)

    for group, count in settings.counts.items():
        if not (_whole(count, 1) and count <= 10_000_000):
            fail(f"the {group} point count must be a positive whole number, not {count!r}",
                 "e.g. --points interior=900 boundary=120")
    for name in ("time_limit", "target_loss"):
        value = getattr(settings, name)
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            fail(f"{name} must be a positive number, not {value!r}", f"pass a {name.replace('_', ' ')} > 0")
    for name, whole, low, high, must, hint in _RANGES:
        value = getattr(settings, name)
        if not (value is None and name in _OPTIONAL) and not _in_range(value, whole, low, high):
            fail(f"{name} must be {must}, not {value!r}", hint)
