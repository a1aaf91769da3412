"""``python -m pdedsl.reference {burgers,allen_cahn} --out PATH [--fast] [--convergence]``.

Regenerates a reference file (Burgers: ~2 s, Allen–Cahn: ~1.5 min on a shared 2-core CPU),
or with ``--convergence`` prints the self-convergence tables of docs/reference_solutions.md.
"""

from __future__ import annotations

import argparse
import sys
import time


def _print_rows(title: str, rows) -> None:
    print(title)
    print(f"  {'coarse':>12} {'fine':>12} {'max diff (all)':>15} {'max diff (focus)':>17} {'fine run s':>10}")
    for r in rows:
        print(f"  {r.coarse:>12} {r.fine:>12} {r.diff_all:>15.2e} {r.diff_focus:>17.2e} {r.seconds:>10.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pdedsl.reference",
        description="Regenerate a high-accuracy reference solution file (.npz) for a seed benchmark.",
    )
    parser.add_argument("problem", choices=["burgers", "allen_cahn"])
    parser.add_argument("--out", help="output .npz path (required unless --convergence)")
    parser.add_argument("--fast", action="store_true", help="lower resolution: quick, less accurate")
    parser.add_argument("--convergence", action="store_true", help="print self-convergence tables instead")
    args = parser.parse_args(argv)

    from pdedsl.reference import _generate

    if args.convergence:
        if args.problem == "burgers":
            _print_rows("Burgers: quadrature nodes n (focus: shock set)", _generate.burgers_convergence())
        else:
            _print_rows("Allen-Cahn: Chebyshev N at rtol=1e-12 (focus: t = 1)", _generate.allen_cahn_space_convergence())
            _print_rows("Allen-Cahn: Radau rtol at N=1024 (focus: t = 1)", _generate.allen_cahn_time_convergence())
        return 0
    if not args.out:
        parser.error("--out is required")

    from pdedsl.reference._loader import save_reference

    start = time.perf_counter()
    axes, u, meta = _generate.generate(args.problem, fast=args.fast)
    save_reference(args.out, axes, u, meta)
    print(f"wrote {args.out}: grid {u.shape}, estimated error {meta['estimated_error']} "
          f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
