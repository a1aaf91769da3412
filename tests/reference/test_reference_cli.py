"""`python -m pdedsl.reference`: regenerating a file."""

from pathlib import Path

import numpy as np
import pytest

from pdedsl.reference import load_reference
from pdedsl.reference.__main__ import main

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def test_fast_burgers_regeneration_matches_the_shipped_file(tmp_path, capsys):
    out = tmp_path / "sub" / "b.npz"
    assert main(["burgers", "--out", str(out), "--fast"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: grid (101, 256), estimated error ")
    fresh, shipped = load_reference(out), load_reference(DATA / "burgers_reference.npz")
    assert fresh.metadata["generated_with"].endswith("(--fast)")
    assert fresh.metadata["resolution"] == "129 quadrature nodes (h = 0.1875)"
    np.testing.assert_array_equal(fresh.points, shipped.points)
    assert np.abs(fresh.values - shipped.values).max() < 1e-13


def test_out_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main(["allen_cahn"])
    assert info.value.code == 2
    assert "--out is required" in capsys.readouterr().err
