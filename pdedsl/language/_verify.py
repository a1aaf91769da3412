"""Check a spec against its own exact solution: every residual group, evaluated through the JAX chain.

`u = exact` is fed to each group's compiled `fn` (so the derivatives come from
automatic differentiation of the exact solution's generated code, exactly as they
will for a network), at points drawn uniformly on the group's region, with the
per-point data the group needs (outward normals, paired points); groups with fixed
points (`point:`, `data`) use their own.  Learned parameters take their exact value
from the `exact:` block, or else their initial value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl import geometry
from pdedsl.errors import PdeError
from pdedsl.geometry import EmptyRegionError
from pdedsl.language._problem import CompiledProblem

__all__ = ["region_data", "max_residuals"]


def region_data(domain, region, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Uniform random points of a region with their per-point data (`pdedsl.geometry.region_data`)."""
    try:
        return geometry.region_data(domain, region, n, rng, "random")
    except EmptyRegionError as err:
        raise PdeError(str(err), hint=err.hint) from None


def max_residuals(compiled: CompiledProblem, n_points: int = 1000, seed: int = 0) -> dict[str, float]:
    """Group name → max |R_g(exact, x)| over `n_points` random points of its region (float64)."""
    if compiled.exact is None:
        raise ValueError("the problem has no exact solution")
    rng = np.random.default_rng(seed)
    result = {}
    with jax.enable_x64(True):
        known = dict(compiled.exact_parameters)
        scalars = {name: jnp.asarray(known.get(name, init)) for name, init in compiled.parameters}

        def u(x):  # (dim,) -> (n_unknowns,)
            return compiled.exact(x[None, :])[0]

        for group in compiled.groups:
            data = group.fixed if group.fixed is not None else region_data(compiled.domain, group.region, n_points,
                                                                             rng)
            data = {k: jnp.asarray(v) for k, v in data.items()}
            extras = {k: data[k] for k in group.point_data}

            @jax.jit  # one compiled call per group
            def largest(points, extras, scalars, fn=group.fn):
                return jnp.max(jnp.abs(fn(u, points, extras, scalars)))

            result[group.name] = float(largest(data["points"], extras, scalars))
    return result
