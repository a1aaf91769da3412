"""Text → syntax tree: lex, balance brackets, parse (Lark LALR), transform to `_ast` nodes.

The grammar is `pdedsl/grammar/pde.lark` (the top-level `grammar/` folder of the
repository, shipped as package data).  Lexing happens first and in full, through a
small filter that drops newlines inside brackets and reports unbalanced brackets
at the bracket itself; the tokens are then fed to Lark's interactive LALR parser.
Every failure becomes a `PdeSyntaxError` whose message names the unexpected token
and what was expected in words — never a raw terminal name.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from fractions import Fraction

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive, v_args

from pdedsl.errors import PdeSyntaxError, Span
from pdedsl.language import _ast as ast

__all__ = ["parse_spec", "grammar_text", "token_words", "MAX_NESTING"]

MAX_NESTING = 100  # brackets, and levels of an expression tree
MAX_NUMBER_LENGTH = 64
MAX_NUMBER_EXPONENT = 300

OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB"}
CLOSERS = {"RPAR": "LPAR", "RSQB": "LSQB"}

_PATTERN_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "_NL": "end of line",
    "$END": "end of file",
}
OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "CIRCUMFLEX"}
STATEMENT_START = {"LET", "DOMAIN", "UNKNOWN", "PARAM", "PDE", "BOUNDARY", "INITIAL", "POINT", "PERIODIC", "EXACT",
                   "REFERENCE", "DATA", "MODEL", "SAMPLE", "SOLVE"}
EXPRESSION_START = {"NAME", "NUMBER", "LPAR", "LSQB", "SUM"}


def grammar_text() -> str:
    """The grammar, read from the installed package `pdedsl.grammar`."""
    return importlib.resources.files("pdedsl.grammar").joinpath("pde.lark").read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=True)


@functools.cache
def token_words() -> dict[str, str]:
    """Terminal name → how an error message says it: `'('`, `keyword 'pde'`, `a name`, `end of line`."""
    words = dict(_PATTERN_WORDS)
    for terminal in _lark().terminals:
        if terminal.pattern.type == "str":
            literal = terminal.pattern.value
            words[terminal.name] = f"keyword '{literal}'" if literal.isalpha() else f"'{literal}'"
    return words


def parse_spec(text: str, filename: str = "<string>") -> ast.Spec:
    """Parse `text` into a `Spec`; raise `PdeSyntaxError` (with the source attached) on any mistake."""
    try:
        tokens = _balanced_tokens(text + "\n")
        if not any(tok.type != "_NL" for tok in tokens):
            raise PdeSyntaxError(
                "the file is empty",
                Span(1, 1, 1, 2),
                hint="a spec needs at least a `domain`, an `unknown` and a `pde:` equation (see docs/language.md)",
            )
        tree = _parse_tokens(tokens, len(text))
        _check_nesting(tree)
        try:
            return _ToAst(text).transform(tree)
        except VisitError as err:
            raise err.orig_exc from None
    except PdeSyntaxError as err:
        raise err.with_source(filename, text) from None


# ---- lexing -----------------------------------------------------------------------


def _balanced_tokens(text: str) -> list[Token]:
    """All tokens of `text`, without the newlines inside brackets; brackets must balance."""
    open_brackets: list[Token] = []
    tokens = []
    try:
        for tok in _lark().lex(text):
            if tok.type == "_NL" and open_brackets:
                continue
            if tok.type in OPENERS:
                if len(open_brackets) >= MAX_NESTING:
                    raise PdeSyntaxError(
                        f"brackets nested too deeply (more than {MAX_NESTING} levels)",
                        _token_span(tok),
                        hint="split the expression with `let` definitions",
                    )
                open_brackets.append(tok)
            elif tok.type in CLOSERS:
                if not open_brackets:
                    raise PdeSyntaxError(f"'{tok}' closes a bracket that was never opened", _token_span(tok),
                                         hint="remove it, or add the opening bracket it belongs to")
                opener = open_brackets.pop()
                if OPENERS[opener.type] != tok.type:
                    raise PdeSyntaxError(
                        f"mismatched brackets: '{opener}' at line {opener.line}, column {opener.column} "
                        f"is closed by '{tok}'",
                        _token_span(tok),
                        hint=f"close '{opener}' with '{_closing(opener)}'",
                    )
            tokens.append(tok)
    except UnexpectedCharacters as err:
        raise _character_error(err, text) from None
    if open_brackets:
        opener = open_brackets[-1]
        raise PdeSyntaxError(f"'{opener}' is never closed", _token_span(opener),
                             hint=f"add the matching '{_closing(opener)}'")
    return tokens


def _closing(opener: Token) -> str:
    return ")" if opener.type == "LPAR" else "]"


def _character_error(err: UnexpectedCharacters, text: str) -> PdeSyntaxError:
    char = text[err.pos_in_stream]
    span = Span(err.line, err.column, err.line, err.column + 1, err.pos_in_stream, err.pos_in_stream + 1)
    if char == '"':
        return PdeSyntaxError("unterminated string", span, hint='close the string with \'"\' on the same line')
    if char == "π":
        return PdeSyntaxError("unexpected character 'π'", span, hint="write pi")
    shown = char if char.isprintable() else repr(char)[1:-1]
    return PdeSyntaxError(
        f"unexpected character '{shown}'",
        span,
        hint="names start with a letter; operators are + - * / ^; comments start with '#'",
    )


def _token_span(tok: Token) -> Span:
    """The span of a token, on its first line only (a newline token is shown as one column)."""
    width = len(tok.value) if tok.type != "_NL" and "\n" not in tok.value else 1
    return Span(tok.line, tok.column, tok.line, tok.column + max(width, 1), tok.start_pos, tok.start_pos + width)


# ---- parsing -------------------------------------------------------------------------


def _parse_tokens(tokens: list[Token], length: int) -> Tree:
    """Feed the tokens to the LALR parser; classify a failure into a readable message."""
    parser = _lark().parse_interactive("")
    previous = None
    for tok in tokens:
        try:
            parser.feed_token(tok)
        except UnexpectedToken as err:
            raise _token_error(tok, previous, err.expected) from None
        previous = tok
    last = tokens[-1]
    end = Token("$END", "", length, last.end_line or last.line, (last.end_column or last.column), last.end_line,
                last.end_column, length)
    try:
        return parser.feed_eof(end)
    except UnexpectedToken as err:
        raise _token_error(end, previous, err.expected) from None


def _token_error(tok: Token, previous: Token | None, expected: set[str]) -> PdeSyntaxError:
    span = _token_span(tok) if tok.type != "$END" else Span(tok.line, tok.column, tok.line, tok.column + 1)
    if previous is not None and previous.type == tok.type == "EQUAL":
        return PdeSyntaxError("'==' is not an operator", span, hint="an equation is written `lhs = rhs`, with one '='")
    if previous is not None and previous.type == tok.type == "STAR":
        return PdeSyntaxError("'**' is not an operator", span, hint="write powers with '^', e.g. x^2")
    message = f"unexpected {_describe(tok)}"
    if expected:
        message += f"; expected {_expected_words(expected)}"
    hint = "names that are keywords cannot be used as names" if tok.type in _keywords() and "NAME" in expected else None
    if tok.type == "_NL" and "EQUAL" in expected and expected & OPERATORS:
        hint = "an equation is written `lhs = rhs`"
    if len(STATEMENT_START & expected) >= 3 and previous is not None and previous.type == "_NL":
        hint = ("a statement ends with its line; to continue an expression on the next line, "
                "put it in parentheses")
    return PdeSyntaxError(message, span, hint=hint)


def _keywords() -> set[str]:
    return {name for name, word in token_words().items() if word.startswith("keyword")}


def _describe(tok: Token) -> str:
    if tok.type == "NAME":
        return f"name '{tok}'"
    if tok.type == "NUMBER":
        return f"number {tok}"
    if tok.type == "STRING":
        return f"string {tok}"
    return token_words().get(tok.type, f"'{tok}'")


def _expected_words(expected: set[str]) -> str:
    """'an expression', "')' or ','", … — the expected terminals in words, most useful first."""
    words = []
    rest = set(expected)
    if len(STATEMENT_START & rest) >= 3:
        words.append("a new statement")
        rest -= STATEMENT_START | {"$END"}
    if EXPRESSION_START <= rest:
        words.append("an expression")
        rest -= EXPRESSION_START | {"MINUS", "PLUS"}
    if "EQUAL" in rest:
        words.append("'='")
        rest.discard("EQUAL")
    if {"PLUS", "MINUS"} <= rest:
        words.append("an operator")
        rest -= OPERATORS | {"LPAR", "LSQB"}
    words += sorted(token_words()[name] for name in rest if name in token_words())
    if len(words) > 6:
        words = words[:6] + ["…"]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _check_nesting(tree: Tree) -> None:
    """Reject trees deeper than MAX_NESTING (later passes recurse over them)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise PdeSyntaxError(
                f"expression nested too deeply (more than {MAX_NESTING} levels)",
                Span.from_lark(node.meta),
                hint="split it into smaller pieces with `let` definitions (each term of a chain of "
                     "+, −, * or / counts as one level)",
            )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


