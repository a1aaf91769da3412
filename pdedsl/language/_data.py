"""`data "file"` statements: observations of unknowns at points, read and validated.

A data file has one column (CSV) or one 1-D array (`.npz`) per coordinate of the domain
and per observed unknown, named by its header / array name, e.g. `t,x,u`. Every
coordinate must be there, at least one unknown, and nothing else; every value must be
finite. Mistakes are `PdeDataError`s positioned at the path in the spec.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from pdedsl.errors import PdeDataError, Span

__all__ = ["Observations", "read_observations"]

MAX_ROWS = 1_000_000


class Observations:
    """The points (N, dim) in domain-axis order and the observed values (N, k) of the unknowns `unknowns`."""

    def __init__(self, points: np.ndarray, values: np.ndarray, unknowns: tuple[str, ...]):
        self.points, self.values, self.unknowns = points, values, unknowns


def read_observations(path: str, span: Span, folder: Path, coordinates: tuple[str, ...],
                      unknowns: tuple[str, ...], bounds=None) -> Observations:
    """Read `path` (relative to `folder`); check the columns against the coordinates and unknowns, and the
    points against `bounds` = (lows, highs), the domain's bounding box, when given."""
    full = Path(os.path.abspath(folder / path))
    if full.exists() and not full.is_file():
        raise PdeDataError(f"data file '{path}' is not a file", span, hint=f"{full} is a folder or a device")
    if not full.is_file():
        raise PdeDataError(f"data file '{path}' not found", span,
                           hint=f"the path is relative to the spec's folder; looked for {full}")
    columns = _read_columns(full, path, span)
    for name in columns:
        if name not in coordinates and name not in unknowns:
            raise PdeDataError(f"data file '{path}' has a column '{name}', which is neither a coordinate nor an "
                               f"unknown", span, hint=f"columns are named after the coordinates "
                                                      f"({', '.join(coordinates)}) and unknowns ({', '.join(unknowns)})")
    for name in coordinates:
        if name not in columns:
            raise PdeDataError(f"data file '{path}' has no column '{name}'", span,
                               hint=f"it needs one column per coordinate: {', '.join(coordinates)}")
    observed = tuple(u for u in unknowns if u in columns)
    if not observed:
        raise PdeDataError(f"data file '{path}' observes no unknown", span,
                           hint=f"add a column named after an unknown: {', '.join(unknowns)}")
    for name, values in columns.items():
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise PdeDataError(f"data file '{path}': column '{name}' has a non-finite value in row {bad[0] + 1}",
                               span, hint="remove the row or fix the value")
    points = np.stack([columns[c] for c in coordinates], axis=-1)
    values = np.stack([columns[u] for u in observed], axis=-1)
    if bounds is not None:
        lows, highs = np.asarray(bounds[0], float), np.asarray(bounds[1], float)
        slack = 1e-9 * np.maximum(highs - lows, 1.0)
        outside = np.flatnonzero(np.any((points < lows - slack) | (points > highs + slack), axis=1))
        if outside.size:
            row = outside[0]
            where = ", ".join(f"{c} = {points[row, k]:g}" for k, c in enumerate(coordinates))
            box = " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(lows, highs))
            raise PdeDataError(f"data file '{path}': row {row + 1} ({where}) lies outside {box}, the domain's "
                               "bounding box", span, hint=f"{outside.size} row(s) lie outside; check the units and the column order")
    return Observations(points, values, observed)


def _read_columns(full: Path, path: str, span: Span) -> dict[str, np.ndarray]:
    if full.suffix == ".npz":
        return _npz_columns(full, path, span)
    if full.suffix != ".csv":
        raise PdeDataError(f"data file '{path}' is neither .csv nor .npz", span,
                           hint="write the observations as a CSV file with a header, or a .npz of named arrays")
    return _csv_columns(full, path, span)


def _read_bytes(full: Path, path: str, span: Span) -> bytes:
    try:
        return full.read_bytes()
    except OSError as err:
        raise PdeDataError(f"data file '{path}' cannot be read: {err.strerror or err}", span,
                           hint="check the file's permissions") from None


def _csv_columns(full: Path, path: str, span: Span) -> dict[str, np.ndarray]:
    data = _read_bytes(full, path, span)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise PdeDataError(f"data file '{path}' is not UTF-8 text: byte 0x{data[err.start]:02x} on its line {line} "
                           "cannot be decoded", span, hint="save the file with the UTF-8 encoding") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PdeDataError(f"data file '{path}' is empty", span, hint="the first line names the columns, e.g. t,x,u")
    header = [name.strip() for name in lines[0].split(",")]
    if len(set(header)) != len(header):
        raise PdeDataError(f"data file '{path}' names a column twice", span)
    if len(lines) - 1 > MAX_ROWS:
        raise PdeDataError(f"data file '{path}' has more than {MAX_ROWS} rows", span)
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != len(header):
            raise PdeDataError(f"data file '{path}': line {number} has {len(cells)} values, the header "
                               f"{len(header)}", span)
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            raise PdeDataError(f"data file '{path}': line {number} has a value that is not a number", span) from None
    if not rows:
        raise PdeDataError(f"data file '{path}' has no rows of data", span)
    table = np.asarray(rows, float)
    return {name: table[:, k] for k, name in enumerate(header)}


def _npz_columns(full: Path, path: str, span: Span) -> dict[str, np.ndarray]:
    if not zipfile.is_zipfile(full):  # np.load would read other bytes as a pickle and suggest unpickling it
        raise PdeDataError(f"data file '{path}' is not an .npz archive", span,
                           hint="write it with numpy.savez(path, t=..., x=..., u=...), or use a .csv file")
    _read_bytes(full, path, span)  # an unreadable file says so
    try:
        with np.load(full, allow_pickle=False) as archive:
            columns = {name: np.asarray(archive[name]) for name in archive.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        raise PdeDataError(f"data file '{path}' is a damaged .npz archive ({type(err).__name__}: "
                           f"{str(err)[:120]})", span, hint="write it again with numpy.savez") from None
    lengths = {a.shape[0] if a.ndim == 1 else -1 for a in columns.values()}
    if not columns or -1 in lengths or len(lengths) != 1:
        raise PdeDataError(f"data file '{path}': the arrays must be 1-D and of the same length", span,
                           hint="store one array of N values per coordinate and per observed unknown")
    if lengths == {0}:
        raise PdeDataError(f"data file '{path}' has no rows of data", span)
    if not all(np.issubdtype(a.dtype, np.number) for a in columns.values()):
        raise PdeDataError(f"data file '{path}': the arrays must hold numbers", span)
    return {name: a.astype(float) for name, a in columns.items()}
