"""Batched grid line search: all trial step sizes in one call inside the jitted step.

For a direction d, the trial points are θ − η_k d for the grid η_k (default 0.5^k, k = 0..30); their
losses ½‖r(θ − η_k d)‖² come from a single `jax.lax.map` call (no host round trip).
Non-finite trial losses count as +inf.
A step is *accepted* only when the best trial loss is strictly below the current loss.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._jacobian import half_squared_norm

__all__ = ["DEFAULT_STEP_SIZES", "LineSearchResult", "grid_line_search", "trial_losses"]

DEFAULT_STEP_SIZES: tuple[float, ...] = tuple(0.5**k for k in range(31))


class LineSearchResult(NamedTuple):
    step_size: jax.Array  # η of the best trial (0 when rejected and `reject` is set)
    loss: jax.Array  # loss at the returned θ
    theta: jax.Array  # (P,) the new flat parameters
    accepted: jax.Array  # bool: best trial loss < current loss


def trial_losses(residual, theta, directions, step_sizes) -> jax.Array:
    """Losses at θ − η d for every row of `directions` (K, P) paired with `step_sizes` (K,).

    Returns shape (K,), with +inf where the loss is not finite.
    """

    def one(args):
        direction, eta = args
        return half_squared_norm(residual(theta - eta * direction))

    # One call, evaluated trial after trial (`lax.map`) rather than `vmap`ped: the K trials of a vmap
    # make K·S·width intermediates that fall out of cache; sequential trials measured 2-3.6x faster
    # on CPU on every seed problem (docs/performance.md), with the same results.
    losses = jax.lax.map(one, (directions, step_sizes))
    return jnp.where(jnp.isfinite(losses), losses, jnp.inf)


def grid_line_search(residual, theta, direction, loss0, step_sizes, *, reject: bool) -> LineSearchResult:
    """Minimise the loss over θ − η d, η in `step_sizes` (a static tuple), in one batched call.

    With `reject=True` a step that does not decrease the loss (or a non-finite one) leaves θ
    unchanged and reports step_size 0; with `reject=False` the best finite trial is taken regardless
    (the published ANaGRAM behaviour), and θ is left unchanged only if every trial is non-finite.
    """
    dtype = theta.dtype
    etas = jnp.asarray(step_sizes, dtype)
    directions = jnp.broadcast_to(direction, (etas.shape[0],) + direction.shape)
    losses = trial_losses(residual, theta, directions, etas)
    best = jnp.argmin(losses)
    best_loss = losses[best]
    decreased = best_loss < loss0
    take = decreased if reject else jnp.isfinite(best_loss)
    eta = jnp.where(take, etas[best], jnp.zeros((), dtype))
    new_theta = jnp.where(take, theta - etas[best] * direction, theta)
    new_loss = jnp.where(take, best_loss, loss0)
    return LineSearchResult(eta, new_loss, new_theta, decreased)
