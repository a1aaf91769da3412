"""The public API: parse / load → Problem → CompiledProblem, exactly as docs/architecture.md states it."""

import os
from pathlib import Path

import pytest

import pdedsl
from pdedsl.errors import PdeError, PdeSyntaxError
from pdedsl.geometry import Box, Face, Faces, Interior
from pdedsl.language import CompiledProblem, Problem, ResidualGroup, Settings, load, parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_top_level_package_reexports_parse_and_load():
    assert pdedsl.parse is parse and pdedsl.load is load
    assert isinstance(pdedsl.parse("domain x in [0, 1]\nunknown u\npde: u = 0"), Problem)


def test_compiled_heat_problem_follows_the_contract():
    problem = load(EXAMPLES / "heat.pde")
    compiled = problem.compile()
    assert isinstance(compiled, CompiledProblem)
    assert compiled.name == "heat"
    assert compiled.domain == Box(("t", "x"), (0.0, 0.0), (1.0, 1.0), time="t")
    assert compiled.unknowns == ("u",)
    assert [(g.name, g.kind, g.region, g.weight, g.n_components, g.line, g.text) for g in compiled.groups] == [
        ("pde", "pde", Interior(), 1.0, 1, 7, "dt(u) - kappa * dxx(u) = 0"),
        ("boundary", "boundary", Faces((Face(1, 0), Face(1, 1))), 1.0, 1, 8, "u = 0 on x = 0, x = 1"),
        ("initial", "initial", Faces((Face(0, 0),)), 1.0, 1, 9, "u = sin(pi * x) on t = 0"),
    ]
    assert all(isinstance(g, ResidualGroup) and callable(g.fn) for g in compiled.groups)
    assert compiled.source == problem.generated_source() and "def pde(u_t, u_xx):" in compiled.source
    assert compiled.reference is None and callable(compiled.exact)
    assert compiled.settings == Settings(model={}, sample={}, solve={})  # the spec leaves all to the defaults


def test_reference_path_is_made_absolute_relative_to_the_spec(tmp_path):
    compiled = load(EXAMPLES / "burgers.pde").compile()
    assert compiled.reference == os.path.abspath(EXAMPLES / "data" / "burgers_reference.npz")
    assert compiled.exact is None
    spec = tmp_path / "sub" / "p.pde"
    spec.parent.mkdir()
    spec.write_text('domain x in [0, 1]\nunknown u\npde: u = 0\nreference "../ref.npz"\n')
    assert load(spec).reference == str(tmp_path / "ref.npz")
    assert parse('domain x in [0, 1]\nunknown u\npde: u = 0\nreference "r.npz"').reference == \
        os.path.abspath("r.npz")


def test_string_specs_are_named_problem():
    assert parse("domain x in [0, 1]\nunknown u\npde: u = 0").name == "problem"


def test_errors_carry_the_file_and_render_with_a_caret():
    with pytest.raises(PdeError) as info:
        parse("domain x in [0, 1]\nunknown u\npde: u = kapa\n", "spec.pde")
    assert info.value.format() == (
        "spec.pde:3:10: error: unknown name 'kapa'\n"
        "    pde: u = kapa\n"
        "             ^~~~\n"
        "hint: define it first: `let kapa = ...`, `unknown kapa`, or a coordinate in the domain"
    )


def test_non_utf8_file_is_reported_at_the_first_bad_byte(tmp_path):
    path = tmp_path / "latin.pde"
    path.write_bytes("domain x in [0, 1]\n# température\n".encode("latin-1"))
    with pytest.raises(PdeSyntaxError) as info:
        load(path)
    err = info.value
    assert (err.span.line, err.span.column) == (2, 7)
    assert err.message == "the file is not UTF-8 text: byte 0xe9 cannot be decoded"
    assert err.filename == str(path) and "temp\ufffdrature" in err.format()


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.pde"
    path.write_bytes(b"\xef\xbb\xbfdomain x in [0, 1]\nunknown u\npde: u = 0\n")
    assert load(path).domain.names == ("x",)


def test_missing_file_is_a_pde_error(tmp_path):
    with pytest.raises(PdeError) as info:
        load(tmp_path / "nope.pde")
    assert info.value.span is None
    assert info.value.format().startswith(f"{tmp_path / 'nope.pde'}: error: cannot read the file: No such file")
