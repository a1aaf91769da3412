"""The built-in functions and operators: one entry each, read by every stage.

An elementary function (`sin`, `abs` …) is a `Function`: its SymPy head, the float
function that folds constants at check time, and the `jax.numpy` function that the
residual evaluator calls and the printer writes.  A differential or vector operator
(`grad`, `lap` …) is an `Operator`: its arity, the derivative order it adds, its shape
rule (operand sizes → result size, with the error message when they do not fit) and
its SymPy builder.  The checker, the symbolic stage, the evaluator, the printer and
the list of built-in names in docs/language.md all read these tables, so a new
function or operator is one entry here.

`d` (derivatives along named coordinates) is listed for the name tables and the
docs; its coordinate arguments make the checker resolve it separately.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from pdedsl.errors import PdeSemanticError

__all__ = ["Function", "Operator", "FUNCTIONS", "OPERATORS", "CONSTANTS", "DERIVED", "each", "shape_text", "components"]


@dataclass(frozen=True)
class Function:
    """An elementary function of one scalar."""

    name: str
    sympy: Callable  # the SymPy head, e.g. sympy.sin
    fold: Callable[[float], float]  # its value at a constant (raises ValueError where it has no real value)
    jnp: str  # the jax.numpy function it is evaluated and printed as


@dataclass(frozen=True)
class Operator:
    """A differential or vector operator over the spatial coordinates (`d` aside)."""

    name: str
    arity: int | None  # operands; None: `d`, an expression and coordinates
    order: int  # derivative order it adds
    shape: Callable | None  # (sizes, n_spatial, call) -> result size, or raises PdeSemanticError
    build: Callable | None  # (operand values, frame) -> SymPy value; frame.spatial, frame.normal
    usage: str  # how docs/language.md writes it, e.g. "grad(u)"
    summary: str  # what docs/language.md says it is
    only_in: tuple[str, str, str] | None = None  # the one kind of condition it is defined in, the error, a hint


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("sin", sympy.sin, math.sin, "sin"),
    Function("cos", sympy.cos, math.cos, "cos"),
    Function("tan", sympy.tan, math.tan, "tan"),
    Function("exp", sympy.exp, math.exp, "exp"),
    Function("log", sympy.log, math.log, "log"),
    Function("sqrt", sympy.sqrt, math.sqrt, "sqrt"),
    Function("tanh", sympy.tanh, math.tanh, "tanh"),
    Function("sinh", sympy.sinh, math.sinh, "sinh"),
    Function("cosh", sympy.cosh, math.cosh, "cosh"),
    Function("abs", sympy.Abs, abs, "abs"),
)}

# Heads that SymPy's derivative rules produce from the functions above (d|x|/dx = sign(x)).
DERIVED: dict[type, str] = {sympy.sign: "sign"}

CONSTANTS = {"pi": (math.pi, sympy.pi), "e": (math.e, sympy.E)}


def each(value, fn):
    """`fn` applied to a scalar, or to each component of a vector (a list)."""
    return [fn(v) for v in value] if isinstance(value, list) else fn(value)


def shape_text(size: int) -> str:
    return f"vector({size})" if size else "scalar"


def components(size: int) -> str:
    return f"a vector of {size} components" if size else "a scalar"


def _scalar_to_vector(sizes, n, call):
    if sizes[0]:
        raise PdeSemanticError(f"grad() needs a scalar, but this is a vector of {sizes[0]} components",
                               call.args[0].span, hint="take div(...) or dot(..., ...) to get a scalar")
    return n


def _same_shape(sizes, n, call):
    return sizes[0]


def _divergence(sizes, n, call):
    if sizes[0] != n:
        raise PdeSemanticError(f"div() needs a vector of {n} components, such as grad(u)", call.args[0].span)
    return 0


def _inner(sizes, n, call):
    if not sizes[0] or sizes[0] != sizes[1]:
        raise PdeSemanticError(f"dot() needs two vectors of the same length, got {shape_text(sizes[0])} and "
                               f"{shape_text(sizes[1])}", call.span)
    return 0


def _curl_shape(sizes, n, call):
    result = {2: {2: 0, 0: 2}, 3: {3: 3}}.get(n, {})
    if sizes[0] not in result:
        wanted = {2: "a vector of 2 components (or a scalar stream function)", 3: "a vector of 3 components"}
        raise PdeSemanticError(f"curl() in {n} dimensions needs {wanted.get(n, 'a 2-D or 3-D domain')}, "
                               f"got {components(sizes[0])}", call.args[0].span, hint="e.g. curl([u, v])")
    return result[sizes[0]]


def _curl(values, frame):
    (value,) = values
    if len(frame.spatial) == 2:
        x, y = frame.spatial
        if isinstance(value, list):
            return sympy.diff(value[1], x) - sympy.diff(value[0], y)
        return [sympy.diff(value, y), -sympy.diff(value, x)]
    (x, y, z), (a, b, c) = frame.spatial, value
    return [sympy.diff(c, y) - sympy.diff(b, z), sympy.diff(a, z) - sympy.diff(c, x),
            sympy.diff(b, x) - sympy.diff(a, y)]


OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("d", None, 0, None, None, "d(u, x)", "the general form: any coordinates, in any number"),
    Operator("grad", 1, 1, _scalar_to_vector,
             lambda v, f: [sympy.diff(v[0], x) for x in f.spatial], "grad(u)",
             "the vector (∂u/∂x₁, …) over the spatial coordinates"),
    Operator("div", 1, 1, _divergence,
             lambda v, f: sympy.Add(*(sympy.diff(a, x) for a, x in zip(v[0], f.spatial))), "div(v)",
             "Σ ∂vᵢ/∂xᵢ over the spatial coordinates, of a vector such as `grad(u)` or `a * grad(u)`"),
    Operator("lap", 1, 2, _same_shape,
             lambda v, f: each(v[0], lambda a: sympy.Add(*(sympy.diff(a, x, 2) for x in f.spatial))), "lap(u)",
             "Σ ∂²u/∂xᵢ² over the spatial coordinates (never the time)"),
    Operator("dot", 2, 0, _inner,
             lambda v, f: sympy.Add(*(a * b for a, b in zip(v[0], v[1]))), "dot(a, b)", "Σ aᵢ bᵢ of two vectors"),
    Operator("curl", 1, 1, _curl_shape, _curl, "curl(v)",
             "2-D: ∂v₂/∂x − ∂v₁/∂y of `[v1, v2]` (a scalar), or (∂ψ/∂y, −∂ψ/∂x) of a scalar ψ; "
             "3-D: the curl of `[v1, v2, v3]`"),
    Operator("dn", 1, 1, _same_shape,
             lambda v, f: each(v[0], lambda a: sympy.Add(*(n * sympy.diff(a, x)
                                                           for n, x in zip(f.normal, f.spatial)))), "dn(u)",
             "the outward normal derivative n·∇u, in `boundary:` conditions only",
             only_in=("boundary", "dn() is the outward normal derivative: it is defined on the boundary only",
                      "use it in a `boundary:` condition, e.g. `dn(u) = 0 on x = 1`")),
)}
