"""The one table of run settings: every name a spec, a flag or a keyword of `pdedsl.solve` can set.

Each `Entry` says what a setting is (its kind and range), where it may be written (the spec's `model`,
`sample` or `solve` line, a command-line flag, a keyword of `pdedsl.solve`), its default and the hint an
error shows. The spec checker (pdedsl/language/_settings.py), the flags of `pdedsl solve`
(pdedsl/run/_commands.py), the keywords of `pdedsl.solve` and the fields of `RunSettings`
(pdedsl/run/_settings.py) are all read off `ENTRIES` when they are used, so a new runner setting is one
entry here and its line in docs/usage.md (and the code that reads its value from the run's settings).

The lists of names (optimizers, activations, initialisers, sampling methods) are written here once;
tests/test_settings_schema.py holds them to the solver registry and the geometry.

This module is a leaf: it imports the standard library only, so that the language (which must not
import the runner or the solver core) and the runner can both read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Entry", "ENTRIES", "OPTIMIZERS", "ACTIVATIONS", "INITIALIZERS", "SAMPLE_METHODS", "SAMPLE_TARGETS",
           "MODELS", "FIXED_OPTIONS", "RETIRED", "IGNORED", "STALL_FACTOR", "RESAMPLE_POOL", "CAUSAL_SLICES",
           "entry", "entries", "keywords", "problem_with", "spec_names"]

OPTIMIZERS = ("amstramgram", "anagram", "engd", "gd", "adam", "lbfgs", "adam_lbfgs", "ssbroyden")
NATURAL_GRADIENT = ("amstramgram", "anagram", "engd")
ACTIVATIONS = ("tanh", "sin", "cos", "softplus", "sigmoid", "gelu", "silu")
INITIALIZERS = ("glorot", "lecun", "normal")
SAMPLE_METHODS = ("random", "sobol", "halton", "grid")
SAMPLE_TARGETS = ("interior", "boundary", "initial")
MODELS = ("mlp",)

# Constants that used to be settings (docs/usage.md, "Defaults"):
STALL_FACTOR = 10.0  # a stall: the loss fell by less than this factor over the stall window
RESAMPLE_POOL = 20  # a redraw scores this many candidates per interior point
CAUSAL_SLICES = 32  # time slices of causal training

# Fields of the solver core's optimizer configs that a spec or a flag cannot set: their defaults are
# the documented constants of docs/solvers.md (Python code can still pass them to the configs).
FIXED_OPTIONS = ("search_stride", "step_sizes", "rcond", "tau_range", "short_step", "scale_columns")

# Names that were settings and are not any more: the error's hint says what replaced them.
RETIRED = {
    "patience": "the runner's stall test replaces it: `stall_window` (a stall is less than 10x over the window)",
    "min_decrease": "the runner's stall test replaces it: `stall_window` (a stall is less than 10x over the window)",
    "stall_factor": "a stall is a loss that fell by less than 10x over `stall_window` steps (a constant)",
    "restart_above": "a stall restarts unless the loss is at the target (`target_loss`, automatic: round-off)",
    "resample_pool": "a redraw scores 20 candidates per interior point (a constant)",
    "causal_slices": "causal training cuts the time interval into 32 slices (a constant)",
}
# Retired names a spec may still write; they have no effect (docs/usage.md says so).
IGNORED = ("patience",)


@dataclass(frozen=True)
class Entry:
    """One setting.

    kind: "int", "float", "choice", "widths" or "flag" (true/false). `low`/`high` bound a number.
    line: the spec line that may set it ("model", "sample", "solve"), or None.
    flag: its command-line flag, or None. keyword: whether `pdedsl.solve` takes it as a keyword.
    default: the value without any setting; None where the rules of docs/usage.md pick it ("automatic").
    loop: a setting of the training loop, kept when a flag or keyword changes the optimizer (the others
    are tuned to the spec's optimizer and dropped with it).
    trajectory: whether it shapes the run's trajectory, so that a resume must keep it (the run's
    fingerprint covers it); False for the budgets and the checkpoint period, which a resume may change.
    """

    name: str
    kind: str
    hint: str
    default: object = None
    low: float = -math.inf
    high: float = math.inf
    choices: tuple = ()
    line: str | None = "solve"
    flag: str | None = None
    keyword: bool = True
    loop: bool = True
    trajectory: bool = True
    metavar: str = "N"

    def must(self) -> str:
        """What a value must be, for an error message."""
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "widths":
            return "a list of positive whole numbers"
        if self.kind == "flag":
            return "true or false"
        what = "a whole number" if self.kind == "int" else "a number"
        if self.high == math.inf and self.low in (1, _POS):
            return f"a positive {what[2:]}"
        if self.low == -math.inf:
            return what
        if self.high == math.inf:
            return f"{what} >= {_show(self.low)}" if self.low else f"{what} >= 0"
        return f"{what} from {_show(self.low)} to {_show(self.high)}"


def _show(x) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e10 else f"{x:g}".replace("e+", "e")


_POS = 5e-324  # "> 0" as a closed lower bound

ENTRIES: tuple[Entry, ...] = (
    # model line
    Entry("widths", "widths", "hidden-layer widths, e.g. widths = [32, 32] (--widths 32,32)", line="model",
          flag="--widths", metavar="W1,W2"),
    Entry("activation", "choice", "the activation of the hidden layers", "tanh", choices=ACTIVATIONS,
          line="model", flag="--activation", metavar="NAME"),
    Entry("init", "choice", "the initialisation of the weights", choices=INITIALIZERS, line="model",
          flag="--init", metavar="NAME"),
    # sample line
    Entry("method", "choice", "how the collocation points are laid out", choices=SAMPLE_METHODS, line="sample",
          flag="--method", metavar="M"),
    Entry("resample_every", "int", "redraw the interior points from the residual every N steps; 0 never does",
          low=0, high=1_000_000, line="sample", flag="--resample-every"),
    # solve line: the training loop
    Entry("steps", "int", "the step budget (default: none, the time budget ends the run)", low=1,
          flag="--steps", trajectory=False),
    Entry("time_limit", "float", "the wall-time budget of the training loop, in seconds", low=_POS,
          flag="--time-limit", trajectory=False, metavar="SECONDS"),
    Entry("target_loss", "float", "stop when the training loss is at or below this (default: round-off)",
          low=_POS, flag="--target-loss", trajectory=False, metavar="LOSS"),
    Entry("restarts", "int", "after a stall above the target, start again up to N times; the best is kept",
          low=0, high=100, flag="--restarts", loop=False),
    Entry("restart_noise", "float", "restart from the best weights, each array moved by this times its "
          "standard deviation; 0 restarts from a fresh initialisation", low=0, high=1e3, flag="--restart-noise",
          loop=False, metavar="SIGMA"),
    Entry("stall_window", "int", "a loss that fell by less than 10x over this many steps is a stall; 0 turns "
          "the test off", low=0, high=100_000, flag="--stall-window", loop=False, metavar="W"),
    Entry("causal", "float", "the first ε of causal training along time; 0 turns it off", 0.0, low=0, high=1e12,
          flag="--causal", metavar="EPS"),
    # the run, not the spec
    Entry("seed", "int", "pass --seed S with 0 <= S < 2^32", 0, low=0, high=2**32 - 1, line=None, flag="--seed",
          metavar="S"),
    Entry("checkpoint_every", "int", "pass --checkpoint-every K (0: only at the end)", 50, low=0, line=None,
          flag="--checkpoint-every", trajectory=False, metavar="K"),
    Entry("n_test", "int", "e.g. n_test=10000", 10_000, low=1, line=None),
)

# Everything below reads `ENTRIES` when called (nothing is derived at import), and so do the readers of
# the table: a test that adds an entry sees it in the spec checker, the flags, the keywords and
# `RunSettings` (tests/test_settings_schema.py).


def entry(name: str) -> Entry:
    """The entry of `name` (KeyError when there is none)."""
    for e in ENTRIES:
        if e.name == name:
            return e
    raise KeyError(name)


def entries(line: str | None = None) -> tuple[Entry, ...]:
    """The entries a spec line may set (all of them without `line`)."""
    return ENTRIES if line is None else tuple(e for e in ENTRIES if e.line == line)


def keywords() -> tuple[str, ...]:
    """The settings `pdedsl.solve` takes as keywords (the flags of `pdedsl solve` arrive as them)."""
    return tuple(e.name for e in ENTRIES if e.keyword)


def problem_with(e: Entry, value) -> str | None:
    """What is wrong with `value` for the setting `e`, or None (None itself: "not set", always fine)."""
    if value is None:
        return None
    if e.kind == "choice":
        return None if value in e.choices else e.must()
    if e.kind == "flag":
        return None if isinstance(value, bool) else e.must()
    if e.kind == "widths":
        ok = (isinstance(value, (list, tuple)) and len(value) > 0
              and all(isinstance(w, int) and not isinstance(w, bool) and 0 < w <= 100_000 for w in value))
        return None if ok else e.must()
    kinds = (int,) if e.kind == "int" else (int, float)
    ok = isinstance(value, kinds) and not isinstance(value, bool) and e.low <= value <= e.high
    return None if ok and (e.kind == "int" or math.isfinite(value)) else e.must()


def spec_names(optimizer_fields) -> tuple[str, ...]:
    """Every name a spec can set for an optimizer whose config has the fields `optimizer_fields`."""
    own = tuple(f for f in optimizer_fields if f not in FIXED_OPTIONS)
    return tuple(e.name for e in ENTRIES if e.line is not None) + own
