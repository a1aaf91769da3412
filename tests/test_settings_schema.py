"""The one table of settings (pdedsl.settings): its lists agree with the solver core and the geometry,
and the spec checker, the command line and `pdedsl.solve` all read their names off it."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

import pdedsl
from pdedsl import settings as schema
from pdedsl.cli import build_parser
from pdedsl.errors import PdeError
from pdedsl.geometry._sampling import SAMPLING_METHODS
from pdedsl.run._settings import KEYWORDS, RunSettings, resolve_settings
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
    assert set(KEYWORDS) == {e.name for e in schema.ENTRIES if e.keyword}
    parameters = set(inspect.signature(pdedsl.solve).parameters)
    assert not set(KEYWORDS) & parameters  # they arrive through **settings, checked against the table


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
    stationary = pdedsl.parse("domain x in [0, 1], y in [0, 1]\nunknown u\npde: lap(u) = 0\nboundary: u = 0\n")
    evolution = pdedsl.parse("domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) = dxx(u)\n"
                             "boundary: u = 0\ninitial: u = sin(pi * x)\n")
    five = pdedsl.parse("domain x in [0, 1]^5\nunknown u\npde: lap(u) = 0\nboundary: u = 0\n")
    got = {name: resolve_settings(p.settings, p.compile().domain)
           for name, p in (("stationary", stationary), ("evolution", evolution), ("five", five))}
    assert (got["stationary"].method, got["stationary"].counts) == ("grid", {"interior": 784, "boundary": 116})
    assert (got["evolution"].method, got["evolution"].counts) == (
        "sobol", {"interior": 2000, "boundary": 100, "initial": 200})
    assert got["evolution"].widths == got["stationary"].widths == (32, 32) and got["five"].widths == (64,)
    for s in got.values():
        assert (s.optimizer, s.init, s.restarts, s.restart_noise, s.stall_window) == (
            "amstramgram", "lecun", 100, 0.1, 20)
        assert s.time_limit == 300.0 and s.target_loss is None
    assert resolve_settings(None, optimizer="adam").restarts == 0
