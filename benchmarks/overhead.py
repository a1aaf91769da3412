"""What the compiler costs: the ANaGRAM step built from a `.pde` spec against the same step over a
residual written by hand in the most direct JAX, and both against the thin SVD of the same matrix.

    python benchmarks/overhead.py [--problems laplace2d heat burgers laplace5d] [--repeats 20]

For each problem at its benchmark size (the spec's network and sample counts, seed 0):

* **DSL path** — `pdedsl.load` → `compile` → `pdedsl.run._assemble.make_residual_fn` (a
  `PointwiseResidual` over the generated group functions) → `ANaGRAM(factorization="svd").step`,
  jitted (the thin SVD path; the default "auto" sketches φ̂ while few components are kept).
* **hand path** — the same network, points, group scales and optimizer, the residual written
  directly: derivatives by nested `jax.grad` per coordinate (u_xx = ∂/∂x of (∂u/∂x)), vmapped over
  the points by `PointwiseResidual`, Jacobian by `jax.jacrev` per point — the published reference
  code's way.  Both residuals agree to ~1e-15 (printed).
* **SVD** — `jnp.linalg.svd(J, full_matrices=False)` of the S×P Jacobian, alone.

The three are timed alternately in one process (order rotated every round), median of `--repeats`
calls after warm-up, so a load change on the shared machine hits all of them alike. The step is
split into its parts, each jitted alone and timed the same way: derivatives + Jacobian
(`flatten_problem(...).jacobian`), factorisation (QR, SVD of R, truncated direction) and the grid
line search over all 31 step sizes (`grid_line_search`, exhaustive; the step's own coarse-to-fine
search evaluates 15); `ls 1-by-1` evaluates the same 31 trials with a bare `lax.map`, for comparison.
Peak memory is XLA's buffer assignment for the compiled step: arguments + outputs + temporaries
(`memory_analysis()`).
Trace and compile times are those of the first call: spec → CompiledProblem, jit tracing +
lowering, XLA compilation.

Writes `benchmarks/results/overhead.json` (problems already there and not re-run are kept).

BLAS threads: `--blas-threads 1` (the default) sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS=1 before
JAX loads. On the shared 2-core machine a multi-threaded LAPACK spin-waits against the other jobs:
the 900×129 SVD took 190–280 ms with the default threads and 15–28 ms with one
(docs/performance.md). `--blas-threads 0` leaves the environment alone.
"""

from __future__ import annotations

import argparse
import os
import sys


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", nargs="+", default=["laplace2d", "heat", "burgers", "laplace5d"])
    parser.add_argument("--repeats", type=int, default=20, help="timed steps per path (median)")
    parser.add_argument("--split-repeats", type=int, default=10, help="timed calls per part of the step")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed-sizes", action="store_true",
                        help="laplace2d and heat at the seeds' 2-32-1 set-ups instead of their specs' sizes")
    parser.add_argument("--blas-threads", type=int, default=1, help="0: leave the environment alone")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "overhead.json"))
    parser.add_argument("--table", metavar="JSON", help="print the Markdown table of a saved run and exit")
    return parser.parse_args(argv)


if __name__ == "__main__":
    ARGS = _parse_args()
    if ARGS.blas_threads > 0:  # must happen before numpy / JAX load their BLAS
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(ARGS.blas_threads)

import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # a script owns its process

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import pdedsl  # noqa: E402
from pdedsl.run._assemble import make_residual_fn  # noqa: E402
from pdedsl.run._sampling import collocation_points  # noqa: E402
from pdedsl.run._settings import resolve_settings  # noqa: E402
from pdedsl.solvers import MLP, ANaGRAM, PointwiseGroup, PointwiseResidual  # noqa: E402
from pdedsl.solvers._anagram import cutoff_mask, spectral_projection, truncated_direction  # noqa: E402
from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm  # noqa: E402
from pdedsl.solvers._linesearch import grid_line_search  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PI = jnp.pi

# The published 2-32-1 set-ups of laplace2d and heat (the specs now hold the larger nets AMStramGRAM
# needs for round-off): `--seed-sizes` applies them through the runner's usual overrides.
SEED_SIZES = {
    "laplace2d": {"widths": (32,), "points": {"interior": 784, "boundary": 116}, "method": "grid"},
    "heat": {"widths": (32,), "points": {"interior": 900, "boundary": 60, "initial": 60}, "method": "sobol"},
}


# -- the residuals written by hand -------------------------------------------------------------------

def _d(f, axis):
    """∂f/∂x_axis as a function, by reverse mode: the direct way (`jax.grad` per coordinate)."""
    return lambda y: jax.grad(f)(y)[axis]


