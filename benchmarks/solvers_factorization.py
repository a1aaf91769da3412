"""Thin SVD against the randomized low-rank factorisation, on the burgers spec's Jacobian.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" taskset -c 1 \
    python benchmarks/solvers_factorization.py [--warm-steps 20] [--repeats 7]

Builds the residual of examples/burgers.pde exactly as `pdedsl solve` does (its points, network and
scaling: S × P = 2300 × 1185), takes `--warm-steps` AMStramGRAM steps from the spec's initialisation
(so that φ̂ has a trained network's spectrum), then times, in one process and alternated (each
repeat runs every function once, in turn): the thin SVD path (`spectral_projection`: reduced QR + SVD
of R), `jnp.linalg.svd`, the sketches of the ladder, and one whole jitted AMStramGRAM step with
factorization "svd" and "auto" from the same point. Prints medians, their ratios, the rule's rank on
both paths, and how well the sketch's leading singular values and RCE curve match the SVD's.
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

import pdedsl  # noqa: E402
from solvers_problems import interleaved_medians  # noqa: E402
from pdedsl.run._assemble import initial_params, make_residual_fn  # noqa: E402
from pdedsl.run._sampling import collocation_points  # noqa: E402
from pdedsl.run._settings import resolve_settings  # noqa: E402
from pdedsl.solvers import MLP, AMStramGRAM, run  # noqa: E402
from pdedsl.solvers._amstramgram import reconstruction_errors  # noqa: E402
from pdedsl.solvers._factorization import randomized_projection, spectral_projection  # noqa: E402
from pdedsl.solvers._jacobian import flatten_problem  # noqa: E402

SPEC = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "burgers.pde")


def burgers_problem():
    """(residual_fn, params, data) of examples/burgers.pde, as the runner assembles them."""
    compiled = pdedsl.load(SPEC).compile()
    settings = resolve_settings(compiled.settings)
    box = compiled.domain
    model = MLP(in_dim=box.dim, out_dim=len(compiled.unknowns), widths=settings.widths,
                activation=settings.activation, initializer=settings.init or "glorot")
    points = collocation_points(box, compiled.groups, settings.counts, settings.method, settings.seed)
    data = {name: {k: jnp.asarray(v) for k, v in group.items()} for name, group in points.items()}
    params = initial_params(model, jax.random.PRNGKey(settings.seed), compiled.parameters)
    return make_residual_fn(compiled.groups, model, data), params, data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm-steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    residual_fn, params, data = burgers_problem()
    svd_rule, auto_rule = AMStramGRAM(factorization="svd"), AMStramGRAM(factorization="auto")
    if args.warm_steps:
        params = run(svd_rule, residual_fn, params, data, steps=args.warm_steps).params
    prob = flatten_problem(residual_fn, params, data)
    r, jac = jax.jit(prob.jacobian)(prob.theta)
    print(f"S x P = {jac.shape[0]} x {jac.shape[1]}, loss {0.5 * float(r @ r):.3e}, {args.warm_steps} warm steps")

    # the rule's own choice from this point: one auto step settles the level the next step starts from
    step_svd = jax.jit(svd_rule.step, static_argnums=0)
    step_auto = jax.jit(auto_rule.step, static_argnums=0)
    state = svd_rule.init(residual_fn, params, data)
    _, auto_state, first = step_auto(residual_fn, params, state, data)
    auto_state = state._replace(level=auto_state.level)
    _, _, stats_svd = step_svd(residual_fn, params, state, data)
    _, _, stats_auto = step_auto(residual_fn, params, auto_state, data)
    print(f"rule's rank: svd {int(stats_svd['rank'])}, auto {int(stats_auto['rank'])} "
          f"(cap min(r_cross, r_eps): {min(int(stats_svd['rank_cross']), int(stats_svd['rank_eps']))}); "
          f"auto computed {int(stats_auto['components'])} components (first step {int(first['components'])})")

    full = jax.jit(spectral_projection)
    plain_svd = jax.jit(lambda a: jnp.linalg.svd(a, full_matrices=False))
    sizes = (64, 96, 128, 256)
    sketches = {k: jax.jit(lambda a, b, k=k: randomized_projection(a, b, k)) for k in sizes}
    exact = full(jac, r)
    rce_exact = np.asarray(reconstruction_errors(exact.outside_sq, exact.coefficients))
    for k, fn in sketches.items():
        approx = fn(jac, r)
        lead = 3 * k // 4  # the part of a sketch a rule may use
        err = np.max(np.abs(approx.singular_values[:lead] - exact.singular_values[:lead]) / exact.singular_values[0])
        rce = np.asarray(reconstruction_errors(approx.outside_sq, approx.coefficients))
        rce_err = np.max(np.abs(rce[: lead + 1] - rce_exact[: lead + 1]) / rce_exact[0])
        print(f"sketch {k}: leading {lead} singular values to {err:.1e} of the largest, RCE_0..{lead} to {rce_err:.1e}")

    functions = {"thin SVD path (QR + SVD of R)": lambda: full(jac, r), "jnp.linalg.svd": lambda: plain_svd(jac)}
    functions.update({f"sketch {k}": (lambda fn=fn: fn(jac, r)) for k, fn in sketches.items()})
    functions["step, factorization svd"] = lambda: step_svd(residual_fn, params, state, data)
    functions["step, factorization auto"] = lambda: step_auto(residual_fn, params, auto_state, data)
    medians = interleaved_medians(functions, args.repeats)
    base = medians["thin SVD path (QR + SVD of R)"]
    for name, t in medians.items():
        print(f"{name:32s} {1e3 * t:9.1f} ms   {base / t:6.2f}x faster than the thin SVD path")
    ratio = medians["step, factorization svd"] / medians["step, factorization auto"]
    print(f"whole step: auto is {ratio:.2f}x faster than svd")


if __name__ == "__main__":
    main()
