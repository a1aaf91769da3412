"""Adaptive resampling (`resample_every = N`, docs/usage.md): every N steps the interior points are
redrawn from the residual (RAD, `residual_density_sample`).

Across a redraw an optimizer keeps the parts of its state that hold nothing tied to the points
(`KEEPS_STATE`): all of AMStramGRAM's (crossing factor, sketch level), Adam's and gradient descent's;
L-BFGS's step count (its memory and line-search values start afresh); `adam_lbfgs`'s step count and
Adam moments (so the switch to L-BFGS stays where it was); SSBroyden's step count and inverse Hessian
(no pair is taken across the redraw: its gradients belong to two different losses). The causal ε is
kept; the stall window and the held-out loss's counter start afresh; ANaGRAM (its momentum lives in
function space) and ENGD start a fresh state.

Evolution problems redraw without being asked (`automatic_period`): a problem with a time
coordinate, sampled (not gridded) interior points, no given data points and an optimizer of
`AUTO_EVERY` redraws every `AUTO_EVERY[optimizer]` steps unless the spec sets `resample_every`.

The residual size is evaluated at the candidate pool vmapped, in fixed-size chunks with `lax.map`.
The number of points does not change, so the residual function (its per-group scale √(w/S) depends
only on the count) and the compiled step are reused.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl import settings as schema
from pdedsl.run._causal import CausalState
from pdedsl.run._sampling import interior_groups, residual_density_sample
from pdedsl.run._validation import ValidatedState
from pdedsl.run._wrappers import StallWindowState

__all__ = ["Resampler", "KEEPS_STATE", "AUTO_EVERY", "carried_state", "automatic_period"]

_BATCH = 4096  # candidates scored per chunk
# optimizer -> the fields of its state kept across a redraw (None: all of it)
KEEPS_STATE = {"amstramgram": None, "adam": None, "gd": None, "lbfgs": ("step",), "adam_lbfgs": ("step", "adam"),
               "ssbroyden": ("step", "inverse_hessian", "updates")}
AUTO_EVERY = {"amstramgram": 10, "adam": 100, "gd": 100, "lbfgs": 500, "adam_lbfgs": 500, "ssbroyden": 100}
_WRAPPED = (ValidatedState, StallWindowState, CausalState)  # runner wrappers' states, each with `inner`


def carried_state(fresh, old, fields=None):
    """`fresh` (a new init) with the optimizer's own state, or its `fields`, and the causal ε taken
    from `old`; the other wrappers start afresh."""
    if isinstance(fresh, CausalState):  # the causal ε reached is kept too: it belongs to no points
        return fresh._replace(inner=carried_state(fresh.inner, old.inner, fields), eps=old.eps)
    if isinstance(fresh, _WRAPPED):
        return fresh._replace(inner=carried_state(fresh.inner, old.inner, fields))
    return old if fields is None else fresh._replace(**{name: getattr(old, name) for name in fields})


def automatic_period(compiled, settings) -> int:
    """The redraw period: the spec's or flag's `resample_every`, else automatic (0: no redraws)."""
    if settings.resample_every is not None:
        return settings.resample_every
    evolution = getattr(compiled.domain, "time", None) is not None
    sampled = settings.method != "grid" and all(getattr(g, "fixed", None) is None for g in compiled.groups)
    return AUTO_EVERY.get(settings.optimizer, 0) if evolution and sampled else 0


class Resampler:
    """Which groups are redrawn, when, and the record of each redraw (`rows`, checkpointed)."""

    def __init__(self, compiled, settings, dtype):
        self.domain, self.settings, self.dtype = compiled.domain, settings, dtype
        self.every = automatic_period(compiled, settings)
        self.groups = interior_groups(compiled.groups) if self.every else []
        self.rows: list[dict] = []  # {"step", "loss_before", "loss_after"} per redraw
        self._score = None

    def due(self, step: int) -> bool:
        """A redraw belongs before step `step` (never at the start or at the end of the budget)."""
        return bool(self.groups) and 0 < step < self.settings.steps and step % self.every == 0

    def pending(self, step: int) -> bool:
        """Due at `step` and not yet done (a run that stopped on a redraw step before redrawing)."""
        return self.due(step) and not (self.rows and self.rows[-1]["step"] == step)

    def points(self, data) -> np.ndarray | None:
        """The current interior points (None without resampling or before any redraw)."""
        return np.asarray(data[self.groups[0]]["points"]) if self.rows else None

    def with_points(self, data: dict, points) -> dict:
        """`data` with `points` as the interior groups' points."""
        new = dict(data)
        for name in self.groups:
            new[name] = {**data[name], "points": jnp.asarray(points, self.dtype)}
        return new

    def redraw(self, residual_fn, params, data: dict, step: int, loss) -> dict:
        """New data, its interior points drawn from the residual of `params`; records the redraw."""
        n = int(data[self.groups[0]]["points"].shape[0])
        pool = schema.RESAMPLE_POOL * n
        rng = np.random.default_rng(np.random.SeedSequence([self.settings.seed, 3, len(self.rows)]))
        before = loss(params, data)
        points = residual_density_sample(lambda x: self._residual_size(residual_fn, params, x), self.domain, n,
                                         pool, rng)
        data = self.with_points(data, points)
        self.rows.append({"step": step, "loss_before": before, "loss_after": loss(params, data)})
        return data

    def _residual_size(self, residual_fn, params, candidates: np.ndarray) -> np.ndarray:
        """|r(x)| over the interior groups (every component), at many points, in fixed-size batches."""
        if self._score is None:
            groups = [g for g in residual_fn.groups if g.key in self.groups]

            def size(p, x):
                return jnp.sqrt(sum(jnp.sum(jnp.ravel(g.fn(p, {"points": x})) ** 2) for g in groups))

            self._score = jax.jit(lambda p, xs: jax.lax.map(lambda chunk: jax.vmap(size, (None, 0))(p, chunk), xs))
        m = len(candidates)
        padded = np.concatenate([candidates, np.repeat(candidates[:1], -m % _BATCH, axis=0)])
        chunks = jnp.asarray(padded.reshape(-1, _BATCH, candidates.shape[1]), self.dtype)
        return np.asarray(self._score(params, chunks)).reshape(-1)[:m]