def _hand_groups(name: str, model: MLP) -> dict:
    """{group kind: fn(params, point) -> (1,)} for `name`, written as directly as JAX allows."""

    def scalar(params):
        return lambda y: model.apply(params, y)[0]

    def value(params, point):
        return model.apply(params, point["points"])

    if name == "laplace2d":
        def pde(params, point):
            u, x = scalar(params), point["points"]
            lap = _d(_d(u, 0), 0)(x) + _d(_d(u, 1), 1)(x)
            return jnp.stack([lap + 2 * PI**2 * jnp.sin(PI * x[0]) * jnp.sin(PI * x[1])])

        return {"pde": pde, "boundary": value}
    if name == "heat":
        def pde(params, point):
            u, z = scalar(params), point["points"]  # z = (t, x)
            return jnp.stack([_d(u, 0)(z) - 0.25 * _d(_d(u, 1), 1)(z)])

        def initial(params, point):
            z = point["points"]
            return jnp.stack([model.apply(params, z)[0] - jnp.sin(PI * z[1])])

        return {"pde": pde, "boundary": value, "initial": initial}
    if name == "burgers":
        nu = 0.01 / math.pi

        def pde(params, point):
            u, z = scalar(params), point["points"]  # z = (t, x)
            return jnp.stack([_d(u, 0)(z) + u(z) * _d(u, 1)(z) - nu * _d(_d(u, 1), 1)(z)])

        def initial(params, point):
            z = point["points"]
            return jnp.stack([model.apply(params, z)[0] + jnp.sin(PI * z[1])])

        return {"pde": pde, "boundary": value, "initial": initial}
    if name == "laplace5d":
        def pde(params, point):
            u, x = scalar(params), point["points"]
            lap = sum(_d(_d(u, k), k)(x) for k in range(5))
            return jnp.stack([-lap - PI**2 * jnp.sum(jnp.sin(PI * x))])

        def boundary(params, point):
            x = point["points"]
            return jnp.stack([model.apply(params, x)[0] - jnp.sum(jnp.sin(PI * x))])

        return {"pde": pde, "boundary": boundary}
    raise ValueError(f"no hand-written residual for {name!r}")


# -- set-up ------------------------------------------------------------------------------------------

class Setup:
    """Both residuals of one problem, its data, network and initial parameters, and the DSL's timings."""

    def __init__(self, name: str, *, points: dict | None = None, widths=None, method=None, seed: int = 0):
        t0 = time.perf_counter()
        compiled = pdedsl.load(ROOT / "examples" / f"{name}.pde").compile()
        self.language_s = time.perf_counter() - t0
        settings = resolve_settings(compiled.settings, points=points, widths=widths, method=method)
        self.model = MLP(in_dim=compiled.domain.dim, out_dim=len(compiled.unknowns), widths=settings.widths,
                         activation=settings.activation)
        collocation = collocation_points(compiled.domain, compiled.groups, settings.counts, settings.method, seed)
        self.data = {g: {k: jnp.asarray(v, jnp.float64) for k, v in d.items()} for g, d in collocation.items()}
        t0 = time.perf_counter()
        self.dsl = make_residual_fn(compiled.groups, self.model, self.data)
        self.assemble_s = time.perf_counter() - t0
        hand = _hand_groups(name, self.model)
        kinds = {g.name: g.kind for g in compiled.groups}
        self.hand = PointwiseResidual(tuple(
            PointwiseGroup(key=g.key, fn=hand[kinds[g.key]], scale=g.scale) for g in self.dsl.groups))
        self.params = self.model.init(jax.random.PRNGKey(seed))
        self.num_points = sum(d["points"].shape[0] for d in self.data.values())
        self.num_params = self.model.num_params


# -- timing ------------------------------------------------------------------------------------------

def _ready(x):
    return jax.block_until_ready(x)


def alternate(calls: dict, repeats: int, warmup: int, budget_s: float = 0.0) -> dict:
    """Median wall time (ms) of each zero-argument call, timed alternately, order rotated each round.

    At least `repeats` rounds; more (up to 3×) while a round is cheap enough to fit in `budget_s`.
    """
    names = list(calls)
    t0 = time.perf_counter()
    for _ in range(warmup):
        for n in names:
            _ready(calls[n]())
    per_round = (time.perf_counter() - t0) / max(warmup, 1)
    repeats = max(repeats, min(3 * repeats, int(budget_s / max(per_round, 1e-9))))
    times = {n: [] for n in names}
    for k in range(repeats):
        for n in names[k % len(names):] + names[: k % len(names)]:
            t = time.perf_counter()
            _ready(calls[n]())
            times[n].append(time.perf_counter() - t)
    ALTERNATE_TIMES.clear()
    ALTERNATE_TIMES.update({n: np.asarray(v) for n, v in times.items()})
    return {n: 1e3 * float(np.median(v)) for n, v in times.items()} | {"rounds": repeats}


