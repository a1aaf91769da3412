"""One exception family for every user mistake, each carrying a source span.

A `PdeError` knows where in which file the mistake is and renders itself the way
compilers do::

    examples/heat.pde:7:12: error: unknown name 'kapa'
        pde: dt(u) - kapa * dxx(u) = 0
                     ^~~~
    hint: did you mean 'kappa'? Names are coordinates, unknowns and `let` constants.

The CLI prints `str(err)` and exits non-zero; it never shows a traceback for a
`PdeError`.  Errors that are not tied to a span (a missing file, say) render as
`FILE: error: MESSAGE`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Span", "PdeError", "PdeSyntaxError", "PdeNameError", "PdeSemanticError", "PdeDataError", "visible"]


@dataclass(frozen=True)
class Span:
    """A region of source text: 1-based line and column, end exclusive.

    `start`/`end` are 0-based character offsets into the source text.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0

    @classmethod
    def from_lark(cls, meta_or_token) -> "Span":
        """Build a span from a Lark `Token` or a tree's `meta` (propagate_positions)."""
        m = meta_or_token
        return cls(
            line=m.line,
            column=m.column,
            end_line=getattr(m, "end_line", m.line) or m.line,
            end_column=getattr(m, "end_column", m.column + 1) or m.column + 1,
            start=getattr(m, "start_pos", 0) or 0,
            end=getattr(m, "end_pos", 0) or 0,
        )

    def merge(self, other: "Span") -> "Span":
        """Smallest span covering both."""
        first, last = (self, other) if (self.line, self.column) <= (other.line, other.column) else (other, self)
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(first.line, first.column, end[0], end[1], min(self.start, other.start), max(self.end, other.end))


class PdeError(Exception):
    """A mistake in a `.pde` specification (or in data it refers to).

    Parameters
    ----------
    message: what is wrong, naming the offending thing and the rule it breaks.
    span: where; None when the mistake has no position (e.g. an unreadable file).
    hint: how to fix it.
    filename, source: attached by the front end so the error can render itself.

    An error raised without a hint renders its class's `default_hint`, which says where the rule is
    documented, so that every message ends with a way forward.
    """

    default_hint: str | None = None

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        hint: str | None = None,
        *,
        filename: str | None = None,
        source: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.filename = filename
        self.source = source

    def with_source(self, filename: str, source: str) -> "PdeError":
        """Attach the file name and text (only where not already set); returns self."""
        if self.filename is None:
            self.filename = filename
        if self.source is None:
            self.source = source
        return self

    @property
    def location(self) -> str:
        """`FILE:LINE:COL` (or just `FILE` when there is no span)."""
        name = self.filename or "<string>"
        if self.span is None:
            return name
        return f"{name}:{self.span.line}:{self.span.column}"

    def format(self) -> str:
        """The full multi-line rendering: location, message, source line, caret, hint.

        A long source line is shown as a window of about `WINDOW` columns around the span; characters that are
        not printable (control characters, terminal escapes) are shown escaped, as `\\x1b`, never raw.
        """
        lines = [f"{visible(self.location)}: error: {visible(self.message)}"]
        if self.span is not None and self.source is not None:
            src_lines = self.source.splitlines()
            if 1 <= self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].expandtabs(1)
                col = min(max(self.span.column, 1), len(text) + 1)
                if self.span.end_line == self.span.line:
                    width = max(self.span.end_column - col, 1)
                else:
                    width = max(len(text) - col + 1, 1)
                lines += _excerpt(text, col - 1, width)
        hint = self.hint or self.default_hint
        if hint:
            lines.append(f"hint: {visible(hint)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


WINDOW = 100  # columns of a long source line shown around the span


def visible(text: str) -> str:
    """`text` with every character that is not printable escaped (`\\x1b`, `\\x00`, `\\u202e`)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _excerpt(text: str, start: int, width: int) -> list[str]:
    """The source line (a window of it, when long) and the caret line under `text[start:start + width]`."""
    first, last = 0, len(text)
    if len(text) > WINDOW + 20:
        first = max(0, min(start - WINDOW // 2, len(text) - WINDOW))
        last = first + WINDOW
    width = max(1, min(width, last - start))
    shown = [visible(c) for c in text[first:last]]
    offset = sum(len(c) for c in shown[:start - first])
    underline = sum(len(c) for c in shown[start - first:start - first + width])
    lead, tail = ("…" if first > 0 else ""), ("…" if last < len(text) else "")
    return ["    " + lead + "".join(shown) + tail, "    " + " " * (len(lead) + offset) + "^" + "~" * (underline - 1)]


class PdeSyntaxError(PdeError):
    """The text does not follow the grammar."""

    default_hint = "docs/language.md shows the syntax of every statement, with examples"


class PdeNameError(PdeError):
    """A name that is not defined, defined twice, or used as the wrong kind of thing."""

    default_hint = "names are coordinates, unknowns, `let` constants, `param`s and built-ins (docs/language.md)"


class PdeSemanticError(PdeError):
    """Well-formed text that does not describe a valid problem."""

    default_hint = "docs/language.md states the rules of each statement and setting"


class PdeDataError(PdeError):
    """A data or reference file referred to by a spec is missing or malformed."""

    default_hint = "docs/language.md (\"Solutions and data\") describes the file formats"
