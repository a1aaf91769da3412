"""Step time of a spec's network with its points split over 1, 2, … devices, in one process.

    XLA_FLAGS="--xla_force_host_platform_device_count=2 --xla_cpu_multi_thread_eigen=false \
    intra_op_parallelism_threads=1" OPENBLAS_NUM_THREADS=1 \
    python benchmarks/scaling_devices.py examples/burgers.pde --interior 20000 --devices 1 2

Strong scaling (the default): the same points on every device count. `--weak`: `--interior` points per
device. Each device count gets its own jitted step (compiled first); then the repeats take one step
per device count in turn, so a change in the machine's load falls on all of them alike. Prints the
median wall time of a step and its ratio to the first device count's.
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np


def build(spec: str, interior: int, seed: int):
    from pdedsl.language import load
    from pdedsl.run._assemble import make_residual_fn
    from pdedsl.run._sampling import collocation_points
    from pdedsl.solvers import MLP

    compiled = load(spec).compile()
    settings = compiled.settings
    counts = {**{k: v for k, v in settings.sample.items() if isinstance(v, int)}, "interior": interior}
    points = collocation_points(compiled.domain, compiled.groups, counts, settings.sample.get("method", "sobol"), seed)
    data = {name: {k: jax.numpy.asarray(v) for k, v in group.items()} for name, group in points.items()}
    model = MLP(in_dim=compiled.domain.dim, out_dim=len(compiled.unknowns),
                widths=tuple(settings.model.get("widths", (32,))), activation=settings.model.get("activation", "tanh"))
    return model, make_residual_fn(compiled.groups, model, data), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec")
    parser.add_argument("--interior", type=int, default=20000)
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--weak", action="store_true", help="--interior points per device")
    parser.add_argument("--factorization", default="auto", choices=("auto", "svd", "lowrank"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    from pdedsl.solvers import AMStramGRAM, Sharded, points_mesh
    from pdedsl.solvers._driver import _placed

    steps = {}
    for n in args.devices:
        model, fn, data = build(args.spec, args.interior * (n if args.weak else 1), 0)
        params = model.init(jax.random.PRNGKey(0))
        opt = Sharded(AMStramGRAM(factorization=args.factorization), points_mesh(n))
        params, state, data = _placed(params, opt.init(fn, params, data), data, opt.mesh)
        step = jax.jit(opt.step, static_argnums=0)
        start = time.perf_counter()
        jax.block_until_ready(step(fn, params, state, data))
        rows = sum(len(g["points"]) for g in data.values())
        print(f"{n} device(s): S = {rows} rows, compiled and ran one step in {time.perf_counter() - start:.1f} s",
              flush=True)
        steps[n] = (step, fn, params, state, data)
    times = {n: [] for n in args.devices}
    for _ in range(args.repeats):
        for n, (step, fn, params, state, data) in steps.items():
            start = time.perf_counter()
            jax.block_until_ready(step(fn, params, state, data))
            times[n].append(time.perf_counter() - start)
    base = np.median(times[args.devices[0]])
    print("devices  median step (s)  ratio   all (s)")
    for n, values in times.items():
        print(f"{n:7d}  {np.median(values):15.3f}  {np.median(values) / base:5.2f}   "
              + " ".join(f"{v:.3f}" for v in values))


if __name__ == "__main__":
    main()
