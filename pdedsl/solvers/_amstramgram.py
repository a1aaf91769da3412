"""AMStramGRAM: ANaGRAM with an adaptive cutoff rank read off the reconstruction-error curve (seed 001).

Notation: φ̂ = V Δ Uᵀ (thin SVD, k = min(S, P) components, Δ descending), c = Vᵀ r. Because the runner
already scales r by sqrt(w_g/S_g), ‖r‖ is the seeds' root-mean-square residual and the reconstruction
error after n components is, for n = 0..k,

    RCE_n = ‖ r − Σ_{i≤n} V_i V_iᵀ r ‖ = sqrt( ‖r − V c‖² + Σ_{i>n} c_i² ),

computed from the tail sums (no cancellation, unlike ‖r‖² − Σ_{i≤n} c_i²) so that it stays accurate
down to round-off. The cutoff rank is min(r_∩, r_ε, r_floor):

* r_∩ — the crossing: number of leading components with Δ_n ≥ τ·RCE_n (all of them up to n). τ is
  a trust factor kept in the state: a full step (η = 1) divides it by `adapt_factor` (more components
  next time), a short step (η ≤ `short_step`) or a rejected one multiplies it (fewer components).
* r_ε = #{n ≥ 0 : RCE_n ≥ ε}: components needed before the unexplained residual falls below ε.
* r_floor = #{n : Δ_n > rcond·Δ_max}: never invert singular values at round-off level.

The step is the truncated pseudo-inverse direction with the batched grid line search; a step that does
not decrease the loss is rejected (θ unchanged, τ raised). `converged` when r_ε = 0, i.e. ‖r‖ < ε.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from pdedsl.solvers._anagram import spectral_projection, truncated_direction
from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, trial_losses

__all__ = ["AMStramGRAM", "AMStramGRAMState", "reconstruction_errors", "cutoff_ranks"]


def reconstruction_errors(left_residual_sq: jax.Array, coefficients: jax.Array) -> jax.Array:
    """RCE_n for n = 0..k, shape (k+1,): sqrt(‖r − Vc‖² + Σ_{i>n} c_i²).

    `left_residual_sq` is ‖r − V c‖² (the part of r outside the range of V), `coefficients` c = Vᵀ r.
    """
    c2 = jnp.square(coefficients)
    tails = jnp.cumsum(c2[::-1])[::-1]  # tails[n] = Σ_{i≥n} c_i² (0-based), i.e. Σ_{i>n} in 1-based
    tails = jnp.concatenate([tails, jnp.zeros((1,), c2.dtype)])
    return jnp.sqrt(left_residual_sq + tails)


def cutoff_ranks(s, rce, tau, eps, rcond):
    """(r_∩, r_ε, r_floor) as int32 scalars for singular values `s` (k,) and `rce` (k+1,)."""
    above = s >= tau * rce[1:]  # component n (1-based) against RCE_n
    r_cross = jnp.sum(jnp.cumprod(above.astype(jnp.int32)))
    r_eps = jnp.sum(rce >= eps).astype(jnp.int32)
    r_floor = jnp.sum(s > rcond * s[0]).astype(jnp.int32)
    return r_cross.astype(jnp.int32), r_eps, r_floor


class AMStramGRAMState(NamedTuple):
    step: jax.Array  # int32 scalar
    tau: jax.Array  # trust factor of the crossing rule (float scalar)


@dataclass(frozen=True)
class AMStramGRAM:
    """Adaptive multi-cutoff natural gradient.

    Attributes:
        eps: precision target on RCE (the root-mean-square residual); converged when ‖r‖ < eps.
        tau0: initial trust factor of the crossing Δ_n ≥ τ·RCE_n.
        adapt_factor: factor by which τ moves after a full / short-or-rejected step (1 disables).
        short_step: step sizes at or below this count as short (τ raised).
        tau_bounds: τ is kept within these bounds.
        min_rank: at least this many components (when r_ε > 0 and above the floor).
        rcond: relative round-off floor on singular values.
        ladder: relative cutoffs also tried at η = 1 each step (the multi-cutoff line search);
            empty disables it.
        step_sizes: line-search grid for the crossing-rank direction.
        jacobian_mode: "auto", "fwd", "rev" or "pointwise".
    """

    eps: float = 1e-14
    tau0: float = 1.0
    adapt_factor: float = 1.0
    short_step: float = 0.25
    tau_bounds: tuple[float, float] = (1e-12, 1e12)
    min_rank: int = 1
    rcond: float = 1e-13
    ladder: tuple[float, ...] = tuple(10.0 ** (-j / 2) for j in range(0, 29))
    step_sizes: tuple[float, ...] = DEFAULT_STEP_SIZES
    jacobian_mode: str = "auto"

    def init(self, residual_fn, params, data) -> AMStramGRAMState:
        theta, _ = ravel_pytree(params)
        return AMStramGRAMState(jnp.zeros((), jnp.int32), jnp.asarray(self.tau0, theta.dtype))

    def step(self, residual_fn, params, state: AMStramGRAMState, data):
        prob = flatten_problem(residual_fn, params, data, self.jacobian_mode)
        dtype = prob.theta.dtype
        r, jac = prob.jacobian(prob.theta)
        loss = half_squared_norm(r)
        proj = spectral_projection(jac, r)
        s = proj.singular_values
        k = s.shape[0]
        rce = reconstruction_errors(proj.outside_sq, proj.coefficients)
        r_cross, r_eps, r_floor = cutoff_ranks(s, rce, state.tau, self.eps, self.rcond)
        cap = jnp.minimum(r_eps, r_floor)
        rank_cross = jnp.minimum(jnp.maximum(r_cross, self.min_rank), cap)
        converged = r_eps == 0
        # Trial set: the crossing-rank direction at every η of the grid, and each ladder cutoff at η = 1.
        ladder = jnp.asarray(self.ladder, dtype)
        etas = jnp.asarray(self.step_sizes, dtype)
        ranks = jnp.concatenate([jnp.broadcast_to(rank_cross, etas.shape), jnp.broadcast_to(cap, ladder.shape)])
        trial_etas = jnp.concatenate([etas, jnp.ones_like(ladder)])
        safe = jnp.where(s > 0, s, jnp.ones_like(s))
        # damping λ_j = (ladder_j · s_max)² for the ladder rows (Levenberg–Marquardt), 0 for the crossing rows
        damping = jnp.concatenate([jnp.zeros_like(etas), jnp.square(ladder * s[0])])
        filt = jnp.square(s)[None, :] / (jnp.square(s)[None, :] + damping[:, None])
        weights = jnp.where(jnp.arange(k)[None, :] < ranks[:, None], filt * proj.coefficients / safe, 0.0)
        directions = weights @ proj.right_vectors.T  # (K, P)
        losses = trial_losses(prob.residual, prob.theta, directions, trial_etas)
        best = jnp.argmin(losses)
        accepted = losses[best] < loss
        eta = jnp.where(accepted, trial_etas[best], jnp.zeros((), dtype))
        rank = jnp.where(accepted, ranks[best], 0)
        theta = jnp.where(accepted, prob.theta - trial_etas[best] * directions[best], prob.theta)
        full = accepted & (eta >= 1.0)
        short = (~accepted) | (eta <= self.short_step)
        gamma = jnp.asarray(self.adapt_factor, dtype)
        tau = jnp.where(full, state.tau / gamma, jnp.where(short, state.tau * gamma, state.tau))
        tau = jnp.clip(tau, self.tau_bounds[0], self.tau_bounds[1])
        tau = jnp.where(converged, state.tau, tau)
        stats = {
            "loss": loss,
            "loss_after": jnp.where(accepted, losses[best], loss),
            "step_size": eta,
            "rank": rank,
            "rank_cross": rank_cross,
            "rank_eps": r_eps,
            "from_ladder": accepted & (best >= etas.shape[0]),
            "accepted": accepted,
            "converged": converged,
            "tau": state.tau,
            "sv_max": s[0],
        }
        return prob.unravel(theta), AMStramGRAMState(state.step + 1, tau), stats
