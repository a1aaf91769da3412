"""ANaGRAM: empirical natural gradient through a truncated SVD pseudo-inverse of φ̂.

After "ANaGRAM: A Natural Gradient Relative to Adapted Model for efficient PINNs learning"
(Schwencke, Furtlehner, 2024). With φ̂ = ∂r/∂θ = V Δ Uᵀ (thin SVD: V (S,k), Δ (k,), U (P,k),
k = min(S,P); or its leading components from a sketch, pdedsl.solvers._factorization) the direction is

    d = φ̂^{†α} r = Σ_{i : Δ_i > α} U_i Δ_i⁻¹ (V_iᵀ r),

α = cutoff · Δ_max (relative, the default) or α = cutoff (absolute), and θ ← θ − η d with η from the
batched grid line search. The strict `>` makes an all-zero φ̂ give d = 0 (rank 0) instead of NaNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._factorization import FactoredSteps, SpectralProjection, spectral_projection
from pdedsl.solvers._jacobian import flatten_problem, linearize
from pdedsl.solvers._linesearch import LineSearch

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
    level: jax.Array  # int32 scalar: the ladder level the next step's factorisation starts from
    velocity: jax.Array  # (S,) the momentum's accumulated residuals (zero without momentum)


@dataclass(frozen=True)
class ANaGRAM(LineSearch, FactoredSteps):
    """Empirical natural gradient with a fixed singular-value cutoff, optionally with momentum.

    Attributes (besides the line search's `step_sizes` and `search_stride`, and `jacobian_mode` and
    `factorization` of `FactoredSteps`; "auto" sketches φ̂ while the components above the cutoff are
    few against min(S, P)):
        cutoff: singular values kept iff s > cutoff·s_max (relative) or s > cutoff (absolute).
        relative: whether `cutoff` is relative to the largest singular value.
        reject: if True, a step that does not decrease the loss is rejected (θ unchanged); the default
            False takes the grid's best trial anyway, as the published code does.
        momentum: β of the natural gradient with momentum, carried in function space: the velocity
            v ← β v + r accumulates residuals at the collocation points, and the step is the same
            pseudo-inverse applied to v (heavy ball) or to r + β v (`nesterov`) instead of r. A step
            that does not lower the loss resets v to zero. 0 (the default) is plain ANaGRAM.
        nesterov: Nesterov's look-ahead form of the momentum.
    """

    cutoff: float = 1e-6
    relative: bool = True
    reject: bool = False
    momentum: float = 0.0
    nesterov: bool = False

    def init(self, residual_fn, params, data) -> ANaGRAMState:
        fresh = FactoredSteps.init(self, residual_fn, params, data)
        prob = flatten_problem(residual_fn, params, data)
        residual = jax.eval_shape(prob.residual, prob.theta)
        return ANaGRAMState(fresh.step, fresh.level, jnp.zeros(residual.shape, residual.dtype))

    def step(self, residual_fn, params, state: ANaGRAMState, data):
        """One step; returns (params, state, stats) with stats loss, loss_after, step_size, rank, …"""
        prob, r, jac, loss = linearize(residual_fn, params, data, self.jacobian_mode)
        velocity = self.momentum * state.velocity + r
        target = r + self.momentum * velocity if self.nesterov else velocity
        need = lambda p: jnp.sum(cutoff_mask(p.singular_values, self.cutoff, self.relative))
        proj, level, components = self.ladder(jac, prob.rows).project(jac, target, state.level, need)
        keep = cutoff_mask(proj.singular_values, self.cutoff, self.relative)
        new_params, stats = self.searched_step(
            prob, truncated_direction(proj, keep), loss, reject=self.reject, rank=jnp.sum(keep).astype(jnp.int32),
            sv_max=proj.singular_values[0], components=components)
        velocity = jnp.where(stats["accepted"], velocity, jnp.zeros_like(velocity))
        return new_params, ANaGRAMState(state.step + 1, level, velocity), stats
