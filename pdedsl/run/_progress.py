"""Live progress of a run (rich): step, loss, error, cutoff rank, step size and ETA.

The bar measures the budget that ends the run first by default: the wall-time budget when the run has
no step budget of its own (its bar fills with the seconds spent, and the line shows the step count),
else the steps.

A reporter is a context manager with `update(step, stats, elapsed)`; `make_reporter(quiet=True)`
gives one that shows nothing.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pdedsl.run._defaults import UNLIMITED_STEPS

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

    def __init__(self, total: int, start: int, problem: str, optimizer: str, device: str, time_limit=None):
        self.console = Console(file=sys.stderr)
        self.header = f"{problem} · {optimizer} · {device}"
        self.by_time = time_limit is not None and total >= UNLIMITED_STEPS
        self.progress = Progress(
            TextColumn("[bold]{task.fields[header]}"),
            BarColumn(),
            TextColumn(f"{{task.completed:.0f}}/{time_limit:.0f} s") if self.by_time else MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            refresh_per_second=4,
            transient=False,
        )
        total, start = (float(time_limit), 0) if self.by_time else (max(total, 1), start)
        self.task = self.progress.add_task("solve", total=total, completed=start, header=self.header, stats="")

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def update(self, step, stats, elapsed):
        parts = ([f"step {step}"] if self.by_time else []) + [f"loss {_fmt(stats.get('loss'))}"]
        if "val_loss" in stats:
            parts.append(f"val {_fmt(stats['val_loss'])}")
        if "rel_l2" in stats:
            parts.append(f"rel L2 {_fmt(stats['rel_l2'])}")
        if "rank" in stats:
            parts.append(f"rank {int(np.asarray(stats['rank']))}")
        if "step_size" in stats:
            parts.append(f"η {_fmt(stats['step_size'], '.1e')}")
        self.progress.update(self.task, completed=elapsed if self.by_time else step, stats="  ".join(parts))


def make_reporter(quiet: bool, *, total: int, start: int, problem: str, optimizer: str, device: str,
                  time_limit=None):
    return _Quiet() if quiet else _Live(total, start, problem, optimizer, device, time_limit)
