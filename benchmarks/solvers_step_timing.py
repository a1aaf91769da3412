"""Step cost vs thin-SVD cost on laplace2d (the published set-up: net 2-32-1 tanh, 784 + 116 grid points).

    python benchmarks/solvers_step_timing.py [--repeats 40] [--widths 32]

Times, in one process and *interleaved* (each repeat runs every function once, in turn, so that a
change of machine load hits all of them alike): the residual, the Jacobian (pointwise reverse), the
thin SVD of the same S×P matrix (`jnp.linalg.svd`, the reference cost), the factorisation
the solvers actually use (reduced QR + SVD of R), the 31-point line search (exhaustive, and coarse-to-fine
with stride 3 — the default), and one full jitted step of ANaGRAM (stride 3 and 1) and AMStramGRAM. Prints medians in ms and as multiples of the thin SVD.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # a script owns its process

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from solvers_problems import interleaved_medians, make_laplace2d  # noqa: E402

from pdedsl.solvers import AMStramGRAM, ANaGRAM  # noqa: E402
from pdedsl.solvers._factorization import spectral_projection  # noqa: E402
from pdedsl.solvers._jacobian import flatten_problem  # noqa: E402
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--widths", type=int, nargs="+", default=[32])
    args = parser.parse_args()
    model, residual_fn, data, _ = make_laplace2d(widths=tuple(args.widths))
    params = model.init(jax.random.PRNGKey(0))
    prob = flatten_problem(residual_fn, params, data)
    residual = jax.jit(prob.residual)
    jacobian = jax.jit(prob.jacobian)
    r, jac = jacobian(prob.theta)
    svd = jax.jit(lambda a: jnp.linalg.svd(a, full_matrices=False))
    factor = jax.jit(spectral_projection)
    direction = jnp.asarray(np.random.default_rng(0).normal(size=prob.theta.shape)) * 1e-3
    loss = 0.5 * jnp.sum(r**2)
    search = jax.jit(lambda th, d: grid_line_search(prob.residual, th, d, loss, DEFAULT_STEP_SIZES, reject=True))
    search3 = jax.jit(lambda th, d: grid_line_search(prob.residual, th, d, loss, DEFAULT_STEP_SIZES, reject=True,
                                                     stride=3))
    fns = {
        "residual": lambda: residual(prob.theta),
        "jacobian (pointwise rev)": lambda: jacobian(prob.theta),
        f"thin SVD {jac.shape[0]}x{jac.shape[1]}": lambda: svd(jac),
        "QR + SVD(R) + projections": lambda: factor(jac, r),
        "line search (31 trials)": lambda: search(prob.theta, direction),
        "line search (stride 3, 15 trials)": lambda: search3(prob.theta, direction),
    }
    for label, opt in (("ANaGRAM step", ANaGRAM()), ("AMStramGRAM step", AMStramGRAM()),
                       ("ANaGRAM step, search_stride 1", ANaGRAM(search_stride=1))):
        step = jax.jit(opt.step, static_argnums=0)
        state = opt.init(residual_fn, params, data)
        fns[label] = lambda step=step, state=state: step(residual_fn, params, state, data)
    medians = interleaved_medians(fns, args.repeats)
    svd_s = medians[f"thin SVD {jac.shape[0]}x{jac.shape[1]}"]
    print(f"laplace2d, widths {args.widths}, S x P = {jac.shape[0]} x {jac.shape[1]}, {args.repeats} interleaved repeats")
    for name, sec in medians.items():
        print(f"{name:36s} {1e3 * sec:9.2f} ms   {sec / svd_s:6.2f} x SVD")


if __name__ == "__main__":
    main()
