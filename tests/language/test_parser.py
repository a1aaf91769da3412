"""Text → syntax tree: structure, precedence, spans, statement forms, and syntax errors in words."""

from fractions import Fraction

import pytest

from pdedsl.errors import PdeSyntaxError
from pdedsl.language import _ast as ast
from pdedsl.language._parser import parse_spec


def expression(text):
    """The right-hand side of `let a = TEXT`."""
    (let,) = parse_spec(f"let a = {text}").statements
    return let.value


def show(node):
    """A compact prefix form of an expression, for comparing trees."""
    if isinstance(node, ast.Number):
        return node.text
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Neg):
        return f"(- {show(node.operand)})"
    if isinstance(node, ast.BinOp):
        return f"({node.op} {show(node.left)} {show(node.right)})"
    if isinstance(node, ast.Call):
        return f"({node.func.name} {' '.join(show(a) for a in node.args)})"
    if isinstance(node, ast.Index):
        return f"{node.base.name}[{show(node.index)}]"
    if isinstance(node, ast.Sum):
        return f"(sum {node.index.name} {show(node.low)} {show(node.high)} {show(node.body)})"
    raise TypeError(node)


@pytest.mark.parametrize("text, tree", [
    ("1 + 2 * 3", "(+ 1 (* 2 3))"),
    ("1 - 2 - 3", "(- (- 1 2) 3)"),
    ("8 / 4 / 2", "(/ (/ 8 4) 2)"),
    ("-x^2", "(- (^ x 2))"),
    ("2^3^2", "(^ 2 (^ 3 2))"),
    ("2^-1", "(^ 2 (- 1))"),
    ("+x", "x"),
    ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
    ("d(u, x[k], y)", "(d u x[k] y)"),
    ("sum(k = 1..5, sin(pi * x[k]))", "(sum k 1 5 (sin (* pi x[k])))"),
    ("-div((1 + u^2) * grad(u))", "(- (div (* (+ 1 (^ u 2)) (grad u))))"),
])
def test_precedence_and_associativity(text, tree):
    assert show(expression(text)) == tree


def test_numbers_are_exact():
    assert expression("0.01").value == Fraction(1, 100)
    assert expression("1e-3").value == Fraction(1, 1000)
    assert expression(".5").value == Fraction(1, 2)
    assert show(expression("sum(k=1..2, k)")) == "(sum k 1 2 k)"  # `1..2` is not the number `1.`


def test_spans_point_into_the_text():
    text = "let kappa = 1/4\ndomain t in [0, 1], x in [0, 1]\n"
    let, domain = parse_spec(text).statements
    assert (let.name.span.line, let.name.span.column, let.name.span.end_column) == (1, 5, 10)
    assert text[let.span.start:let.span.end] == "let kappa = 1/4"  # the newline is not part of it
    t, x = domain.items
    assert (x.span.line, x.span.column) == (2, 21)
    assert text[x.span.start:x.span.end] == "x in [0, 1]"


def test_statement_forms():
    text = """
    # comment lines and blank lines are ignored
    let kappa = 1/4          # trailing comment
    domain time s in [0, 1], x, y in [-1, 1], z in [0, 1]^3
    unknown u, v
    pde:
        dt(u) = lap(u) + v       weight 2
        v = (u
             + 1)
    boundary: u = 0 on x = -1, x[1] = 1
    initial:  u = 1 on boundary
    exact:    u = 1
    reference "data/ref.npz"
    model  mlp(widths = [64, 64], activation = tanh)
    sample interior 900, boundary 60, method = sobol
    solve  amstramgram(steps = 300, eps = 1e-14, shift = -2, names = [a, "b"])
    """
    kinds = [type(s).__name__ for s in parse_spec(text).statements]
    assert kinds == ["Let", "Domain", "Unknowns", "Condition", "Condition", "Condition", "Condition", "ExactItem",
                     "Reference", "Model", "Sample", "Solve"]
    spec = parse_spec(text)
    domain = spec.statements[1]
    assert [(i.time, [n.name for n in i.names], i.power is not None) for i in domain.items] == [
        (True, ["s"], False), (False, ["x", "y"], False), (False, ["z"], True)]
    pde1, pde2, boundary, initial = spec.statements[3:7]
    assert (pde1.kind, pde1.text, show(pde1.weight)) == ("pde", "dt(u) = lap(u) + v weight 2", "2")
    assert (pde2.text, pde2.span.line, pde2.span.end_line) == ("v = (u + 1)", 8, 9)
    assert [show(f.coordinate) + "=" + show(f.value) for f in boundary.region.faces] == ["x=(- 1)", "x[1]=1"]
    assert isinstance(initial.region, ast.OnBoundary)
    assert spec.statements[8].path == "data/ref.npz"
    model, sample, solve = spec.statements[9:]
    assert [s.name.name for s in model.settings] == ["widths", "activation"]
    assert [v.value for v in model.settings[0].value.items] == [64, 64]
    assert [(i.target.name, i.count.value) for i in sample.items[:2]] == [("interior", 900), ("boundary", 60)]
    values = {s.name.name: s.value for s in solve.settings}
    assert (values["steps"].value, values["eps"].value, values["shift"].value) == (300, 1e-14, -2)
    assert [(v.value, v.kind) for v in values["names"].items] == [("a", "identifier"), ("b", "string")]


