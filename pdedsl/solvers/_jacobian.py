"""Residual vector and its Jacobian φ̂ = ∂r/∂θ with respect to the flattened parameters.

θ is the pytree of parameters flattened by `jax.flatten_util.ravel_pytree` (P entries); r has S entries.
Forward mode costs P Jacobian-vector products, reverse mode S vector-Jacobian products: the cheaper
one is picked from the static shapes. Either way the residual itself comes out of the same pass.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

__all__ = ["FlatProblem", "flatten_problem", "residual_and_jacobian", "half_squared_norm"]


class FlatProblem(NamedTuple):
    """The residual as a function of flat θ: ``residual(theta (P,)) -> r (S,)`` plus ``unravel``."""

    theta: jax.Array
    residual: Callable[[jax.Array], jax.Array]
    unravel: Callable[[jax.Array], object]


def flatten_problem(residual_fn, params, data) -> FlatProblem:
    """Close `residual_fn(params, data)` over `data` and flatten `params` to θ of shape (P,)."""
    theta, unravel = ravel_pytree(params)

    def residual(t):
        return jnp.ravel(residual_fn(unravel(t), data))

    return FlatProblem(theta, residual, unravel)


def half_squared_norm(r: jax.Array) -> jax.Array:
    """loss = ½‖r‖² (r already carries the per-group sqrt(w_g/S_g) scaling)."""
    return 0.5 * jnp.sum(jnp.square(r))


def residual_and_jacobian(residual: Callable, theta: jax.Array, mode: str = "auto"):
    """Return ``(r, J)`` with r = residual(θ) of shape (S,) and J = ∂r/∂θ of shape (S, P).

    `mode` is "fwd", "rev" or "auto" (forward when P ≤ S, i.e. fewer tangents than cotangents).
    The residual is returned as the auxiliary output of the same differentiation pass.
    """
    num_points = jax.eval_shape(residual, theta).shape[0]
    num_params = theta.shape[0]
    if mode == "auto":
        mode = "fwd" if num_params <= num_points else "rev"

    def with_aux(t):
        r = residual(t)
        return r, r

    if mode == "fwd":
        jac, r = jax.jacfwd(with_aux, has_aux=True)(theta)
    elif mode == "rev":
        jac, r = jax.jacrev(with_aux, has_aux=True)(theta)
    else:
        raise ValueError(f"unknown Jacobian mode {mode!r}; expected 'auto', 'fwd' or 'rev'")
    return r, jac
