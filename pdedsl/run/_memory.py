"""Will the step fit? An estimate of a natural-gradient step's memory, checked before training.

The natural-gradient optimizers form the S × P Jacobian of the residual (S residual rows, P
parameters) and factor it (an SVD, or ENGD's P × P Gram matrix): about three S × P arrays plus two
P × P ones. A step that cannot fit fails inside XLA with RESOURCE_EXHAUSTED; the run refuses it
before starting instead, saying what to change.
"""

from __future__ import annotations

import os

import jax
import numpy as np

from pdedsl.errors import PdeError

__all__ = ["step_bytes", "available_bytes", "check_step_memory"]

JACOBIAN_OPTIMIZERS = ("amstramgram", "anagram", "engd")
_GIB = 2.0**30


def step_bytes(rows: int, params: int, itemsize: int) -> int:
    """Bytes a natural-gradient step needs for its Jacobian, its factorisation and their workspace."""
    return int(itemsize) * (3 * int(rows) * int(params) + 2 * int(params) ** 2)


def available_bytes(device=None) -> int | None:
    """Free memory of `device` (default JAX's first): the allocator's limit less what is in use on an
    accelerator, MemAvailable of /proc/meminfo (or the free pages) on the CPU; None if unknown."""
    device = device or jax.devices()[0]
    if device.platform != "cpu":
        try:
            stats = device.memory_stats() or {}
        except (AttributeError, NotImplementedError, RuntimeError):  # a backend that keeps no statistics
            return None
        if "bytes_limit" in stats:
            return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
        return None
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_step_memory(optimizer: str, rows: int, params: int, dtype, available: int | None = None) -> None:
    """PdeError when a step of `optimizer` on `rows` residual rows and `params` parameters will not fit."""
    if optimizer not in JACOBIAN_OPTIMIZERS:
        return
    available = available_bytes() if available is None else available
    need = step_bytes(rows, params, np.dtype(dtype).itemsize)
    if available is None or need <= available:
        return
    raise PdeError(f"one {optimizer} step needs about {need / _GIB:.1f} GiB (the {rows} x {params} Jacobian of the "
                   f"residual and its factorisation), more than the {available / _GIB:.1f} GiB available",
                   hint="use fewer collocation points (--points interior=N ...) or a smaller network (--widths), "
                        "or a first-order optimizer (--optimizer adam or lbfgs), which forms no Jacobian")
