"""The `pdedsl` command line: check, verify, compile, solve.

Each sub-command lives with its stage (`pdedsl.language._commands` for the front-end commands,
`pdedsl.run._commands` for `solve`); this module only builds the parser and turns a `PdeError`
into a positioned message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from pdedsl.errors import PdeError

EXIT_OK = 0
EXIT_FAILED = 1  # a user mistake, or a check that did not pass
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    from pdedsl import __version__
    from pdedsl.language._commands import add_language_commands
    from pdedsl.run._commands import add_run_commands

    parser = argparse.ArgumentParser(
        prog="pdedsl",
        description="Compile .pde specifications to PINN solvers trained by natural gradient.",
    )
    parser.add_argument("--version", action="version", version=f"pdedsl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_language_commands(sub)
    add_run_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # One LAPACK thread unless the user chose otherwise: XLA already keeps every core busy, and OpenBLAS
    # threads spinning against it made the step 1.1-1.6x slower on 2 cores (docs/performance.md). Set
    # before the sub-commands import NumPy and JAX, which is when OpenBLAS reads it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except PdeError as err:
        print(err.format(), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("pdedsl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
