"""Hand-written seed problems for the solver-core studies (no DSL): laplace2d and heat.

Each `make_*` returns (model, residual_fn, data, error_fn) where error_fn(params) -> relative L2 error
on held-out points. Grid collocation as in the seeds: n×n interior grid + 4(n+1) boundary points.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.solvers import MLP, PointwiseGroup, PointwiseResidual


def _grid(n):
    g = np.linspace(0.0, 1.0, n + 2)
    inner = g[1:-1]
    xx, yy = np.meshgrid(inner, inner, indexing="ij")
    interior = np.stack([xx.ravel(), yy.ravel()], axis=1)
    edge = g[:-1]  # n+1 points per side, corners counted once
    bnd = np.concatenate([
        np.stack([edge, np.zeros_like(edge)], 1),
        np.stack([np.ones_like(edge), edge], 1),
        np.stack([1.0 - edge, np.ones_like(edge)], 1),
        np.stack([np.zeros_like(edge), 1.0 - edge], 1),
    ])
    return interior, bnd


def _test_points(n=10_000, seed=123):
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, 2))


def make_laplace2d(n=28, widths=(32,), activation="tanh", initializer="glorot", **model_kw):
    """Δu = −2π² sin(πx) sin(πy) on [0,1]², u = 0 on the boundary; exact sin(πx) sin(πy)."""
    model = MLP(2, 1, widths, activation, initializer, **model_kw)
    interior, bnd = _grid(n)
    data = {"interior": jnp.asarray(interior), "boundary": jnp.asarray(bnd)}
    exact = lambda p: jnp.sin(jnp.pi * p[..., 0]) * jnp.sin(jnp.pi * p[..., 1])

    def pde(params, x):
        u = lambda y: model.apply(params, y)[0]
        return jnp.trace(jax.hessian(u)(x)) + 2 * jnp.pi**2 * exact(x)

    def bc(params, x):
        return model.apply(params, x)[0]

    residual_fn = PointwiseResidual((
        PointwiseGroup("interior", pde, 1 / np.sqrt(len(interior))),
        PointwiseGroup("boundary", bc, 1 / np.sqrt(len(bnd))),
    ))

    test = jnp.asarray(_test_points())
    ref = exact(test)

    def error_fn(params):
        pred = jax.vmap(lambda x: model.apply(params, x)[0])(test)
        return float(jnp.linalg.norm(pred - ref) / jnp.linalg.norm(ref))

    return model, residual_fn, data, error_fn


def make_heat(n=28, widths=(32,), activation="tanh", initializer="glorot", **model_kw):
    """∂t u − ¼∂xx u = 0 on (t,x) ∈ [0,1]², u = 0 at x = 0,1, u(0,x) = sin(πx); exact e^{−π²t/4} sin(πx)."""
    model = MLP(2, 1, widths, activation, initializer, **model_kw)
    interior, bnd = _grid(n)
    g = np.linspace(0.0, 1.0, n + 2)
    # points are (t, x); boundary x=0 and x=1 for t in (0,1], initial t=0 for x in [0,1]
    t_side = g[1:]
    side = np.concatenate([np.stack([t_side, np.zeros_like(t_side)], 1), np.stack([t_side, np.ones_like(t_side)], 1)])
    init = np.stack([np.zeros_like(g), g], 1)
    data = {"interior": jnp.asarray(interior), "boundary": jnp.asarray(side), "initial": jnp.asarray(init)}
    exact = lambda p: jnp.exp(-jnp.pi**2 * p[..., 0] / 4) * jnp.sin(jnp.pi * p[..., 1])

    def pde(params, z):
        u = lambda y: model.apply(params, y)[0]
        return jax.grad(u)(z)[0] - 0.25 * jax.hessian(u)(z)[1, 1]

    def bc(params, z):
        return model.apply(params, z)[0]

    def ic(params, z):
        return model.apply(params, z)[0] - jnp.sin(jnp.pi * z[1])

    residual_fn = PointwiseResidual((
        PointwiseGroup("interior", pde, 1 / np.sqrt(len(interior))),
        PointwiseGroup("boundary", bc, 1 / np.sqrt(len(side))),
        PointwiseGroup("initial", ic, 1 / np.sqrt(len(init))),
    ))

    test = jnp.asarray(_test_points())
    ref = exact(test)

    def error_fn(params):
        pred = jax.vmap(lambda z: model.apply(params, z)[0])(test)
        return float(jnp.linalg.norm(pred - ref) / jnp.linalg.norm(ref))

    return model, residual_fn, data, error_fn


PROBLEMS = {"laplace2d": make_laplace2d, "heat": make_heat}


def interleaved_medians(functions: dict, repeats: int) -> dict:
    """Median seconds of each zero-argument callable, timing them round-robin `repeats` times."""
    for fn in functions.values():  # compile and warm up
        jax.block_until_ready(fn())
        jax.block_until_ready(fn())
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            jax.block_until_ready(fn())
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


