"""Text → syntax tree: lex (`_tokens`), parse (Lark LALR), transform to `_ast` nodes.

The grammar is `pdedsl/grammar/pde.lark` (the top-level `grammar/` folder of the
repository, shipped as package data).  The balanced tokens are fed to Lark's
interactive LALR parser.  Every failure becomes a `PdeSyntaxError` whose message
names the unexpected token and what was expected in words.
"""

from __future__ import annotations

import re
from fractions import Fraction

from lark import Token, Tree
from lark.exceptions import UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive, v_args

from pdedsl.errors import PdeSyntaxError, Span
from pdedsl.language import _ast as ast
from pdedsl.language._tokens import (
    MAX_NESTING, balanced_tokens, grammar_text, lark_parser, token_error, token_span, token_words,
)

__all__ = ["parse_spec", "grammar_text", "token_words", "lark_parser", "MAX_NESTING", "MAX_CHAIN"]

MAX_NUMBER_LENGTH = 64
MAX_NUMBER_EXPONENT = 300
MAX_CHAIN = 10_000  # terms of one chain a + b - c … (or factors of a * b / c …)

# A chain continues down the left operand of the same family of operators: it is one level, not many.
_CHAINS = {"add": {"add", "sub"}, "sub": {"add", "sub"}, "mul": {"mul", "div"}, "div": {"mul", "div"}}


def parse_spec(text: str, filename: str = "<string>") -> ast.Spec:
    """Parse `text` into a `Spec`; raise `PdeSyntaxError` (with the source attached) on any mistake."""
    try:
        tokens = balanced_tokens(text + "\n")
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


# ---- parsing -------------------------------------------------------------------------


def _parse_tokens(tokens: list[Token], length: int) -> Tree:
    """Feed the tokens to the LALR parser; classify a failure into a readable message."""
    parser = lark_parser().parse_interactive("")
    previous = None
    for tok in tokens:
        try:
            parser.feed_token(tok)
        except UnexpectedToken as err:
            raise token_error(tok, previous, err.expected) from None
        previous = tok
    last = tokens[-1]
    end = Token("$END", "", length, last.end_line or last.line, (last.end_column or last.column), last.end_line,
                last.end_column, length)
    try:
        return parser.feed_eof(end)
    except UnexpectedToken as err:
        raise token_error(end, previous, err.expected) from None


def _check_nesting(tree: Tree) -> None:
    """Reject trees deeper than MAX_NESTING (later passes recurse over them), and chains longer than MAX_CHAIN.

    The terms of a chain `a + b - c …` sit one inside the other down the left operands; they count as one level
    (every pass walks chains by a loop), and at most MAX_CHAIN of them."""
    stack = [(tree, 0, 2)]
    while stack:
        node, depth, chain = stack.pop()
        if depth > MAX_NESTING:
            raise PdeSyntaxError(
                f"expression nested too deeply (more than {MAX_NESTING} levels)",
                Span.from_lark(node.meta),
                hint="split it into smaller pieces with `let` definitions",
            )
        if chain > MAX_CHAIN:
            raise PdeSyntaxError(f"an expression of more than {MAX_CHAIN} terms", Span.from_lark(node.meta),
                                 hint="split it into smaller pieces with `let` definitions, or write a `sum`")
        for k, child in enumerate(node.children):
            if isinstance(child, Tree):
                continues = k == 0 and child.data in _CHAINS.get(node.data, ())
                stack.append((child, depth if continues else depth + 1, chain + 1 if continues else 2))


# ---- tree → AST ------------------------------------------------------------------------

_NUMBER = re.compile(r"[^eE]*(?:[eE](?P<exp>[+-]?\d+))?")


