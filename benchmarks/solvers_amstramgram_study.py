"""AMStramGRAM rule study: variants × seeds on laplace2d / heat, printed as a table.

    python benchmarks/solvers_amstramgram_study.py --problem laplace2d --seeds 0 1 2 3 4 --steps 800 [--n 28] [--widths 64]

Each row: variant, seed, steps run, final loss, relative L2 on 10⁴ held-out points, wall seconds.
Variants are AMStramGRAM/ANaGRAM configurations (edit VARIANTS to add one). Runs are sequential:
the machine this was written on has 2 shared cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # a script owns its process

from solvers_problems import PROBLEMS  # noqa: E402

from pdedsl.solvers import AMStramGRAM, ANaGRAM, run  # noqa: E402

VARIANTS = {
    # published set-up: fixed absolute cutoff, N(0, 0.1²) weights
    "anagram-abs1e-6-normal": (ANaGRAM(cutoff=1e-6, relative=False), "normal"),
    "anagram-rel1e-8-glorot": (ANaGRAM(cutoff=1e-8), "glorot"),
    # crossing rank only (no elbow), fixed τ = 1/√S
    "crossing-only": (AMStramGRAM(elbow=0.0, tau_range=(1.0, 1.0)), "glorot"),
    # default: crossing + elbow + trust-region τ + patience stop
    "amstramgram": (AMStramGRAM(), "glorot"),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--problem", default="laplace2d", choices=sorted(PROBLEMS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--n", type=int, default=28, help="interior grid n×n (28: 784 + 116 points)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--widths", type=int, nargs="+", default=[64])
    args = parser.parse_args()
    print(f"{'variant':32s} {'seed':>4s} {'steps':>6s} {'loss':>10s} {'rel L2':>10s} {'wall s':>8s}")
    for name in args.variants:
        opt, init = VARIANTS[name]
        model, residual_fn, data, error_fn = PROBLEMS[args.problem](n=args.n, initializer=init, widths=tuple(args.widths))
        for seed in args.seeds:
            params = model.init(jax.random.PRNGKey(seed))
            start = time.perf_counter()
            out = run(opt, residual_fn, params, data, steps=args.steps)
            wall = time.perf_counter() - start
            loss = float(out.history["loss"][-1])
            print(f"{name:32s} {seed:4d} {out.steps:6d} {loss:10.2e} {error_fn(out.params):10.2e} {wall:8.1f}",
                  flush=True)


if __name__ == "__main__":
    main()
