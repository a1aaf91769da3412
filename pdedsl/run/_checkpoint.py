"""checkpoint.npz: where a run stands, so that `--resume` continues it bit for bit.

It holds the parameters and optimizer state (pytree leaves), the step reached, the wall time so far,
the per-step history, the restart bookkeeping, the run's fingerprint (spec, settings and the
contents of its data and reference files) and, with adaptive resampling, the current interior
points and the record of each redraw. A checkpoint that cannot be read, or whose parts disagree, is
a `PdeError`, never a half-restored run.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pdedsl.errors import PdeError
from pdedsl.run._files import load_pytree_leaves, save_pytree, write_npz
from pdedsl.run._restarts import Attempts

__all__ = ["RunState", "save_checkpoint", "load_checkpoint", "CHECKPOINT", "DAMAGED"]

CHECKPOINT = "checkpoint.npz"
# What reading a damaged or foreign file raises (truncated or garbled zip, wrong keys, bad JSON, shapes).
DAMAGED = (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile,
           UnicodeDecodeError)


@dataclass
class RunState:
    """A run between two steps: everything the next step and the outputs need."""

    params: Any
    state: Any
    step: int = 0
    elapsed: float = 0.0  # wall seconds of the training loop so far, over every resumed part
    history: dict = field(default_factory=dict)  # stat name -> list of floats, one per step taken
    attempts: Attempts = field(default_factory=Attempts)
    run_id: str = ""  # names the run; kept by --resume


def save_checkpoint(path: Path, run: RunState, fingerprint: str, resample_rows: list, points) -> None:
    arrays = {**save_pytree("params", run.params), **save_pytree("state", run.state)}
    arrays.update({f"history/{k}": np.asarray(v, float) for k, v in run.history.items()})
    tries = run.attempts
    arrays.update({"attempts/current": tries.current, "attempts/finished": json.dumps(tries.finished),
                   "attempts/best_loss": tries.best_loss})
    if tries.best is not None:
        arrays.update(save_pytree("best_params", tries.best))
    if points is not None:
        arrays.update({"resample/points": np.asarray(points), "resample/rows": json.dumps(resample_rows)})
    write_npz(path, step=run.step, elapsed=run.elapsed, fingerprint=fingerprint, run_id=run.run_id, **arrays)


def _damaged(path: Path, why: str) -> PdeError:
    return PdeError(f"cannot resume: {path} is damaged ({why})",
                    hint="start the run again without --resume (with --overwrite), or in a fresh --out folder")


def load_checkpoint(path: Path, fingerprint: str, fresh: RunState, resample_rows: list):
    """The RunState saved in `path`, shaped like `fresh`, and the interior points saved (or None).

    `resample_rows` is filled with the saved redraws. Raises PdeError when the file is missing,
    damaged or from another run.
    """
    if not path.is_file():
        raise PdeError(f"cannot resume: {path} does not exist", hint="start the run without --resume first")
    try:
        with np.load(path, allow_pickle=False) as ck:
            if str(ck["fingerprint"]) != fingerprint:
                raise PdeError(f"cannot resume: the run in {path.parent} used another spec, other settings or "
                               "other data", hint="resume with the same spec, files and flags, or choose a fresh "
                                                  "--out folder")
            run, points = _read(ck, fresh, resample_rows)
    except PdeError:
        raise
    except DAMAGED as err:
        raise _damaged(path, type(err).__name__) from None
    problem = _inconsistency(run)
    if problem:
        raise _damaged(path, problem)
    return run, points


def _read(ck, fresh: RunState, resample_rows: list):
    params = load_pytree_leaves(ck, "params", fresh.params)
    state = load_pytree_leaves(ck, "state", fresh.state)
    history = {k.split("/", 1)[1]: [float(x) for x in np.asarray(ck[k], float).reshape(-1)]
               for k in ck.files if k.startswith("history/")}
    attempts = Attempts()
    if "attempts/current" in ck.files:
        best = load_pytree_leaves(ck, "best_params", fresh.params) if "best_params/000" in ck.files else None
        finished = json.loads(str(ck["attempts/finished"]))
        if not isinstance(finished, list) or not all(isinstance(row, dict) for row in finished):
            raise ValueError("the attempts record is not a list of attempts")
        attempts = Attempts(int(ck["attempts/current"]), finished, float(ck["attempts/best_loss"]), best)
    points = None
    if "resample/points" in ck.files:
        points = np.asarray(ck["resample/points"], float)
        rows = json.loads(str(ck["resample/rows"]))
        if not isinstance(rows, list) or not all(isinstance(row, dict) and isinstance(row.get("step"), int)
                                                 for row in rows):
            raise ValueError("the record of the redraws is not a list of redraws")
        resample_rows[:] = rows
    run_id = str(ck["run_id"]) if "run_id" in ck.files else ""
    step = np.asarray(ck["step"])
    if step.shape != () or step.dtype.kind not in "iu":
        raise ValueError("the step count is not a whole number")
    return RunState(params, state, int(step), float(ck["elapsed"]), history, attempts, run_id), points


def _inconsistency(run: RunState) -> str | None:
    """Why the parts of a loaded checkpoint disagree (a forged or mixed file), or None."""
    if run.step < 0:
        return f"step count {run.step} is negative"
    rows = {len(v) for v in run.history.values()}
    if rows != {run.step} and not (run.step == 0 and not rows):
        return f"step count {run.step} but a history of {sorted(rows)} steps"
    if not (math.isfinite(run.elapsed) and run.elapsed >= 0):
        return f"elapsed time {run.elapsed!r}"
    tries = run.attempts
    if tries.current < 0 or len(tries.finished) != tries.current:
        return f"attempt {tries.current} after {len(tries.finished)} finished attempts"
    if tries.finished and tries.finished[-1].get("end_step", -1) > run.step:
        return "an attempt that ends after the step count"
    return None