def _number_value(tok: Token) -> Fraction:
    text = str(tok)
    exponent = _NUMBER.fullmatch(text).group("exp")
    if len(text) > MAX_NUMBER_LENGTH or (exponent is not None and abs(int(exponent)) > MAX_NUMBER_EXPONENT):
        raise PdeSyntaxError(f"number {text[:20]}{'…' if len(text) > 20 else ''} is out of range", token_span(tok),
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
        return ast.Number(token_span(tok), _number_value(tok), str(tok))

    def name(self, meta, children):
        (tok,) = children
        return ast.Name(token_span(tok), str(tok))

    def index(self, meta, children):
        base, index = children
        return ast.Index(self._span(meta), ast.Name(token_span(base), str(base)), index)

    def call(self, meta, children):
        func, *args = children
        args = tuple(a for a in args if a is not None)
        return ast.Call(self._span(meta), ast.Name(token_span(func), str(func)), args)

    def sum(self, meta, children):
        index, low, _dotdot, high, body = children
        return ast.Sum(self._span(meta), ast.Name(token_span(index), str(index)), low, high, body)

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
        return ast.Let(self._span(meta), ast.Name(token_span(name), str(name)), value)

    def domain_stmt(self, meta, children):
        return ast.Domain(self._span(meta), tuple(children))

    def domain_item(self, meta, children):
        time_mark, *rest = children
        names = tuple(ast.Name(token_span(tok), str(tok)) for tok in rest if isinstance(tok, Token))
        where, power = rest[-1], None
        if isinstance(where, ast.BinOp) and where.op == "^" and isinstance(where.left, ast.Vector):
            where, power = where.left, where.right
        span, time = self._span(meta), bool(time_mark.children)
        if isinstance(where, ast.Vector) and len(where.items) == 2:
            return ast.DomainItem(span, names, *where.items, power, time)
        return ast.DomainItem(span, names, None, None, power, time, shape=where)

    def param_stmt(self, meta, children):
        name, init = children
        return ast.LearnedParam(self._span(meta), ast.Name(token_span(name), str(name)), init)

    def unknown_stmt(self, meta, children):
        return ast.Unknowns(self._span(meta), tuple(ast.Name(token_span(t), str(t)) for t in children))

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
        return ast.Periodic(span, tuple(ast.Name(token_span(t), str(t)) for t in names), weight,
                            " ".join(self.text[span.start:span.end].split()))

    def piece(self, meta, children):
        (tok,) = children
        return ast.Piece(token_span(tok), str(tok))

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
        return ast.ExactItem(self._span(meta), ast.Name(token_span(name), str(name)), value)

    # data and settings
    def reference_stmt(self, meta, children):
        (tok,) = children
        return ast.Reference(token_span(tok), str(tok)[1:-1])

    def data_stmt(self, meta, children):
        tok, weight = children
        span = self._span(meta)
        return ast.Data(span, str(tok)[1:-1], token_span(tok), weight,
                        " ".join(self.text[span.start:span.end].split()))

    def model_stmt(self, meta, children):
        kind, *settings = children
        return ast.Model(self._span(meta), ast.Name(token_span(kind), str(kind)), tuple(s for s in settings if s))

    def solve_stmt(self, meta, children):
        optimizer, *settings = children
        return ast.Solve(self._span(meta), ast.Name(token_span(optimizer), str(optimizer)),
                         tuple(s for s in settings if s))

    def sample_stmt(self, meta, children):
        return ast.Sample(self._span(meta), tuple(children))

    def sample_count(self, meta, children):
        target, count = children
        return ast.SampleCount(self._span(meta), target, ast.Value(token_span(count), _setting_number(count), "number"))

    def sample_target(self, meta, children):
        (tok,) = children
        return ast.Name(token_span(tok), str(tok))

    def setting(self, meta, children):
        name, value = children
        return ast.Setting(self._span(meta), name, value)

    def setting_name(self, meta, children):
        (tok,) = children
        return ast.Name(token_span(tok), str(tok))

    def negative_number(self, meta, children):
        (tok,) = children
        return ast.Value(self._span(meta), _setting_number(tok, -1), "number")

    def identifier(self, meta, children):
        (tok,) = children
        return ast.Value(token_span(tok), str(tok), "identifier")

    def string(self, meta, children):
        (tok,) = children
        return ast.Value(token_span(tok), str(tok)[1:-1], "string")

    def setting_number(self, meta, children):
        (tok,) = children
        return ast.Value(token_span(tok), _setting_number(tok), "number")

    def value_list(self, meta, children):
        return ast.ListValue(self._span(meta), tuple(c for c in children if c is not None))

    def start(self, meta, children):
        statements = []
        for child in children:
            statements.extend(child if isinstance(child, list) else [child])
        return ast.Spec(Span(1, 1, 1, 2), tuple(statements))
