"""How the ANaGRAM step and its memory grow with the number of points S and of parameters P.

    python benchmarks/scaling.py [--quick]

laplace2d from its spec (examples/laplace2d.pde, through pdedsl's normal path), with the network
widened to reach P (2-w-1 tanh: P = 4w + 1) and S Sobol points (S − S/8 inside, S/8 on the boundary).
Three sweeps: S at fixed P, P at fixed S, and S = P. At each size the jitted DSL step and the thin
SVD of the same S×P Jacobian are timed alternately (median of `--repeats`), with the step split into
derivatives + Jacobian, factorisation and line search, and XLA's buffer size for the step.

The SVD costs O(S·P·min(S, P)); the plot (docs/img/perf_scaling.png) draws both times against that
model (one constant fitted to the SVD times), the step/SVD ratio (and what it would be with the line
search's trials evaluated one by one: step − line search + line search 1-by-1), and the buffers. Results go to
`benchmarks/results/scaling.json`. Default sizes finish in about ten minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys

if __name__ == "__main__":
    _blas = argparse.ArgumentParser(add_help=False)
    _blas.add_argument("--blas-threads", type=int, default=1)
    _known, _ = _blas.parse_known_args()
    if _known.blas_threads > 0:  # before numpy / JAX load their BLAS (see overhead.py)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(_known.blas_threads)

sys.path.insert(0, os.path.dirname(__file__))

import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from overhead import Setup, alternate, compiled_step, machine, step_parts  # noqa: E402

from pdedsl.solvers import ANaGRAM  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

SWEEPS = {  # name: [(S, P), ...]
    "S at P = 1001": [(500, 1001), (1000, 1001), (2000, 1001), (4000, 1001)],
    "P at S = 1000": [(1000, 501), (1000, 1001), (1000, 2001), (1000, 4001)],
    "S = P": [(500, 501), (1000, 1001), (2000, 2001)],
}
QUICK = {
    "S at P = 257": [(250, 257), (500, 257), (1000, 257)],
    "P at S = 500": [(500, 129), (500, 257), (500, 513)],
}


def measure_size(S: int, P: int, repeats: int) -> dict:
    """Step, SVD and step parts (ms) and the step's XLA buffers (bytes) for laplace2d at S points, P params."""
    width = (P - 1) // 4
    boundary = max(S // 8, 4)
    setup = Setup("laplace2d", points={"interior": S - boundary, "boundary": boundary}, widths=(width,),
                  method="sobol")
    opt = ANaGRAM(factorization="svd")
    step, _, compile_s, memory = compiled_step(opt, setup.dsl, setup.params, setup.data)
    parts, jac = step_parts(opt, setup.dsl, setup.params, setup.data)
    svd = jax.jit(lambda a: jnp.linalg.svd(a, full_matrices=False))
    times = alternate({"step": step, "svd": lambda: svd(jac)}, repeats, 1)
    split = alternate(parts, max(3, repeats // 2), 1)
    split.pop("rounds")
    return {"S": setup.num_points, "P": setup.num_params, "step_ms": times["step"], "svd_ms": times["svd"],
            "step_over_svd": times["step"] / times["svd"], "split_ms": split,
            "memory_bytes": memory, "jacobian_bytes": 8 * setup.num_points * setup.num_params,
            "compile_s": compile_s}


def plot(rows: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    all_rows = [r for sweep in rows.values() for r in sweep]
    model = lambda r: r["S"] * r["P"] * min(r["S"], r["P"])  # noqa: E731
    # one constant for the SVD: least squares in log space
    c = float(np.exp(np.mean([np.log(r["svd_ms"] / model(r)) for r in all_rows])))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    markers = dict(zip(rows, "osD^v"))
    colors = dict(zip(rows, ("C0", "C1", "C2", "C3", "C4")))
    ax = axes[0]
    for name, sweep in rows.items():
        m = np.array([model(r) for r in sweep])
        ax.loglog(m, [r["step_ms"] for r in sweep], markers[name] + "-", color=colors[name], label=f"step, {name}")
        ax.loglog(m, [r["svd_ms"] for r in sweep], markers[name] + ":", color=colors[name], mfc="none",
                  label=f"SVD, {name}")
    grid = np.geomspace(min(model(r) for r in all_rows), max(model(r) for r in all_rows), 50)
    ax.loglog(grid, c * grid, "k--", lw=1, label=r"$c\,SP\min(S,P)$ fitted to SVD")
    ax.set(xlabel="S·P·min(S, P)", ylabel="ms", title="step and SVD time vs the SVD's cost model")
    ax.legend(fontsize=7)
    ax = axes[1]
    for name, sweep in rows.items():
        ax.semilogx([model(r) for r in sweep], [r["step_over_svd"] for r in sweep], markers[name] + "-",
                    color=colors[name], label=name)
        ax.semilogx([model(r) for r in sweep],
                    [(r["step_ms"] - r["split_ms"]["line_search"] + r["split_ms"]["line_search_1by1"]) / r["svd_ms"]
                     for r in sweep], markers[name] + ":", color=colors[name], mfc="none",
                    label=f"{name}, line search 1-by-1 (projected)")
    ax.axhline(1.5, color="k", ls="--", lw=1)
    ax.set(xlabel="S·P·min(S, P)", ylabel="step / SVD", title="step time in units of its SVD", ylim=(0, None))
    ax.legend(fontsize=8)
    ax = axes[2]
    for name, sweep in rows.items():
        sp = [r["S"] * r["P"] for r in sweep]
        ax.loglog(sp, [r["memory_bytes"] / 2**20 for r in sweep], markers[name] + "-", color=colors[name],
                  label=f"step buffers, {name}")
    sp = np.geomspace(min(r["S"] * r["P"] for r in all_rows), max(r["S"] * r["P"] for r in all_rows), 50)
    ax.loglog(sp, 8 * sp / 2**20, "k:", lw=1, label="one S×P float64 matrix")
    ax.set(xlabel="S·P", ylabel="MiB", title="XLA buffers of the jitted step")
    ax.legend(fontsize=7)
    from matplotlib.ticker import NullFormatter

    for ax in axes:
        ax.xaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def markdown(rows: dict) -> str:
    """The sweeps as one Markdown table (times in ms)."""
    lines = ["| sweep | S | P | step | SVD | step/SVD | jac · fact · ls (ls 1-by-1) | step/SVD, ls 1-by-1 "
             "| buffers MiB |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, sweep in rows.items():
        for r in sweep:
            d = r["split_ms"]
            projected = (r["step_ms"] - d["line_search"] + d["line_search_1by1"]) / r["svd_ms"]
            lines.append(f"| {name} | {r['S']} | {r['P']} | {r['step_ms']:.1f} | {r['svd_ms']:.1f} "
                         f"| **{r['step_over_svd']:.2f}** | {d['jacobian']:.1f} · {d['factorisation']:.1f} · "
                         f"{d['line_search']:.1f} ({d['line_search_1by1']:.1f}) | {projected:.2f} "
                         f"| {r['memory_bytes'] / 2**20:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blas-threads", type=int, default=1, help="0: leave the environment alone")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scaling.json"))
    parser.add_argument("--plot", default=str(ROOT / "docs" / "img" / "perf_scaling.png"))
    parser.add_argument("--table", metavar="JSON", help="redraw the plot and print the table of a saved run")
    args = parser.parse_args()
    if args.table:
        saved = json.loads(Path(args.table).read_text())["sweeps"]
        plot(saved, Path(args.plot))
        print(markdown(saved))
        return
    sweeps = QUICK if args.quick else SWEEPS
    cache: dict = {}
    rows: dict = {}
    t0 = time.perf_counter()
    for name, sizes in sweeps.items():
        rows[name] = []
        for S, P in sizes:
            if (S, P) not in cache:
                cache[(S, P)] = measure_size(S, P, args.repeats)
                r = cache[(S, P)]
                split = ", ".join(f"{k} {v:.1f}" for k, v in r["split_ms"].items())
                print(f"S={r['S']:5d} P={r['P']:5d}  step {r['step_ms']:9.1f} ms  SVD {r['svd_ms']:9.1f} ms  "
                      f"step/SVD {r['step_over_svd']:5.2f}  split {split}"
                      f"  buffers {r['memory_bytes'] / 2**20:.0f} MiB  [{time.perf_counter() - t0:.0f} s]", flush=True)
            rows[name].append(cache[(S, P)])
    report = {"machine": machine(), "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
              "sweeps": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    plot(rows, Path(args.plot))
    print(markdown(rows))
    print(f"wrote {args.out} and {args.plot}; {report['uptime']}")


if __name__ == "__main__":
    main()
