"""Resuming and the run folder: bit-for-bit continuation, the fingerprint of the data, the folder's
policy (refuse, overwrite, unfinished sets of outputs), damaged files, and unwritable folders."""

import re
import shutil
from pathlib import Path

import jax
import numpy as np
import pytest

import pdedsl
from pdedsl.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"
HEAT = ROOT / "examples" / "heat.pde"
TINY = dict(widths=(4,), points={"interior": 16, "boundary": 8}, optimizer="anagram", quiet=True, n_test=200)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished 2-step run; tests damage copies of it."""
    out = tmp_path_factory.mktemp("finished") / "run"
    pdedsl.solve(LAPLACE, steps=2, out=out, **TINY)
    return out


def copy_of(run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out


def leaves(sol):
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(sol.params)]


def test_resume_is_bit_for_bit_when_the_first_part_ends_where_the_stall_window_fires(tmp_path):
    # heat.pde restarts after a stall_window stall; with this set-up attempt 0 stalls after 25 steps
    # (step 25 reports the stall). Runs split there, and one step later, continue to the same weights.
    kw = dict(widths=(8,), points={"interior": 64, "boundary": 16, "initial": 16}, quiet=True)
    whole = pdedsl.solve(HEAT, steps=80, out=tmp_path / "whole", **kw)
    assert [a["steps"] for a in whole.metrics["attempts"]][:2] == [25, 30]
    for split in (25, 26):
        pdedsl.solve(HEAT, steps=split, out=tmp_path / str(split), **kw)
        rest = pdedsl.solve(HEAT, steps=80, out=tmp_path / str(split), resume=True, **kw)
        assert rest.metrics["attempts"] == whole.metrics["attempts"]
        for a, b in zip(leaves(whole), leaves(rest)):
            np.testing.assert_array_equal(a, b)
        assert rest.history["loss"] == whole.history["loss"]


def _copy_example(tmp_path, name, data):
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "examples" / "data" / data, tmp_path / "data" / data)
    shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path / name, tmp_path / "data" / data


def test_resume_refuses_changed_data_and_reference_files(tmp_path, capsys):
    (tmp_path / "inverse").mkdir()
    spec, csv = _copy_example(tmp_path / "inverse", "heat_inverse.pde", "heat_obs.csv")
    out = tmp_path / "inverse" / "run"
    small = ["--widths", "4", "--points", "interior=16", "boundary=8", "initial=8", "--quiet"]
    assert main(["solve", str(spec), "--steps", "1", "--out", str(out), *small]) == 3
    rows = csv.read_text().splitlines()
    rows[1] = rows[1][:-1] + ("1" if rows[1][-1] != "1" else "2")  # one observation changed in its last digit
    csv.write_text("\n".join(rows) + "\n")
    assert main(["solve", str(spec), "--steps", "2", "--out", str(out), "--resume", *small]) == 1
    assert (f"error: cannot resume: the run in {out} used another spec, other settings or other data"
            in capsys.readouterr().err)

    (tmp_path / "burgers").mkdir()
    spec, ref = _copy_example(tmp_path / "burgers", "burgers.pde", "burgers_reference.npz")
    out = tmp_path / "burgers" / "run"
    assert main(["solve", str(spec), "--steps", "1", "--out", str(out), "--optimizer", "adam", *small]) == 3
    with np.load(ref) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["u"] = arrays["u"] * (1 + 1e-12)
    np.savez(ref, **arrays)
    assert main(["solve", str(spec), "--steps", "2", "--out", str(out), "--optimizer", "adam", "--resume",
                 *small]) == 1
    assert "used another spec, other settings or other data" in capsys.readouterr().err


def test_a_folder_holding_a_run_is_refused_unless_overwritten_or_resumed(tmp_path, capsys):
    out = tmp_path / "run"
    first = pdedsl.solve(LAPLACE, steps=2, out=out, **TINY)
    (out / ".checkpoint.npz.abc123.tmp").write_bytes(b"left by a killed run")
    (out / "notes.txt").write_text("mine")
    assert main(["solve", str(LAPLACE), "--steps", "3", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"{LAPLACE}: error: the output folder {out} already holds a run (metrics.json, params.npz, "
                      "solution.npz, convergence.png, solution.png, checkpoint.npz)")
    assert err[-1] == "hint: pass --overwrite to replace it, --resume to continue it, or choose another --out"
    assert pdedsl.load_solution(out).metrics["output_id"] == first.metrics["output_id"]
    second = pdedsl.solve(LAPLACE, steps=3, out=out, overwrite=True, seed=4, **TINY)
    assert second.metrics["output_id"] != first.metrics["output_id"]
    assert not list(out.glob(".*.tmp")) and (out / "notes.txt").read_text() == "mine"
    loaded = pdedsl.load_solution(out)
    assert loaded.metrics["steps"] == 3 and loaded.metrics["settings"]["seed"] == 4
    with pytest.raises(pdedsl.PdeError, match="--resume continues the run in the folder, --overwrite replaces it"):
        pdedsl.solve(LAPLACE, steps=3, out=out, overwrite=True, resume=True, **TINY)


def test_an_unfinished_or_mixed_set_of_outputs_is_refused_by_load_solution(tmp_path):
    a = tmp_path / "a"
    pdedsl.solve(LAPLACE, steps=1, out=a, **TINY)
    b = tmp_path / "b"
    pdedsl.solve(LAPLACE, steps=1, out=b, seed=1, **TINY)
    shutil.copy(b / "params.npz", a / "params.npz")  # a folder mixing two runs' files
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.load_solution(a)
    assert info.value.message == f"cannot load the run in {a}: params.npz and metrics.json belong to different runs"
    (b / "metrics.json").unlink()  # a run killed while writing its outputs
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.load_solution(b)
    assert info.value.message == (f"cannot load the run in {b}: metrics.json is missing (the run did not finish "
                                  "writing its outputs)")
    assert info.value.hint.startswith("resume the run")
    rest = pdedsl.solve(LAPLACE, steps=1, out=b, resume=True, seed=1, **TINY)  # --resume writes them again
    assert pdedsl.load_solution(b).metrics["output_id"] == rest.metrics["output_id"]


@pytest.mark.parametrize("damage, why", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "BadZipFile"),
    (lambda p: p.write_bytes(b"not a zip archive"), "ValueError"),
    (lambda p: p.write_bytes(b""), "EOFError"),
])
def test_a_damaged_checkpoint_is_a_clear_error(finished, tmp_path, damage, why):
    out = copy_of(finished, tmp_path)
    damage(out / "checkpoint.npz")
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.solve(LAPLACE, steps=3, out=out, resume=True, **TINY)
    assert info.value.message.startswith(f"cannot resume: {out / 'checkpoint.npz'} is damaged ({why}")


def test_a_forged_step_count_is_refused(finished, tmp_path):
    out = copy_of(finished, tmp_path)
    with np.load(out / "checkpoint.npz") as ck:
        arrays = {k: ck[k] for k in ck.files}
    arrays["step"] = np.asarray(1000)
    np.savez(out / "checkpoint.npz", **arrays)
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.solve(LAPLACE, steps=2000, out=out, resume=True, **TINY)
    assert info.value.message == (f"cannot resume: {out / 'checkpoint.npz'} is damaged (step count 1000 but a "
                                  "history of [2] steps)")


@pytest.mark.parametrize("payload, why", [(b"{", "JSONDecodeError"), (b"\xff\xfe{}", "UnicodeDecodeError"),
                                          (b"[1, 2]", "not the metrics of a run")])
def test_damaged_metrics_are_a_clear_error(finished, tmp_path, payload, why):
    out = copy_of(finished, tmp_path)
    (out / "metrics.json").write_bytes(payload)
    with pytest.raises(pdedsl.PdeError) as info:
        pdedsl.load_solution(out)
    assert info.value.message == f"cannot load the run in {out}: metrics.json is damaged ({why})"


def test_an_unusable_output_folder_is_refused_before_any_work(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = [(afile / "run", "Not a directory"), (tmp_path / ("n" * 300), "File name too long")]
    for out, why in cases:
        assert main(["solve", str(LAPLACE), "--out", str(out), "--quiet"]) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0] == f"{LAPLACE}: error: cannot write to the output folder {out}: {why}"
        assert err[-1] == "hint: choose another --out folder (one you may write to)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    import errno
    import os
    import tempfile

    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: the probe meets what a read-only folder gives others
        real = tempfile.mkstemp

        def refuse(*args, dir=None, **kwargs):
            if dir is not None and Path(dir) == out:
                raise PermissionError(errno.EACCES, "Permission denied")
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert main(["solve", str(LAPLACE), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{LAPLACE}: error: cannot write to the output folder {out}: Permission denied"
    assert "Traceback" not in "\n".join(err)
    assert list(out.iterdir()) == []


def test_a_step_that_cannot_fit_in_memory_is_refused_before_training(tmp_path, capsys):
    from pdedsl.run._memory import check_step_memory, step_bytes

    assert step_bytes(1000, 10, 8) == 8 * (3 * 1000 * 10 + 2 * 100)
    check_step_memory("adam", 10**9, 10**6, np.float64, available=1)  # no Jacobian: nothing to check
    with pytest.raises(pdedsl.PdeError) as info:
        check_step_memory("amstramgram", 10**6, 4000, np.float64, available=2**30)
    assert info.value.message == ("one amstramgram step needs about 89.6 GiB (the 1000000 x 4000 Jacobian of the "
                                  "residual and its factorisation), more than the 1.0 GiB available")
    out = tmp_path / "big"
    code = main(["solve", str(LAPLACE), "--out", str(out), "--quiet", "--points", "interior=1000000",
                 "--widths", "1024,1024,1024"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert re.search(r"error: one anagram step needs about [0-9.]+ GiB \(the 10[0-9]{5} x 210[0-9]{4} Jacobian", err)
    assert "hint: use fewer collocation points" in err and not out.exists()


def test_a_non_finite_loss_right_after_a_checkpoint_keeps_the_last_finite_parameters(tmp_path):
    # Adam pushes u above 1, where sqrt(1 - u) is NaN, within a few steps. With a checkpoint after every step
    # the loop pauses between any two steps; the kept parameters are still the last finite ones.
    spec = tmp_path / "n.pde"
    spec.write_text("domain x in [0, 1]\nunknown u\npde: u = 2 + sqrt(1 - u)\nboundary: u = 0\n")
    kw = dict(optimizer="adam", optimizer_options={"learning_rate": 0.1}, steps=200, widths=(4,),
              points={"interior": 16}, quiet=True)
    once = pdedsl.solve(spec, checkpoint_every=0, **kw)
    paused = pdedsl.solve(spec, checkpoint_every=1, out=tmp_path / "run", **kw)
    assert once.status == paused.status == "nonfinite" and np.isfinite(paused.metrics["loss"])
    assert paused.metrics["steps"] == once.metrics["steps"] and paused.metrics["loss"] == once.metrics["loss"]
    for a, b in zip(leaves(once), leaves(paused)):
        np.testing.assert_array_equal(a, b)
