"""How a run ended, as a value.

An optimizer reports its own verdict on each step as one int32 scalar in its stats, ``stats["status"]``
(`status_code(converged=..., stalled=...)` builds it inside the jitted step): `RUNNING` (0) to go on,
or the code of `Status.CONVERGED` / `Status.STALLED`. The driver turns the code back into a `Status`
with `Status.from_code`; the other statuses (target, budget, non-finite loss, stopped by the
callback) are the driver's own decisions.
"""

from __future__ import annotations

import enum

import jax.numpy as jnp

__all__ = ["Status", "RUNNING", "status_code"]

RUNNING = 0


class Status(enum.Enum):
    CONVERGED = "converged"  # the optimizer's own precision criterion (AMStramGRAM: ‖r‖ < eps)
    STALLED = "stalled"  # the optimizer reports no progress over its patience (AMStramGRAM)
    TARGET = "target"  # loss <= target_loss
    BUDGET = "budget"  # all steps done
    NONFINITE = "nonfinite"  # loss became NaN/inf; last finite params returned
    STOPPED = "stopped"  # the callback asked to stop

    @property
    def code(self) -> int:
        """The int32 code an optimizer reports in ``stats["status"]`` (only CONVERGED and STALLED are
        an optimizer's to report)."""
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> "Status | None":
        """The status an optimizer's code stands for; None for `RUNNING`."""
        return _FROM_CODE.get(int(code))


_CODES = {Status.CONVERGED: 1, Status.STALLED: 2, Status.TARGET: 3, Status.BUDGET: 4,
          Status.NONFINITE: 5, Status.STOPPED: 6}
_FROM_CODE = {code: status for status, code in _CODES.items()}


def status_code(*, converged=False, stalled=False) -> jnp.ndarray:
    """The step's verdict as an int32 scalar (traceable): converged wins over stalled."""
    return jnp.where(converged, Status.CONVERGED.code,
                     jnp.where(stalled, Status.STALLED.code, RUNNING)).astype(jnp.int32)
