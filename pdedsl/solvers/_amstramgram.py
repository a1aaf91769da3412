"""AMStramGRAM: ANaGRAM with an adaptive cutoff rank read off the reconstruction-error curve.

After "AMStramGRAM: Adaptive multi-cutoff strategy modification for ANaGRAM" (Schwencke, Rousselot, Shilova, Furtlehner, 2025).

Notation: φ̂ = V Δ Uᵀ (thin SVD, k = min(S, P) components, Δ descending), c = Vᵀ r. Because the runner
already scales r by sqrt(w_g/S_g), ‖r‖ is the paper's root-mean-square residual and the reconstruction
error after n components is, for n = 0..k,

    RCE_n = ‖ r − Σ_{i≤n} V_i V_iᵀ r ‖ = sqrt( ‖r − V c‖² + Σ_{i>n} c_i² ),

computed from the tail sums (no cancellation, unlike ‖r‖² − Σ_{i≤n} c_i²) so that it stays accurate
down to round-off. ½RCE_n² is the loss the Gauss–Newton model predicts after a full step on the n
leading components. Three ranks are read off the curve (docs/solvers.md derives and tests them):

* r_∩ — the crossing: the leading components with Δ_n ≥ τ·RCE_n (all of them up to n) and above the
  round-off floor Δ_n > rcond·Δ_max. The paper compares the singular values of the *unscaled* φ̂
  (√S times ours) with the RCE of the 1/√S-scaled residual, i.e. τ = 1/√S: the default.
* r_ε = #{n : RCE_n ≥ ε}: the components needed before the unexplained residual falls below ε.
* the elbow — the smallest n ≤ min(r_∩, r_ε) whose predicted loss is within a factor (1 + δ) of the
  best one allowed, RCE_n² ≤ (1 + δ)·RCE²_{min(r_∩, r_ε)}. Components past the elbow explain almost
  nothing (their c_i are at round-off level) but, with small Δ_i, move θ a lot: on laplace2d they
  turn a full step that would divide the loss by 100 into one the line search must cut to η ≈ 2⁻⁸.

The step is the truncated pseudo-inverse direction on the elbow rank (the crossing rank when the
elbow is 0; at least one component), with the batched grid line search, taken only if it decreases the
loss. τ lives in the state and is adapted like a trust-region radius, first rule first: quadrupled
after a rejected step (θ unchanged: only fewer components can change the next step), doubled when
the line search has to cut the step below `short_step` (the model overshoots), divided by 4 when the
kept components cannot even halve the residual (a fixed point of the rule that is not a minimum),
moved back towards τ0 after a full step. The method reports `converged` when r_ε = 0 (‖r‖ < ε); it
has no stall test of its own: the runner's (a loss that fell by less than 10× over a window of steps)
covers every optimizer.

`subspace_search` (off by default) makes more of each factorisation, which is nearly the whole cost
of a step (a residual evaluation costs far less): besides the rule's step, it tries
the truncations at a geometric ladder of ranks and the Levenberg–Marquardt directions
d_λ = Σ U_i Δ_i c_i / (Δ_i² + λ) on a log grid of λ (from 10⁻² to 10⁻²⁰ × Δ_max²), each with a short
η grid, in one batched call, and takes whichever trial has the lowest loss. τ is still adapted from
the rule's own trial, so the rule behaves as without the search. It pays where the
Gauss–Newton model is poor far from the solution: on Allen–Cahn, where the damped directions win most
steps, it leaves the plateau on which the rule stalls; on Burgers it did not help (docs/solvers.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from pdedsl.solvers._anagram import truncated_direction
from pdedsl.solvers._errors import OptimizerSettingError
from pdedsl.solvers._factorization import FactoredSteps
from pdedsl.solvers._jacobian import linearize, row_layout
from pdedsl.solvers._linesearch import LineSearch, LineSearchResult, best_of_directions, search_stats
from pdedsl.solvers._status import status_code

__all__ = ["AMStramGRAM", "AMStramGRAMState", "reconstruction_errors", "cutoff_ranks"]


def reconstruction_errors(left_residual_sq: jax.Array, coefficients: jax.Array) -> jax.Array:
    """RCE_n for n = 0..k, shape (k+1,): sqrt(‖r − Vc‖² + Σ_{i>n} c_i²).

    `left_residual_sq` is ‖r − V c‖² (the part of r outside the range of V), `coefficients` c = Vᵀ r.
    """
    c2 = jnp.square(coefficients)
    tails = jnp.cumsum(c2[::-1])[::-1]  # tails[n] = Σ_{i≥n} c_i² (0-based), i.e. Σ_{i>n} in 1-based
    tails = jnp.concatenate([tails, jnp.zeros((1,), c2.dtype)])
    return jnp.sqrt(left_residual_sq + tails)


def cutoff_ranks(s, rce, tau, eps, rcond, elbow):
    """(r_∩, r_ε, r_elbow) as int32 scalars for singular values `s` (k,) and `rce` (k+1,).

    r_∩ counts the leading components with s_n ≥ τ·RCE_n and s_n > rcond·s_max; r_ε = #{n : RCE_n ≥ ε};
    r_elbow is the smallest n ≤ min(r_∩, r_ε) with RCE_n² ≤ (1 + elbow)·RCE²_{min(r_∩, r_ε)}.
    """
    above = (s >= tau * rce[1:]) & (s > rcond * s[0])  # component n (1-based) against RCE_n
    r_cross = jnp.sum(jnp.cumprod(above.astype(jnp.int32))).astype(jnp.int32)
    r_eps = jnp.sum(rce >= eps).astype(jnp.int32)
    cap = jnp.minimum(r_cross, r_eps)
    good_enough = jnp.square(rce) <= (1.0 + elbow) * jnp.square(rce[cap])
    r_elbow = jnp.argmax(good_enough).astype(jnp.int32)  # first True; good_enough[cap] is always True
    return r_cross, r_eps, r_elbow


# The subspace search (module docstring): ranks on a geometric ladder, Levenberg–Marquardt λ/Δ_max² on a
# log grid, and the η grid each of those directions is tried with.
SEARCH_RANKS = 12
SEARCH_DAMPINGS = tuple(np.logspace(-2.0, -20.0, 12))
SEARCH_STEP_SIZES = tuple(0.5**k for k in range(6))


def subspace_directions(proj, rcond: float):
    """The search's candidate directions (M, P) and their effective ranks (M,), from one SVD `proj`.

    Truncations at the ranks of a geometric ladder from 1 to k, then the damped directions
    Σ U_i Δ_i c_i / (Δ_i² + λ) for λ = SEARCH_DAMPINGS × Δ_max², whose effective rank is Σ Δ_i²/(Δ_i² + λ).
    Components at or below rcond·Δ_max are left out of every candidate.
    """
    s, c = proj.singular_values, proj.coefficients
    k = s.shape[0]
    kept = s > rcond * s[0]
    inverse = jnp.where(kept, c / jnp.where(kept, s, jnp.ones_like(s)), jnp.zeros_like(s))
    ranks = np.unique(np.round(np.geomspace(1, k, SEARCH_RANKS)).astype(np.int32))
    truncated = jnp.where(jnp.arange(k)[:, None] < ranks[None, :], inverse[:, None], 0.0)
    lam = jnp.square(s[0]) * jnp.asarray(SEARCH_DAMPINGS, s.dtype)
    s2 = jnp.square(s)[:, None]
    damped = jnp.where(kept[:, None], (c * s)[:, None] / (s2 + lam[None, :]), 0.0)
    effective = jnp.sum(jnp.where(kept[:, None], s2 / (s2 + lam[None, :]), 0.0), axis=0)
    weights = jnp.concatenate([truncated, damped], axis=1)
    return (proj.right_vectors @ weights).T, jnp.concatenate([jnp.asarray(ranks, s.dtype), effective])


def _column_scale(jac: jax.Array, rcond: float, rows) -> jax.Array:
    """Column norms of `jac` (P,) over all `rows`, with 1 where a column is below rcond × the largest (or zero)."""
    norms = rows.norms(jac)
    return jnp.where(norms > rcond * jnp.max(norms), norms, jnp.ones_like(norms))


class AMStramGRAMState(NamedTuple):
    step: jax.Array  # int32 scalar: number of steps taken
    tau: jax.Array  # the crossing factor of the next step (float scalar)
    level: jax.Array  # int32 scalar: the sketch level the next step starts from (`SketchLadder`)


@dataclass(frozen=True)
class AMStramGRAM(LineSearch, FactoredSteps):
    """Adaptive multi-cutoff natural gradient, with the rank rule of docs/solvers.md.

    Attributes (besides the line search's `step_sizes` and `search_stride` — a step that does not
    decrease the loss is always rejected — and `jacobian_mode` and `factorization` of `FactoredSteps`:
    "auto" sketches φ̂ while the rule needs few components against min(S, P); the subspace search then
    ranges over the sketch's components):
        eps: precision target on RCE (the root-mean-square residual); converged when ‖r‖ < eps.
        tau: crossing factor, components kept while Δ_n ≥ τ·RCE_n; None (default) is 1/√S, the paper's
            scaling (singular values of the unscaled φ̂ against the RCE of the scaled residual).
        elbow: δ of the elbow rule, RCE_n² ≤ (1 + δ)·RCE²_best; 0 keeps every allowed component.
        rcond: relative round-off floor on singular values.
        tau_range: τ stays within these multiples of τ0.
        short_step: a line-search step below this counts as an overshoot (τ doubled).
        scale_columns: factor φ̂ D⁻¹ instead of φ̂, D = diag of its column norms (Marquardt's scaling;
            columns below rcond·max keep scale 1), and step D⁻¹ d: the rank rule then no longer depends
            on the units of individual parameters. Off by default (docs/solvers.md: it helps some
            problems and seeds, hurts others).
        subspace_search: also try the truncations at a ladder of ranks and Levenberg–Marquardt damped
            directions from the same factorisation, and take the best trial (module docstring). Off
            by default: 144 more residual evaluations a step.
    """

    eps: float = 1e-14
    tau: float | None = None
    elbow: float = 1.0
    rcond: float = 1e-13
    tau_range: tuple[float, float] = (1e-6, 1e3)
    short_step: float = 0.125
    scale_columns: bool = False
    subspace_search: bool = False

    def __post_init__(self):
        low_high = self.tau_range
        if not (isinstance(low_high, (tuple, list)) and len(low_high) == 2 and 0 < low_high[0] <= low_high[1]):
            raise OptimizerSettingError(f"optimizer 'amstramgram': setting 'tau_range' must be two numbers "
                                        f"[low, high] with 0 < low <= high, not {list(low_high)!r}", "tau_range")

    def tau0(self, num_residuals: int) -> float:
        """The initial crossing factor: `tau`, or 1/√S."""
        return 1.0 / math.sqrt(num_residuals) if self.tau is None else float(self.tau)

    def init(self, residual_fn, params, data) -> AMStramGRAMState:
        theta, _ = ravel_pytree(params)
        num_residuals = row_layout(residual_fn, jax.eval_shape(residual_fn, params, data).shape[0]).count
        zero = jnp.zeros((), jnp.int32)
        return AMStramGRAMState(zero, jnp.asarray(self.tau0(num_residuals), theta.dtype), zero)

    def _needed(self, proj, tau) -> jax.Array:
        """The leading components the rule reads: up to min(r_∩, r_ε) (the elbow is at or below it)."""
        rce = reconstruction_errors(proj.outside_sq, proj.coefficients)
        r_cross, r_eps, _ = cutoff_ranks(proj.singular_values, rce, tau, self.eps, self.rcond, self.elbow)
        return jnp.minimum(r_cross, r_eps)

    def step(self, residual_fn, params, state: AMStramGRAMState, data):
        """One step; returns (params, state, stats) with stats loss, loss_after, rank, rank_cross, …"""
        prob, r, jac, loss = linearize(residual_fn, params, data, self.jacobian_mode)
        column_scale = _column_scale(jac, self.rcond, prob.rows) if self.scale_columns else None
        scaled = jac if column_scale is None else jac / column_scale
        proj, level, components = self.ladder(jac, prob.rows).project(scaled, r, state.level,
                                                           lambda p: self._needed(p, state.tau))
        s = proj.singular_values
        rce = reconstruction_errors(proj.outside_sq, proj.coefficients)
        r_cross, r_eps, r_elbow = cutoff_ranks(s, rce, state.tau, self.eps, self.rcond, self.elbow)
        rank = jnp.where(r_elbow > 0, r_elbow, jnp.minimum(r_cross, r_eps))
        rank = jnp.where(r_eps > 0, jnp.maximum(rank, 1), 0)  # at least the leading component
        direction = truncated_direction(proj, jnp.arange(s.shape[0]) < rank)
        if column_scale is not None:
            direction = direction / column_scale
        ls = self.search(prob, direction, loss, reject=True)
        theta, new_loss, step_size = ls.theta, ls.loss, ls.step_size
        taken_rank = jnp.where(ls.accepted, rank, 0).astype(jnp.int32)
        if self.subspace_search:
            candidates, ranks = subspace_directions(proj, self.rcond)
            if column_scale is not None:
                candidates = candidates / column_scale
            best, eta, trial = best_of_directions(prob.residual, prob.theta, candidates, SEARCH_STEP_SIZES, prob.rows)
            better = trial < new_loss
            theta = jnp.where(better, prob.theta - eta * candidates[best], theta)
            new_loss = jnp.where(better, trial, new_loss)
            step_size = jnp.where(better, eta, step_size)
            taken_rank = jnp.where(better, jnp.round(ranks[best]).astype(jnp.int32), taken_rank)
        # τ, trust-region style (module docstring; the order of the rules is below); ‖r‖ < ε is convergence.
        tau0 = self.tau0(prob.rows.count)
        exhausted = jnp.square(rce[rank]) > 0.5 * jnp.square(rce[0])
        short = ls.step_size < self.short_step
        towards_tau0 = jnp.clip(tau0 / state.tau, 0.5, 2.0) * state.tau
        # A rejected step leaves θ, hence φ̂ and r, unchanged: only a larger τ (fewer components) can make
        # the next step differ, so rejection always quadruples τ. A short step also keeps fewer
        # components, even when the kept ones cannot halve the residual: admitting more of them then
        # (τ / 4) only cuts the step further, into a two-step cycle of a rejected step and a tiny one.
        tau = jnp.where(~ls.accepted, 4 * state.tau,
                        jnp.where(short, 2 * state.tau,
                                  jnp.where(exhausted, state.tau / 4,
                                            jnp.where(ls.step_size >= 0.5, towards_tau0, state.tau))))
        tau = jnp.clip(tau, tau0 * self.tau_range[0], tau0 * self.tau_range[1])
        converged = r_eps == 0
        stats = search_stats(
            loss, LineSearchResult(step_size, new_loss, theta, new_loss < loss),
            status=status_code(converged=converged), rank=taken_rank,
            rank_cross=r_cross, rank_eps=r_eps, predicted=0.5 * jnp.square(rce[rank]), sv_max=s[0],
            tau=state.tau, components=components)
        new_state = AMStramGRAMState(state.step + 1, tau.astype(state.tau.dtype), level)
        return prob.unravel(theta), new_state, stats
