"""Reading and writing reference-solution files (``.npz`` on a tensor grid).

File format (all arrays loadable with ``allow_pickle=False``)::

    coords   (d,)          unicode   coordinate names in axis order, e.g. ["t", "x"]
    <name>   (n_k,)        float64   one strictly increasing 1-D axis per coordinate name
    u        (n_1,...,n_d) float64   u[i, j] = u(t[i], x[j]) (axis k of u runs along coords[k])
    <other>  ()            unicode   metadata strings: problem, equation, method, resolution,
                                     estimated_error, generated_by, ...

`load_reference` validates the file and flattens the grid to ``points`` (N, d) in
``coords`` order (``np.meshgrid(..., indexing="ij")``, C order) and ``values`` (N, 1).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from pdedsl.errors import PdeDataError

__all__ = ["Reference", "load_reference", "save_reference"]

_VALUE_KEY = "u"
_COORDS_KEY = "coords"


@dataclass(frozen=True, eq=False)
class Reference:
    """A reference solution sampled on a tensor grid.

    Attributes
    ----------
    coords: coordinate names in column order of ``points``, e.g. ``("t", "x")``.
    points: (N, d) float64, every grid point; ``N = prod(grid_shape)``.
    values: (N, 1) float64, the solution at ``points``.
    axes: the d 1-D grid axes, ``axes[k]`` (n_k,) belongs to ``coords[k]``.
    metadata: read-only mapping of the file's metadata strings.
    path: the file it was read from.
    """

    coords: tuple[str, ...]
    points: np.ndarray
    values: np.ndarray
    axes: tuple[np.ndarray, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: str = ""

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """``(n_1, ..., n_d)``, the lengths of the axes."""
        return tuple(a.size for a in self.axes)

    def grid_values(self) -> np.ndarray:
        """The values reshaped to the grid, ``grid_shape``."""
        return self.values.reshape(self.grid_shape)

    def __repr__(self) -> str:
        grid = " x ".join(f"{c}[{a.size}]" for c, a in zip(self.coords, self.axes))
        return f"Reference({self.path!r}, grid {grid}, {self.values.shape[0]} points)"


def _fail(path: str, message: str, hint: str | None = None) -> PdeDataError:
    return PdeDataError(message, hint=hint, filename=path)


def load_reference(path: str | os.PathLike) -> Reference:
    """Read and validate a reference ``.npz`` file (format in the module docstring).

    Raises
    ------
    PdeDataError: the file is missing or unreadable, lacks a key, has arrays of the wrong
        shape, non-increasing axes or non-finite values.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise _fail(
            path,
            f"reference file '{path}' does not exist",
            "the path is relative to the spec's folder; the shipped references are rebuilt with "
            "`python -m pdedsl.reference {burgers,allen_cahn} --out PATH`",
        )
    if not zipfile.is_zipfile(path):  # np.load would read other bytes as a pickle and suggest unpickling it
        raise _fail(path, f"reference file '{path}' is not an .npz archive")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise _fail(path, f"reference file '{path}' is not a readable .npz archive ({exc})") from None

    if _COORDS_KEY not in arrays:
        raise _fail(path, f"reference file '{path}' is missing key 'coords' (the coordinate names, e.g. ['t', 'x'])")
    coords_arr = arrays[_COORDS_KEY]
    if coords_arr.ndim != 1 or coords_arr.size == 0 or coords_arr.dtype.kind != "U":
        raise _fail(path, f"reference file '{path}': 'coords' must be a non-empty 1-D array of names")
    coords = tuple(str(c) for c in coords_arr)
    if len(set(coords)) != len(coords) or _VALUE_KEY in coords or _COORDS_KEY in coords:
        raise _fail(path, f"reference file '{path}': 'coords' names must be distinct and not 'u' or 'coords', got {list(coords)}")

    missing = [k for k in (*coords, _VALUE_KEY) if k not in arrays]
    if missing:
        names = ", ".join(f"'{k}'" for k in missing)
        expected = ", ".join(f"'{k}'" for k in (_COORDS_KEY, *coords, _VALUE_KEY))
        raise _fail(path, f"reference file '{path}' is missing key(s) {names}; expected {expected}")

    axes = []
    for name in coords:
        a = arrays[name]
        if a.ndim != 1 or a.size < 2 or a.dtype.kind not in "fiu":
            raise _fail(path, f"reference file '{path}': '{name}' must be a numeric 1-D array of at least 2 points, got shape {a.shape}")
        a = a.astype(np.float64)
        bad = int(np.count_nonzero(~np.isfinite(a)))
        if bad:
            raise _fail(path, f"reference file '{path}': '{name}' has {bad} non-finite value(s)")
        if np.any(np.diff(a) <= 0):
            raise _fail(path, f"reference file '{path}': '{name}' must be strictly increasing")
        axes.append(a)
    shape = tuple(a.size for a in axes)

    u = arrays[_VALUE_KEY]
    if u.dtype.kind not in "fiu":
        raise _fail(path, f"reference file '{path}': 'u' must be numeric, got dtype {u.dtype}")
    if u.shape != shape:
        raise _fail(path, f"reference file '{path}': 'u' has shape {u.shape} but the grid {coords} has shape {shape}")
    u = u.astype(np.float64)
    bad = int(np.count_nonzero(~np.isfinite(u)))
    if bad:
        raise _fail(path, f"reference file '{path}': 'u' has {bad} non-finite value(s)")

    metadata = {
        key: str(a[()]) for key, a in arrays.items()
        if key not in (_COORDS_KEY, _VALUE_KEY, *coords) and a.ndim == 0 and a.dtype.kind == "U"
    }
    mesh = np.meshgrid(*axes, indexing="ij")
    points = np.stack([m.ravel() for m in mesh], axis=1)
    return Reference(
        coords=coords,
        points=points,
        values=u.reshape(-1, 1),
        axes=tuple(axes),
        metadata=MappingProxyType(metadata),
        path=path,
    )


def save_reference(
    path: str | os.PathLike,
    axes: Mapping[str, np.ndarray],
    u: np.ndarray,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write a reference file: ``axes`` maps coordinate names (in order) to 1-D arrays,
    ``u`` has shape ``(len(a) for a in axes.values())``, ``metadata`` values become 0-d strings.

    The archive is compressed; the result is validated by reading it back with `load_reference`.
    """
    names = list(axes)
    arrays = {name: np.asarray(a, dtype=np.float64) for name, a in axes.items()}
    arrays[_COORDS_KEY] = np.array(names)
    arrays[_VALUE_KEY] = np.asarray(u, dtype=np.float64)
    for key, value in (metadata or {}).items():
        if key in arrays:
            raise ValueError(f"metadata key {key!r} clashes with an array key")
        arrays[key] = np.array(str(value))
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as fh:  # file handle: np.savez would append '.npz' to other suffixes
        np.savez_compressed(fh, **arrays)
    load_reference(path)
