"""One optimizer step on many devices: the collocation points split over a 1-D device mesh.

    opt = Sharded(AMStramGRAM(), points_mesh(4))      # any optimizer of the solver core
    result = run(opt, residual_fn, params, data, steps=300)

`Sharded` wraps an optimizer and runs its step inside `jax.shard_map` over the mesh axis ``"points"``:
each group's points (and its per-point data) are split into N equal blocks, so each device evaluates
the residual rows and the Jacobian rows of its own points; the parameters, the optimizer state other
than per-row vectors, and the step's statistics are replicated. What the step needs from all rows
goes through the problem's `Rows` (pdedsl.solvers._rows): losses and the products φ̂ᵀx are local sums
followed by one all-reduce, the thin SVD of a tall φ̂ is a TSQR (one gather of the P × P triangular
factors), the line search's trial losses are summed the same way. On a mesh of one device every
collective is the identity and the step is the unsharded one, operation for operation.

Uneven counts: a group of S_g points is padded to a multiple of ALIGN · B, B = `blocks` (N by
default), by repeating its first point with weight 0, so that the padding rows of r and φ̂ are exact zeros; the counts the rules read (S, min(S, P))
are the real ones. The residual must be a `PointwiseResidual` (row i depends on point i only).

Reproducibility: the row reductions and the TSQR are made per row block (`Rows`), so a step depends on
B, not on N: with the same `blocks`, 1, 2 or 4 devices give the same numbers bit for bit; with the
default B = N, runs on different device counts agree to rounding (which a natural-gradient run, like
any run, amplifies over its steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import AxisType, Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from pdedsl.solvers._jacobian import PointwiseGroup, PointwiseResidual
from pdedsl.solvers._rows import AXIS, Rows

# Each block's share of a group's points is padded to a multiple of ALIGN: then no point falls in the
# scalar tail of a vectorised loop, whose rounding differs from the vector lanes', on some devices and
# not others.
ALIGN = 32

__all__ = ["Sharded", "ShardedResidual", "distribute", "points_mesh"]


def points_mesh(devices=None) -> Mesh:
    """A 1-D mesh (axis "points") over `devices`: a count (the first N of `jax.devices()`, every
    process's devices in a multi-process run), a list of devices, or None for all of them."""
    available = jax.devices()
    if devices is None:
        chosen = available
    elif isinstance(devices, (int, np.integer)):
        if not 1 <= int(devices) <= len(available):
            raise ValueError(f"cannot use {devices} devices: {len(available)} available")
        chosen = available[: int(devices)]
    else:
        chosen = list(devices)
    return Mesh(np.asarray(chosen), (AXIS,), axis_types=(AxisType.Auto,))


@dataclass(frozen=True)
class ShardedResidual(PointwiseResidual):
    """A `PointwiseResidual` over padded, weighted points, with the layout of its rows.

    Each group's data is ``(points pytree, weight (S_g,))``; row values are multiplied by the weight
    (0 on the padding), so the padding contributes exact zeros to r and φ̂.
    """

    rows: Rows = Rows(0)


def _masked(fn):
    def masked(params, point_and_weight):
        point, weight = point_and_weight
        return weight * jnp.ravel(fn(params, point))

    return masked


def _points(tree) -> int:
    leaves = jax.tree_util.tree_leaves(tree)
    return int(leaves[0].shape[0]) if leaves else 0


def distribute(residual_fn, params, data, devices: int, blocks: int | None = None):
    """(ShardedResidual, padded data): every group padded to a multiple of `blocks` (default
    `devices`) points."""
    blocks = blocks or devices
    if not isinstance(residual_fn, PointwiseResidual):
        raise TypeError("sharding the points needs a PointwiseResidual (row i depends on point i only)")
    padded, groups, layout = dict(data), [], []
    for g in residual_fn.groups:
        tree = data[g.key]
        real = _points(tree)
        extra = (-real) % (blocks * ALIGN)
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        grown = jax.tree_util.tree_map(lambda x: jnp.concatenate([x, jnp.repeat(x[:1], extra, axis=0)]), tree)
        weight = jnp.concatenate([jnp.ones(real, dtype), jnp.zeros(extra, dtype)])
        padded[g.key] = (grown, weight)
        one = jax.tree_util.tree_map(lambda x: x[0], tree)
        width = int(np.prod(jax.eval_shape(g.fn, params, one).shape)) if real else 0
        layout.append((real, real + extra, width))
        groups.append(PointwiseGroup(g.key, _masked(g.fn), g.scale))
    rows = Rows(sum(real * width for real, _, width in layout), devices, tuple(layout), split=True, blocks=blocks)
    return ShardedResidual(tuple(groups), rows), padded


def _doubled(residual_fn, data):
    """`data` with every group's points (and weights) twice over: the shape test of `_state_specs`."""
    keys = {g.key for g in residual_fn.groups}
    return {k: jax.tree_util.tree_map(lambda x: jnp.concatenate([x, x]), v) if k in keys else v
            for k, v in data.items()}


@dataclass(frozen=True)
class Sharded:
    """`optimizer` with its step split over the points of `mesh` (module docstring).

    `blocks`: the row blocks B of the reductions (a multiple of the device count; None: the device
    count). The state it keeps is the optimizer's, for the padded points: a per-row vector (the
    momentum's velocity) is split like the rows, so a state saved on N devices resumes on N devices.
    """

    optimizer: Any
    mesh: Mesh
    blocks: int | None = None

    def __post_init__(self):
        if self.blocks is not None and (self.blocks < 1 or self.blocks % self.devices):
            raise ValueError(f"blocks = {self.blocks} is not a multiple of the {self.devices} devices")

    @property
    def devices(self) -> int:
        return int(self.mesh.devices.size)

    def init(self, residual_fn, params, data):
        local_fn, padded = distribute(residual_fn, params, data, self.devices, self.blocks)
        state = self.optimizer.init(local_fn, params, padded)
        specs = self._state_specs(local_fn, params, padded)  # placed as the step returns it (one compile)
        return jax.tree_util.tree_map(lambda x, spec: jax.device_put(x, NamedSharding(self.mesh, spec)), state, specs)

    def _state_specs(self, local_fn, params, padded):
        """P("points") for the state's per-row leaves (those whose shape follows the point count), P() else."""
        shapes = jax.eval_shape(lambda p, d: self.optimizer.init(local_fn, p, d), params, padded)
        grown = jax.eval_shape(lambda p, d: self.optimizer.init(local_fn, p, _doubled(local_fn, d)), params, padded)
        return jax.tree_util.tree_map(lambda a, b: P(AXIS) if a.shape != b.shape else P(), shapes, grown)

    def step(self, residual_fn, params, state, data):
        local_fn, padded = distribute(residual_fn, params, data, self.devices, self.blocks)
        keys = {g.key for g in local_fn.groups}
        data_specs = {k: P(AXIS) if k in keys else P() for k in padded}
        state_specs = self._state_specs(local_fn, params, padded)
        body = jax.shard_map(lambda p, s, d: self.optimizer.step(local_fn, p, s, d), mesh=self.mesh,
                             in_specs=(P(), state_specs, data_specs), out_specs=(P(), state_specs, P()))
        return body(params, state, padded)
