"""The grammar ships inside the package (and the wheel), and every terminal has a name users can read."""

import importlib.resources
import subprocess
import sys
import zipfile
from pathlib import Path

from lark import Lark

from pdedsl.language._tokens import grammar_text, lark_parser, token_words


def test_grammar_is_read_from_the_installed_package():
    resource = importlib.resources.files("pdedsl.grammar").joinpath("pde.lark")
    assert resource.is_file()
    text = resource.read_text(encoding="utf-8")
    assert grammar_text() == text
    parser = Lark(text, parser="lalr", lexer="basic", propagate_positions=True)
    assert parser.parse("domain x in [0, 1]\n").data == "start"


def test_no_terminal_is_anonymous_and_each_has_words():
    names = {terminal.name for terminal in lark_parser().terminals}
    assert not [n for n in names if n.startswith("__")]
    ignored = {"COMMENT", "WHITESPACE", "LINE_CONTINUATION"}
    words = token_words()
    assert {n for n in names - ignored if n not in words} == set()
    assert (words["RPAR"], words["PDE"], words["DOTDOT"], words["_NL"]) == ("')'", "keyword 'pde'", "'..'", "end of line")


def test_wheel_contains_the_grammar(tmp_path):
    root = Path(__file__).resolve().parents[2]
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(root)],
        capture_output=True, text=True, timeout=300,
    )
    wheels = list(tmp_path.glob("pdedsl-*.whl"))
    # The test extra brings setuptools and wheel, so the build needs no network and must succeed.
    assert build.returncode == 0 and wheels, build.stderr[-2000:]
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
    assert "pdedsl/grammar/pde.lark" in names
    assert "pdedsl/language/_parser.py" in names
