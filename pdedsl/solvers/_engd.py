"""ENGD: energy natural gradient, the Gram-matrix form of the Gauss–Newton step.

G = φ̂ᵀφ̂ (P, P), ∇loss = φ̂ᵀ r (P,), d = lstsq(G, ∇loss) (minimum-norm least-squares solution, singular
values of G below rcond·σ_max(G) dropped), θ ← θ − η d with the batched grid line search. On a full-rank
φ̂ this is the same direction as ANaGRAM's without cutoff, but G squares the condition number: prefer
ANaGRAM/AMStramGRAM for accuracy, ENGD is here to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search
from pdedsl.solvers._status import status_code

__all__ = ["ENGD", "ENGDState"]


class ENGDState(NamedTuple):
    step: jax.Array  # int32 scalar


@dataclass(frozen=True)
class ENGD:
    """Energy natural gradient.

    Attributes:
        rcond: relative cutoff of `jnp.linalg.lstsq` on G (None: machine epsilon × P).
        step_sizes: line-search grid; ``(1.0,)`` forces a fixed step.
        search_stride: 3 searches the grid coarse-to-fine (every 3rd η, then the neighbours of the
            best: 15 evaluations for the default 31-point grid); 1 evaluates every η.
        reject: reject steps that do not decrease the loss (θ unchanged).
        jacobian_mode: "auto", "fwd" or "rev".
    """

    rcond: float | None = None
    step_sizes: tuple[float, ...] = DEFAULT_STEP_SIZES
    search_stride: int = 3
    reject: bool = False
    jacobian_mode: str = "auto"

    def init(self, residual_fn, params, data) -> ENGDState:
        return ENGDState(jnp.zeros((), jnp.int32))

    def direction(self, jac: jax.Array, r: jax.Array) -> jax.Array:
        """d = lstsq(φ̂ᵀφ̂, φ̂ᵀr) for `jac` (S, P) and `r` (S,); returns (P,)."""
        gram = jac.T @ jac
        grad = jac.T @ r
        d, _, _, _ = jnp.linalg.lstsq(gram, grad, rcond=self.rcond)
        return d

    def step(self, residual_fn, params, state: ENGDState, data):
        prob = flatten_problem(residual_fn, params, data, self.jacobian_mode)
        r, jac = prob.jacobian(prob.theta)
        loss = half_squared_norm(r)
        direction = self.direction(jac, r)
        ls = grid_line_search(prob.residual, prob.theta, direction, loss, tuple(self.step_sizes),
                              reject=self.reject, stride=self.search_stride)
        stats = {
            "loss": loss,
            "loss_after": ls.loss,
            "step_size": ls.step_size,
            "accepted": ls.accepted,
            "status": status_code(),
        }
        return prob.unravel(ls.theta), ENGDState(state.step + 1), stats
