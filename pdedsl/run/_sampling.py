"""Collocation and test points of a problem's residual groups; the points themselves come from `pdedsl.geometry`.

Counts follow one rule, documented in docs/usage.md: every residual group of a kind
(`pde`, `boundary`, `initial`) receives the count given for that kind; a group whose
region is several faces spreads its count over them in proportion to their measure.
A face of a 1-D domain is a single point and gets exactly one collocation point.
Groups with fixed points (`data`, `point:`) use their own points.

Per-point data of a group (`collocation_points` returns one dict per group):
`points` (N, dim); `normal` (N, dim), the outward unit normal, on boundary regions;
`pair` (N, dim), the image of each point on the opposite face, on periodic regions.
"""

from __future__ import annotations

import numpy as np

from pdedsl import geometry
from pdedsl.errors import PdeError
from pdedsl.geometry import SAMPLING_METHODS, EmptyRegionError, Interior, sample_unit_cube

__all__ = ["SAMPLING_METHODS", "DEFAULT_COUNTS", "sample_unit_cube", "sample_region", "region_data",
           "collocation_points", "evaluation_points", "interior_groups", "residual_density_sample"]

DEFAULT_COUNTS = {"pde": 1000, "boundary": 200, "initial": 100, "periodic": 100}
# The spec says `sample interior 900, ...`; groups of kind "pde" use the "interior" count.
COUNT_KEY = {"pde": "interior", "boundary": "boundary", "initial": "initial", "periodic": "boundary"}


def region_data(domain, region, n: int, method: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Points of a region and their per-point data (`pdedsl.geometry.region_data`); an empty shape is a PdeError."""
    try:
        return geometry.region_data(domain, region, n, rng, method)
    except EmptyRegionError as err:
        raise PdeError(str(err), hint=err.hint) from None


def sample_region(domain, region, n: int, method: str, rng: np.random.Generator) -> np.ndarray:
    """Collocation points of a region: (n, dim) for the interior, about n for faces."""
    return region_data(domain, region, n, method, rng)["points"]


def collocation_points(domain, groups, counts: dict, method: str, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """Per-point data for each residual group, keyed by group name; deterministic in `seed`.

    Each value is {"points": (N, dim), plus the extras named by the group's `point_data`}.
    `counts` maps "interior"/"boundary"/"initial" to a number of points. Groups of kind
    "pde" share one interior point set, so a system of equations is collocated at the
    same points. Groups with `fixed` per-point data (observations, point values) keep it.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    result: dict[str, dict[str, np.ndarray]] = {}
    interior = None
    for group in groups:
        fixed = getattr(group, "fixed", None)
        if fixed is not None:
            result[group.name] = dict(fixed)
            continue
        key = COUNT_KEY.get(group.kind, group.kind)
        n = int(counts.get(key, DEFAULT_COUNTS.get(group.kind, 100)))
        if isinstance(group.region, Interior):
            if interior is None:
                interior = region_data(domain, group.region, n, method, rng)
            data = interior
        else:
            data = region_data(domain, group.region, n, method, rng)
        wanted = ("points", *getattr(group, "point_data", ()))
        result[group.name] = {k: data[k] for k in wanted}
    return result


def interior_groups(groups) -> list[str]:
    """Names of the groups collocated at the shared interior point set (the ones `resample` redraws)."""
    return [g.name for g in groups if getattr(g, "fixed", None) is None and isinstance(g.region, Interior)]


def residual_density_sample(score, domain, n: int, pool: int, rng: np.random.Generator) -> np.ndarray:
    """`n` interior points drawn from the residual: RAD with k = c = 1 (Wu et al., CMAME 2023).

    `pool` candidates are drawn (scrambled Sobol'), `score` maps them, (pool, dim) -> (pool,), to the
    pointwise residual size |r|, and `n` of them are kept without replacement with probability
    proportional to |r| / mean|r| + 1: half the points follow the residual, half stay uniform, so a
    region that is already fitted keeps its share. Non-finite scores count as the largest finite one.
    """
    if pool < n:
        raise ValueError(f"the pool of {pool} candidates is smaller than the {n} points to draw")
    candidates = region_data(domain, Interior(), pool, "sobol", rng)["points"]
    size = np.abs(np.asarray(score(candidates), dtype=float))
    finite = np.isfinite(size)
    size = np.where(finite, size, np.max(size[finite], initial=0.0))
    mean = size.mean()
    weight = (size / mean if mean > 0 else np.zeros_like(size)) + 1.0
    keep = rng.choice(len(candidates), size=n, replace=False, p=weight / weight.sum())
    return candidates[np.sort(keep)]


def evaluation_points(domain, n: int, seed: int) -> np.ndarray:
    """`n` uniform random points of the domain, from a stream independent of the training points."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    return region_data(domain, Interior(), n, "random", rng)["points"]