# ---- tree → AST ------------------------------------------------------------------------

_NUMBER = re.compile(r"[^eE]*(?:[eE](?P<exp>[+-]?\d+))?")


def _number_value(tok: Token) -> Fraction:
    text = str(tok)
    exponent = _NUMBER.fullmatch(text).group("exp")
    if len(text) > MAX_NUMBER_LENGTH or (exponent is not None and abs(int(exponent)) > MAX_NUMBER_EXPONENT):
        raise PdeSyntaxError(f"number {text[:20]}{'…' if len(text) > 20 else ''} is out of range", _token_span(tok),
                             hint=f"numbers have at most {MAX_NUMBER_LENGTH} characters and exponents of at most "
                                  f"{MAX_NUMBER_EXPONENT}")
    return Fraction(text)


def _setting_number(tok: Token, sign: int = 1) -> int | float:
    value = _number_value(tok)
    return sign * int(value) if str(tok).isdigit() else sign * float(value)


@v_args(meta=True)
class _ToAst(Transformer_NonRecursive):
    """Lark tree → `_ast` nodes (non-recursive, so deep input cannot overflow the stack here)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def _span(self, meta) -> Span:
        """The span of a rule, without the newline (and comment lines) that end a statement."""
        span = Span.from_lark(meta)
        end = span.start + len(self.text[span.start:span.end].rstrip())
        if end == span.end:
            return span
        end_line = self.text.count("\n", 0, end) + 1
        end_column = end - (self.text.rfind("\n", 0, end) + 1) + 1
        return Span(span.line, span.column, end_line, end_column, span.start, end)

    # expressions
    def number(self, meta, children):
        (tok,) = children
        return ast.Number(_token_span(tok), _number_value(tok), str(tok))

    def name(self, meta, children):
        (tok,) = children
        return ast.Name(_token_span(tok), str(tok))

    def index(self, meta, children):
        base, index = children
        return ast.Index(self._span(meta), ast.Name(_token_span(base), str(base)), index)

    def call(self, meta, children):
        func, *args = children
        args = tuple(a for a in args if a is not None)
        return ast.Call(self._span(meta), ast.Name(_token_span(func), str(func)), args)

    def sum(self, meta, children):
        index, low, _dotdot, high, body = children
        return ast.Sum(self._span(meta), ast.Name(_token_span(index), str(index)), low, high, body)

    def vector(self, meta, children):
        return ast.Vector(self._span(meta), tuple(children))

    def _binop(op):
        def build(self, meta, children):
            left, right = children
            return ast.BinOp(self._span(meta), op, left, right)

        return build

    add, sub, mul, div, pow = _binop("+"), _binop("-"), _binop("*"), _binop("/"), _binop("^")

    def neg(self, meta, children):
        (operand,) = children
        return ast.Neg(self._span(meta), operand)

    def pos(self, meta, children):
        (operand,) = children
        return operand

    # declarations
    def let_stmt(self, meta, children):
        name, value = children
        return ast.Let(self._span(meta), ast.Name(_token_span(name), str(name)), value)

    def domain_stmt(self, meta, children):
        return ast.Domain(self._span(meta), tuple(children))

    def domain_item(self, meta, children):
        time_mark, *rest = children
        names = tuple(ast.Name(_token_span(tok), str(tok)) for tok in rest if isinstance(tok, Token))
        where, power = rest[-1], None
        if isinstance(where, ast.BinOp) and where.op == "^" and isinstance(where.left, ast.Vector):
            where, power = where.left, where.right
        span, time = self._span(meta), bool(time_mark.children)
        if isinstance(where, ast.Vector) and len(where.items) == 2:
            return ast.DomainItem(span, names, *where.items, power, time)
        return ast.DomainItem(span, names, None, None, power, time, shape=where)

    def param_stmt(self, meta, children):
        name, init = children
        return ast.LearnedParam(self._span(meta), ast.Name(_token_span(name), str(name)), init)

    def unknown_stmt(self, meta, children):
        return ast.Unknowns(self._span(meta), tuple(ast.Name(_token_span(t), str(t)) for t in children))

    # equations and conditions
    def _block(kind):
        def build(self, meta, children):
            return [self._condition(kind, item) for item in children]

        return build

    pde_block, boundary_block, initial_block = _block("pde"), _block("boundary"), _block("initial")
    point_block, periodic_block = _block("point"), _block("periodic")
    del _binop, _block

    def _condition(self, kind, item):
        span, equation, region, weight = item
        text = " ".join(self.text[span.start:span.end].split())
        return ast.Condition(span, kind, equation, region, weight, text)

    def pde_item(self, meta, children):
        equation, weight = children
        return (self._span(meta), equation, None, weight)

    def condition(self, meta, children):
        equation, region, weight = children
        return (self._span(meta), equation, region, weight)

    def equation(self, meta, children):
        lhs, rhs = children
        return ast.Equation(self._span(meta), lhs, rhs)

    def periodic_stmt(self, meta, children):
        *names, weight = children
        span = self._span(meta)
        return ast.Periodic(span, tuple(ast.Name(_token_span(t), str(t)) for t in names), weight,
                            " ".join(self.text[span.start:span.end].split()))

    def piece(self, meta, children):
        (tok,) = children
        return ast.Piece(_token_span(tok), str(tok))

    def on_boundary(self, meta, children):
        return ast.OnBoundary(self._span(meta))

    def on_faces(self, meta, children):
        return ast.OnFaces(self._span(meta), tuple(children))

    def face(self, meta, children):
        coordinate, value = children
        return ast.Face(self._span(meta), coordinate, value)

    def weight(self, meta, children):
        return children[0]

    def exact_block(self, meta, children):
        return children

    def exact_item(self, meta, children):
        name, value = children
        return ast.ExactItem(self._span(meta), ast.Name(_token_span(name), str(name)), value)

    # data and settings
    def reference_stmt(self, meta, children):
        (tok,) = children
        return ast.Reference(_token_span(tok), str(tok)[1:-1])

    def data_stmt(self, meta, children):
        tok, weight = children
        span = self._span(meta)
        return ast.Data(span, str(tok)[1:-1], _token_span(tok), weight,
                        " ".join(self.text[span.start:span.end].split()))

    def model_stmt(self, meta, children):
        kind, *settings = children
        return ast.Model(self._span(meta), ast.Name(_token_span(kind), str(kind)), tuple(s for s in settings if s))

    def solve_stmt(self, meta, children):
        optimizer, *settings = children
        return ast.Solve(self._span(meta), ast.Name(_token_span(optimizer), str(optimizer)),
                         tuple(s for s in settings if s))

    def sample_stmt(self, meta, children):
        return ast.Sample(self._span(meta), tuple(children))

    def sample_count(self, meta, children):
        target, count = children
        return ast.SampleCount(self._span(meta), target, ast.Value(_token_span(count), _setting_number(count), "number"))

    def sample_target(self, meta, children):
        (tok,) = children
        return ast.Name(_token_span(tok), str(tok))

    def setting(self, meta, children):
        name, value = children
        return ast.Setting(self._span(meta), name, value)

    def setting_name(self, meta, children):
        (tok,) = children
        return ast.Name(_token_span(tok), str(tok))

    def negative_number(self, meta, children):
        (tok,) = children
        return ast.Value(self._span(meta), _setting_number(tok, -1), "number")

    def identifier(self, meta, children):
        (tok,) = children
        return ast.Value(_token_span(tok), str(tok), "identifier")

    def string(self, meta, children):
        (tok,) = children
        return ast.Value(_token_span(tok), str(tok)[1:-1], "string")

    def setting_number(self, meta, children):
        (tok,) = children
        return ast.Value(_token_span(tok), _setting_number(tok), "number")

    def value_list(self, meta, children):
        return ast.ListValue(self._span(meta), tuple(c for c in children if c is not None))

    def start(self, meta, children):
        statements = []
        for child in children:
            statements.extend(child if isinstance(child, list) else [child])
        return ast.Spec(Span(1, 1, 1, 2), tuple(statements))
