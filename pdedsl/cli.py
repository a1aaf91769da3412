"""The `pdedsl` command line: check, verify, compile, solve.

Each sub-command lives with its stage (`pdedsl.language._commands` for the front-end commands,
`pdedsl.run._commands` for `solve`); this module only builds the parser and turns a `PdeError`
into a positioned message and a non-zero exit, never a traceback.

Ctrl-C: from its first line `main` only counts SIGINTs (pdedsl.run._interrupt); the commands read
the count at safe points. An interrupted command prints one line and exits with 130.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from pdedsl.errors import PdeError
from pdedsl.run._interrupt import SigintCounter, counting_sigint

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


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    # One LAPACK thread unless the user chose otherwise: XLA already keeps every core busy, and OpenBLAS
    # threads spinning against it slow the step down (docs/performance.md). Set before the sub-commands
    # import NumPy and JAX, which is when OpenBLAS reads it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with counting_sigint() as interrupts:
        try:
            args = build_parser().parse_args(argv)
            interrupts.check()
            code = int(args.func(args) or EXIT_OK)
            if code != EXIT_INTERRUPTED:  # a command that did not report the Ctrl-C itself
                interrupts.check()
            sys.stdout.flush()
            return code
        except PdeError as err:
            print(err.format(), file=sys.stderr)
            return EXIT_FAILED
        except KeyboardInterrupt as err:
            print(f"pdedsl: {str(err) or 'interrupted'}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # `pdedsl ... | head`: the reader has gone; nothing more to say
            _silence_stdout()
            return EXIT_FAILED
        except OSError as err:
            _silence_stdout()
            where = err.filename if err.filename else "cannot write to the standard output"
            print(f"pdedsl: error: {where}: {err.strerror or err}", file=sys.stderr)
            return EXIT_FAILED


def program() -> int:
    """The `pdedsl` program (its console script and `python -m pdedsl.cli`). It owns its process, so
    Ctrl-C is counted from here to the interpreter's exit: `main` reads the counter at its safe points,
    and a Ctrl-C that arrives after `main` has returned (while the interpreter shuts down) is not turned
    into a KeyboardInterrupt traceback."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored on purpose (nohup): leave it so
        signal.signal(signal.SIGINT, SigintCounter())
    return main()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(program())
