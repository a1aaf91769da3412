"""Step time of a spec's network with its points split over 1, 2, … devices, in one process.

    XLA_FLAGS="--xla_force_host_platform_device_count=2 --xla_cpu_multi_thread_eigen=false \
    intra_op_parallelism_threads=1" OPENBLAS_NUM_THREADS=1 \
    python benchmarks/scaling_devices.py examples/burgers.pde --interior 20000 --devices 1 2

Strong scaling (the default): the same points on every device count. `--weak`: `--interior` points per
device. Each device count gets its own jitted step (compiled first); then the repeats take one step
per device count in turn, so a change in the machine's load falls on all of them alike. Prints a
Markdown table: per device count the rows, the median wall time of a step, its ratio to the first
device count's, the process's CPU time a step (all threads: more than the wall time when XLA runs
a device's large operations on several cores; about the wall time when other jobs leave this process
one core), and every timed step; with the machine and the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import jax
import numpy as np


def build(spec: str, interior: int, seed: int):
    from pdedsl.language import load
    from pdedsl.run._assemble import make_residual_fn
    from pdedsl.run._sampling import collocation_points
    from pdedsl.run._settings import resolve_settings
    from pdedsl.solvers import MLP

    compiled = load(spec).compile()
    settings = resolve_settings(compiled.settings, compiled.domain, compiled.linear)  # the spec's run settings
    counts = {**settings.counts, "interior": interior}
    points = collocation_points(compiled.domain, compiled.groups, counts, settings.method, seed)
    data = {name: {k: jax.numpy.asarray(v) for k, v in group.items()} for name, group in points.items()}
    model = MLP(in_dim=compiled.domain.dim, out_dim=len(compiled.unknowns), widths=settings.widths,
                activation=settings.activation, initializer=settings.init)
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

    steps, rows = {}, {}
    for n in args.devices:
        model, fn, data = build(args.spec, args.interior * (n if args.weak else 1), 0)
        params = model.init(jax.random.PRNGKey(0))
        opt = Sharded(AMStramGRAM(factorization=args.factorization), points_mesh(n))
        params, state, data = _placed(params, opt.init(fn, params, data), data, opt.mesh)
        step = jax.jit(opt.step, static_argnums=0)
        start = time.perf_counter()
        jax.block_until_ready(step(fn, params, state, data))
        rows[n] = sum(len(g["points"]) for g in data.values())
        print(f"{n} device(s): S = {rows[n]} rows, compiled and ran one step in {time.perf_counter() - start:.1f} s",
              flush=True)
        steps[n] = (step, fn, params, state, data)
    load_before = os.getloadavg()[0]
    times, cpu = {n: [] for n in args.devices}, {n: [] for n in args.devices}
    for _ in range(args.repeats):
        for n, (step, fn, params, state, data) in steps.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            jax.block_until_ready(step(fn, params, state, data))
            times[n].append(time.perf_counter() - start)
            cpu[n].append(time.process_time() - start_cpu)
    base = np.median(times[args.devices[0]])
    kind = f"weak scaling, {args.interior} interior points a device" if args.weak else \
        f"strong scaling, {args.interior} interior points"
    print(f"\n{kind}, factorization {args.factorization}; {_machine()}; load average {load_before:.1f} before "
          f"the timed steps, {os.getloadavg()[0]:.1f} after; medians of {args.repeats} alternated steps\n")
    print("| devices | rows | step (s) | ratio | process CPU a step (s) | all steps (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n, values in times.items():
        print(f"| {n} | {rows[n]} | {np.median(values):.3f} | {np.median(values) / base:.2f} | "
              f"{np.median(cpu[n]):.3f} | " + " ".join(f"{v:.3f}" for v in values) + " |")


def _machine() -> str:
    """The processor's name and the cores this process may use."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            name = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {len(os.sched_getaffinity(0))} cores"

if __name__ == "__main__":
    main()
