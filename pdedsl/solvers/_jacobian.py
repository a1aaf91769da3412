"""Residual vector and its Jacobian φ̂ = ∂r/∂θ with respect to the flattened parameters.

θ is the parameter pytree flattened by `jax.flatten_util.ravel_pytree` (P entries); r has S entries.
For a plain ``residual_fn(params, data) -> (S,)`` the Jacobian is taken in forward mode (P
Jacobian-vector products) when P ≤ S and in reverse mode (S vector-Jacobian products) otherwise;
the residual itself comes out of the same pass as an auxiliary output.

A PINN residual is *pointwise*: r_i depends on θ and on point i only. Declared as a
`PointwiseResidual`, its Jacobian is one reverse pass per point, vmapped over the points — the cost
of about three residual evaluations instead of P of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from pdedsl.solvers._rows import Rows

__all__ = [
    "PointwiseGroup",
    "PointwiseResidual",
    "FlatProblem",
    "flatten_problem",
    "linearize",
    "residual_and_jacobian",
    "half_squared_norm",
    "row_layout",
]


@dataclass(frozen=True)
class PointwiseGroup:
    """One group of a pointwise residual.

    Attributes:
        key: ``data[key]`` holds the group's per-point data (an array or pytree, leading axis = points).
        fn: ``fn(params, point_data) -> (n_components,)`` (or a scalar): the residual at ONE point.
        scale: factor applied to the group (the runner's sqrt(w_g / S_g)).
    """

    key: str
    fn: Callable
    scale: float = 1.0


@dataclass(frozen=True)
class PointwiseResidual:
    """r(params, data) = concat_g( scale_g · fn_g(params, x) for x in data[key_g] ), shape (S,).

    Callable like any residual_fn; the optimizers recognise it and use per-point reverse mode.
    """

    groups: tuple[PointwiseGroup, ...]

    def __call__(self, params, data) -> jax.Array:
        parts = []
        for g in self.groups:
            values = jax.vmap(lambda x, g=g: jnp.ravel(g.fn(params, x)))(data[g.key])
            parts.append(g.scale * jnp.ravel(values))
        return jnp.concatenate(parts)


class FlatProblem(NamedTuple):
    """The problem in terms of flat θ (P,): residual(θ) -> (S,), jacobian(θ) -> (r (S,), J (S, P)), and
    where the rows live (`Rows`: on one device, or this device's rows of a sharded step)."""

    theta: jax.Array
    residual: Callable[[jax.Array], jax.Array]
    jacobian: Callable[[jax.Array], tuple[jax.Array, jax.Array]]
    unravel: Callable[[jax.Array], Any]
    rows: Rows


def half_squared_norm(r: jax.Array, rows: Rows | None = None) -> jax.Array:
    """loss = ½‖r‖² (r already carries the per-group sqrt(w_g/S_g) scaling), over every device's rows."""
    return 0.5 * (jnp.sum(jnp.square(r)) if rows is None else rows.sum(jnp.square(r)))


def row_layout(residual_fn, num_rows: int) -> Rows:
    """The `Rows` of `residual_fn`: its own (a sharded residual's), or `num_rows` rows on one device."""
    rows = getattr(residual_fn, "rows", None)
    return rows if isinstance(rows, Rows) else Rows(num_rows)


def _dense_jacobian(residual, theta, mode, rows: Rows):
    num_points = jax.eval_shape(residual, theta).shape[0]
    if mode == "auto":
        mode = "fwd" if theta.shape[0] <= num_points else "rev"

    def with_aux(t):
        r = residual(t)
        return r, r

    if mode == "fwd":
        jac, r = jax.jacfwd(with_aux, has_aux=True)(theta)
    elif mode == "rev":
        jac, r = jax.jacrev(with_aux, has_aux=True)(rows.local(theta))
    else:
        raise ValueError(f"unknown Jacobian mode {mode!r}; expected 'auto', 'fwd', 'rev' or 'pointwise'")
    return r, jac


def _pointwise_jacobian(residual_fn: PointwiseResidual, unravel, data, theta, rows: Rows):
    rs, jacs = [], []
    for g in residual_fn.groups:

        def point(t, x, g=g):
            value = g.scale * jnp.ravel(g.fn(unravel(t), x))
            return value, value

        jac, r = jax.vmap(jax.jacrev(point, has_aux=True), in_axes=(None, 0))(rows.local(theta), data[g.key])
        rs.append(jnp.ravel(r))
        jacs.append(jnp.reshape(jac, (-1, theta.shape[0])))
    return jnp.concatenate(rs), jnp.concatenate(jacs, axis=0)


def flatten_problem(residual_fn, params, data, mode: str = "auto") -> FlatProblem:
    """Close `residual_fn(params, data)` over `data` and flatten `params` to θ of shape (P,).

    `mode` picks the Jacobian: "auto" (pointwise for a `PointwiseResidual`, else forward when P ≤ S,
    reverse otherwise), "fwd", "rev", or "pointwise" (needs a `PointwiseResidual`).
    """
    theta, unravel = ravel_pytree(params)

    def residual(t):
        return jnp.ravel(residual_fn(unravel(t), data))

    rows = row_layout(residual_fn, jax.eval_shape(residual, theta).shape[0])
    pointwise = isinstance(residual_fn, PointwiseResidual)
    if mode == "pointwise" and not pointwise:
        raise ValueError("jacobian mode 'pointwise' needs a PointwiseResidual")
    if pointwise and mode in ("auto", "pointwise"):
        jacobian = lambda t: _pointwise_jacobian(residual_fn, unravel, data, t, rows)
    else:
        jacobian = lambda t: _dense_jacobian(residual, t, mode, rows)
    return FlatProblem(theta, residual, jacobian, unravel, rows)


def residual_and_jacobian(residual_fn, params, data, mode: str = "auto"):
    """``(r, J)``: r = residual_fn(params, data) raveled, shape (S,), and J = ∂r/∂θ, shape (S, P)."""
    prob = flatten_problem(residual_fn, params, data, mode)
    return prob.jacobian(prob.theta)


def linearize(residual_fn, params, data, mode: str = "auto"):
    """(problem, r, J, loss) at `params`: the flat problem, the residual (S,), its Jacobian (S, P) and
    loss = ½‖r‖² — what every Jacobian-based step starts from."""
    prob = flatten_problem(residual_fn, params, data, mode)
    r, jac = prob.jacobian(prob.theta)
    return prob, r, jac, half_squared_norm(r, prob.rows)
