"""Each example as shipped against the same example with its `model`, `sample` and `solve` lines deleted.

The two runs go side by side, each pinned to a core of its own (`taskset`), by `pdedsl solve` with no
flags but `--seed`. For each pair the table gives the final relative L2 error and loop time of both
and the first loop time at which the settings-free run's error was within 10x of the tuned run's
final error (read off the per-step history in metrics.json). The rows go to docs/benchmarks.md
("Specs without settings").

    python benchmarks/settings_free.py                       # every example, seed 0
    python benchmarks/settings_free.py laplace2d heat --seed 1
    python benchmarks/settings_free.py nonlinear_poisson --free-only   # skip the tuned run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SETTINGS_LINE = re.compile(r"^(model|sample|solve)\b")


def strip_settings(text: str) -> str:
    """The spec without its settings lines (a line that opens a parenthesis runs until it closes)."""
    out, depth = [], 0
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        if depth > 0 or SETTINGS_LINE.match(line):
            depth += code.count("(") - code.count(")")
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def run(spec: Path, out: Path, core: int, seed: int) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = ["taskset", "-c", str(core), sys.executable, "-m", "pdedsl.cli", "solve", str(spec), "--seed", str(seed),
           "--out", str(out), "--overwrite", "--quiet"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def summary(out: Path) -> tuple[dict, list]:
    """The run's figures for the table, and its (loop time, rel L2) history."""
    m = json.loads((out / "metrics.json").read_text())
    h = m["history"]
    figures = {"rel_l2": m["rel_l2"], "by_unknown": m.get("rel_l2_by_unknown"), "status": m["status"],
               "steps": m["steps"], "time": h["time"][-1] if h["time"] else 0.0, "wall": m["wall_s"],
               "params": m.get("parameter_errors")}
    return figures, list(zip(h["time"], h["rel_l2"]))


def first_within(history, bound: float):
    return next((t for t, e in history if e is not None and e <= bound), None)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="examples (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "settings_free")
    ap.add_argument("--cores", default="0,1", help="tuned core, settings-free core")
    ap.add_argument("--free-only", action="store_true", help="run only the settings-free spec")
    args = ap.parse_args(argv)
    names = args.names or sorted(p.stem for p in EXAMPLES.glob("*.pde"))
    tuned_core, free_core = (int(c) for c in args.cores.split(","))
    specs = args.out / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    if not (specs / "data").exists():
        (specs / "data").symlink_to(EXAMPLES / "data")
    rows = {}
    for name in names:
        free = specs / f"{name}.pde"
        free.write_text(strip_settings((EXAMPLES / f"{name}.pde").read_text()))
        jobs = {"free": run(free, args.out / f"{name}-free-{args.seed}", free_core, args.seed)}
        if not args.free_only:
            jobs["tuned"] = run(EXAMPLES / f"{name}.pde", args.out / f"{name}-tuned-{args.seed}", tuned_core,
                                args.seed)
        errors = {kind: job.communicate()[1] for kind, job in jobs.items()}
        missing = [kind for kind in jobs if not (args.out / f"{name}-{kind}-{args.seed}" / "metrics.json").exists()]
        if missing:
            print("\n".join(f"{name} {kind}: failed\n{errors[kind]}" for kind in missing), file=sys.stderr)
            continue
        row, histories = {}, {}
        for kind in jobs:
            row[kind], histories[kind] = summary(args.out / f"{name}-{kind}-{args.seed}")
        if "tuned" in row:
            row["within_10x_at"] = first_within(histories["free"], 10 * row["tuned"]["rel_l2"])
        rows[name] = row
        print(_line(name, row), flush=True)
    (args.out / f"table-{args.seed}.json").write_text(json.dumps(rows, indent=1))
    return 0


def _line(name: str, row: dict) -> str:
    def cell(s):
        return f"{s['rel_l2']:.1e} | {s['time']:.1f} s ({s['status']}, {s['steps']} steps)"
    tuned = cell(row["tuned"]) if "tuned" in row else "— | —"
    at = row.get("within_10x_at")
    verdict = "—" if "tuned" not in row else "never" if at is None else f"{at:.1f} s"
    return f"| {name} | {tuned} | {cell(row['free'])} | {verdict} |"


if __name__ == "__main__":
    raise SystemExit(main())
