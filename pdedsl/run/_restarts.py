"""Restarts (`restarts = N`): the attempts of a run, the best one kept, and where a restart starts.

After an attempt ends as stalled (or non-finite) with restarts left, the next attempt starts with
`restart_noise` σ > 0 (0.1 by default when restarts are on) from the best finished attempt's
parameters with every array moved by σ·std(array)·N(0, 1) — a stall near a solution is a local floor
that a small jump leaves (docs/solvers.md) — or, with σ = 0, from a fresh initialisation from
`fold_in(PRNGKey(seed), attempt)`. When the attempt that just ended is within the stall factor (10×)
of the best, it is at the same level and the next one starts from it instead: on a flat stretch (the
plateau of a small initialisation) the attempts' losses differ by noise, and going back to the lowest
one would throw away the steps taken since.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.settings import STALL_FACTOR

__all__ = ["Attempts", "perturbed", "ranked"]


def ranked(loss: float) -> float:
    """A loss as restarts compare it: a non-finite loss is worse than any finite one."""
    return loss if math.isfinite(loss) else math.inf


def perturbed(params, sigma: float, entropy, dtype):
    """Each array leaf plus σ·std(leaf)·N(0, 1); scalar leaves (std 0) are unchanged. The noise is drawn
    on the host by NumPy from `entropy` (e.g. (seed, attempt)): a restart compiles nothing (drawn by
    JAX op by op, the first restart of a run spent ~0.6 s compiling)."""
    rng = np.random.default_rng(entropy)

    def move(leaf):
        leaf = np.asarray(leaf, dtype)
        return jnp.asarray(leaf + sigma * np.std(leaf) * rng.standard_normal(leaf.shape).astype(dtype))

    return jax.tree_util.tree_map(move, params)


@dataclass
class Attempts:
    """The attempt now running, a summary of each finished one, and the best finished one."""

    current: int = 0
    finished: list = field(default_factory=list)  # {"attempt", "steps", "end_step", "loss", "status"} each
    best_loss: float = math.inf
    best: Any = None  # parameters of the finished attempt with the lowest finite loss, on the host
    last: Any = None  # parameters the last finished attempt ended with (read by the next start only)

    def first_step(self) -> int:
        """The global step at which the current attempt started."""
        return self.finished[-1]["end_step"] if self.finished else 0

    def finish(self, loss: float, params, steps: int, status: str) -> None:
        self.finished.append({"attempt": self.current, "steps": steps - self.first_step(), "end_step": steps,
                              "loss": loss, "status": status})
        self.last = jax.device_get(params)
        if ranked(loss) < self.best_loss:
            self.best_loss, self.best = loss, self.last
        self.current += 1

    def start_params(self, seed: int, restart_noise: float, fresh, dtype):
        """Parameters of the current attempt: `fresh(key)` for attempt 0 and plain restarts; with
        `restart_noise` > 0 the last finished attempt's perturbed when its loss is within the stall factor
        of the best one's (the same level), the best finished attempt's otherwise."""
        if self.current and restart_noise > 0 and self.best is not None:
            same_level = self.last is not None and ranked(self.finished[-1]["loss"]) <= STALL_FACTOR * self.best_loss
            return perturbed(self.last if same_level else self.best, restart_noise, (seed, self.current), dtype)
        key = jax.random.PRNGKey(seed)
        return fresh(jax.random.fold_in(key, self.current) if self.current else key)

    def kept(self, params, loss: float, steps: int, status: str):
        """(params to report, attempt summaries or None): the best attempt's when restarts happened."""
        if not self.finished:
            return params, None
        summaries = self.finished + [{"attempt": self.current, "steps": steps - self.first_step(),
                                      "end_step": steps, "loss": loss, "status": status}]
        if self.best is not None and self.best_loss < ranked(loss):
            return self.best, summaries
        return params, summaries