ALTERNATE_TIMES: dict = {}  # the raw times (s) of the last `alternate` call, per name


def compiled_step(optimizer, residual_fn, params, data):
    """The jitted step, traced/lowered and compiled explicitly: (callable, trace_s, compile_s, peak bytes)."""
    state = optimizer.init(residual_fn, params, data)
    step = jax.jit(optimizer.step, static_argnums=0)
    t0 = time.perf_counter()
    lowered = step.trace(residual_fn, params, state, data).lower()
    t1 = time.perf_counter()
    executable = lowered.compile()
    t2 = time.perf_counter()
    memory = executable.memory_analysis()  # its peak_memory_in_bytes is not filled in on CPU
    peak = (memory.argument_size_in_bytes + memory.output_size_in_bytes + memory.temp_size_in_bytes
            - memory.alias_size_in_bytes)
    return (lambda: executable(params, state, data)), t1 - t0, t2 - t1, int(peak)


def step_parts(optimizer: ANaGRAM, residual_fn, params, data):
    """The parts of `optimizer.step`, each its own jitted zero-argument call (same inputs as the step)."""
    prob = flatten_problem(residual_fn, params, data, optimizer.jacobian_mode)
    jacobian = jax.jit(prob.jacobian)
    r, jac = _ready(jacobian(prob.theta))
    etas = tuple(optimizer.step_sizes)

    @jax.jit
    def factorise(jac, r):
        proj = spectral_projection(jac, r)
        return truncated_direction(proj, cutoff_mask(proj.singular_values, optimizer.cutoff, optimizer.relative))

    direction = _ready(factorise(jac, r))
    loss = half_squared_norm(r)
    search = jax.jit(lambda t, d: grid_line_search(prob.residual, t, d, loss, etas, reject=optimizer.reject).loss)
    one_by_one = jax.jit(lambda t, d: jnp.min(jax.lax.map(
        lambda eta: half_squared_norm(prob.residual(t - eta * d)), jnp.asarray(etas, t.dtype))))
    return {
        "jacobian": lambda: jacobian(prob.theta),
        "factorisation": lambda: factorise(jac, r),
        "line_search": lambda: search(prob.theta, direction),
        "line_search_1by1": lambda: one_by_one(prob.theta, direction),
    }, jac


def machine() -> dict:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model or platform.processor(), "jax": jax.__version__,
            "device": str(jax.devices()[0]), "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "python": platform.python_version()}


def measure(name: str, repeats: int, split_repeats: int, warmup: int, **setup_kw) -> dict:
    """Everything the table reports for one problem, as a dict (times in ms, memory in bytes)."""
    setup = Setup(name, **setup_kw)
    opt = ANaGRAM(factorization="svd")  # the full factorisation the split and the SVD column time
    r_dsl = jax.jit(setup.dsl)(setup.params, setup.data)
    r_hand = jax.jit(setup.hand)(setup.params, setup.data)
    agreement = float(jnp.max(jnp.abs(r_dsl - r_hand)) / jnp.max(jnp.abs(r_hand)))

    dsl_step, dsl_trace, dsl_compile, dsl_peak = compiled_step(opt, setup.dsl, setup.params, setup.data)
    hand_step, hand_trace, hand_compile, hand_peak = compiled_step(opt, setup.hand, setup.params, setup.data)
    dsl_parts, jac = step_parts(opt, setup.dsl, setup.params, setup.data)
    hand_parts, _ = step_parts(opt, setup.hand, setup.params, setup.data)
    svd = jax.jit(lambda a: jnp.linalg.svd(a, full_matrices=False))
    load_before = os.getloadavg()

    steps = alternate({"dsl": dsl_step, "hand": hand_step, "svd": lambda: svd(jac)}, repeats, warmup, budget_s=20)
    raw = dict(ALTERNATE_TIMES)
    parts = alternate({**{f"dsl/{k}": v for k, v in dsl_parts.items()},
                       **{f"hand/{k}": v for k, v in hand_parts.items() if k != "factorisation"}},
                      split_repeats, 1)
    split = {p: {k.split("/", 1)[1]: v for k, v in parts.items() if k.startswith(p + "/")} for p in ("dsl", "hand")}
    split["hand"]["factorisation"] = split["dsl"]["factorisation"]
    return {
        "problem": name,
        "S": setup.num_points,
        "P": setup.num_params,
        "widths": list(setup.model.widths),
        "step_ms_dsl": steps["dsl"],
        "step_ms_hand": steps["hand"],
        "ratio_dsl_over_hand": steps["dsl"] / steps["hand"],
        # the same ratio round by round (both timed within seconds of each other), then its median
        "ratio_dsl_over_hand_paired": float(np.median(raw["dsl"] / raw["hand"])),
        "step_over_svd_dsl_paired": float(np.median(raw["dsl"] / raw["svd"])),
        "svd_ms": steps["svd"],
        "step_over_svd_dsl": steps["dsl"] / steps["svd"],
        "step_over_svd_hand": steps["hand"] / steps["svd"],
        "split_ms": split,
        # what the step would cost with the line search's 31 trials evaluated one after the other
        "step_over_svd_dsl_ls_1by1": (steps["dsl"] - split["dsl"]["line_search"] + split["dsl"]["line_search_1by1"])
        / steps["svd"],
        "peak_memory_bytes": {"dsl": dsl_peak, "hand": hand_peak},
        "first_call_s": {
            "dsl": {"language": setup.language_s, "assemble": setup.assemble_s, "trace": dsl_trace,
                    "compile": dsl_compile},
            "hand": {"trace": hand_trace, "compile": hand_compile},
        },
        "residual_agreement": agreement,
        "repeats": steps["rounds"],
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }


