"""Ctrl-C as a value: a SIGINT handler that only counts, read at safe points.

Raising from a signal handler (Python's default) lands the KeyboardInterrupt anywhere: inside an
import, inside a garbage-collection callback of JAX (where it is swallowed) or between two output
files. Here the handler only counts the signals; the run reads the count between steps, between
phases and between output files, and stops there (`Interrupted` where it stops by raising).
"""

from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["Interrupted", "SigintCounter", "counting_sigint"]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, noticed at a safe point (a KeyboardInterrupt, so `except Exception` lets it pass)."""


class SigintCounter:
    """The number of SIGINTs received while installed."""

    def __init__(self):
        self.count = 0

    def __call__(self, signum, frame) -> None:
        self.count += 1

    def since(self, mark: int) -> bool:
        """Whether a Ctrl-C arrived after the count was `mark`."""
        return self.count > mark

    def check(self) -> None:
        """Raise `Interrupted` if a Ctrl-C has arrived."""
        if self.count:
            raise Interrupted


@contextlib.contextmanager
def counting_sigint(enabled: bool = True):
    """Count Ctrl-C instead of raising KeyboardInterrupt while active (main thread only); yields the
    counter, which counts nothing when disabled. Inside another `counting_sigint` (the CLI installs
    one first thing) it yields that one's counter, so no Ctrl-C falls between the two."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield SigintCounter()
        return
    counter = signal.getsignal(signal.SIGINT)
    if isinstance(counter, SigintCounter):
        yield counter
        return
    if counter is signal.SIG_IGN:  # Ctrl-C ignored on purpose (nohup, a background job): leave it so
        yield SigintCounter()
        return
    counter = SigintCounter()
    previous = signal.signal(signal.SIGINT, counter)
    try:
        yield counter
    finally:
        signal.signal(signal.SIGINT, previous)
