"""Run OpenBLAS on one thread for the duration of a block.

The Allen–Cahn solver does thousands of small (<= 640 x 640) LU solves and mat-vecs.  OpenBLAS
threads them by default, and on a loaded machine its spinning worker threads make that up to
15x slower than one thread (measured: 70 s vs 4.3 s for N = 384 on a shared 2-core CPU).  This
is a minimal, dependency-free version of ``threadpoolctl.threadpool_limits(1, "blas")``: it finds
the OpenBLAS libraries already loaded into the process (numpy's and scipy's wheels each bundle
one), sets their thread count to 1 and restores it afterwards.  Elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
from contextlib import contextmanager
from typing import Iterator

__all__ = ["single_threaded_blas"]

_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "")


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower() and "/" in line}
    except OSError:  # not Linux
        return []
    return sorted(p for p in paths if ".so" in p)


def _controls(path: str):
    """(get, set) C functions of one library, or None."""
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype, set_.restype = ctypes.c_int, None
                set_.argtypes = [ctypes.c_int]
                return get, set_
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Context manager: OpenBLAS on one thread inside, previous thread counts restored after."""
    saved = []
    for path in _loaded_openblas():
        ctl = _controls(path)
        if ctl is None:
            continue
        get, set_ = ctl
        try:
            saved.append((set_, int(get())))
            set_(1)
        except Exception:  # pragma: no cover - never let a tuning knob break a computation
            continue
    try:
        yield
    finally:
        for set_, n in saved:
            set_(n)
