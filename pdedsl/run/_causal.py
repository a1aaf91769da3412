"""Causal training of evolution problems (`causal = ε` in the `solve` line).

*Respecting causality is all you need for training physics-informed neural networks* (Wang,
Sankaran, Perdikaris, 2022): the time interval is cut into M slices, L_k is the mean squared
interior residual of the points in slice k, and the residual of slice i is weighted by

    w_i = exp(−ε Σ_{k<i} L_k(θ)),

so a slice is fitted only once the slices before it are. The weights are data, not functions of θ:
they are computed at the parameters a step starts from, under `stop_gradient`, and enter as a
per-point factor √w of the interior residual rows (`r_i ← √w_i r_i`), so the loss the step sees is
½ Σ_g (w_g/S_g) Σ_i w(t_i) R_g(x_i)² and a natural-gradient step solves the weighted least-squares
problem. ε is raised ten-fold (at most to `EPS_GROWTH` times its start) after any step at which all
weights exceed `ALL_ONE` (the slices are all fitted at this ε), as the paper's annealing does. A
restart starts again from the first ε; a redraw of the points keeps the ε reached.

`Causal` wraps any optimizer; the weighting happens inside the same jitted step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from pdedsl import settings as schema
from pdedsl.errors import PdeError
from pdedsl.run._assemble import WEIGHT_KEY
from pdedsl.run._sampling import interior_groups

__all__ = ["Causal", "causal_optimizer", "CausalState", "causal_weights", "slice_index", "ALL_ONE", "EPS_GROWTH"]

ALL_ONE = 0.99  # all weights above this: the slices are fitted at this ε, raise it
EPS_GROWTH = 1e6  # ε never exceeds its start times this


def slice_index(t, low: float, high: float, slices: int):
    """The slice (0 … slices − 1) of each time `t`, slices of equal length on [low, high]."""
    k = jnp.floor((t - low) / (high - low) * slices).astype(jnp.int32)
    return jnp.clip(k, 0, slices - 1)


def causal_weights(slice_losses, eps):
    """w_i = exp(−ε Σ_{k<i} L_k) for the slice losses L (M,)."""
    before = jnp.cumsum(slice_losses) - slice_losses
    return jnp.exp(-eps * before)


class CausalState(NamedTuple):
    inner: Any
    eps: jax.Array  # the current ε


@dataclass(frozen=True, eq=False)
class Causal:
    """`optimizer` trained in causal order along `axis` ([low, high] cut into `slices`) from ε = `eps`."""

    optimizer: Any
    groups: tuple  # names of the interior residual groups (they share one point set)
    axis: int
    low: float
    high: float
    eps: float
    slices: int = 32

    def init(self, residual_fn, params, data):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        return CausalState(self.optimizer.init(residual_fn, params, data), jnp.asarray(self.eps, dtype))

    def weights(self, residual_fn, params, data, eps):
        """(√w per interior point (N,), w per slice (M,)) at `params`, as constants."""
        points = data[self.groups[0]]["points"]
        squared = 0.0
        for g in residual_fn.groups:
            if g.key in self.groups:
                values = jax.vmap(lambda x, g=g: jnp.ravel(g.fn(params, {"points": x})))(points)
                squared = squared + jnp.sum(values**2, axis=1)
        index = slice_index(points[:, self.axis], self.low, self.high, self.slices)
        total = jax.ops.segment_sum(squared, index, self.slices)
        count = jax.ops.segment_sum(jnp.ones_like(squared), index, self.slices)
        w = jax.lax.stop_gradient(causal_weights(total / jnp.maximum(count, 1.0), eps))
        return jnp.sqrt(w)[index], w

    def step(self, residual_fn, params, state, data):
        root, w = self.weights(residual_fn, params, data, state.eps)
        weighted = dict(data)
        for name in self.groups:
            weighted[name] = {**data[name], WEIGHT_KEY: root}
        params, inner, stats = self.optimizer.step(residual_fn, params, state.inner, weighted)
        fitted = jnp.min(w) > ALL_ONE
        eps = jnp.where(fitted, jnp.minimum(state.eps * 10.0, self.eps * EPS_GROWTH), state.eps)
        stats = {**stats, "causal_eps": state.eps, "causal_min_weight": jnp.min(w)}
        return params, CausalState(inner, eps.astype(state.eps.dtype)), stats


def causal_optimizer(optimizer, compiled, settings) -> Causal:
    """`optimizer` trained in causal order along the problem's time coordinate; a PdeError at the
    spec's `causal` setting when there is no time coordinate or no interior equation."""
    domain = compiled.domain
    groups = tuple(interior_groups(compiled.groups))
    if domain.time_axis is None or not groups:
        span = compiled.settings.solve_spans.get("causal") if compiled.settings.solve.get("causal") else None
        why = "a time coordinate" if domain.time_axis is None else "an interior equation"
        err = PdeError(f"causal training needs {why}: this problem has none", span,
                       hint="name the time coordinate t in the domain (e.g. `domain t in [0, 1], x in [0, 1]`), "
                            "or drop `causal`")
        if span is not None and getattr(compiled, "filename", None) is not None:
            err.with_source(compiled.filename, compiled.text)
        raise err
    low, high = domain.lows[domain.time_axis], domain.highs[domain.time_axis]
    return Causal(optimizer, groups, domain.time_axis, float(low), float(high), float(settings.causal),
                  schema.CAUSAL_SLICES)