def test_backslash_continues_a_line():
    (let,) = parse_spec("let a = 1 + \\\n    2\n").statements
    assert show(let.value) == "(+ 1 2)"


SYNTAX_ERRORS = [
    # (text, line, column, message, hint)
    ("pde: u == 0", 1, 9, "'==' is not an operator", "an equation is written `lhs = rhs`, with one '='"),
    ("pde: u**2 = 0", 1, 8, "'**' is not an operator", "write powers with '^', e.g. x^2"),
    ("pde: dt(u) - dxx(u)\n", 1, 20, "unexpected end of line; expected '=' or an operator",
     "an equation is written `lhs = rhs`"),
    ("pde: u = \n", 1, 10, "unexpected end of line; expected an expression", None),
    ("let pde = 3", 1, 5, "unexpected keyword 'pde'; expected a name",
     "names that are keywords cannot be used as names"),
    ("pde u = 0", 1, 5, "unexpected name 'u'; expected ':'", None),
    ("domain x in [0, 1\nunknown u", 1, 13, "'[' is never closed", "add the matching ']'"),
    ("pde: u = sin(x]", 1, 15, "mismatched brackets: '(' at line 1, column 13 is closed by ']'",
     "close '(' with ')'"),
    ("pde: u = x)", 1, 11, "')' closes a bracket that was never opened",
     "remove it, or add the opening bracket it belongs to"),
    ("let a = 3 $ 4", 1, 11, "unexpected character '$'",
     "names start with a letter; operators are + - * / ^; comments start with '#'"),
    ('reference "data.npz', 1, 11, "unterminated string", "close the string with '\"' on the same line"),
    ("let a = 2πr", 1, 10, "unexpected character 'π'", "write pi"),
    ("let a = 1\n  - 2", 2, 3, "unexpected '-'; expected a new statement",
     "a statement ends with its line; to continue an expression on the next line, put it in parentheses"),
    ("let a = 1e999", 1, 9, "number 1e999 is out of range",
     "numbers have at most 64 characters and exponents of at most 300"),
    ("", 1, 1, "the file is empty",
     "a spec needs at least a `domain`, an `unknown` and a `pde:` equation (see docs/language.md)"),
    ("# nothing but a comment\n\n", 1, 1, "the file is empty",
     "a spec needs at least a `domain`, an `unknown` and a `pde:` equation (see docs/language.md)"),
]


@pytest.mark.parametrize("text, line, column, message, hint", SYNTAX_ERRORS)
def test_syntax_errors_are_positioned_and_worded(text, line, column, message, hint):
    with pytest.raises(PdeSyntaxError) as info:
        parse_spec(text, "spec.pde")
    err = info.value
    assert (err.span.line, err.span.column, err.message, err.hint) == (line, column, message, hint)
    assert err.filename == "spec.pde" and err.source == text
    assert "__ANON" not in err.format() and "RPAR" not in err.format()


def test_nesting_is_bounded_without_recursion_errors():
    with pytest.raises(PdeSyntaxError) as info:
        parse_spec("let a = " + "(" * 200 + "1" + ")" * 200)
    assert (info.value.span.column, info.value.message) == (109, "brackets nested too deeply (more than 100 levels)")
    with pytest.raises(PdeSyntaxError) as info:
        parse_spec("let a = " + "-" * 5000 + "1")
    assert info.value.message == "expression nested too deeply (more than 100 levels)"
    parse_spec("let a = " + " + ".join(["x"] * 3000))  # a chain is one level
    with pytest.raises(PdeSyntaxError) as info:
        parse_spec("let a = " + " + ".join(["x"] * 10_001))
    assert info.value.message == "an expression of more than 10000 terms"
