"""Batched grid line search: the trial step sizes evaluated inside the jitted step, no host round trip.

For a direction d, the trial points are θ − η_k d for the grid η_k (default 0.5^k, k = 0..30); their
losses ½‖r(θ − η_k d)‖² come from batched `jax.lax.map` calls. Non-finite trial losses count as +inf.
A step is *accepted* only when the best trial loss is strictly below the current loss.

`stride` s > 1 searches the same grid in two batched calls: every s-th step size first (and the last
one), then the 2(s − 1) grid neighbours of the best of those — 15 residual evaluations instead of 31
for the default grid and s = 3. When the loss is unimodal along the grid between the coarse points
around its minimum (the usual case: it falls while η shrinks to the model's trust region, then
flattens), this finds the same grid minimiser as evaluating every η (tested; docs/solvers.md,
*Line search*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._jacobian import half_squared_norm
from pdedsl.solvers._status import status_code

__all__ = ["DEFAULT_STEP_SIZES", "LineSearch", "LineSearchResult", "best_of_directions", "grid_line_search",
           "search_stats", "trial_losses"]

DEFAULT_STEP_SIZES: tuple[float, ...] = tuple(0.5**k for k in range(31))


class LineSearchResult(NamedTuple):
    step_size: jax.Array  # η of the best trial (0 when rejected and `reject` is set)
    loss: jax.Array  # loss at the returned θ
    theta: jax.Array  # (P,) the new flat parameters
    accepted: jax.Array  # bool: best trial loss < current loss


def trial_losses(residual, theta, directions, step_sizes, rows=None) -> jax.Array:
    """Losses at θ − η d for every row of `directions` (K, P) paired with `step_sizes` (K,).

    Returns shape (K,), with +inf where the loss is not finite.
    """

    # One call, evaluated trial after trial (`lax.map`) rather than `vmap`ped: the K trials of a vmap
    # make K·S·width intermediates that fall out of cache; sequential trials are faster on CPU
    # (docs/performance.md), with the same results.
    return jax.lax.map(lambda args: _trial_loss(residual, theta, *args, rows), (directions, step_sizes))


def _trial_loss(residual, theta, direction, eta, rows=None):
    loss = half_squared_norm(residual(theta - eta * direction), rows)
    return jnp.where(jnp.isfinite(loss), loss, jnp.inf)


def _grid_minimum(residual, theta, direction, etas, stride: int, rows=None):
    """(η, loss) of the best trial on the grid `etas` (K,), exhaustively or coarse-to-fine by `stride`."""
    num = etas.shape[0]
    one = lambda eta: _trial_loss(residual, theta, direction, eta, rows)
    if stride <= 1 or num <= 2 * stride:
        losses = jax.lax.map(one, etas)
        best = jnp.argmin(losses)
        return etas[best], losses[best]
    coarse = jnp.asarray(sorted(set(range(0, num, stride)) | {num - 1}))
    coarse_losses = jax.lax.map(one, etas[coarse])
    centre = coarse[jnp.argmin(coarse_losses)]
    offsets = jnp.asarray([o for o in range(-(stride - 1), stride) if o != 0])
    near = jnp.clip(centre + offsets, 0, num - 1)
    near_losses = jax.lax.map(one, etas[near])
    picks = jnp.concatenate([coarse, near])
    losses = jnp.concatenate([coarse_losses, near_losses])
    best = jnp.argmin(losses)
    return etas[picks[best]], losses[best]


def grid_line_search(residual, theta, direction, loss0, step_sizes, *, reject: bool,
                     stride: int = 1, rows=None) -> LineSearchResult:
    """Minimise the loss over θ − η d, η in `step_sizes` (a static tuple), inside the jitted step.

    `stride` > 1 searches coarse-to-fine (module docstring); 1 evaluates every step size in one call.

    With `reject=True` a step that does not decrease the loss (or a non-finite one) leaves θ
    unchanged and reports step_size 0; with `reject=False` the best finite trial is taken regardless
    (the published ANaGRAM behaviour), and θ is left unchanged only if every trial is non-finite.
    `rows` (pdedsl.solvers._rows): where the residual's rows live; each trial loss sums all of them.
    """
    dtype = theta.dtype
    best_eta, best_loss = _grid_minimum(residual, theta, direction, jnp.asarray(step_sizes, dtype), int(stride), rows)
    decreased = best_loss < loss0
    take = decreased if reject else jnp.isfinite(best_loss)
    eta = jnp.where(take, best_eta, jnp.zeros((), dtype))
    new_theta = jnp.where(take, theta - best_eta * direction, theta)
    new_loss = jnp.where(take, best_loss, loss0)
    return LineSearchResult(eta, new_loss, new_theta, decreased)


def best_of_directions(residual, theta, directions, step_sizes, rows=None):
    """(index, η, loss) of the lowest loss at θ − η d over every row d of `directions` (M, P) and every
    η of `step_sizes` (a static tuple): M·len(step_sizes) trials in one `lax.map` call."""
    num_etas = len(step_sizes)
    etas = jnp.tile(jnp.asarray(step_sizes, theta.dtype), directions.shape[0])
    losses = trial_losses(residual, theta, jnp.repeat(directions, num_etas, axis=0), etas, rows)
    best = jnp.argmin(losses)
    return best // num_etas, etas[best], losses[best]


def search_stats(loss, ls: LineSearchResult, **extra) -> dict:
    """The stats of a step that searched along a direction: `loss` before it, the search's `loss_after`,
    `step_size` and `accepted`, `status` RUNNING unless `extra` gives one, and the rest of `extra`."""
    stats = {"loss": loss, "loss_after": ls.loss, "step_size": ls.step_size, "accepted": ls.accepted,
             "status": status_code()}
    stats.update(extra)
    return stats


@dataclass(frozen=True)
class LineSearch:
    """The grid line search's settings: the base of every optimizer config that searches along a
    direction, whose settings they become.

    Attributes:
        step_sizes: the η grid (static tuple); ``(1.0,)`` forces a fixed step of 1.
        search_stride: 3 searches the grid coarse-to-fine (every 3rd η, then the neighbours of the
            best: 15 evaluations for the default 31-point grid); 1 evaluates every η.
    """

    step_sizes: tuple[float, ...] = DEFAULT_STEP_SIZES
    search_stride: int = 3

    def search(self, prob, direction, loss, *, reject: bool, scale: float = 1.0) -> LineSearchResult:
        """Search θ − η d from `prob.theta` (a `FlatProblem`) over `scale` × the grid."""
        etas = tuple(scale * eta for eta in self.step_sizes)
        return grid_line_search(prob.residual, prob.theta, direction, loss, etas, reject=reject,
                                stride=self.search_stride, rows=prob.rows)

    def searched_step(self, prob, direction, loss, *, reject: bool, scale: float = 1.0, **extra):
        """(new parameters, stats) of the step along `direction`: the search, then `search_stats`."""
        ls = self.search(prob, direction, loss, reject=reject, scale=scale)
        return prob.unravel(ls.theta), search_stats(loss, ls, **extra)
