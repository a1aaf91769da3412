"""The one table of settings (pdedsl.settings): its lists agree with the solver core and the geometry,
and the spec checker, the command line, `pdedsl.solve` and `RunSettings` all read their names off it:
a new setting is one entry of the table (and its line in docs/usage.md), nothing else."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import inspect
import json
from pathlib import Path

import pytest

import pdedsl
from pdedsl import settings as schema
from pdedsl.cli import build_parser, main
from pdedsl.errors import PdeError
from pdedsl.geometry._sampling import SAMPLING_METHODS
from pdedsl.run import _solve
from pdedsl.run._settings import RunSettings, resolve_settings, settings_class
from pdedsl.solvers import OPTIMIZERS
from pdedsl.solvers._mlp import ACTIVATIONS, INITIALIZERS

ROOT = Path(__file__).resolve().parents[1]


def test_the_lists_are_the_solver_cores_and_the_geometrys():
    assert schema.OPTIMIZERS == tuple(OPTIMIZERS)
    assert set(schema.ACTIVATIONS) == set(ACTIVATIONS)
    assert set(schema.INITIALIZERS) == set(INITIALIZERS)
    assert schema.SAMPLE_METHODS == SAMPLING_METHODS


def test_fixed_options_are_fields_of_some_optimizer_and_no_table_entry_shadows_one():
    fields = {f.name for cls in OPTIMIZERS.values() for f in dataclasses.fields(cls)}
    assert set(schema.FIXED_OPTIONS) <= fields
    assert not {e.name for e in schema.ENTRIES} & fields


def test_the_schema_is_a_leaf_module():
    tree = ast.parse((ROOT / "pdedsl" / "settings.py").read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"__future__", "math", "dataclasses"}


def test_an_amstramgram_spec_can_set_at_most_18_names():
    names = schema.spec_names(f.name for f in dataclasses.fields(OPTIMIZERS["amstramgram"]))
    assert len(names) == len(set(names)) == 18, names
    for gone in ("patience", "min_decrease", "stall_factor", "restart_above", "resample_pool", "causal_slices",
                 "search_stride", "short_step", "tau_range", "rcond", "scale_columns"):
        assert gone not in names


def test_every_entry_is_a_run_setting_and_every_flag_and_keyword_comes_from_the_table():
    fields = set(RunSettings.__dataclass_fields__)
    assert {e.name for e in schema.ENTRIES} <= fields
    solve_cmd = build_parser()._subparsers._group_actions[0].choices["solve"]
    flags = {opt for action in solve_cmd._actions for opt in action.option_strings}
    assert {e.flag for e in schema.ENTRIES if e.flag} <= flags
    assert set(schema.keywords()) == {e.name for e in schema.ENTRIES if e.keyword}
    parameters = set(inspect.signature(pdedsl.solve).parameters)
    assert not set(schema.keywords()) & parameters  # they arrive through **settings, checked against the table


def test_a_value_out_of_range_is_refused_with_the_same_words_everywhere():
    spec = "domain x in [0, 1]\nunknown u\npde: dxx(u) = 0\nboundary: u = 0\nsolve amstramgram(restarts = 101)\n"
    with pytest.raises(PdeError) as in_spec:
        pdedsl.parse(spec)
    assert in_spec.value.message == "`restarts` must be a whole number from 0 to 100, not 101"
    with pytest.raises(PdeError) as by_keyword:
        resolve_settings(None, restarts=101)
    assert by_keyword.value.message == "restarts must be a whole number from 0 to 100, not 101"
    assert in_spec.value.hint == by_keyword.value.hint == schema.entry("restarts").hint


def test_retired_and_fixed_names_say_what_replaced_them():
    base = "domain x in [0, 1]\nunknown u\npde: dxx(u) = 0\nboundary: u = 0\n"
    with pytest.raises(PdeError) as retired:
        pdedsl.parse(base + "solve amstramgram(stall_factor = 2)\n")
    assert retired.value.message == "'stall_factor' is no longer a solve setting"
    assert retired.value.hint == schema.RETIRED["stall_factor"]
    with pytest.raises(PdeError) as fixed:
        pdedsl.parse(base + "solve amstramgram(rcond = 1e-10)\n")
    assert fixed.value.message == "'rcond' is not a setting a spec can change"
    assert pdedsl.parse(base + "solve amstramgram(patience = 1000)\n").settings.solve == {"optimizer": "amstramgram"}
    with pytest.raises(PdeError, match="'restart_above' is no longer a setting"):
        pdedsl.solve(pdedsl.parse(base), restart_above=1.0)


def test_the_defaults_follow_the_rules_of_the_problem_kind():
    heat = ("domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) = dxx(u){}\n"
            "boundary: u = 0\ninitial: u = sin(pi * x)\n")
    specs = {
        "stationary": "domain x in [0, 1], y in [0, 1]\nunknown u\npde: lap(u) = 0\nboundary: u = 0\n",
        "evolution": heat.format(""),
        "three": "domain x in [0, 1]^3\nunknown u\npde: lap(u) = 1\nboundary: u = 0\n",
        "five": "domain x in [0, 1]^5\nunknown u\npde: lap(u) = 0\nboundary: u = 0\n",
        "disk": "domain x, y in disk([0, 0], 1)\nunknown u\npde: lap(u) = 1\nboundary: u = 0\n",
        "nonlinear": "domain x in [0, 1], y in [0, 1]\nunknown u\npde: lap(u) = u^3\nboundary: u = 0\n",
        "burgers": heat.format(" - u * dx(u)"),
        "nonlinear3d": "domain x in [0, 1]^3\nunknown u\npde: lap(u) = u^3\nboundary: u = 0\n",
        "system": ("domain x in [0, 1], y in [0, 1]\nunknown u, v\npde:\n    lap(u) = u * v\n    lap(v) = u\n"
                   "boundary: u = 0\nboundary: v = 0\n"),
    }
    got = {}
    for name, text in specs.items():
        compiled = pdedsl.parse(text).compile()
        got[name] = resolve_settings(compiled.settings, compiled.domain, compiled.linear, len(compiled.unknowns))
    expected = {  # widths, method, counts, optimizer
        "stationary": ((56,), "grid", {"interior": 784, "boundary": 116}, "amstramgram"),
        "evolution": ((80,), "grid", {"interior": 1225, "boundary": 70, "initial": 70}, "amstramgram"),
        "three": ((64,), "sobol", {"interior": 2000, "boundary": 400}, "amstramgram"),
        "five": ((64,), "sobol", {"interior": 4000, "boundary": 500}, "amstramgram"),
        "disk": ((56,), "sobol", {"interior": 800, "boundary": 200}, "amstramgram"),
        "nonlinear": ((48, 48), "grid", {"interior": 784, "boundary": 116}, "amstramgram"),
        "burgers": ((32, 32), "sobol", {"interior": 2000, "boundary": 100, "initial": 200}, "ssbroyden"),
        "nonlinear3d": ((32, 32), "sobol", {"interior": 2000, "boundary": 400}, "ssbroyden"),
        "system": ((32, 32), "grid", {"interior": 784, "boundary": 116}, "ssbroyden"),
    }
    assert {k: (s.widths, s.method, s.counts, s.optimizer) for k, s in got.items()} == expected
    for s in got.values():
        restarts = (100, 0.1, 20) if s.optimizer == "amstramgram" else (0, 0.0, 5000)
        assert (s.init, s.restarts, s.restart_noise, s.stall_window) == ("lecun", *restarts)
        assert s.time_limit == 300.0 and s.target_loss is None
    assert resolve_settings(None, optimizer="adam").restarts == 0


def test_run_settings_has_one_typed_field_per_entry_after_the_fields_that_are_not_settings():
    fields = dataclasses.fields(RunSettings)
    assert [f.name for f in fields] == ["optimizer", "optimizer_options", "counts", "float32"] + [
        e.name for e in schema.ENTRIES]
    kinds = {"int": int, "float": float, "choice": str, "widths": tuple, "flag": bool}
    for e, f in zip(schema.ENTRIES, fields[4:]):
        assert f.default == e.default and f.type == (kinds[e.kind] if e.default is not None else kinds[e.kind] | None)
    assert settings_class() is RunSettings and RunSettings.__module__ == "pdedsl.run._settings"
    with pytest.raises(dataclasses.FrozenInstanceError):
        resolve_settings(None).seed = 1
    assert not {"resample_pool", "causal_slices"} & {f.name for f in fields}  # constants of pdedsl.settings


def test_the_fingerprint_leaves_out_the_budgets_and_keeps_the_constants_under_their_old_names():
    # The hash a run started before the constants left the fields has: their old names and values.
    base = resolve_settings(None)
    d = {k: v for k, v in base.as_dict().items() if k not in ("steps", "time_limit", "target_loss", "checkpoint_every")}
    blob = json.dumps({"settings": {**d, "resample_pool": 0, "causal_slices": 32}, "source": "spec", "files": ""},
                      sort_keys=True, default=str)
    assert base.fingerprint("spec") == hashlib.sha256(blob.encode()).hexdigest()[:16]
    for name in ("steps", "time_limit", "target_loss", "checkpoint_every"):
        assert not schema.entry(name).trajectory
        assert resolve_settings(None, **{name: 7}).fingerprint("spec") == base.fingerprint("spec")
    assert resolve_settings(None, seed=7).fingerprint("spec") != base.fingerprint("spec")


# Two made-up settings of the `solve` line with a flag: a number and a true/false one.
MAX_REDRAWS = schema.Entry("max_redraws", "int", "redraw the points at most N times", 5, low=0, high=1000,
                           flag="--max-redraws")
LOG_REDRAWS = schema.Entry("log_redraws", "flag", "print a line at each redraw", False, flag="--log-redraws")
HEAT = ("domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) = dxx(u)\nboundary: u = 0\n"
        "initial: u = sin(pi * x)\nsample interior 40, boundary 10, initial 10\n")


class Resolved(Exception):
    """Raised where `pdedsl.solve` would build the optimizer: the run stops with its settings."""


@pytest.fixture
def extended(monkeypatch):
    """The table with the two new entries and nothing else changed; `pdedsl.solve` stops once its
    settings are resolved (the Resolved exception carries them)."""
    monkeypatch.setattr(schema, "ENTRIES", schema.ENTRIES + (MAX_REDRAWS, LOG_REDRAWS))

    def stop(compiled, settings):
        raise Resolved(settings)

    monkeypatch.setattr(_solve, "_build_optimizer", stop)


def test_a_new_entry_is_a_spec_setting_with_the_tables_range_and_hint(extended):
    spec = pdedsl.parse(HEAT + "solve amstramgram(max_redraws = 3, log_redraws = true, steps = 2)\n")
    assert spec.settings.solve == {"optimizer": "amstramgram", "max_redraws": 3, "log_redraws": True, "steps": 2}
    with pytest.raises(PdeError) as wrong:
        pdedsl.parse(HEAT + "solve amstramgram(max_redraws = -1)\n")
    assert wrong.value.message == "`max_redraws` must be a whole number from 0 to 1000, not -1"
    assert wrong.value.hint == MAX_REDRAWS.hint
    with pytest.raises(PdeError) as wrong:
        pdedsl.parse(HEAT + "solve amstramgram(log_redraws = 1)\n")
    assert wrong.value.message == "`log_redraws` must be true or false, not 1" and wrong.value.hint == LOG_REDRAWS.hint
    with pytest.raises(PdeError, match="unknown sample setting 'max_redraws'"):  # its line is `solve` only
        pdedsl.parse(HEAT.replace("initial 10", "initial 10, max_redraws = 3"))


def test_a_new_entry_is_a_keyword_of_solve_and_a_field_of_the_run_settings(extended):
    spec = pdedsl.parse(HEAT + "solve amstramgram(max_redraws = 3)\n")
    with pytest.raises(Resolved) as got:
        pdedsl.solve(spec, max_redraws=9, log_redraws=True, steps=2)
    settings = got.value.args[0]
    assert (settings.max_redraws, settings.log_redraws) == (9, True)  # keyword over spec
    assert type(settings).__name__ == "RunSettings" and dataclasses.is_dataclass(settings)
    assert settings.as_dict()["max_redraws"] == 9
    from_spec = resolve_settings(spec.settings)
    assert (from_spec.max_redraws, from_spec.log_redraws) == (3, False)  # spec over the entry's default
    assert resolve_settings(None).max_redraws == 5
    # A trajectory setting: another value is another run, which a resume refuses.
    assert from_spec.fingerprint("s") != resolve_settings(spec.settings, max_redraws=4).fingerprint("s")
    with pytest.raises(PdeError) as wrong:
        pdedsl.solve(spec, max_redraws=1001)
    assert wrong.value.message == "max_redraws must be a whole number from 0 to 1000, not 1001"
    assert wrong.value.hint == MAX_REDRAWS.hint
    with pytest.raises(PdeError, match="did you mean 'max_redraws'"):
        pdedsl.solve(spec, max_redraw=1)


def test_a_new_entry_is_a_flag_of_pdedsl_solve(extended, tmp_path, capsys):
    solve_cmd = build_parser()._subparsers._group_actions[0].choices["solve"]
    assert {"--max-redraws", "--log-redraws"} <= {o for a in solve_cmd._actions for o in a.option_strings}
    assert "redraw the points at most N times (default 5)" in solve_cmd.format_help()
    spec = tmp_path / "heat.pde"
    spec.write_text(HEAT + "solve amstramgram(max_redraws = 3)\n")
    with pytest.raises(Resolved) as got:
        main(["solve", str(spec), "--max-redraws", "7", "--log-redraws", "true", "--steps", "2"])
    assert (got.value.args[0].max_redraws, got.value.args[0].log_redraws) == (7, True)  # flag over spec
    assert main(["solve", str(spec), "--max-redraws", "-1"]) == 1
    assert "max_redraws must be a whole number from 0 to 1000, not -1" in capsys.readouterr().err
    assert main(["solve", str(spec), "--log-redraws", "maybe"]) == 1
    assert "--log-redraws: cannot read 'maybe'" in capsys.readouterr().err


def _defaults_table() -> dict[str, str]:
    """Each setting named in the first column of docs/usage.md's table of defaults -> its row."""
    text = (ROOT / "docs" / "usage.md").read_text()
    section = text.split("### Defaults", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    named = {}
    for row in rows[1:]:  # the header is not a setting
        first = row.split(" | ", 1)[0]
        for name in first.split("`")[1::2]:
            named.setdefault(name, row)
    return named


def test_every_entry_has_its_line_in_the_table_of_defaults_with_its_spec_line_and_flag():
    table = _defaults_table()
    missing = [e.name for e in schema.ENTRIES if e.name not in table]
    assert not missing, f"docs/usage.md's table of defaults has no line for: {missing}"
    for e in schema.ENTRIES:
        row = table[e.name]
        assert e.flag is None or f"`{e.flag}`" in row, (e.name, row)
        assert e.line is None or f"({e.line}, " in row or f"({e.line})" in row, (e.name, row)


def test_the_docs_check_would_notice_a_new_entry(monkeypatch):
    monkeypatch.setattr(schema, "ENTRIES", schema.ENTRIES + (MAX_REDRAWS,))
    with pytest.raises(AssertionError, match="no line for: \\['max_redraws'\\]"):
        test_every_entry_has_its_line_in_the_table_of_defaults_with_its_spec_line_and_flag()
