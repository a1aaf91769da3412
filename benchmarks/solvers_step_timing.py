"""Step cost vs thin-SVD cost on laplace2d (net 2-32-1 tanh, 784 interior + 116 boundary points).

    python benchmarks/solvers_step_timing.py [--repeats 30]

Prints median wall times (ms) of: the residual, the Jacobian (pointwise reverse and dense forward),
the thin SVD of the same S×P matrix, and one full jitted step of ANaGRAM and AMStramGRAM.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # a script owns its process

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from solvers_problems import make_laplace2d  # noqa: E402

from pdedsl.solvers import AMStramGRAM, ANaGRAM, flatten_problem  # noqa: E402


def median_ms(fn, *args, repeats):
    jax.block_until_ready(fn(*args))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t)
    if os.environ.get("TIMING_DEBUG"):
        print(fn, np.round(np.asarray(times) * 1e3, 1))
    return 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    model, residual_fn, data, _ = make_laplace2d()
    params = model.init(jax.random.PRNGKey(0))
    rows = {}
    prob = flatten_problem(residual_fn, params, data)
    rows["residual"] = median_ms(jax.jit(prob.residual), prob.theta, repeats=args.repeats)
    rows["jacobian (pointwise rev)"] = median_ms(jax.jit(prob.jacobian), prob.theta, repeats=args.repeats)
    dense = flatten_problem(residual_fn, params, data, "fwd")
    rows["jacobian (dense fwd)"] = median_ms(jax.jit(dense.jacobian), prob.theta, repeats=max(3, args.repeats // 5))
    _, jac = jax.jit(prob.jacobian)(prob.theta)
    svd = jax.jit(lambda a: jnp.linalg.svd(a, full_matrices=False))
    rows[f"thin SVD {jac.shape[0]}x{jac.shape[1]}"] = median_ms(svd, jac, repeats=args.repeats)
    for opt in (ANaGRAM(), AMStramGRAM()):
        step = jax.jit(opt.step, static_argnums=0)
        state = opt.init(residual_fn, params, data)
        rows[f"{type(opt).__name__} step"] = median_ms(
            lambda p, s, step=step: step(residual_fn, p, s, data), params, state, repeats=args.repeats
        )
    svd_ms = rows[f"thin SVD {jac.shape[0]}x{jac.shape[1]}"]
    for name, ms in rows.items():
        print(f"{name:32s} {ms:9.2f} ms   {ms / svd_ms:6.2f} x SVD")


if __name__ == "__main__":
    main()