# -- report ------------------------------------------------------------------------------------------

def table(rows: list[dict]) -> str:
    """The results as a Markdown table (ratios first; times in ms)."""
    head = ("| problem | S×P | step DSL | step hand | DSL/hand (paired) | SVD | step/SVD (paired) "
            "| split DSL: jac · fact · ls (ls 1-by-1) | split hand: jac · ls | step/SVD, ls 1-by-1 "
            "| buffers MiB DSL / hand | spec · trace · XLA s |")
    lines = [head, "| " + " | ".join(["---"] * (head.count("|") - 1)) + " |"]
    nan = float("nan")
    for r in rows:
        d, h = r["split_ms"]["dsl"], r["split_ms"]["hand"]
        first = r["first_call_s"]["dsl"]
        label = r["problem"] + (" (2-32-1)" if r.get("sizes") == "seed" else "")
        paired = r.get("ratio_dsl_over_hand_paired", nan), r.get("step_over_svd_dsl_paired", nan)
        lines.append(
            f"| {label} | {r['S']}×{r['P']} | {r['step_ms_dsl']:.1f} | {r['step_ms_hand']:.1f} "
            f"| **{r['ratio_dsl_over_hand']:.2f}** ({paired[0]:.2f}) | {r['svd_ms']:.1f} "
            f"| **{r['step_over_svd_dsl']:.2f}** ({paired[1]:.2f}) "
            f"| {d['jacobian']:.1f} · {d['factorisation']:.1f} · {d['line_search']:.1f} ({d['line_search_1by1']:.1f}) "
            f"| {h['jacobian']:.1f} · {h['line_search']:.1f} | {r.get('step_over_svd_dsl_ls_1by1', nan):.2f} "
            f"| {r['peak_memory_bytes']['dsl'] / 2**20:.1f} / {r['peak_memory_bytes']['hand'] / 2**20:.1f} "
            f"| {first['language']:.2f} · {first['trace']:.2f} · {first['compile']:.2f} |")
    return "\n".join(lines)


def main(args) -> None:
    if args.table:
        results = json.loads(Path(args.table).read_text())["problems"]
        order = ("laplace2d@seed", "laplace2d", "heat@seed", "heat", "burgers", "laplace5d")
        print(table([results[p] for p in order if p in results]))
        return
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    results = dict(previous.get("problems", {}))
    for name in args.problems:
        sizes = SEED_SIZES.get(name, {}) if args.seed_sizes else {}
        row = measure(name, args.repeats, args.split_repeats, args.warmup, **sizes)
        row["sizes"] = "seed" if sizes else "spec"
        results[name + ("@seed" if sizes else "")] = row
        print(f"{name}: step DSL {row['step_ms_dsl']:.1f} ms, hand {row['step_ms_hand']:.1f} ms "
              f"(ratio {row['ratio_dsl_over_hand']:.2f}), SVD {row['svd_ms']:.1f} ms "
              f"(step/SVD {row['step_over_svd_dsl']:.2f}); residuals agree to {row['residual_agreement']:.1e}",
              flush=True)
    report = {"machine": machine(), "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
              "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "problems": results}
    out.write_text(json.dumps(report, indent=2))
    order = [p for p in ("laplace2d@seed", "laplace2d", "heat@seed", "heat", "burgers", "laplace5d") if p in results]
    print(table([results[p] for p in order + [p for p in results if p not in order]]))
    print(f"machine: {report['machine']}; {report['uptime']}")


if __name__ == "__main__":
    main(ARGS)
