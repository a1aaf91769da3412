"""Fuzzing damaged run folders: `--resume` and `load_solution` either work or raise a PdeError that
names the file; never another exception. Damage: truncation, garbled bytes, missing keys, forged values."""

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pdedsl

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
TINY = dict(widths=(4,), points={"interior": 16, "boundary": 8}, optimizer="anagram", quiet=True, n_test=200,
            restarts=1)
FILES = ("checkpoint.npz", "params.npz", "metrics.json")


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("good") / "run"
    pdedsl.solve(LAPLACE, steps=2, out=out, **TINY)
    return out


def _truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, max(len(data) - 1, 0)))]


def _garble(data: bytes, draw) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _rewrite_npz(data: bytes, draw, forge: bool) -> bytes:
    with np.load(io.BytesIO(data)) as archive:
        arrays = {k: archive[k] for k in archive.files}
    key = draw(st.sampled_from(sorted(arrays)))
    if forge:
        arrays[key] = draw(st.sampled_from([np.asarray(-1), np.asarray(10**6), np.asarray(np.nan), np.asarray("x"),
                                            np.zeros((3, 3)), np.asarray(2.5)]))
    else:
        del arrays[key]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _rewrite_json(data: bytes, draw, forge: bool) -> bytes:
    metrics = json.loads(data)
    key = draw(st.sampled_from(sorted(metrics)))
    if forge:
        metrics[key] = draw(st.sampled_from([None, -1, "x", [], {}, {"loss": "x"}, 1e308]))
    else:
        del metrics[key]
    return json.dumps(metrics).encode()


@st.composite
def damaged(draw):
    name = draw(st.sampled_from(FILES))
    how = draw(st.sampled_from(["truncate", "garble", "drop", "forge"]))
    return name, how, draw


def _damage(folder: Path, name: str, how: str, draw) -> None:
    path = folder / name
    data = path.read_bytes()
    if how == "truncate":
        data = _truncate(data, draw)
    elif how == "garble":
        data = _garble(data, draw)
    elif name.endswith(".npz"):
        data = _rewrite_npz(data, draw, forge=how == "forge")
    else:
        data = _rewrite_json(data, draw, forge=how == "forge")
    path.write_bytes(data)


def test_a_damaged_run_folder_is_a_pdeerror_or_works(good_run, tmp_path_factory):
    @settings(max_examples=24, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=damaged(), data=st.data())
    def check(case, data):
        name, how, _ = case
        folder = tmp_path_factory.mktemp("damaged") / "run"
        shutil.copytree(good_run, folder)
        _damage(folder, name, how, data.draw)
        if name == "checkpoint.npz":  # what --resume reads
            try:
                sol = pdedsl.solve(LAPLACE, steps=2, out=folder, resume=True, **TINY)
            except pdedsl.PdeError as err:
                assert err.message.startswith(f"cannot resume: {folder / name}"), err.message
            else:
                assert sol.metrics["steps"] == 2
        else:  # what load_solution reads
            try:
                sol = pdedsl.load_solution(folder)
            except pdedsl.PdeError as err:
                assert err.message.startswith(f"cannot load the run in {folder}: "), err.message
            else:
                assert sol.u(np.zeros((2, 2))).shape == (2, 1)

    check()
