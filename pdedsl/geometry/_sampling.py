"""Points of a region of a domain, with the per-point data conditions need: the one sampler of the project.

`region_data(domain, region, n, rng, method)` returns `{"points": (N, dim)}`, plus `"normal"` (N, dim),
the outward unit normal, on boundary regions, and `"pair"` (N, dim), the image of each point on the
opposite face, on periodic regions. The runner's collocation and test points and the verifier's
check points all come from it.

Methods (`SAMPLING_METHODS`): `random` (uniform), `sobol` and `halton` (scrambled, `scipy.stats.qmc`),
`grid`. On a box, `grid` is a tensor grid: interior points exclude the faces; face points are the
nodes of one closed grid of the box that lie on the faces, so an edge or corner shared by two faces
of the region is one point, not two. Shapes (disks, annuli, constructive geometry) sample themselves
from unit-cube samples of the method (`grid` becomes `sobol` there): interiors by vectorised
rejection from the bounding box, boundaries by parametrising each primitive's pieces and keeping
the points that lie on the boundary of the combination.

A union of faces (or of boundary pieces) spreads its count over them in proportion to their measure
(largest remainders); a face of a 1-D box is one point.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy.stats import qmc

from pdedsl.geometry._regions import Box, Boundary, Face, Faces, Interior, PeriodicFaces, face_normals
from pdedsl.geometry._shapes import ShapeDomain, kept, patches

__all__ = ["SAMPLING_METHODS", "EmptyRegionError", "sample_unit_cube", "largest_remainder", "region_data",
           "sample_shape_interior", "sample_shape_boundary"]

SAMPLING_METHODS = ("random", "sobol", "halton", "grid")
UnitSampler = Callable[[int, int], np.ndarray]  # unit(n, k) -> (n, k) points of [0, 1)^k

# Rejection sampling draws at most _ROUNDS batches, each at most _MAX_BATCH candidates (~16 MB in 2-D):
# a domain too thin to fill the request within them is reported, not sampled until memory runs out.
_ROUNDS = 12
_MAX_BATCH = 1 << 20
_EMPTY_HINT = ("check the sizes of the shapes: a radius below 1e-12, a difference that removes everything or "
               "an intersection of shapes that do not overlap leaves nothing to sample")


class EmptyRegionError(ValueError):
    """A region too small to hold the points asked for; `hint` says what to check (callers report it)."""

    def __init__(self, message: str, hint: str = _EMPTY_HINT):
        super().__init__(message)
        self.hint = hint


def sample_unit_cube(n: int, dim: int, method: str, rng: np.random.Generator, *, open_grid: bool) -> np.ndarray:
    """`n` points of [0,1]^dim, shape (n, dim); `grid` may return slightly fewer/more (a full tensor grid)."""
    if dim == 0:
        return np.zeros((1, 0))
    if method == "random":
        return rng.random((n, dim))
    if method in ("sobol", "halton"):
        engine = (qmc.Sobol if method == "sobol" else qmc.Halton)(d=dim, scramble=True, seed=rng)
        with warnings.catch_warnings():  # Sobol prefers powers of two; any n is still a valid prefix
            warnings.simplefilter("ignore", UserWarning)
            return engine.random(n)
    if method == "grid":
        per_axis = max(int(round(n ** (1.0 / dim))), 1)
        if open_grid:  # interior: drop the two end points of each axis
            axis = np.linspace(0.0, 1.0, per_axis + 2)[1:-1]
        else:
            axis = np.linspace(0.0, 1.0, per_axis) if per_axis > 1 else np.array([0.5])
        mesh = np.meshgrid(*([axis] * dim), indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=-1)
    raise ValueError(f"unknown sampling method {method!r}; choose one of {', '.join(SAMPLING_METHODS)}")


def largest_remainder(measures, n: int) -> np.ndarray:
    """Whole counts summing to `n`, in proportion to `measures` (largest-remainder rounding)."""
    measures = np.asarray(measures, float)
    share = n * measures / measures.sum()
    counts = np.floor(share).astype(int)
    counts[np.argsort(-(share - counts))[: n - counts.sum()]] += 1
    return counts


# ---- boxes --------------------------------------------------------------------------------------


def _scale(unit: np.ndarray, lows, highs) -> np.ndarray:
    lows, highs = np.asarray(lows, float), np.asarray(highs, float)
    return lows + unit * (highs - lows)


def _face_points(box: Box, face: Face, n: int, method: str, rng) -> np.ndarray:
    """`n` points on one face, shape (n, box.dim); the fixed coordinate is set exactly."""
    others = [k for k in range(box.dim) if k != face.axis]
    unit = sample_unit_cube(n, len(others), method, rng, open_grid=False)
    pts = np.empty((unit.shape[0], box.dim))
    pts[:, others] = _scale(unit, [box.lows[k] for k in others], [box.highs[k] for k in others])
    pts[:, face.axis] = box.face_value(face)
    return pts


def _grid_nodes_on_faces(box: Box, faces, per_axis) -> dict[str, np.ndarray]:
    """The nodes of the closed grid with `per_axis[k]` nodes on axis k that lie on `faces`, each once.

    A node on several faces (an edge, a corner) keeps the first face's normal; the coordinates of a
    shared node come from the same `linspace` on every face, so duplicates compare equal exactly.
    """
    axes = [np.linspace(lo, hi, m) for lo, hi, m in zip(box.lows, box.highs, per_axis)]
    parts = []
    for face in faces:
        grid = [np.array([box.face_value(face)]) if k == face.axis else axes[k] for k in range(box.dim)]
        parts.append(np.stack([m.ravel() for m in np.meshgrid(*grid, indexing="ij")], axis=-1))
    points = np.concatenate(parts)
    normals = face_normals(box.dim, list(faces), [len(p) for p in parts])
    first = np.sort(np.unique(points, axis=0, return_index=True)[1])
    return {"points": points[first], "normal": normals[first]}


def _grid_faces(box: Box, faces, n: int) -> dict[str, np.ndarray]:
    """About `n` distinct nodes of a closed grid of the box on `faces`, spaced as evenly as the box allows.

    The grid is refined one interval at a time along the longest edge the faces run along (the other
    axes in proportion) until it has at least `n` nodes on the faces; the refinement closest to `n` is
    kept. On [0, 1]² with the four faces and n = 4m − 4 that is the m-point grid of each side.
    """
    lengths = np.asarray(box.highs, float) - np.asarray(box.lows, float)
    along = sorted({k for face in faces for k in range(box.dim) if k != face.axis})
    longest = lengths[along].max()
    best = None
    for intervals in range(1, n + 1):
        per_axis = np.maximum(np.rint(lengths / longest * intervals), 1).astype(int) + 1
        data = _grid_nodes_on_faces(box, faces, per_axis)
        if best is None or abs(len(data["points"]) - n) < abs(len(best["points"]) - n):
            best = data
        if len(data["points"]) >= n:
            break
    return best


def _box_faces(box: Box, faces, n: int, method: str, rng) -> dict[str, np.ndarray]:
    if box.dim == 1:  # each face is one point
        parts = [_face_points(box, f, 1, method, rng) for f in faces]
    elif method == "grid":
        return _grid_faces(box, faces, n)
    else:
        counts = np.maximum(largest_remainder([box.face_measure(f) for f in faces], n), 1)
        parts = [_face_points(box, f, int(c), method, rng) for f, c in zip(faces, counts)]
    return {"points": np.concatenate(parts), "normal": face_normals(box.dim, list(faces), [len(p) for p in parts])}


# ---- shapes -------------------------------------------------------------------------------------


def sample_shape_boundary(shape, pieces, n: int, unit: UnitSampler, rng: np.random.Generator):
    """`n` points (n, dim) on the named boundary pieces of `shape`, uniform by measure, and outward normals.

    Each primitive piece is parametrised, a batch drawn in proportion to its measure, and the points
    that do not lie on the boundary of the combination are dropped; batches grow until `n` are kept,
    then `n` are chosen at random among them (so no piece is favoured by the order of the draws).
    """
    chosen_patches = [p for p in patches(shape) if p.piece in pieces]
    measures = [p.primitive.measure(p.piece) for p in chosen_patches]
    batch = n
    for _ in range(_ROUNDS):
        points, normals = [], []
        for patch, count in zip(chosen_patches, largest_remainder(measures, 2 * batch)):
            if count == 0:
                continue
            p, nrm = patch.primitive.place(patch.piece, unit(int(count), shape.dim - 1))
            keep = kept(patch, p)
            points.append(p[keep])
            normals.append(-nrm[keep] if patch.flip else nrm[keep])
        points, normals = np.concatenate(points), np.concatenate(normals)
        if points.shape[0] >= n:
            chosen = np.sort(rng.choice(points.shape[0], size=n, replace=False))
            return points[chosen], normals[chosen]
        batch = min(4 * batch, _MAX_BATCH)
    raise EmptyRegionError(f"the boundary pieces {', '.join(sorted(set(map(str, pieces))))} are (almost) empty: "
                           f"after {_ROUNDS} batches of sample points, fewer than the {n} needed lie on them")


def sample_shape_interior(shape, n: int, unit: UnitSampler) -> np.ndarray:
    """`n` points (n, dim) strictly inside `shape`: rejection sampling from its bounding box."""
    lows, highs = shape.bounds()
    batch, found = n, []
    for _ in range(_ROUNDS):
        candidates = lows + unit(2 * batch, shape.dim) * (highs - lows)
        found.append(candidates[shape.inside(candidates)])
        if sum(f.shape[0] for f in found) >= n:
            return np.concatenate(found)[:n]
        batch = min(4 * batch, _MAX_BATCH)
    inside = sum(f.shape[0] for f in found)
    raise EmptyRegionError(f"the domain is (almost) empty: {inside} of the sample points drawn from its bounding "
                           f"box lie inside it, {n} are needed")


def _shape_region(domain: ShapeDomain, region, n: int, method: str, rng) -> dict[str, np.ndarray]:
    """Interior, named boundary pieces, or a time face (initial slice) of a shape domain."""
    def unit(m, k):
        return sample_unit_cube(m, k, method if method != "grid" else "sobol", rng, open_grid=True)

    def time_unit(m):
        return None if domain.time is None else unit(m, 1)[:, 0]

    if isinstance(region, Boundary):
        spatial, normals = sample_shape_boundary(domain.shape, region.pieces, n, unit, rng)
        points = domain.with_time(spatial, time_unit(n))
        if domain.time_axis is not None:  # the normal of the space-time cylinder has no time component
            normals = np.insert(normals, domain.time_axis, 0.0, axis=1)
        return {"points": points, "normal": normals}
    spatial = sample_shape_interior(domain.shape, n, unit)
    if isinstance(region, Interior):
        return {"points": domain.with_time(spatial, time_unit(n))}
    (face,) = region.faces  # the time faces: t = low or t = high
    points = domain.with_time(spatial, np.full(n, float(face.side)))
    return {"points": points, "normal": face_normals(domain.dim, [face], [n])}


# ---- any domain ---------------------------------------------------------------------------------


def region_data(domain, region, n: int, rng: np.random.Generator, method: str = "random") -> dict[str, np.ndarray]:
    """Points of a region and their per-point data: {"points", "normal" on boundaries, "pair" if periodic}.

    `n` points for the interior and for shapes; `grid` on a box gives about `n` (a full grid), and a
    union of faces at least one point per face. Raises `EmptyRegionError` for a shape too thin to fill.
    """
    if method not in SAMPLING_METHODS:
        raise ValueError(f"unknown sampling method {method!r}; choose one of {', '.join(SAMPLING_METHODS)}")
    if isinstance(domain, ShapeDomain):
        return _shape_region(domain, region, n, method, rng)
    if isinstance(region, Interior):
        return {"points": _scale(sample_unit_cube(n, domain.dim, method, rng, open_grid=True), domain.lows,
                                 domain.highs)}
    if isinstance(region, Faces):
        return _box_faces(domain, region.faces, n, method, rng)
    if isinstance(region, PeriodicFaces):
        data = _box_faces(domain, (Face(region.axis, 0),), n, method, rng)
        pair = data["points"].copy()
        pair[:, region.axis] = domain.highs[region.axis]
        return {**data, "pair": pair}
    raise TypeError(f"cannot sample region {region!r}")
