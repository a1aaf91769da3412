"""Check a spec against its own exact solution: every residual group, evaluated through the JAX chain.

`u = exact` is fed to each group's compiled `fn` (so the derivatives come from
automatic differentiation of the exact solution's generated code, exactly as they
will for a network), at points drawn uniformly on the group's region.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.geometry import Box, Faces, Interior, Region
from pdedsl.language._problem import CompiledProblem

__all__ = ["uniform_points", "max_residuals"]


def uniform_points(box: Box, region: Region, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points (n, dim) uniform in the box, or on a union of its faces (a face drawn at random per point)."""
    lows, highs = np.asarray(box.lows), np.asarray(box.highs)
    points = lows + (highs - lows) * rng.uniform(size=(n, box.dim))
    if isinstance(region, Interior):
        return points
    assert isinstance(region, Faces)
    choice = rng.integers(len(region.faces), size=n)
    for k, face in enumerate(region.faces):
        points[choice == k, face.axis] = box.face_value(face)
    return points


def max_residuals(compiled: CompiledProblem, n_points: int = 1000, seed: int = 0) -> dict[str, float]:
    """Group name → max |R_g(exact, x)| over `n_points` random points of its region (float64)."""
    if compiled.exact is None:
        raise ValueError("the problem has no exact solution")
    rng = np.random.default_rng(seed)
    result = {}
    with jax.enable_x64(True):

        def u(x):  # (dim,) -> (n_unknowns,)
            return compiled.exact(x[None, :])[0]

        for group in compiled.groups:
            points = jnp.asarray(uniform_points(compiled.domain, group.region, n_points, rng))
            largest = jax.jit(lambda x, fn=group.fn: jnp.max(jnp.abs(fn(u, x))))  # one compiled call per group
            result[group.name] = float(largest(points))
    return result
