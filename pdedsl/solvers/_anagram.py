"""ANaGRAM: empirical natural gradient through a truncated SVD pseudo-inverse of φ̂ (seed 000).

With φ̂ = ∂r/∂θ = V Δ Uᵀ (thin SVD: V (S,k), Δ (k,), U (P,k), k = min(S,P)) the direction is

    d = φ̂^{†α} r = Σ_{i : Δ_i > α} U_i Δ_i⁻¹ (V_iᵀ r),

α = cutoff · Δ_max (relative, the default) or α = cutoff (absolute), and θ ← θ − η d with η from the
batched grid line search. The strict `>` makes an all-zero φ̂ give d = 0 (rank 0) instead of NaNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._factorization import SketchLadder, SpectralProjection, spectral_projection
from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search
from pdedsl.solvers._status import status_code

__all__ = ["ANaGRAM", "ANaGRAMState", "SpectralProjection", "spectral_projection", "truncated_direction"]


def truncated_direction(proj: SpectralProjection, keep: jax.Array) -> jax.Array:
    """d = Σ_{i: keep_i} U_i c_i / Δ_i; `keep` is a boolean mask of shape (k,). Returns (P,)."""
    s = proj.singular_values
    safe = jnp.where(keep, s, jnp.ones_like(s))
    weights = jnp.where(keep, proj.coefficients / safe, jnp.zeros_like(s))
    return proj.right_vectors @ weights


def cutoff_mask(s: jax.Array, cutoff: float, relative: bool) -> jax.Array:
    """Components kept by a cutoff: s_i > cutoff·s_max (relative) or s_i > cutoff (absolute)."""
    threshold = cutoff * s[0] if relative else jnp.asarray(cutoff, s.dtype)
    return s > threshold


class ANaGRAMState(NamedTuple):
    step: jax.Array  # int32 scalar: number of steps taken
    level: jax.Array  # int32 scalar: the sketch level the next step starts from (`SketchLadder`)


@dataclass(frozen=True)
class ANaGRAM:
    """Empirical natural gradient with a fixed singular-value cutoff.

    Attributes:
        cutoff: singular values kept iff s > cutoff·s_max (relative) or s > cutoff (absolute).
        relative: whether `cutoff` is relative to the largest singular value.
        step_sizes: line-search grid (static tuple); ``(1.0,)`` forces a fixed step of 1.
        search_stride: 3 searches the grid coarse-to-fine (every 3rd η, then the neighbours of the
            best: 15 evaluations for the default 31-point grid); 1 evaluates every η.
        reject: if True, a step that does not decrease the loss is rejected (θ unchanged); the default
            False takes the grid's best trial anyway, as the published code does.
        jacobian_mode: "auto", "fwd" or "rev".
        factorization: "auto" factors φ̂ by a randomized sketch when the components above the cutoff
            are few against min(S, P), by the thin SVD otherwise; "svd" or "lowrank" force one
            (pdedsl.solvers._factorization).
    """

    cutoff: float = 1e-6
    relative: bool = True
    step_sizes: tuple[float, ...] = DEFAULT_STEP_SIZES
    search_stride: int = 3
    reject: bool = False
    jacobian_mode: str = "auto"
    factorization: str = "auto"

    def init(self, residual_fn, params, data) -> ANaGRAMState:
        zero = jnp.zeros((), jnp.int32)
        return ANaGRAMState(zero, zero)

    def step(self, residual_fn, params, state: ANaGRAMState, data):
        """One step; returns (params, state, stats) with stats loss, loss_after, step_size, rank, …"""
        prob = flatten_problem(residual_fn, params, data, self.jacobian_mode)
        r, jac = prob.jacobian(prob.theta)
        loss = half_squared_norm(r)
        ladder = SketchLadder.build(self.factorization, *jac.shape)
        need = lambda p: jnp.sum(cutoff_mask(p.singular_values, self.cutoff, self.relative))
        proj, level, components = ladder.project(jac, r, state.level, need)
        keep = cutoff_mask(proj.singular_values, self.cutoff, self.relative)
        direction = truncated_direction(proj, keep)
        ls = grid_line_search(prob.residual, prob.theta, direction, loss, tuple(self.step_sizes),
                              reject=self.reject, stride=self.search_stride)
        stats = {
            "loss": loss,
            "loss_after": ls.loss,
            "step_size": ls.step_size,
            "rank": jnp.sum(keep).astype(jnp.int32),
            "accepted": ls.accepted,
            "status": status_code(),
            "sv_max": proj.singular_values[0],
            "components": components,
        }
        return prob.unravel(ls.theta), ANaGRAMState(state.step + 1, level), stats
