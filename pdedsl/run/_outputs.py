"""The run folder: its policy, and the final outputs written all or none.

Policy (docs/usage.md, "What a run writes"):

* A folder that already holds a run's files is refused, unless the run continues it (`resume`) or
  replaces it (`overwrite`: its run files are deleted first, metrics.json first). Other files in
  the folder are left alone.
* The folder is checked before any work: it must be creatable and writable.
* metrics.json is written last and marks a finished set of outputs: it is deleted before the other
  outputs are rewritten, and every output of one set carries the same `output_id` (params.npz in
  its meta, solution.npz as a key, metrics.json as a field). A folder without metrics.json, or whose
  files carry different ids, holds an unfinished run; `load_solution` refuses it and `--resume`
  completes it from checkpoint.npz.
* A Ctrl-C while the outputs are written deletes the outputs (not the checkpoint): none rather than
  a mixture.
* Temporary files of an earlier run killed mid-write (`.NAME.*.tmp`) are deleted at the start.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from pdedsl.errors import PdeError
from pdedsl.run._checkpoint import CHECKPOINT
from pdedsl.run._files import write_json
from pdedsl.run._interrupt import Interrupted

__all__ = ["OUTPUTS", "check_out_dir", "clear_out_dir", "write_outputs", "remove_outputs"]

# Written at the end of a run, metrics.json last.
OUTPUTS = ("params.npz", "solution.npz", "convergence.png", "solution.png", "metrics.json")
RUN_FILES = ("metrics.json",) + OUTPUTS[:-1] + (CHECKPOINT,)


def _unwritable(out_dir: Path, err: OSError) -> PdeError:
    why = err.strerror or type(err).__name__
    return PdeError(f"cannot write to the output folder {out_dir}: {why}",
                    hint="choose another --out folder (one you may write to)")


def check_out_dir(out_dir: Path, *, resume: bool, overwrite: bool) -> None:
    """Before any work: `out_dir` can be created and written (checked leaving nothing behind), and it
    holds no run unless the run continues (`resume`) or replaces (`overwrite`) it. PdeError if not."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise PdeError(f"the output folder {out_dir} is a file", hint="choose another --out folder")
        _probe(out_dir)
        existing = _run_files(out_dir) if out_dir.is_dir() else []
    except OSError as err:
        raise _unwritable(out_dir, err) from None
    if existing and not (resume or overwrite):
        raise PdeError(f"the output folder {out_dir} already holds a run ({', '.join(existing)})",
                       hint="pass --overwrite to replace it, --resume to continue it, or choose another --out")


def _probe(out_dir: Path) -> None:
    created = []
    try:
        for folder in reversed([out_dir, *out_dir.parents]):
            if not folder.exists():
                folder.mkdir()
                created.append(folder)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise _unwritable(out_dir, err) from None
    finally:
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass


def _run_files(out_dir: Path) -> list[str]:
    return [name for name in RUN_FILES if (out_dir / name).exists()]


def _remove_stale_temporaries(out_dir: Path) -> None:
    for name in RUN_FILES + (".write-test",):
        for tmp in out_dir.glob(f".{name}.*.tmp"):
            tmp.unlink(missing_ok=True)


def clear_out_dir(out_dir: Path, *, resume: bool, overwrite: bool) -> None:
    """Just before training: delete stale temporary files, and with `overwrite` the old run's files."""
    if not out_dir.is_dir():
        return
    try:
        _remove_stale_temporaries(out_dir)
        if overwrite and not resume:
            for name in _run_files(out_dir):  # metrics.json first: the folder never looks finished meanwhile
                (out_dir / name).unlink()
    except OSError as err:
        raise _unwritable(out_dir, err) from None


def remove_outputs(out_dir: Path) -> None:
    for name in ("metrics.json",) + OUTPUTS[:-1]:
        (out_dir / name).unlink(missing_ok=True)


def write_outputs(out_dir: Path, writers, metrics: dict, interrupts=None) -> str:
    """Write one set of outputs: `writers` (callables taking the output id, in order), then metrics.json.

    Returns the set's output id. A Ctrl-C counted by `interrupts` after the writing
    began removes the outputs and raises `Interrupted`; the checkpoint stays.
    """
    output_id = uuid.uuid4().hex
    mark = interrupts.count if interrupts is not None else 0

    def check():
        if interrupts is not None and interrupts.since(mark):
            raise Interrupted(f"interrupted while writing the outputs: only {CHECKPOINT} was kept in {out_dir} "
                              "(--resume writes the others)")

    try:
        (out_dir / "metrics.json").unlink(missing_ok=True)
        for write in writers:
            check()
            write(output_id)
        check()
        write_json(out_dir / "metrics.json", {**metrics, "output_id": output_id})
    except Interrupted:
        remove_outputs(out_dir)
        raise
    except OSError as err:
        remove_outputs(out_dir)
        raise _unwritable(out_dir, err) from None
    return output_id
