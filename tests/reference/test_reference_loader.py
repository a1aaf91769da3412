"""The .npz reference format: the shipped files, round trips and every validation message."""

from pathlib import Path

import numpy as np
import pytest

from pdedsl.errors import PdeDataError
from pdedsl.reference import Reference, load_reference, save_reference

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
METADATA_KEYS = {"problem", "equation", "method", "resolution", "estimated_error", "grid", "generated_with"}


@pytest.mark.parametrize(
    "name, nt, nx",
    [("burgers", 101, 256), ("allen_cahn", 201, 512)],
)
def test_shipped_file_loads_with_documented_layout(name, nt, nx):
    path = DATA / f"{name}_reference.npz"
    assert path.stat().st_size < 2_000_000
    ref = load_reference(path)
    assert isinstance(ref, Reference)
    assert ref.coords == ("t", "x")
    assert ref.grid_shape == (nt, nx)
    assert ref.points.shape == (nt * nx, 2) and ref.values.shape == (nt * nx, 1)
    assert ref.points.dtype == np.float64 and ref.values.dtype == np.float64
    assert ref.values.shape[0] >= 10_000
    np.testing.assert_array_equal(ref.axes[0], np.linspace(0, 1, nt))
    np.testing.assert_array_equal(ref.axes[1], np.linspace(-1, 1, nx))
    # points are the C-order (t-major) flattening of the grid, columns in coords order
    np.testing.assert_array_equal(ref.points[nx + 3], [ref.axes[0][1], ref.axes[1][3]])
    assert ref.grid_values()[1, 3] == ref.values[nx + 3, 0]
    assert METADATA_KEYS <= set(ref.metadata)
    assert ref.metadata["problem"] == name
    assert float(ref.metadata["estimated_error"].split()[0]) <= (1e-12 if name == "burgers" else 1e-10)
    assert "generated_with" in ref.metadata and "--fast" not in ref.metadata["generated_with"]


def test_shipped_files_satisfy_boundary_and_initial_conditions():
    b = load_reference(DATA / "burgers_reference.npz")
    u, (t, x) = b.grid_values(), b.axes
    np.testing.assert_array_equal(u[:, [0, -1]], 0.0)  # exact, by odd symmetry about x = +-1
    np.testing.assert_array_equal(u[0, 1:-1], -np.sin(np.pi * x[1:-1]))
    assert np.abs(u).max() <= 1.0
    a = load_reference(DATA / "allen_cahn_reference.npz")
    u, (t, x) = a.grid_values(), a.axes
    np.testing.assert_array_equal(u[:, [0, -1]], -1.0)
    np.testing.assert_array_equal(u[0], x * x * np.cos(np.pi * x))
    np.testing.assert_allclose(u, u[:, ::-1], rtol=0, atol=1e-13)  # even in x
    assert np.abs(u).max() <= 1.0 + 1e-12


def test_round_trip_keeps_arrays_and_metadata(tmp_path):
    t, x = np.linspace(0, 1, 3), np.linspace(-1, 1, 4)
    u = np.add.outer(t, x)
    path = tmp_path / "r.npz"
    save_reference(path, {"t": t, "x": x}, u, {"method": "sum", "estimated_error": "0"})
    ref = load_reference(path)
    assert ref.coords == ("t", "x")
    assert dict(ref.metadata) == {"method": "sum", "estimated_error": "0"}
    np.testing.assert_array_equal(ref.values[:, 0], ref.points[:, 0] + ref.points[:, 1])
    assert repr(ref) == f"Reference({str(path)!r}, grid t[3] x x[4], 12 points)"
    with pytest.raises(TypeError):
        ref.metadata["method"] = "x"  # read-only


def _write(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return str(path)


def _good():
    return {"coords": np.array(["t", "x"]), "t": np.linspace(0, 1, 3), "x": np.linspace(-1, 1, 4), "u": np.zeros((3, 4))}


def _error(path) -> PdeDataError:
    with pytest.raises(PdeDataError) as info:
        load_reference(path)
    return info.value


def test_missing_file_message(tmp_path):
    p = str(tmp_path / "nope.npz")
    err = _error(p)
    assert err.message == f"reference file '{p}' does not exist"
    assert err.hint == ("the path is relative to the spec's folder; the shipped references are rebuilt with "
                        "`python -m pdedsl.reference {burgers,allen_cahn} --out PATH`")
    assert str(err).splitlines()[0] == f"{p}: error: reference file '{p}' does not exist"


def test_not_an_npz_message(tmp_path):
    p = tmp_path / "bad.npz"
    p.write_text("hello")
    err = _error(p)
    assert err.message == f"reference file '{p}' is not an .npz archive"  # not numpy's advice to unpickle it


@pytest.mark.parametrize(
    "drop, missing",
    [("u", "'u'"), ("x", "'x'")],
)
def test_missing_key_messages(tmp_path, drop, missing):
    arrays = _good()
    del arrays[drop]
    p = _write(tmp_path / "m.npz", **arrays)
    assert _error(p).message == f"reference file '{p}' is missing key(s) {missing}; expected 'coords', 't', 'x', 'u'"


def test_missing_coords_message(tmp_path):
    arrays = _good()
    del arrays["coords"]
    p = _write(tmp_path / "c.npz", **arrays)
    assert _error(p).message == (
        f"reference file '{p}' is missing key 'coords' (the coordinate names, e.g. ['t', 'x'])"
    )


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("coords", np.array([1.0, 2.0]), "'coords' must be a non-empty 1-D array of names"),
        ("coords", np.array(["t", "t"]), "'coords' names must be distinct and not 'u' or 'coords', got ['t', 't']"),
        ("t", np.zeros((3, 1)), "'t' must be a numeric 1-D array of at least 2 points, got shape (3, 1)"),
        ("t", np.array([0.0, 1.0, 0.5]), "'t' must be strictly increasing"),
        ("x", np.array([-1.0, np.nan, 0.0, 1.0]), "'x' has 1 non-finite value(s)"),
        ("u", np.zeros((4, 3)), "'u' has shape (4, 3) but the grid ('t', 'x') has shape (3, 4)"),
        ("u", np.array(["a"] * 12).reshape(3, 4), "'u' must be numeric, got dtype <U1"),
        ("u", np.full((3, 4), np.inf), "'u' has 12 non-finite value(s)"),
    ],
)
def test_malformed_array_messages(tmp_path, key, value, message):
    arrays = _good()
    arrays[key] = value
    p = _write(tmp_path / "f.npz", **arrays)
    assert _error(p).message == f"reference file '{p}': {message}"


def test_pickled_object_array_is_rejected(tmp_path):
    arrays = _good()
    arrays["u"] = np.empty((3, 4), dtype=object)
    p = _write(tmp_path / "o.npz", **arrays)
    assert "is not a readable .npz archive (Object arrays cannot be loaded when allow_pickle=False)" in _error(p).message
