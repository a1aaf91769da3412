"""Join a compiled problem and a network into the residual vector the optimizers see.

    r(θ) = concat_g( sqrt(w_g / S_g) · R_g(u_θ, X_g) ),   loss = ½‖r‖²

so the loss is the seeds' PINN loss: half the weighted mean square of each group.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers import PointwiseGroup, PointwiseResidual


def network_function(model, params) -> Callable:
    """u(x): (dim,) -> (n_unknowns,) for the given parameters."""
    return lambda x: model.apply(params, x)


def make_residual_fn(groups, model, data) -> PointwiseResidual:
    """residual_fn(params, data) -> (S,), `data` a dict of (S_g, dim) arrays keyed by group name.

    Returned as a `PointwiseResidual` (each entry depends on one point only), so the solvers take
    the Jacobian as one reverse pass per point, vmapped, instead of P forward passes.
    """

    def pointwise(group):
        def fn(params, x):  # x: (dim,) -> (n_components,)
            return group.fn(network_function(model, params), x[None, :])[0]

        return fn

    return PointwiseResidual(tuple(
        PointwiseGroup(key=g.name, fn=pointwise(g), scale=math.sqrt(g.weight / data[g.name].shape[0]))
        for g in groups))


def evaluate_network(model, params, points, *, batch: int = 65536) -> jax.Array:
    """u_θ at many points, (N, dim) -> (N, n_unknowns), vmapped in batches to bound memory."""
    apply = jax.jit(jax.vmap(model.apply, in_axes=(None, 0)))
    chunks = [apply(params, points[i : i + batch]) for i in range(0, points.shape[0], batch)]
    return jnp.concatenate(chunks) if chunks else jnp.zeros((0, model.out_dim))


def error_norms(predicted, expected) -> dict[str, float]:
    """Relative L2 ‖u−u*‖/‖u*‖ and absolute RMS error over all points and unknowns."""
    diff = jnp.ravel(predicted - expected)
    ref = jnp.ravel(expected)
    abs_l2 = jnp.sqrt(jnp.mean(diff**2))
    rel_l2 = jnp.linalg.norm(diff) / jnp.maximum(jnp.linalg.norm(ref), jnp.finfo(diff.dtype).tiny)
    return {"rel_l2": float(rel_l2), "abs_l2": float(abs_l2)}


class MonitoredState(NamedTuple):
    inner: Any


class Monitored:
    """Wrap an optimizer so each step also evaluates `monitor(params) -> dict of scalars`.

    The monitor runs inside the same jitted step (on the updated parameters), so the
    error against the exact solution reaches the progress display without a second
    host synchronisation.
    """

    def __init__(self, optimizer, monitor: Callable):
        self.optimizer = optimizer
        self.monitor = monitor

    def init(self, residual_fn, params, data):
        return self.optimizer.init(residual_fn, params, data)

    def step(self, residual_fn, params, state, data):
        params, state, stats = self.optimizer.step(residual_fn, params, state, data)
        stats = dict(stats)
        stats.update(self.monitor(params, data))
        return params, state, stats

    def __getattr__(self, name):  # expose the wrapped configuration (name, eps, ...)
        return getattr(self.optimizer, name)


def make_error_monitor(model, reference_values) -> Callable:
    """monitor(params, data) -> {"rel_l2", "abs_l2"} on `data["__test__"]` against fixed values."""
    ref = jnp.asarray(reference_values)
    ref_norm = jnp.linalg.norm(ref)

    def monitor(params, data):
        pred = jax.vmap(model.apply, in_axes=(None, 0))(params, data["__test__"])
        diff = pred - ref
        return {
            "rel_l2": jnp.linalg.norm(diff) / ref_norm,
            "abs_l2": jnp.sqrt(jnp.mean(diff**2)),
        }

    return monitor
