"""Self-scaled Broyden (SSBroyden): a dense quasi-Newton method on loss = ½‖r‖².

The inverse Hessian approximation H (P × P) is updated from each step's pair s = θ₊ − θ,
y = ∇loss(θ₊) − ∇loss(θ) by the self-scaled Broyden family of Al-Baali ("Numerical experience with a
class of self-scaling quasi-Newton algorithms", JOTA 1998), with the choice of the Broyden parameter
θ and the scaling τ that Urbán, Stefanou and Pons found best for PINNs ("Unveiling the optimization
process of physics informed neural networks: how accurate and competitive can PINNs be?", JCP 2025):

    ρ = 1/yᵀs,  h = ρ yᵀHy,  b = ρ sᵀBs (= −α ρ sᵀ∇loss(θ), as Bs = −α∇loss(θ)),  a = bh − 1 (≥ 0)
    ρ⁻ = min(1, h(1 − √(a/(1 + a)))),  θ⁻ = (ρ⁻ − 1)/a,  θ⁺ = 1/ρ⁻,  ϑ = max(θ⁻, min(θ⁺, (1 − b)/b))
    σ = 1 + ϑa,  τ = min(min(1, 1/b) σ^(1/(1−P)), σ) if ϑ ≤ 0, else min(1, 1/b) min(σ^(1/(1−P)), 1/ϑ)
                 (the first update, from H = cI: τ = h/σ)
    v = ρs − Hy/yᵀHy,  φ = (1 − ϑ)/σ
    H ← (H − Hy(Hy)ᵀ/yᵀHy + φ yᵀHy vvᵀ)/τ + ρ ssᵀ

ϑ = 0 is BFGS, τ = 1 unscaled; a pair with yᵀs ≤ 0 (or any non-finite quantity) leaves H as it was.
The step is θ₊ = θ − ηH∇loss with η from optax's zoom line search (strong Wolfe conditions), each
search from η = 1. The first direction is −c∇loss, c = min(1, 1/‖∇loss‖), and H starts as cI.

A search that ends without a decrease of the loss (the zoom search then returns its last trial) is
not taken: θ stays where it was and H starts again from a multiple of I.

The state keeps H apart from what belongs to the points (the previous θ and gradient, the line
search's stored value and gradient): after a redraw of the collocation points the runner keeps H and
the step count, and the next step takes no pair across the redraw.

A step costs one loss and gradient per line-search trial (usually one: the quasi-Newton step is
accepted) and O(P²) for the update; no Jacobian is formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax.flatten_util import ravel_pytree

from pdedsl.solvers._jacobian import half_squared_norm, row_layout
from pdedsl.solvers._status import status_code

__all__ = ["SSBroyden", "SSBroydenState", "ssbroyden_update"]

MAX_LINESEARCH_STEPS = 30  # trials of one zoom line search


class SSBroydenState(NamedTuple):
    step: jax.Array  # int32 scalar: steps taken
    inverse_hessian: jax.Array  # (P, P) H
    updates: jax.Array  # int32 scalar: pairs H has taken (0: H is still the initial multiple of I)
    theta: jax.Array  # (P,) the parameters of the last step (for the next pair)
    grad: jax.Array  # (P,) their gradient
    direction: jax.Array  # (P,) the last search direction d = −H∇loss (η = sᵀd/dᵀd)
    paired: jax.Array  # bool: theta/grad/direction belong to the current points
    search: Any  # optax zoom line search state (holds the value and gradient at the current θ)


def ssbroyden_update(h_inv: jax.Array, s: jax.Array, y: jax.Array, eta: jax.Array, grad_old: jax.Array,
                     first: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(H updated by one pair (module docstring), whether it was): H unchanged when the pair has no
    positive curvature or the update is not finite. `eta`: the step size that produced s; `first`: H is
    the initial cI."""
    dtype = h_inv.dtype
    tiny = jnp.finfo(dtype).tiny
    sy = s @ y
    rho = 1.0 / jnp.where(sy > 0, sy, 1.0)
    hy = h_inv @ y
    yhy = y @ hy
    h = rho * yhy
    b = -eta * rho * (s @ grad_old)
    a = jnp.maximum(b * h - 1.0, 0.0)
    a_safe = jnp.maximum(a, tiny)
    rho_minus = jnp.minimum(1.0, h * (1.0 - jnp.sqrt(a / (1.0 + a))))
    theta_minus = (rho_minus - 1.0) / a_safe
    theta_plus = 1.0 / rho_minus
    vartheta = jnp.maximum(theta_minus, jnp.minimum(theta_plus, (1.0 - b) / b))
    sigma = 1.0 + vartheta * a
    n = h_inv.shape[0]
    root = jnp.abs(sigma) ** (1.0 / (1.0 - n))
    rho_b = jnp.minimum(1.0, 1.0 / b)
    tau = jnp.where(vartheta <= 0, jnp.minimum(rho_b * root, sigma), rho_b * jnp.minimum(root, 1.0 / vartheta))
    tau = jnp.where(first, h / sigma, tau)
    v = rho * s - hy / yhy
    phi = (1.0 - vartheta) / sigma
    new = (h_inv - jnp.outer(hy, hy) / yhy + phi * yhy * jnp.outer(v, v)) / tau + rho * jnp.outer(s, s)
    ok = (sy > 0) & (yhy > 0) & (b > 0) & jnp.all(jnp.isfinite(new))
    return jnp.where(ok, new, h_inv), ok


