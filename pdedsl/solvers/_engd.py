"""ENGD: energy natural gradient, the Gram-matrix form of the Gauss–Newton step.

G = φ̂ᵀφ̂ (P, P), ∇loss = φ̂ᵀ r (P,), d = lstsq(G, ∇loss) (minimum-norm least-squares solution, singular
values of G below rcond·σ_max(G) dropped), θ ← θ − η d with the batched grid line search. On a full-rank
φ̂ this is the same direction as ANaGRAM's without cutoff, but G squares the condition number: prefer
ANaGRAM/AMStramGRAM for accuracy, ENGD is here to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from pdedsl.solvers._anagram import truncated_direction
from pdedsl.solvers._factorization import FactoredSteps, SketchState
from pdedsl.solvers._jacobian import linearize
from pdedsl.solvers._linesearch import LineSearch
from pdedsl.solvers._rows import Rows

__all__ = ["ENGD"]


@dataclass(frozen=True)
class ENGD(LineSearch, FactoredSteps):
    """Energy natural gradient.

    Attributes (besides the line search's `step_sizes` and `search_stride`, and `jacobian_mode` and
    `factorization` of `FactoredSteps`: "auto" takes d = Σ U_i c_i / Δ_i over Δ_i² > rcond·Δ_max², the
    same pseudo-inverse, from a sketch of φ̂ while those components are few against min(S, P), and
    solves with G otherwise; "svd" always solves with G, "lowrank" always sketches):
        rcond: relative cutoff of `jnp.linalg.lstsq` on G (None: machine epsilon × P).
        reject: reject steps that do not decrease the loss (θ unchanged).
    """

    rcond: float | None = None
    reject: bool = False

    def direction(self, jac: jax.Array, r: jax.Array, rows: Rows | None = None) -> jax.Array:
        """d = lstsq(φ̂ᵀφ̂, φ̂ᵀr) for `jac` (S, P) and `r` (S,) (`rows`: where they live); returns (P,)."""
        d, _, _, _ = self._gram_solve(jac, r, rows or Rows(jac.shape[0]))
        return d

    def _gram_solve(self, jac, r, rows: Rows):
        return jnp.linalg.lstsq(rows.dot(jac, jac), rows.dot(jac, r), rcond=self.rcond)

    def _kept(self, proj, num_params: int) -> jax.Array:
        """The components lstsq keeps on G: Δ_i² > rcond·Δ_max² (rcond None: machine epsilon × P)."""
        s = proj.singular_values
        rcond = jnp.finfo(s.dtype).eps * num_params if self.rcond is None else self.rcond
        return jnp.square(s) > rcond * jnp.square(s[0])

    def _lowrank_direction(self, jac, r, level, rows: Rows):
        """(d, next level, components computed) from the ladder's sketch, or the G solve when it saturates."""
        ladder = self.ladder(jac, rows)
        num_params = jac.shape[1]
        need = lambda p: jnp.sum(self._kept(p, num_params))
        proj, saturated, components = ladder.sketch(jac, r, level, need)

        def full():
            d, _, rank, gram_values = self._gram_solve(jac, r, rows)
            return d, ladder.next_level(jnp.sqrt(jnp.maximum(gram_values, 0.0)), rank)

        def sketched():
            kept = self._kept(proj, num_params)
            return truncated_direction(proj, kept), ladder.next_level(proj.singular_values, jnp.sum(kept))

        d, level = jax.lax.cond(saturated, full, sketched)
        return d, level, components

    def step(self, residual_fn, params, state: SketchState, data):
        prob, r, jac, loss = linearize(residual_fn, params, data, self.jacobian_mode)
        rows = prob.rows
        if self.ladder(jac, rows).sizes:
            direction, level, components = self._lowrank_direction(jac, r, state.level, rows)
        else:
            full = jnp.asarray(min(rows.count, jac.shape[1]), jnp.int32)
            direction, level, components = self.direction(jac, r, rows), state.level, full
        new_params, stats = self.searched_step(prob, direction, loss, reject=self.reject, components=components)
        return new_params, SketchState(state.step + 1, level), stats
