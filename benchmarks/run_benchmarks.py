"""Run every benchmark problem with every optimizer under one wall-time budget, over several seeds.

    python benchmarks/run_benchmarks.py --quick                 # ≤ 15 min on 2 CPU cores
    python benchmarks/run_benchmarks.py --seeds 0 1 2 --time 300 --problems heat laplace2d

Each (problem, optimizer, seed) is one `pdedsl.solve` run with the spec's network and collocation
points, a large step budget and the same wall-time limit for every optimizer, so the table compares
the methods at equal wall time. Writes `benchmarks/results/<tag>/results.json` (every run with its
history), `table.md` (mean ± std over seeds) and `error_vs_time_<problem>.png`.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ("laplace2d", "heat", "nonlinear_poisson", "laplace5d", "burgers", "allen_cahn")
OPTIMIZERS = ("amstramgram", "anagram", "engd", "adam", "lbfgs", "adam_lbfgs", "ssbroyden", "anagram_momentum",
              "anagram_nesterov")
RUN_TO_BUDGET = ("gd", "adam", "lbfgs", "adam_lbfgs", "ssbroyden")
# Rows that are an optimizer with options: name -> (optimizer, its options).
VARIANTS = {"anagram_momentum": ("anagram", {"momentum": 0.5}),
            "anagram_nesterov": ("anagram", {"momentum": 0.5, "nesterov": True})}
# The published AMStramGRAM L2 errors (AMStramGRAM: Adaptive Multi-cutoff Strategy Modification for
# ANaGRAM, Schwencke et al. 2025), shown beside the table's AMStramGRAM rows.
PUBLISHED = {"heat": 2.32e-14, "laplace2d": 2.24e-15, "laplace5d": 2.12e-5, "allen_cahn": 5.87e-5,
                "burgers": 1.5e-6, "nonlinear_poisson": 6.81e-10}
QUICK = {"time": 15.0, "seeds": [0]}


def run_one(problem: str, optimizer: str, seed: int, time_limit: float, steps: int, out: Path | None) -> dict:
    import pdedsl

    spec = pdedsl.load(ROOT / "examples" / f"{problem}.pde")
    name, options = VARIANTS.get(optimizer, (optimizer, None))
    # Optimizers without restarts run to the budget, as their users run them: no stall test.
    stall = {"stall_window": 0} if name in RUN_TO_BUDGET else {}
    t0 = time.perf_counter()
    sol = pdedsl.solve(spec, optimizer=name, optimizer_options=options, seed=seed, steps=steps,
                       time_limit=time_limit, quiet=True, out=out, checkpoint_every=0, overwrite=True, **stall)
    m = sol.metrics
    hist = m["history"]
    n = len(hist.get("loss", []))
    per_step = float(np.median(np.diff(hist["time"]))) if n > 2 else None
    return {
        "problem": problem, "optimizer": optimizer, "seed": seed, "status": m["status"], "steps": m["steps"],
        "loss": m["loss"], "rel_l2": m["rel_l2"], "abs_l2": m["abs_l2"], "wall_s": m["wall_s"],
        "total_s": time.perf_counter() - t0, "step_s": per_step, "device": m["device"],
        "n_params": m["n_params"],
        "history": {"time": hist.get("time", []), "rel_l2": hist.get("rel_l2", []), "loss": hist.get("loss", [])},
    }


def _mean_std(values):
    vals = [v for v in values if v is not None and np.isfinite(v)]
    if not vals:
        return "—"
    if len(vals) == 1:
        return f"{vals[0]:.2e}"
    return f"{statistics.mean(vals):.2e} ± {statistics.stdev(vals):.1e}"


def markdown_table(results: list[dict]) -> str:
    rows = ["| problem | optimizer | seeds | steps | final loss | rel. L2 | abs. RMS | s/step | total s | published |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for problem in PROBLEMS:
        for optimizer in OPTIMIZERS:
            runs = [r for r in results if r["problem"] == problem and r["optimizer"] == optimizer]
            if not runs:
                continue
            published = f"{PUBLISHED[problem]:.2e}" if optimizer == "amstramgram" else ""
            rows.append(
                f"| {problem} | {optimizer} | {len(runs)} | {statistics.mean(r['steps'] for r in runs):.0f} "
                f"| {_mean_std([r['loss'] for r in runs])} | {_mean_std([r['rel_l2'] for r in runs])} "
                f"| {_mean_std([r['abs_l2'] for r in runs])} | {_mean_std([r['step_s'] for r in runs])} "
                f"| {statistics.mean(r['total_s'] for r in runs):.0f} | {published} |")
    return "\n".join(rows) + "\n"


def plot_error_vs_time(results: list[dict], out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for problem in {r["problem"] for r in results}:
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        for k, optimizer in enumerate(OPTIMIZERS):
            for j, r in enumerate(x for x in results if x["problem"] == problem and x["optimizer"] == optimizer):
                t, e = np.asarray(r["history"]["time"]), np.asarray(r["history"]["rel_l2"], float)
                if e.size:
                    ax.semilogy(t[: e.size], e, color=f"C{k}", alpha=0.8, label=optimizer if j == 0 else None)
        ax.set_xlabel("wall time [s]")
        ax.set_ylabel("relative L2 error")
        ax.set_title(problem)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.savefig(out_dir / f"error_vs_time_{problem}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help=f"one seed, {QUICK['time']:.0f} s per run")
    ap.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=PROBLEMS)
    ap.add_argument("--optimizers", nargs="+", default=list(OPTIMIZERS), choices=OPTIMIZERS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--time", type=float, default=120.0, help="wall-time budget per run (seconds)")
    ap.add_argument("--steps", type=int, default=1_000_000, help="step budget per run")
    ap.add_argument("--tag", default=None, help="results folder name (default: quick or full)")
    ap.add_argument("--keep-runs", action="store_true", help="also write every run's folder")
    args = ap.parse_args(argv)
    if args.quick:
        args.time, args.seeds = QUICK["time"], QUICK["seeds"]
    out_dir = ROOT / "benchmarks" / "results" / (args.tag or ("quick" if args.quick else "full"))
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for problem in args.problems:
        for optimizer in args.optimizers:
            for seed in args.seeds:
                run_dir = out_dir / "runs" / f"{problem}-{optimizer}-{seed}" if args.keep_runs else None
                r = run_one(problem, optimizer, seed, args.time, args.steps, run_dir)
                results.append(r)
                print(f"{problem:18s} {optimizer:12s} seed {seed}: rel_l2 {r['rel_l2'] or float('nan'):.2e}  "
                      f"loss {r['loss']:.2e}  {r['steps']} steps  {r['total_s']:.0f} s  [{r['status']}]", flush=True)
                meta = {"machine": f"{platform.processor() or platform.machine()}, {platform.system()}",
                        "python": sys.version.split()[0], "device": r["device"], "time_limit_s": args.time,
                        "seeds": args.seeds}
                (out_dir / "results.json").write_text(json.dumps({"meta": meta, "runs": results}, indent=1))
    (out_dir / "table.md").write_text(markdown_table(results))
    plot_error_vs_time(results, out_dir)
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
