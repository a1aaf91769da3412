"""Optimizer wrappers the runner puts around the configured optimizer.

Each wraps any optimizer of the solver core (pure `init` / `step`) and adds one thing inside the same
jitted step, so it costs no second host synchronisation:

* `Monitored`: the error against the exact (or reference) solution at fixed test points, as stats
  `rel_l2`, `abs_l2` and `param/NAME` for the learned scalars. The test points are part of the
  wrapper, not of the solver's data.
* `StallWindow`: the runner's stall test. The step reports `Status.STALLED` in ``stats["status"]``
  when the loss fell by less than a factor `factor` over the last `window` steps of this stretch (a
  stretch starts at `init`: a restart or a redraw of the points). The losses of the window are part
  of the optimizer state, so a resumed run sees the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.run._assemble import learned_scalars, network_params
from pdedsl.solvers import Status

__all__ = ["Monitored", "StallWindow", "StallWindowState"]


@dataclass(frozen=True, eq=False)
class Monitored:
    """`optimizer` plus the error of the updated network at `points` (N, dim) against `values` (N, k)."""

    optimizer: Any
    model: Any
    points: jax.Array
    values: jax.Array

    def init(self, residual_fn, params, data):
        return self.optimizer.init(residual_fn, params, data)

    def step(self, residual_fn, params, state, data):
        params, state, stats = self.optimizer.step(residual_fn, params, state, data)
        pred = jax.vmap(self.model.apply, in_axes=(None, 0))(network_params(params), self.points)
        diff = pred - self.values
        stats = {**stats, "rel_l2": jnp.linalg.norm(diff) / jnp.linalg.norm(self.values),
                 "abs_l2": jnp.sqrt(jnp.mean(diff**2))}
        stats.update({f"param/{name}": value for name, value in learned_scalars(params).items()})
        return params, state, stats


class StallWindowState(NamedTuple):
    inner: Any
    losses: jax.Array  # (window + 1,) the losses before the last window + 1 steps, a ring
    count: jax.Array  # int32, steps taken since init


@dataclass(frozen=True)
class StallWindow:
    """`optimizer`, stopped as stalled when its loss fell by less than `factor` over `window` steps."""

    optimizer: Any
    window: int
    factor: float

    def init(self, residual_fn, params, data):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        return StallWindowState(self.optimizer.init(residual_fn, params, data),
                                jnp.zeros(self.window + 1, dtype), jnp.zeros((), jnp.int32))

    def step(self, residual_fn, params, state, data):
        params, inner, stats = self.optimizer.step(residual_fn, params, state.inner, data)
        loss = stats["loss"]
        ring = self.window + 1
        earlier = state.losses[(state.count + 1) % ring]  # the loss `window` steps before this one
        slow = (state.count >= self.window) & ~(loss * self.factor <= earlier)
        own = stats.get("status", jnp.zeros((), jnp.int32))
        status = jnp.where(own != 0, own, jnp.where(slow, Status.STALLED.code, 0)).astype(jnp.int32)
        losses = state.losses.at[state.count % ring].set(loss.astype(state.losses.dtype))
        return params, StallWindowState(inner, losses, state.count + 1), {**stats, "status": status}
