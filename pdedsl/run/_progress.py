"""Live progress of a run (rich): step, loss, error, cutoff rank, step size and ETA.

A reporter is a context manager with `update(step, stats, elapsed)`; `make_reporter(quiet=True)`
gives one that shows nothing.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

__all__ = ["make_reporter"]


def _fmt(value, spec: str = ".3e") -> str:
    if value is None:
        return "—"
    value = float(np.asarray(value))
    if not math.isfinite(value):
        return str(value)
    return format(value, spec)


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, step, stats, elapsed):
        pass


class _Live:
    """A rich progress bar whose description carries the latest statistics."""

    def __init__(self, total: int, start: int, problem: str, optimizer: str, device: str):
        self.console = Console(file=sys.stderr)
        self.header = f"{problem} · {optimizer} · {device}"
        self.progress = Progress(
            TextColumn("[bold]{task.fields[header]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            refresh_per_second=4,
            transient=False,
        )
        self.task = self.progress.add_task("solve", total=max(total, 1), completed=start, header=self.header,
                                           stats="")

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def update(self, step, stats, elapsed):
        parts = [f"loss {_fmt(stats.get('loss'))}"]
        if "val_loss" in stats:
            parts.append(f"val {_fmt(stats['val_loss'])}")
        if "rel_l2" in stats:
            parts.append(f"rel L2 {_fmt(stats['rel_l2'])}")
        if "rank" in stats:
            parts.append(f"rank {int(np.asarray(stats['rank']))}")
        if "step_size" in stats:
            parts.append(f"η {_fmt(stats['step_size'], '.1e')}")
        self.progress.update(self.task, completed=step, stats="  ".join(parts))


def make_reporter(quiet: bool, *, total: int, start: int, problem: str, optimizer: str, device: str):
    return _Quiet() if quiet else _Live(total, start, problem, optimizer, device)
