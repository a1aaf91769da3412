"""The driver: `parse`/`load` run parse + check; `Problem.compile()` runs the later stages in order.

    text ─parse─▶ Spec ─check─▶ CheckedProblem ─to_sympy─▶ ─lower─▶ ─evaluate─▶ functions
                                                                   └─generate─▶ source (printed)

Every `PdeError` leaving here carries the file name and the source text, so that
it renders as `FILE:LINE:COL: error: …` with the line and a caret.
"""

from __future__ import annotations

import codecs
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pdedsl.errors import PdeError, PdeSemanticError, PdeSyntaxError, Span
from pdedsl.geometry import Domain, Region
from pdedsl.language._check import check
from pdedsl.language._codegen import GeneratedModule, generate
from pdedsl.language._ir import CheckedProblem, Settings
from pdedsl.language._lower import LoweredProblem, LoweredResidual, is_linear, lower
from pdedsl.language._parser import parse_spec
from pdedsl.language._symbolic import to_sympy

__all__ = ["Problem", "CompiledProblem", "ResidualGroup", "parse", "load"]


@dataclass(frozen=True)
class ResidualGroup:
    """One equation or condition, compiled: `fn(u, points, extras, scalars) -> (N, n_components)` on `region`.

    `point_data` names the per-point arrays beyond the coordinates that `fn` reads from `extras`
    ("normal", "pair", "observed"); `fixed` holds the per-point data of groups whose points are given by
    the spec rather than sampled ({"points": (N, dim), …} for `point:` conditions and `data` files).
    """

    name: str  # unique and stable: "pde", "boundary", "boundary.2", "initial", "periodic", "data", ...
    kind: str  # "pde" | "boundary" | "initial" | "periodic" | "point" | "data"
    region: Region
    weight: float
    n_components: int
    line: int
    text: str
    fn: Callable
    point_data: tuple[str, ...] = ()
    fixed: dict | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CompiledProblem:
    """Everything the runner needs, per docs/architecture.md."""

    name: str
    domain: Domain
    unknowns: tuple[str, ...]
    groups: tuple[ResidualGroup, ...]
    exact: Callable | None  # exact(points (N, dim)) -> (N, n_unknowns)
    reference: str | None  # absolute path of the reference-solution file
    source: str  # the generated Python/JAX source
    settings: Settings
    parameters: tuple[tuple[str, float], ...] = ()  # learned scalars and their initial values
    exact_parameters: tuple[tuple[str, float], ...] = ()  # their true values, where the `exact:` block gives them
    filename: str | None = None  # the spec's file name and text, for errors the runner finds (a bad option)
    text: str | None = field(default=None, repr=False)
    reference_span: Span | None = None  # the `reference` statement, for errors in the file it names
    linear: bool = False  # every residual affine in the unknowns' values and derivatives: `is_linear`


@dataclass(frozen=True)
class Problem:
    """A parsed and checked spec; `compile()` turns it into JAX residual functions."""

    name: str  # the file stem, or "problem"
    filename: str
    text: str
    checked: CheckedProblem

    @property
    def domain(self) -> Domain:
        return self.checked.domain

    @property
    def unknowns(self) -> tuple[str, ...]:
        return self.checked.unknowns

    @property
    def settings(self) -> Settings:
        return self.checked.settings

    @property
    def reference(self) -> str | None:
        """The reference file's absolute path (relative paths are relative to the spec's folder)."""
        if self.checked.reference is None:
            return None
        folder = Path.cwd() if self.filename.startswith("<") else Path(self.filename).parent
        return os.path.abspath(folder / self.checked.reference)

    def residual_expressions(self) -> dict[str, object]:
        """Group name → SymPy residual `lhs − rhs` (derivatives of the unknowns as `Derivative`); a column
        `Matrix` for a vector equation."""
        import sympy

        with self._errors():
            return {r.condition.name: r.exprs[0] if len(r.exprs) == 1 else sympy.Matrix(r.exprs)
                    for r in to_sympy(self.checked).residuals}

    def generated_source(self) -> str:
        """The Python/JAX source of the residual functions (no JAX needed to produce it)."""
        with self._errors():
            return self._generate().source

    def compile(self) -> CompiledProblem:
        """Build and wrap the residual functions (and the exact solution, if given)."""
        from pdedsl.language._evaluate import Origin, exact_function, residual_functions  # imports JAX: only here
        from pdedsl.language._residual import exact_fn, residual_fn

        with self._errors():
            lowered = self._lower()
            module = generate(lowered, self._label(), self.unknowns)
            origin = Origin({name: value.span for name, value in self.checked.parameters}, self.filename, self.text)
            functions = residual_functions(lowered, origin)
            exact = exact_function(lowered, origin)
        groups = tuple(_group(r, residual_fn(functions[r.condition.name], r)) for r in lowered.residuals)
        exact = None if exact is None else exact_fn(exact, len(self.unknowns))
        return CompiledProblem(self.name, self.domain, self.unknowns, groups, exact, self.reference,
                               module.source, self.settings, self.checked.learned, self.checked.exact_parameters,
                               self.filename, self.text, self.checked.reference_span, is_linear(lowered))

    def _lower(self) -> LoweredProblem:
        return lower(to_sympy(self.checked))

    def _label(self) -> str:
        return self.filename if self.filename.startswith("<") else Path(self.filename).name

    def _generate(self) -> GeneratedModule:
        return generate(self._lower(), self._label(), self.unknowns)

    @contextlib.contextmanager
    def _errors(self):
        with _attached(self.filename, self.text):
            yield


