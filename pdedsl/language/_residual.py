"""Point functions → residual functions `fn(u, points, extras, scalars) -> (N, n_components)`, exact solution.

The point functions (`_evaluate`) take the coordinates and jets of one point.  Here each group's
function is wrapped: the jets it needs are computed from `u` by forward-mode
automatic differentiation at a point — only the derivatives named, each second
derivative by one jvp of a jvp along its two axes (a Laplacian costs d such passes,
not the d² of a Hessian), first derivatives by one jvp, higher orders by nested jvps
(`jet_values`) — and the whole is `jax.vmap`ped over the collocation points (no
Python loop over points).  Per-point
data (`extras`: outward normals, paired points, observed values; leading axis N) is
vmapped alongside the points; learned scalars (`scalars`: name → 0-d array) are shared.

The functions follow the dtype of `points` and never change JAX's global flags.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from pdedsl.language._lower import Jet, LoweredResidual

__all__ = ["residual_fn", "exact_fn", "jet_values"]

Field = Callable[[jax.Array], jax.Array]  # u: (dim,) -> (n_unknowns,)


def residual_fn(function: Callable, spec: LoweredResidual) -> Callable:
    """`fn(u, points, extras=None, scalars=None) -> (N, n_components)`: the point function, fed
    with the jets of `u` (at each point, and at its paired point where needed), over all points.

    `extras`: {"normal": (N, dim), "pair": (N, dim), "observed": (N, k)} as the group needs;
    `scalars`: {name: 0-d array} for the learned parameters.
    """

    def at_point(u: Field, x: jax.Array, extra: dict, scalars: dict) -> jax.Array:
        arguments = [x[axis] for axis in spec.coordinate_axes]
        arguments += jet_values(u, x, spec.jets)
        if spec.pair_jets:
            arguments += jet_values(u, extra["pair"], spec.pair_jets)
        arguments += [extra[key][index] for _, key, index in spec.extras]
        arguments += [scalars[str(name)] for name in spec.scalars]
        value = function(*arguments)
        parts = value if isinstance(value, tuple) else (value,)
        return jnp.stack([jnp.asarray(v, dtype=x.dtype) for v in parts])

    def fn(u: Field, points: jax.Array, extras: dict | None = None, scalars: dict | None = None) -> jax.Array:
        needed = {key for _, key, _ in spec.extras} | ({"pair"} if spec.pair_jets else set())
        extra = {key: jnp.asarray(value) for key, value in (extras or {}).items() if key in needed}
        return jax.vmap(lambda x, e: at_point(u, x, e, scalars or {}))(points, extra)

    fn.__name__ = fn.__qualname__ = f"residual_{spec.condition.name}".replace(".", "_")
    return fn


def exact_fn(function: Callable, n_unknowns: int) -> Callable:
    """`exact(points (N, dim)) -> (N, n_unknowns)` from the point function of the coordinates."""

    def exact(points: jax.Array) -> jax.Array:
        points = jnp.asarray(points)
        values = function(*(points[:, k] for k in range(points.shape[1])))
        shape = points.shape[:1]
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=points.dtype), shape) for v in values], axis=-1)

    return exact


def jet_values(u: Field, x: jax.Array, jets: tuple[Jet, ...]) -> list[jax.Array]:
    """The value of every jet (a scalar each) of `u` at the point `x` (dim,).

    Only the derivatives the jets name are computed, each by forward-mode products along
    coordinate axes (no Jacobian or Hessian is formed):

    * a second derivative ∂²u/∂x_i∂x_j (pure, i = j, or mixed) by one jvp of a jvp,
      along e_i inside and e_j outside; the same pass gives u, ∂u/∂x_i and ∂u/∂x_j;
    * a first derivative that no second-order pass yields by one jvp along its axis;
    * orders three and more by nested jvps along the axes of their multi-index.

    The passes are written out one per axis pair, not vmapped over directions: XLA then
    shares the primal (and, for i = j, the duplicate tangent) between them by common
    subexpression elimination, and the per-point reverse Jacobian of the result is the
    fastest of the forms measured (docs/performance.md).  For a Laplacian in d dimensions
    this is d second-order passes instead of the d² of a full Hessian.
    """
    derivatives = _taylor_to_second_order(u, x, [jet for jet in jets if jet.order <= 2])
    values = []
    for jet in jets:
        axes = _axes(jet)
        if jet.order <= 2:
            values.append(derivatives[axes][jet.unknown])
        else:
            values.append(_directional_derivative(u, x, list(axes))[jet.unknown])
    return values


def _axes(jet: Jet) -> tuple[int, ...]:
    """The multi-index of `jet` as the sorted axes it differentiates along: (0, 0, 2) for u_xxz."""
    return tuple(axis for axis, count in enumerate(jet.multi_index) for _ in range(count))


def _taylor_to_second_order(u: Field, x: jax.Array, jets: list[Jet]) -> dict[tuple[int, ...], jax.Array]:
    """{axes: (n_unknowns,) array}: u(x) under `()`, ∂u/∂x_i under `(i,)`, ∂²u/∂x_i∂x_j under `(i, j)`.

    Holds at least every derivative of order ≤ 2 that `jets` name (each key sorted, i ≤ j).
    """
    pairs = sorted({_axes(jet) for jet in jets if jet.order == 2})
    firsts = sorted({_axes(jet) for jet in jets if jet.order == 1} - {(axis,) for pair in pairs for axis in pair})
    derivatives = {}
    for i, j in pairs:
        value, along_i, along_j, second = _second_along(u, x, _unit(x, i), _unit(x, j))
        derivatives.update({(): value, (i,): along_i, (j,): along_j, (i, j): second})
    for (i,) in firsts:
        derivatives[()], derivatives[(i,)] = jax.jvp(u, (x,), (_unit(x, i),))
    if () not in derivatives and any(jet.order == 0 for jet in jets):
        derivatives[()] = u(x)
    return derivatives


def _second_along(u: Field, x: jax.Array, a: jax.Array, b: jax.Array):
    """u(x), D_a u, D_b u and D_b D_a u at `x` by one jvp (along b) of a jvp (along a): (n_unknowns,) each."""
    (value, along_a), (along_b, second) = jax.jvp(lambda y: jax.jvp(u, (y,), (a,)), (x,), (b,))
    return value, along_a, along_b, second


def _unit(x: jax.Array, axis: int) -> jax.Array:
    """The unit vector e_axis, shaped and typed like `x`."""
    return jnp.zeros_like(x).at[axis].set(1)


def _directional_derivative(u: Field, x: jax.Array, axes: list[int]) -> jax.Array:
    """∂^k u / ∂x_{axes[0]} … ∂x_{axes[k-1]} at `x`, by k nested forward-mode products: (n_unknowns,)."""
    f = u
    for axis in axes:
        f = _along(f, _unit(x, axis))
    return f(x)


def _along(f: Field, direction: jax.Array) -> Field:
    return lambda y: jax.jvp(f, (y,), (direction,))[1]
