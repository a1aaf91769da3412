"""A held-out residual loss (`val_loss`): the training loss's formula at fresh points never trained on.

The validation set has the training set's point counts, drawn uniformly at random from a stream of
its own, so the same residual function (whose per-group scale √(w/S) depends only on the counts)
gives a loss directly comparable with the training loss: a training loss far below `val_loss` is
a network that fits its points and not the equation between them. Groups whose points the spec
gives (`point:`, `data`) keep them. The causal weights of evolution problems are not applied here:
`val_loss` is always the plain loss.

`Validated` wraps any optimizer and adds `val_loss` to the stats of the same jitted step, at the
parameters the step starts from (those of its `loss`). First-order steps are cheap, so there it is
evaluated every `every` steps and the last value repeated in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.run._sampling import collocation_points

__all__ = ["Validated", "ValidatedState", "validation_data", "VALIDATION_EVERY"]

# Steps between two evaluations of val_loss, per optimizer (1 where a step costs many evaluations).
VALIDATION_EVERY = {"adam": 10, "lbfgs": 10, "gd": 10, "adam_lbfgs": 10, "ssbroyden": 10}
_STREAM = 2**32  # added to the seed: the validation stream is independent of the training points'


def validation_data(compiled, counts: dict, seed: int, dtype) -> dict:
    """Fresh per-group data shaped like the training data: uniform random points, seeded."""
    groups = collocation_points(compiled.domain, compiled.groups, counts, "random", seed + _STREAM)
    return {name: {k: jnp.asarray(v, dtype) for k, v in group.items()} for name, group in groups.items()}


class ValidatedState(NamedTuple):
    inner: Any
    count: jax.Array  # int32, steps taken since init
    last: jax.Array  # the last val_loss computed


@dataclass(frozen=True, eq=False)
class Validated:
    """`optimizer` plus `val_loss`, the loss ½‖r‖² at the held-out `data`, every `every` steps."""

    optimizer: Any
    data: Any
    every: int = 1

    def init(self, residual_fn, params, data):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        return ValidatedState(self.optimizer.init(residual_fn, params, data), jnp.zeros((), jnp.int32),
                              jnp.full((), jnp.nan, dtype))

    def step(self, residual_fn, params, state, data):
        def held_out(_):
            return (0.5 * jnp.sum(residual_fn(params, self.data) ** 2)).astype(state.last.dtype)

        value = held_out(None) if self.every == 1 else jax.lax.cond(
            state.count % self.every == 0, held_out, lambda _: state.last, None)
        params, inner, stats = self.optimizer.step(residual_fn, params, state.inner, data)
        return params, ValidatedState(inner, state.count + 1, value), {**stats, "val_loss": value}