@dataclass(frozen=True)
class SSBroyden:
    """Self-scaled Broyden with a strong-Wolfe zoom line search (module docstring); no settings."""

    def _search(self):
        return optax.scale_by_zoom_linesearch(max_linesearch_steps=MAX_LINESEARCH_STEPS,
                                              initial_guess_strategy="one")

    def init(self, residual_fn, params, data) -> SSBroydenState:
        theta, _ = ravel_pytree(params)
        zero = jnp.zeros((), jnp.int32)
        return SSBroydenState(zero, jnp.eye(theta.shape[0], dtype=theta.dtype), zero, jnp.zeros_like(theta),
                              jnp.zeros_like(theta), jnp.zeros_like(theta), jnp.zeros((), bool),
                              self._search().init(theta))

    def step(self, residual_fn, params, state: SSBroydenState, data):
        theta, unravel = ravel_pytree(params)

        def loss_fn(t):
            r = jnp.ravel(residual_fn(unravel(t), data))
            return half_squared_norm(r, row_layout(residual_fn, r.shape[0]))

        loss, grad = optax.value_and_grad_from_state(loss_fn)(theta, state=state.search)
        s, y = theta - state.theta, grad - state.grad
        eta_prev = (s @ state.direction) / jnp.maximum(state.direction @ state.direction, jnp.finfo(theta.dtype).tiny)
        h_inv, took = jax.lax.cond(state.paired,
                                   lambda: ssbroyden_update(state.inverse_hessian, s, y, eta_prev, state.grad,
                                                            state.updates == 0),
                                   lambda: (state.inverse_hessian, jnp.zeros((), bool)))
        fresh = (state.updates == 0) & ~took
        scale = jnp.minimum(1.0, 1.0 / jnp.maximum(jnp.linalg.norm(grad), jnp.finfo(theta.dtype).tiny))
        h_inv = jnp.where(fresh, scale * jnp.eye(theta.shape[0], dtype=theta.dtype), h_inv)
        direction = -(h_inv @ grad)
        step, search = self._search().update(direction, state.search, theta, value=loss, grad=grad, value_fn=loss_fn)
        after = optax.tree_utils.tree_get(search, "value")
        # A search that found no decrease (it ends on its last trial) is not taken: θ stays, and H starts
        # again from a multiple of I, the next direction a gradient step.
        ok = jnp.isfinite(after) & (after <= loss)
        new_theta = jnp.where(ok, theta + step, theta)
        # refused: H itself is kept, and `updates = 0` makes the next step start it again from a multiple of I
        search = jax.tree_util.tree_map(lambda a, b: jnp.where(ok, a, b), search, self._search().init(theta))
        new_state = SSBroydenState(state.step + 1, h_inv, jnp.where(ok, state.updates + took.astype(jnp.int32), 0),
                                   theta, grad, direction, ok, search)
        stats = {
            "loss": loss,
            "loss_after": jnp.where(ok, after, loss),
            "step_size": jnp.where(ok, optax.tree_utils.tree_get(search, "learning_rate"), 0.0),
            "status": status_code(),
        }
        return unravel(new_theta), new_state, stats
