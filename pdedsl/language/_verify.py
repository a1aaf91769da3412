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

from pdedsl.geometry import (
    Box, Boundary, Face, Faces, Interior, PeriodicFaces, Region, ShapeDomain, face_normals, sample_shape_boundary,
    sample_shape_interior,
)
from pdedsl.language._problem import CompiledProblem

__all__ = ["uniform_points", "region_data", "max_residuals"]


def uniform_points(box: Box, region: Region, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points (n, dim) uniform in the box, or on a union of its faces (a face drawn at random per point)."""
    return region_data(box, region, n, rng)["points"]


def _box_faces(box: Box, faces: tuple[Face, ...], n: int, rng) -> dict[str, np.ndarray]:
    lows, highs = np.asarray(box.lows), np.asarray(box.highs)
    points = lows + (highs - lows) * rng.uniform(size=(n, box.dim))
    choice = np.sort(rng.integers(len(faces), size=n))
    for k, face in enumerate(faces):
        points[choice == k, face.axis] = box.face_value(face)
    counts = [int(np.sum(choice == k)) for k in range(len(faces))]
    return {"points": points, "normal": face_normals(box.dim, list(faces), counts)}


def _shape_region(domain: ShapeDomain, region: Region, n: int, rng) -> dict[str, np.ndarray]:
    def unit(m, k):
        return rng.uniform(size=(m, k))

    time = None if domain.time is None else rng.uniform(size=n)
    if isinstance(region, Boundary):
        spatial, normals = sample_shape_boundary(domain.shape, region.pieces, n, unit, rng)
        if domain.time_axis is not None:
            normals = np.insert(normals, domain.time_axis, 0.0, axis=1)
        return {"points": domain.with_time(spatial, time), "normal": normals}
    spatial = sample_shape_interior(domain.shape, n, unit)
    if isinstance(region, Faces):
        (face,) = region.faces
        return {"points": domain.with_time(spatial, np.full(n, float(face.side))),
                "normal": face_normals(domain.dim, [face], [n])}
    return {"points": domain.with_time(spatial, time)}


def region_data(domain, region: Region, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Uniform random points of a region, with outward normals on boundaries and pairs on periodic faces."""
    if isinstance(domain, ShapeDomain):
        return _shape_region(domain, region, n, rng)
    if isinstance(region, Interior):
        lows, highs = np.asarray(domain.lows), np.asarray(domain.highs)
        return {"points": lows + (highs - lows) * rng.uniform(size=(n, domain.dim))}
    if isinstance(region, PeriodicFaces):
        data = _box_faces(domain, (Face(region.axis, 0),), n, rng)
        pair = data["points"].copy()
        pair[:, region.axis] = domain.highs[region.axis]
        return {**data, "pair": pair}
    return _box_faces(domain, region.faces, n, rng)


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
