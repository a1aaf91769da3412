"""The front end's command-line sub-commands: `check`, `verify`, `compile`.

Each returns an exit code; a `PdeError` raised here is printed by `pdedsl.cli.main`
as `FILE:LINE:COL: error: …` with the source line, a caret and a hint, and exits 1.
"""

from __future__ import annotations

import argparse
import math
import sys

from pdedsl.errors import PdeError, PdeSemanticError, Span
from pdedsl.geometry import Box
from pdedsl.language._problem import Problem, load

__all__ = ["add_language_commands"]


def add_language_commands(subparsers) -> None:
    """Register `check`, `verify` and `compile` on an argparse sub-parser collection."""
    p = subparsers.add_parser("check", help="parse and check a spec; errors with line:col and a caret")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=check_command)

    p = subparsers.add_parser("verify", help="plug the spec's exact solution into every equation and condition")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--points", type=_point_count, default=1000, metavar="N",
                   help="random points per group, 1 to 10^7 (default 1000)")
    p.add_argument("--tol", type=_tolerance, default=1e-8, metavar="T",
                   help="largest residual accepted, a finite number >= 0 (default 1e-8)")
    p.add_argument("--seed", type=_seed, default=0, metavar="S",
                   help=f"seed of the random points, 0 to {_MAX_SEED} (default 0)")
    p.set_defaults(func=verify_command)

    p = subparsers.add_parser("compile", help="print the generated residual code or expressions")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--emit", choices=("jax", "sympy", "latex"), default="jax",
                   help="jax: the Python/JAX source; sympy, latex: the residual expressions")
    p.set_defaults(func=compile_command)


_MAX_SEED = 2**32 - 1
_MAX_POINTS = 10**7


def _whole_in(text: str, low: int, high: int, what: str) -> int:
    """argparse type: a whole number in [low, high]; argparse reports the ValueError's message."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{what} must be from {low} to {high}, not {value}")
    return value


def _point_count(text: str) -> int:
    return _whole_in(text, 1, _MAX_POINTS, "the number of points")


def _seed(text: str) -> int:
    return _whole_in(text, 0, _MAX_SEED, "the seed")


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the tolerance must be a number, not {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"the tolerance must be a finite number >= 0, not {text}")
    return value


def check_command(args: argparse.Namespace) -> int:
    problem = load(args.file)
    problem.generated_source()  # every stage that can reject a spec, without starting JAX
    print(f"{args.file}: ok: {summary(problem)}")
    return 0


def summary(problem: Problem) -> str:
    """One line: the domain, unknowns, residual groups and solution data of a problem."""
    box = problem.domain
    time = f", time {box.time}" if box.time else ""
    kind = "box" if isinstance(box, Box) else type(box.shape).__name__.lower()
    groups = ", ".join(c.name for c in problem.checked.conditions)
    learned = ", ".join(name for name, _ in problem.checked.learned)
    extras = [word for word, present in (("exact solution", problem.checked.exact is not None),
                                         ("reference data", problem.reference is not None),
                                         (f"learned {learned}", bool(learned))) if present]
    text = (f"{box.dim}-D {kind} ({', '.join(box.names)}{time}); unknown{'s' if len(problem.unknowns) > 1 else ''} "
            f"{', '.join(problem.unknowns)}; groups {groups}")
    return text + "".join(f"; {e}" for e in extras)


def verify_command(args: argparse.Namespace) -> int:
    from pdedsl.language._verify import max_residuals  # JAX starts here

    problem = load(args.file)
    if problem.checked.exact is None:
        raise PdeSemanticError("the spec has no exact solution to verify", Span(1, 1, 1, 2),
                               hint="add an `exact:` block, e.g. `exact: u = sin(pi * x)`",
                               filename=args.file, source=problem.text)
    compiled = problem.compile()
    try:
        residuals = max_residuals(compiled, args.points, args.seed)
    except PdeError as err:  # sampling errors carry no position: name the spec at least
        raise err.with_source(args.file, problem.text) from None
    print(f"{args.file}: the exact solution in every group, at {args.points} random points each (float64)")
    width = max(len(name) for name in residuals)
    failed = []
    for group in compiled.groups:
        value = residuals[group.name]
        passed = value <= args.tol  # False for NaN: a residual that cannot be evaluated does not pass
        print(f"  {group.name:<{width}}  line {group.line:<3}  max |residual| = {value:.3e}  "
              f"{'ok' if passed else 'FAILED'}")
        if not passed:
            failed.append(group)
    for group in failed:
        line = problem.text.splitlines()[group.line - 1]
        start = len(line) - len(line.lstrip()) + 1
        error = PdeSemanticError(
            f"the exact solution does not satisfy '{group.name}': max |residual| = {residuals[group.name]:.3e} "
            f"> {args.tol:g}", Span(group.line, start, group.line, len(line.rstrip()) + 1),
            hint=("check the equation and the exact solution (signs, factors of pi)"
                  if residuals[group.name] == residuals[group.name] else
                  "the residual is NaN at some points: a square root or log of a negative number, or "
                  "a power of a negative base, inside the domain?"),
            filename=args.file, source=problem.text)
        print(error.format(), file=sys.stderr)
    if not failed:
        print(f"{args.file}: ok: every residual <= {args.tol:g}")
    return 1 if failed else 0


def compile_command(args: argparse.Namespace) -> int:
    problem = load(args.file)
    if args.emit == "jax":
        print(problem.generated_source(), end="")
        return 0
    import sympy

    conditions = {c.name: c for c in problem.checked.conditions}
    for name, expr in problem.residual_expressions().items():
        condition = conditions[name]
        text = sympy.latex(expr) if args.emit == "latex" else sympy.sstr(expr)
        print(f"# {name} ({args.file}:{condition.line}): {condition.text}")
        print(f"{name}: {text}")
    return 0
