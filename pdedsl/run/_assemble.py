"""Join a compiled problem and a network into the residual vector the optimizers see.

    r(θ) = concat_g( sqrt(w_g / S_g) · R_g(u_θ, X_g) ),   loss = ½‖r‖²

so the loss is the seeds' PINN loss: half the weighted mean square of each group.

Parameters: the network's pytree, or — for a problem with learned scalars (`param … unknown`) —
`{"net": network params, "scalars": {name: 0-d array}}`.  The optimizers flatten the whole
pytree, so the scalars are extra columns of φ̂ with nothing else to do.
Data: `data[group name]` is {"points": (S_g, dim), plus the group's `point_data` arrays}, and
optionally `WEIGHT_KEY`: (S_g,) a factor of each point's residual rows (causal training's √w).
"""

from __future__ import annotations

import math
from typing import Callable

import jax
import jax.numpy as jnp

from pdedsl.solvers import PointwiseGroup, PointwiseResidual

WEIGHT_KEY = "row_weight"  # per-point factor of the residual rows, data, never differentiated


def network_params(params):
    """The network's part of a parameter pytree (the pytree itself when nothing else is learned)."""
    return params["net"] if isinstance(params, dict) and "net" in params else params


def learned_scalars(params) -> dict:
    """{name: 0-d array} of the learned scalars (empty when there are none)."""
    return params["scalars"] if isinstance(params, dict) and "scalars" in params else {}


def initial_params(model, key, parameters, dtype=None):
    """The network's initial parameters, with the learned scalars beside them when there are any."""
    net = model.init(key)
    if not parameters:
        return net
    dtype = dtype or jax.tree_util.tree_leaves(net)[0].dtype
    return {"net": net, "scalars": {name: jnp.asarray(value, dtype) for name, value in parameters}}


def network_function(model, params) -> Callable:
    """u(x): (dim,) -> (n_unknowns,) for the given parameters."""
    net = network_params(params)
    return lambda x: model.apply(net, x)


def make_residual_fn(groups, model, data) -> PointwiseResidual:
    """residual_fn(params, data) -> (S,), `data[g.name]` = {"points": (S_g, dim), extras…} per group.

    Returned as a `PointwiseResidual` (each entry depends on one point only), so the solvers take
    the Jacobian as one reverse pass per point, vmapped, instead of P forward passes.
    """

    def pointwise(group):
        def fn(params, point):  # point: {"points": (dim,), extras…} -> (n_components,)
            extras = {k: v[None] for k, v in point.items() if k not in ("points", WEIGHT_KEY)}
            value = group.fn(network_function(model, params), point["points"][None, :], extras,
                             learned_scalars(params))[0]
            return value * point[WEIGHT_KEY] if WEIGHT_KEY in point else value

        return fn

    return PointwiseResidual(tuple(
        PointwiseGroup(key=g.name, fn=pointwise(g), scale=math.sqrt(g.weight / data[g.name]["points"].shape[0]))
        for g in groups))


def evaluate_network(model, params, points, *, batch: int = 65536) -> jax.Array:
    """u_θ at many points, (N, dim) -> (N, n_unknowns), vmapped in batches to bound memory."""
    apply = jax.jit(jax.vmap(model.apply, in_axes=(None, 0)))
    chunks = [apply(params, points[i : i + batch]) for i in range(0, points.shape[0], batch)]
    return jnp.concatenate(chunks) if chunks else jnp.zeros((0, model.out_dim))


def error_norms_by_unknown(predicted, expected, unknowns) -> dict[str, float]:
    """Relative L2 error of each unknown separately (columns of (N, n_unknowns) arrays)."""
    return {name: error_norms(predicted[:, k], expected[:, k])["rel_l2"] for k, name in enumerate(unknowns)}


@jax.jit
def _norms(predicted, expected):
    diff = jnp.ravel(predicted - expected)
    ref = jnp.ravel(expected)
    abs_l2 = jnp.sqrt(jnp.mean(diff**2))
    rel_l2 = jnp.linalg.norm(diff) / jnp.maximum(jnp.linalg.norm(ref), jnp.finfo(diff.dtype).tiny)
    return rel_l2, abs_l2


def error_norms(predicted, expected) -> dict[str, float]:
    """Relative L2 ‖u−u*‖/‖u*‖ and absolute RMS error over all points and unknowns."""
    rel_l2, abs_l2 = _norms(predicted, expected)
    return {"rel_l2": float(rel_l2), "abs_l2": float(abs_l2)}
