"""Collocation and test points for the regions of a box domain.

Methods: `random` (uniform), `sobol` and `halton` (scrambled, `scipy.stats.qmc`), `grid`
(tensor grid: interior points exclude the faces, face points include their edges).

Counts follow one rule, documented in docs/usage.md: every residual group of a kind
(`pde`, `boundary`, `initial`) receives the count given for that kind; a group whose
region is several faces spreads its count over them in proportion to their measure.
A face of a 1-D domain is a single point and gets exactly one collocation point.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import qmc

from pdedsl.geometry import Box, Face, Faces, Interior

__all__ = ["SAMPLING_METHODS", "DEFAULT_COUNTS", "sample_unit_cube", "sample_region", "collocation_points",
           "evaluation_points"]

SAMPLING_METHODS = ("random", "sobol", "halton", "grid")
DEFAULT_COUNTS = {"pde": 1000, "boundary": 200, "initial": 100}
# The spec says `sample interior 900, ...`; groups of kind "pde" use the "interior" count.
COUNT_KEY = {"pde": "interior", "boundary": "boundary", "initial": "initial"}


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


def _split_by_measure(box: Box, faces: tuple[Face, ...], n: int) -> list[int]:
    """Largest-remainder split of n over faces in proportion to their measure (≥ 1 each)."""
    measures = np.array([box.face_measure(f) for f in faces], float)
    share = n * measures / measures.sum()
    counts = np.floor(share).astype(int)
    for k in np.argsort(-(share - counts))[: n - counts.sum()]:
        counts[k] += 1
    return [max(int(c), 1) for c in counts]


def sample_region(box: Box, region, n: int, method: str, rng: np.random.Generator) -> np.ndarray:
    """Collocation points of a region: (n, dim) for the interior, about n for faces."""
    if isinstance(region, Interior):
        return _scale(sample_unit_cube(n, box.dim, method, rng, open_grid=True), box.lows, box.highs)
    if isinstance(region, Faces):
        if box.dim == 1:  # each face is one point
            return np.stack([_face_points(box, f, 1, method, rng)[0] for f in region.faces])
        counts = _split_by_measure(box, region.faces, n)
        return np.concatenate([_face_points(box, f, c, method, rng) for f, c in zip(region.faces, counts)])
    raise TypeError(f"cannot sample region {region!r}")


def collocation_points(box: Box, groups, counts: dict, method: str, seed: int) -> dict[str, np.ndarray]:
    """Points for each residual group, keyed by group name; deterministic in `seed`.

    `counts` maps "interior"/"boundary"/"initial" to a number of points. Groups of kind
    "pde" share one interior point set, so a system of equations is collocated at the
    same points.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    points: dict[str, np.ndarray] = {}
    interior = None
    for group in groups:
        key = COUNT_KEY.get(group.kind, group.kind)
        n = int(counts.get(key, DEFAULT_COUNTS.get(group.kind, 100)))
        if isinstance(group.region, Interior):
            if interior is None:
                interior = sample_region(box, group.region, n, method, rng)
            points[group.name] = interior
        else:
            points[group.name] = sample_region(box, group.region, n, method, rng)
    return points


def evaluation_points(box: Box, n: int, seed: int) -> np.ndarray:
    """`n` uniform random points of the box, from a stream independent of the training points."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    return _scale(rng.random((n, box.dim)), box.lows, box.highs)


def grid_shape_for(box: Box, n_total: int) -> int:
    """Points per axis of a regular grid of about `n_total` points (for solution.npz)."""
    return max(int(math.floor(n_total ** (1.0 / box.dim))), 2)
