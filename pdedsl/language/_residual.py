"""Generated source → residual functions `fn(u, points, extras, scalars) -> (N, n_components)`, exact solution.

The generated module is compiled and run once, in the single place marked below;
its functions take the coordinates and jets of one point.  Here each group's
function is wrapped: the jets it needs are computed from `u` by forward-mode
automatic differentiation at a point — value, Jacobian and Hessian together, over
only the axes that occur, by nested `jax.jacfwd`; derivatives of order three and
more by nested `jax.jvp` along the axes of their multi-index — and the whole is
`jax.vmap`ped over the collocation points (no Python loop over points).  Per-point
data (`extras`: outward normals, paired points, observed values; leading axis N) is
vmapped alongside the points; learned scalars (`scalars`: name → 0-d array) are shared.

The functions follow the dtype of `points` and never change JAX's global flags.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable

import jax
import jax.numpy as jnp

from pdedsl.language._codegen import GeneratedFunction, GeneratedModule
from pdedsl.language._lower import Jet

__all__ = ["load_module", "residual_fn", "exact_fn", "jet_values"]

Field = Callable[[jax.Array], jax.Array]  # u: (dim,) -> (n_unknowns,)


def load_module(module: GeneratedModule) -> dict:
    """Compile and run the generated source; return its namespace (functions and constants).

    This is the only place where pdedsl runs Python code it did not ship: the text is
    `module.source`, written by `_codegen` from SymPy expressions (spec text appears in it
    only inside comments), never anything a user typed.
    """
    lines = module.source.splitlines(keepends=True)
    linecache.cache[module.filename] = (len(module.source), None, lines, module.filename)
    namespace = {"__name__": module.filename}
    exec(compile(module.source, module.filename, "exec"), namespace)  # generated code only, see docstring
    return namespace


def residual_fn(function: Callable, spec: GeneratedFunction) -> Callable:
    """`fn(u, points, extras=None, scalars=None) -> (N, n_components)`: the generated point function, fed
    with the jets of `u` (at each point, and at its paired point where needed), over all points.

    `extras`: {"normal": (N, dim), "pair": (N, dim), "observed": (N, k)} as the group needs;
    `scalars`: {name: 0-d array} for the learned parameters.
    """

    def at_point(u: Field, x: jax.Array, extra: dict, scalars: dict) -> jax.Array:
        arguments = [x[axis] for axis in spec.coordinate_axes]
        arguments += jet_values(u, x, spec.jets)
        if spec.pair_jets:
            arguments += jet_values(u, extra["pair"], spec.pair_jets)
        arguments += [extra[key][index] for key, index in spec.extras]
        arguments += [scalars[name] for name in spec.scalars]
        value = function(*arguments)
        parts = value if isinstance(value, tuple) else (value,)
        return jnp.stack([jnp.asarray(v, dtype=x.dtype) for v in parts])

    def fn(u: Field, points: jax.Array, extras: dict | None = None, scalars: dict | None = None) -> jax.Array:
        needed = {key for key, _ in spec.extras} | ({"pair"} if spec.pair_jets else set())
        extra = {key: jnp.asarray(value) for key, value in (extras or {}).items() if key in needed}
        return jax.vmap(lambda x, e: at_point(u, x, e, scalars or {}))(points, extra)

    fn.__name__ = fn.__qualname__ = f"residual_{spec.name}"
    return fn


def exact_fn(function: Callable, n_unknowns: int) -> Callable:
    """`exact(points (N, dim)) -> (N, n_unknowns)` from the generated function of the coordinates."""

    def exact(points: jax.Array) -> jax.Array:
        points = jnp.asarray(points)
        values = function(*(points[:, k] for k in range(points.shape[1])))
        shape = points.shape[:1]
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=points.dtype), shape) for v in values], axis=-1)

    return exact


def jet_values(u: Field, x: jax.Array, jets: tuple[Jet, ...]) -> list[jax.Array]:
    """The value of every jet (a scalar each) of `u` at the point `x` (dim,)."""
    low = [jet for jet in jets if jet.order <= 2]
    value, jacobian, hessian, position = _taylor_to_second_order(u, x, low)
    values = []
    for jet in jets:
        axes = [axis for axis, count in enumerate(jet.multi_index) for _ in range(count)]
        if jet.order == 0:
            values.append(value[jet.unknown])
        elif jet.order == 1:
            values.append(jacobian[jet.unknown, position[axes[0]]])
        elif jet.order == 2:
            values.append(hessian[jet.unknown, position[axes[0]], position[axes[1]]])
        else:
            values.append(_directional_derivative(u, x, axes)[jet.unknown])
    return values


def _taylor_to_second_order(u: Field, x: jax.Array, jets: list[Jet]):
    """u(x), and its Jacobian (n_unknowns, m) and Hessian (n_unknowns, m, m) over the m axes the jets use.

    One nested `jacfwd` gives all three; only as deep as the highest order needed.
    """
    axes = sorted({axis for jet in jets for axis, count in enumerate(jet.multi_index) if count})
    position = {axis: k for k, axis in enumerate(axes)}
    order = max((jet.order for jet in jets), default=0)
    if order == 0:
        return u(x), None, None, position
    index = jnp.asarray(axes)

    def on_axes(z):  # u as a function of the coordinates on `axes` only: (m,) -> (n_unknowns,)
        value = u(x.at[index].set(z))
        return value, value

    z = x[index]
    if order == 1:
        jacobian, value = jax.jacfwd(on_axes, has_aux=True)(z)
        return value, jacobian, None, position

    def jacobian_on_axes(z):
        jacobian, value = jax.jacfwd(on_axes, has_aux=True)(z)
        return jacobian, (jacobian, value)

    hessian, (jacobian, value) = jax.jacfwd(jacobian_on_axes, has_aux=True)(z)
    return value, jacobian, hessian, position


def _directional_derivative(u: Field, x: jax.Array, axes: list[int]) -> jax.Array:
    """∂^k u / ∂x_{axes[0]} … ∂x_{axes[k-1]} at `x`, by k nested forward-mode products: (n_unknowns,)."""
    f = u
    for axis in axes:
        f = _along(f, jnp.zeros_like(x).at[axis].set(1))
    return f(x)


def _along(f: Field, direction: jax.Array) -> Field:
    return lambda y: jax.jvp(f, (y,), (direction,))[1]
