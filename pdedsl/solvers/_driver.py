"""The generic optimisation loop: one jitted step, one host synchronisation per step.

    result = run(optimizer, residual_fn, params, data, steps=300, target_loss=1e-20, callback=on_step)

The loop stops on the first of: the optimizer's own verdict in ``stats["status"]`` (Status.CONVERGED
or STALLED, pdedsl.solvers._status), the loss before a step at or below `target_loss` (TARGET), a
non-finite loss (NONFINITE; the last parameters and state with a finite loss are returned), the
callback returning a stop reason (STOPPED; the reason comes back as `RunResult.reason`), or the budget
(BUDGET). The stopping checks on the loss *before* a step discard that step's result (its row stays
in `history`, so history may hold one row more than the steps taken); a step whose `loss_after` meets
the target is kept.
Resuming: ``run(..., params=saved_params, state=saved_state, start_step=k)`` continues bit-for-bit.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, NamedTuple

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from pdedsl.solvers._status import Status

__all__ = ["Status", "StepInfo", "RunResult", "run"]


@functools.lru_cache(maxsize=8)
def _compiled_step(optimizer) -> Callable:
    return jax.jit(optimizer.step, static_argnums=0)


def _jitted_step(optimizer) -> Callable:
    """The optimizer's step, jitted with the residual function static. The last few optimizers'
    jitted steps are kept, so that a second `run` with the same (or an equal) optimizer — a restart, a
    continued run — reuses the compiled step instead of compiling it again; older ones are dropped
    with their executables."""
    try:
        return _compiled_step(optimizer)
    except TypeError:  # an unhashable optimizer: compiled again by each `run`
        return jax.jit(optimizer.step, static_argnums=0)


def _mesh_of(optimizer):
    """The device mesh of a `Sharded` optimizer, also inside wrappers (an `optimizer` attribute), or None."""
    while optimizer is not None and getattr(optimizer, "mesh", None) is None:
        optimizer = getattr(optimizer, "optimizer", None)
    return None if optimizer is None else optimizer.mesh


def _placed(params, state, data, mesh):
    """`params`, `state` and `data` where a step on `mesh` returns them, so that the step compiles once:
    every array not placed on it yet goes to every device of the mesh (in a multi-process run, a global
    array every process holds whole). Without a mesh, as they are."""
    if mesh is None:
        return params, state, data
    everywhere = NamedSharding(mesh, PartitionSpec())
    place = lambda x: x if isinstance(getattr(x, "sharding", None), NamedSharding) else jax.device_put(x, everywhere)
    return jax.tree_util.tree_map(place, (params, state, data))


class StepInfo(NamedTuple):
    step: int  # global index of the step just taken (start_step, start_step + 1, ...)
    params: Any  # parameters after the step (host numpy arrays)
    state: Any  # optimizer state after the step (host numpy arrays)
    stats: dict  # scalar stats of the step (host numpy scalars), plus "time"


class RunResult(NamedTuple):
    params: Any  # final parameters (device arrays)
    state: Any  # final optimizer state; pass back as `state=` to resume
    history: dict  # stat name -> numpy array over the steps taken (plus a discarded last row), and "time"
    status: Status
    steps: int  # global step count reached (start_step + steps taken and kept)
    reason: Any = None  # the callback's stop reason when status is STOPPED


def run(
    optimizer,
    residual_fn: Callable,
    params,
    data,
    *,
    steps: int,
    target_loss: float | None = None,
    callback: Callable[[StepInfo], Any] | None = None,
    state=None,
    start_step: int = 0,
) -> RunResult:
    """Run `optimizer` for at most `steps` steps from `params` (and `state`, or a fresh one).

    `callback(info)` is called after each kept step; it returns None (or False) to go on, or any other
    value — a stop reason — to stop the run there (Status.STOPPED, the value in `RunResult.reason`).
    """
    if state is None:
        state = optimizer.init(residual_fn, params, data)
    params, state, data = _placed(params, state, data, _mesh_of(optimizer))
    step_fn = _jitted_step(optimizer)
    rows: list[dict] = []
    status, reason = Status.BUDGET, None
    start = time.perf_counter()
    last_good = (params, state)  # parameters whose loss is known (or assumed) finite
    step = start_step
    for _ in range(int(steps)):
        new_params, new_state, stats = step_fn(residual_fn, params, state, data)
        host_params, host_state, host_stats = jax.device_get((new_params, new_state, stats))
        row = {k: np.asarray(v)[()] for k, v in host_stats.items()}
        row["time"] = time.perf_counter() - start
        rows.append(row)
        loss = float(row["loss"])
        if not np.isfinite(loss):
            params, state = last_good
            status = Status.NONFINITE
            break
        if target_loss is not None and loss <= target_loss:
            # θ before this step already met the target: keep it (the step's result is discarded).
            status = Status.TARGET
            break
        verdict = Status.from_code(row["status"]) if "status" in row else None
        if verdict is not None:
            status = verdict
            break
        last_good = (params, state)
        params, state = new_params, new_state
        step += 1
        asked = callback(StepInfo(step - 1, host_params, host_state, row)) if callback else None
        if asked is not None and asked is not False:
            status, reason = Status.STOPPED, asked
            break
        after = float(row.get("loss_after", np.nan))
        if target_loss is not None and np.isfinite(after) and after <= target_loss:
            status = Status.TARGET
            break
    history = {k: np.asarray([row[k] for row in rows]) for k in (rows[0] if rows else {})}
    return RunResult(params, state, history, status, step, reason)
