"""Hostile and random input: only PdeError ever escapes, and spec text is never executed."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdedsl.cli import main
from pdedsl.errors import PdeError
from pdedsl.language import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_TEXTS = [p.read_text() for p in sorted(EXAMPLES.glob("*.pde"))]
HEADER = "domain x in [0, 1]\nunknown u\n"


@pytest.mark.parametrize("payload, line, column", [
    ("pde: u = __import__('os').system('touch {marker}')", 3, 10),
    ("pde: u = exec(\"open('{marker}', 'w')\")", 3, 15),
    ("pde: u = open(\"{marker}\")", 3, 15),
    ('reference "{marker}"\npde: u = eval(x)', 4, 10),
    ("let os = 1\npde: u = os.system(1)", 4, 12),
])
def test_code_in_a_spec_is_rejected_and_never_run(tmp_path, capsys, payload, line, column):
    marker = tmp_path / "owned"
    text = HEADER + payload.format(marker=marker)
    with pytest.raises(PdeError) as info:
        parse(text, "evil.pde").compile()
    assert (info.value.span.line, info.value.span.column) == (line, column)
    spec = tmp_path / "evil.pde"
    spec.write_text(text)
    for command in ("check", "verify", "compile"):
        assert main([command, str(spec)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert not marker.exists()


def test_deep_but_allowed_nesting_compiles_and_deeper_is_refused():
    deep = HEADER + "pde: u = " + "sin(" * 90 + "u" + ")" * 90
    assert parse(deep).generated_source().count("jnp.sin") == 90
    with pytest.raises(PdeError, match="nested too deeply"):
        parse(HEADER + "pde: u = " + "sin(" * 150 + "u" + ")" * 150)


def only_pde_errors(text: str) -> None:
    """Parse, check and compile `text`; anything but a PdeError fails the test."""
    try:
        parse(text, "fuzz.pde").compile()
    except PdeError as err:
        assert err.message and err.format()


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALPHABET = st.sampled_from(list("xyztu01259.,:;=+-*/^()[]{}#\"'_ \n\tπ\x00é") +
                           ["pde:", "boundary:", "initial:", "exact:", "let ", "domain ", "unknown ", " in ",
                            "[0, 1]", "sum(k=1..3, ", "d(u, x)", "dxx(u)", "lap(", "grad(", "div(", " on ",
                            " weight ", "model mlp(", "solve adam(", "sample interior 5", "^5", "x[k]"])


@FUZZ
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_random_text_raises_only_pde_errors(text):
    only_pde_errors(text)


@FUZZ
@given(st.sampled_from(EXAMPLE_TEXTS), st.data())
def test_mutated_examples_raise_only_pde_errors(text, data):
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 8)))
        insert = data.draw(st.sampled_from(["", "(", ")", "]", "=", "-", "^9", "x", "t", "\n", "u", "0", "99",
                                            "dx(", "on x = 2", "sum(k=1..9, x[k])", "#"]))
        text = text[:start] + insert + text[end:]
    only_pde_errors(text)
