"""`pdedsl solve FILE ...`: flags override the spec's settings; prints a summary at the end."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pdedsl import settings as schema
from pdedsl.errors import PdeError

__all__ = ["add_run_commands"]

# Exit codes of `pdedsl solve`: 0 a run that converged (the optimizer's precision or the target loss), 3 one
# that ended without converging (a budget, a stall that restarts could not leave), 1 one that broke down
# (a non-finite loss), 130 Ctrl-C.
EXIT_NONFINITE = 1
EXIT_NOT_CONVERGED = 3
EXIT_INTERRUPTED = 130


def _parse_points(items: list[str] | None) -> dict | None:
    """`interior=900 boundary=60` (or comma-separated) -> {"interior": 900, "boundary": 60}."""
    if not items:
        return None
    counts = {}
    for item in ",".join(items).split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or key not in ("interior", "boundary", "initial") or not value.strip().isdigit():
            raise PdeError(f"--points: cannot read {item.strip()!r}",
                           hint="write GROUP=COUNT with GROUP one of interior, boundary, initial, e.g. "
                                "--points interior=900 boundary=120")
        counts[key] = int(value)
    return counts


def _parse_value(text: str):
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _parse_options(items: list[str] | None) -> dict | None:
    if not items:
        return None
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise PdeError(f"--opt: cannot read {item!r}", hint="write NAME=VALUE, e.g. --opt eps=1e-13")
        options[key] = _parse_value(value)
    return options


def _parse_widths(text: str | None, flag: str):
    if text is None:
        return None
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        widths = ()
    if not widths or min(widths) < 1:
        raise PdeError(f"{flag}: cannot read {text!r}", hint=f"give hidden-layer widths like {flag} 64,64")
    return widths


def _parse_flag(text: str | None, flag: str):
    if text is None:
        return None
    if text.lower() not in ("true", "false"):
        raise PdeError(f"{flag}: cannot read {text!r}", hint=f"write {flag} true or {flag} false")
    return text.lower() == "true"


# How a flag's text becomes its value, by the entry's kind (argparse reads the numbers and names).
_READ = {"widths": _parse_widths, "flag": _parse_flag}


def _solve_spec(solve, problem, out, args):
    """`solve` with the flags of `pdedsl solve` as overrides: one per entry of the settings table."""
    table = {e.name: _READ[e.kind](getattr(args, e.name), e.flag) if e.kind in _READ else getattr(args, e.name)
             for e in schema.ENTRIES if e.flag is not None}
    return solve(problem, optimizer=args.optimizer, points=_parse_points(args.points), out=out, resume=args.resume,
                 overwrite=args.overwrite, float32=args.float32 or None, quiet=args.quiet,
                 optimizer_options=_parse_options(args.opt), devices=args.devices, **table)


def _cmd_solve(args) -> int:
    import jax

    from pdedsl.language import load
    from pdedsl.run._interrupt import counting_sigint
    from pdedsl.run._metrics import display_name
    from pdedsl.run._solve import solve, start_processes

    with counting_sigint() as interrupts:  # the CLI's counter: Ctrl-C during the imports is noticed here
        interrupts.check()
        if args.devices and args.devices > 1 and "xla_force_host_platform_device_count" not in os.environ.get(
                "XLA_FLAGS", ""):  # on CPU, N devices are N host devices (read when JAX starts its backends)
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                       + f" --xla_force_host_platform_device_count={args.devices}").strip()
        start_processes()  # a multi-process job (SLURM, Open MPI, JAX_COORDINATOR_ADDRESS): docs/scaling.md
        jax.config.update("jax_enable_x64", not args.float32)
        problem = load(args.file)
        interrupts.check()
        out = Path(args.out) if args.out else Path("runs") / Path(args.file).stem
        try:
            sol = _solve_spec(solve, problem, out, args)
        except PdeError as err:  # errors without a position still name the spec they concern
            raise err.with_source(args.file, problem.text) from None
    m = sol.metrics

    def fmt(v):
        return "null" if v is None else f"{v:.3e}"

    print(f"{m['problem']}: {m['status']} after {m['steps']} steps in {m['wall_s']:.1f} s on {m['device']} "
          f"({m['optimizer']}, {m['n_params']} parameters)")
    print(f"  loss {fmt(m['loss'])}   rel_l2 {fmt(m['rel_l2'])}   abs_l2 {fmt(m['abs_l2'])}")
    for name, value in (m.get("parameters") or {}).items():
        error = (m.get("parameter_errors") or {}).get(name)
        print(f"  {name} = {value:.12g}" + ("" if error is None else f"   (relative error {error:.3e})"))
    print(f"  {m['message']}")
    print(f"  outputs in {display_name(str(out))}/")
    if m["status"] == "nonfinite":
        print(f"{args.file}: error: {m['message']}", file=sys.stderr)
        return EXIT_NONFINITE
    if m["status"] == "interrupted":
        return EXIT_INTERRUPTED
    return 0 if m["converged"] else EXIT_NOT_CONVERGED


def _help(e) -> str:
    choices = f" ({', '.join(e.choices)})" if e.choices else ""
    return e.hint + choices + ("" if e.default is None else f" (default {e.default})")


def add_run_commands(sub) -> None:
    p = sub.add_parser("solve", help="train a PINN for a spec and write results and plots",
                       description="Train a PINN for FILE. Flags override the spec's model/sample/solve settings.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/<spec name>)")
    p.add_argument("--optimizer", metavar="NAME", help="one of " + ", ".join(schema.OPTIMIZERS))
    p.add_argument("--points", nargs="+", metavar="GROUP=N", help="collocation points, e.g. interior=900 boundary=120")
    p.add_argument("--opt", action="append", metavar="NAME=VALUE", help="optimizer option (repeatable)")
    kinds = {"int": int, "float": float, "choice": str, "widths": str, "flag": str}
    for e in schema.ENTRIES:
        if e.flag is not None:
            p.add_argument(e.flag, type=kinds[e.kind], metavar="true|false" if e.kind == "flag" else e.metavar,
                           dest=e.name, help=_help(e))
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace the run --out holds (refused otherwise)")
    p.add_argument("--devices", type=int, metavar="N",
                   help="split the collocation points over N devices (default: every accelerator; 1 on CPU)")
    p.add_argument("--float32", action="store_true", help="compute in float32 instead of float64")
    p.add_argument("--quiet", action="store_true", help="no live progress display")
    p.set_defaults(func=_cmd_solve)
