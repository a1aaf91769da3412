"""The lexer's side of parsing: the grammar, tokens with brackets balanced, and syntax errors in words.

Lexing happens first and in full, through a small filter that drops newlines inside
brackets and reports unbalanced brackets at the bracket itself.  A parse failure is
described by the unexpected token and what was expected, in words (`TOKEN_WORDS` of the
grammar's terminals) — never a raw terminal name.
"""

from __future__ import annotations

import functools
import importlib.resources

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters

from pdedsl.errors import PdeSyntaxError, Span

__all__ = ["grammar_text", "lark_parser", "token_words", "balanced_tokens", "token_span", "token_error",
           "MAX_NESTING"]

MAX_NESTING = 100  # brackets, and levels of an expression tree

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
def lark_parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=True)


@functools.cache
def token_words() -> dict[str, str]:
    """Terminal name → how an error message says it: `'('`, `keyword 'pde'`, `a name`, `end of line`."""
    words = dict(_PATTERN_WORDS)
    for terminal in lark_parser().terminals:
        if terminal.pattern.type == "str":
            literal = terminal.pattern.value
            words[terminal.name] = f"keyword '{literal}'" if literal.isalpha() else f"'{literal}'"
    return words


def balanced_tokens(text: str) -> list[Token]:
    """All tokens of `text`, without the newlines inside brackets; brackets must balance."""
    open_brackets: list[Token] = []
    tokens = []
    try:
        for tok in lark_parser().lex(text):
            if tok.type == "_NL" and open_brackets:
                continue
            if tok.type in OPENERS:
                if len(open_brackets) >= MAX_NESTING:
                    raise PdeSyntaxError(
                        f"brackets nested too deeply (more than {MAX_NESTING} levels)",
                        token_span(tok),
                        hint="split the expression with `let` definitions",
                    )
                open_brackets.append(tok)
            elif tok.type in CLOSERS:
                if not open_brackets:
                    raise PdeSyntaxError(f"'{tok}' closes a bracket that was never opened", token_span(tok),
                                         hint="remove it, or add the opening bracket it belongs to")
                opener = open_brackets.pop()
                if OPENERS[opener.type] != tok.type:
                    raise PdeSyntaxError(
                        f"mismatched brackets: '{opener}' at line {opener.line}, column {opener.column} "
                        f"is closed by '{tok}'",
                        token_span(tok),
                        hint=f"close '{opener}' with '{_closing(opener)}'",
                    )
            tokens.append(tok)
    except UnexpectedCharacters as err:
        raise _character_error(err, text) from None
    if open_brackets:
        opener = open_brackets[-1]
        raise PdeSyntaxError(f"'{opener}' is never closed", token_span(opener),
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


def token_span(tok: Token) -> Span:
    """The span of a token, on its first line only (a newline token is shown as one column)."""
    width = len(tok.value) if tok.type != "_NL" and "\n" not in tok.value else 1
    return Span(tok.line, tok.column, tok.line, tok.column + max(width, 1), tok.start_pos, tok.start_pos + width)


def token_error(tok: Token, previous: Token | None, expected: set[str]) -> PdeSyntaxError:
    span = token_span(tok) if tok.type != "$END" else Span(tok.line, tok.column, tok.line, tok.column + 1)
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