def _group(residual: LoweredResidual, fn) -> ResidualGroup:
    condition = residual.condition
    point_data = tuple(dict.fromkeys(key for _, key, _ in residual.extras)) + (("pair",) if residual.pair_jets else ())
    return ResidualGroup(name=condition.name, kind=condition.kind, region=condition.region, weight=condition.weight,
                         n_components=len(residual.exprs), line=condition.line, text=condition.text, fn=fn,
                         point_data=point_data, fixed=condition.fixed)


def parse(text: str, filename: str = "<string>") -> Problem:
    """Parse and check a spec given as text; raise `PdeError` (with `filename` attached) on a mistake.

    `data` files are read relative to the spec's folder (the working directory for `<string>`).
    """
    folder = Path.cwd() if filename.startswith("<") else Path(filename).parent
    with _attached(filename, text):
        checked = check(parse_spec(text, filename), folder)
    name = "problem" if filename.startswith("<") else Path(filename).stem
    return Problem(name, filename, text, checked)


def load(path: str | os.PathLike) -> Problem:
    """Read a `.pde` file (UTF-8, or UTF-16/32 with a byte-order mark) and parse it."""
    filename = os.fspath(path)
    try:
        data = Path(filename).read_bytes()
    except OSError as err:
        raise PdeError(f"cannot read the file: {err.strerror or err}", filename=filename,
                       hint="check the path") from None
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        if encoding != "utf-8":
            raise PdeSyntaxError(f"the file starts with a {encoding.upper()} byte-order mark but is not "
                                 f"{encoding.upper()} text", Span(1, 1, 1, 2), hint="save the file with the UTF-8 "
                                 "encoding", filename=filename, source="") from None
        raise _encoding_error(data, err, filename) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        column = text.index("\x00") - (text.rfind("\n", 0, text.index("\x00")) + 1) + 1
        raise PdeSyntaxError("the file contains NUL bytes: it looks like UTF-16 text without a byte-order mark",
                             Span(line, column, line, column + 1), hint="save the file with the UTF-8 encoding",
                             filename=filename, source=text)
    return parse(text, filename)


# Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF8, "utf-8"))


def _encoding_error(data: bytes, err: UnicodeDecodeError, filename: str) -> PdeSyntaxError:
    """Point at the first byte that is not UTF-8."""
    line_start = data.rfind(b"\n", 0, err.start) + 1
    line = data.count(b"\n", 0, err.start) + 1
    column = len(data[line_start:err.start].decode("utf-8")) + 1
    text = data.decode("utf-8", errors="replace")
    return PdeSyntaxError(
        f"the file is not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded",
        Span(line, column, line, column + 1),
        hint="save the file with the UTF-8 encoding",
        filename=filename,
        source=text,
    )


@contextlib.contextmanager
def _attached(filename: str, text: str):
    """Attach the source to escaping `PdeError`s; turn stack exhaustion into one."""
    try:
        yield
    except PdeError as err:
        raise err.with_source(filename, text) from None
    except RecursionError:
        raise PdeSemanticError("the spec is nested too deeply to compile", Span(1, 1, 1, 2),
                               hint="split long expressions with `let` definitions",
                               filename=filename, source=text) from None
