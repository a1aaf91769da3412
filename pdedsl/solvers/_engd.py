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

from pdedsl.solvers._anagram import truncated_direction
from pdedsl.solvers._factorization import SketchLadder
from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search
from pdedsl.solvers._status import status_code

__all__ = ["ENGD", "ENGDState"]


class ENGDState(NamedTuple):
    step: jax.Array  # int32 scalar
    level: jax.Array  # int32 scalar: the sketch level the next step starts from (`SketchLadder`)


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
        factorization: "auto" takes the direction from a randomized sketch of φ̂ (d = Σ U_i c_i / Δ_i
            over Δ_i² > rcond·Δ_max², the same pseudo-inverse) when those components are few against
            min(S, P), and solves with G otherwise; "svd" always solves with G, "lowrank" always sketches
            (pdedsl.solvers._factorization).
    """

    rcond: float | None = None
    step_sizes: tuple[float, ...] = DEFAULT_STEP_SIZES
    search_stride: int = 3
    reject: bool = False
    jacobian_mode: str = "auto"
    factorization: str = "auto"

    def init(self, residual_fn, params, data) -> ENGDState:
        zero = jnp.zeros((), jnp.int32)
        return ENGDState(zero, zero)

    def direction(self, jac: jax.Array, r: jax.Array) -> jax.Array:
        """d = lstsq(φ̂ᵀφ̂, φ̂ᵀr) for `jac` (S, P) and `r` (S,); returns (P,)."""
        d, _, _, _ = self._gram_solve(jac, r)
        return d

    def _gram_solve(self, jac, r):
        return jnp.linalg.lstsq(jac.T @ jac, jac.T @ r, rcond=self.rcond)

    def _kept(self, proj, num_params: int) -> jax.Array:
        """The components lstsq keeps on G: Δ_i² > rcond·Δ_max² (rcond None: machine epsilon × P)."""
        s = proj.singular_values
        rcond = jnp.finfo(s.dtype).eps * num_params if self.rcond is None else self.rcond
        return jnp.square(s) > rcond * jnp.square(s[0])

    def _lowrank_direction(self, jac, r, level):
        """(d, next level, components computed) from the ladder's sketch, or the G solve when it saturates."""
        ladder = SketchLadder.build(self.factorization, *jac.shape)
        num_params = jac.shape[1]
        need = lambda p: jnp.sum(self._kept(p, num_params))
        proj, saturated, components = ladder.sketch(jac, r, level, need)

        def full():
            d, _, rank, gram_values = self._gram_solve(jac, r)
            return d, ladder.next_level(jnp.sqrt(jnp.maximum(gram_values, 0.0)), rank)

        def sketched():
            kept = self._kept(proj, num_params)
            return truncated_direction(proj, kept), ladder.next_level(proj.singular_values, jnp.sum(kept))

        d, level = jax.lax.cond(saturated, full, sketched)
        return d, level, components

    def step(self, residual_fn, params, state: ENGDState, data):
        prob = flatten_problem(residual_fn, params, data, self.jacobian_mode)
        r, jac = prob.jacobian(prob.theta)
        loss = half_squared_norm(r)
        if SketchLadder.build(self.factorization, *jac.shape).sizes:
            direction, level, components = self._lowrank_direction(jac, r, state.level)
        else:
            direction, level, components = self.direction(jac, r), state.level, jnp.asarray(min(jac.shape), jnp.int32)
        ls = grid_line_search(prob.residual, prob.theta, direction, loss, tuple(self.step_sizes),
                              reject=self.reject, stride=self.search_stride)
        stats = {
            "loss": loss,
            "loss_after": ls.loss,
            "step_size": ls.step_size,
            "accepted": ls.accepted,
            "status": status_code(),
            "components": components,
        }
        return prob.unravel(ls.theta), ENGDState(state.step + 1, level), stats
