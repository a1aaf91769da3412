"""Atomic file writes and the on-disk formats of a run: checkpoints, parameters, metrics.

Every file is written to a temporary name in the same folder and moved into place with
`os.replace`, so a reader (or a run killed mid-write) only ever sees a complete file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import jax
import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)

__all__ = ["atomic_write_bytes", "write_json", "write_npz", "save_pytree", "load_pytree_leaves"]


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file ordinary permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_default(obj):
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot serialise {type(obj).__name__} to JSON")


def _finite_or_none(obj):
    """JSON has no NaN/Infinity: write them as null (strict JSON readers choke on NaN)."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite_or_none(v) for v in obj]
    return obj


def write_json(path: Path, obj) -> None:
    text = json.dumps(_finite_or_none(json.loads(json.dumps(obj, default=_json_default))), indent=2)
    atomic_write_bytes(path, (text + "\n").encode())


def write_npz(path: Path, **arrays) -> None:
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    atomic_write_bytes(path, buf.getvalue())


def save_pytree(prefix: str, tree) -> dict[str, np.ndarray]:
    """Flatten a pytree into `{prefix/000: leaf, ...}` (the structure comes from the code that rebuilds it)."""
    leaves = jax.tree_util.tree_leaves(tree)
    return {f"{prefix}/{i:03d}": np.asarray(leaf) for i, leaf in enumerate(leaves)}


def load_pytree_leaves(archive, prefix: str, like):
    """Rebuild a pytree shaped like `like` from leaves saved by `save_pytree`."""
    leaves, treedef = jax.tree_util.tree_flatten(like)
    loaded = [archive[f"{prefix}/{i:03d}"] for i in range(len(leaves))]
    for i, (old, new) in enumerate(zip(leaves, loaded)):
        if np.shape(old) != np.shape(new):
            raise ValueError(f"saved leaf {prefix}/{i:03d} has shape {np.shape(new)}, expected {np.shape(old)}")
    return jax.tree_util.tree_unflatten(treedef, [jax.numpy.asarray(x, dtype=np.asarray(o).dtype)
                                                  for x, o in zip(loaded, leaves)])
