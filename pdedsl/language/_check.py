"""Semantic checks: syntax tree → `CheckedProblem`.

Every name is resolved here against a whitelist — coordinates, unknowns, `let`
definitions, sum indices and the built-ins below — and every expression becomes a
small resolved tree (`Coord`, `Var`, `Diff`, …) whose shape (scalar or vector) and
derivative order are known.  Sums are unrolled, constant sub-expressions are
evaluated (so that overflow, division by zero and huge exponents are caught with a
position), conditions are placed on faces of the domain, and the model / sample /
solve settings are validated.  Nothing after this stage reports a user mistake.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from pathlib import Path

import numpy as np

from pdedsl.errors import PdeError, PdeNameError, PdeSemanticError, Span
from pdedsl.geometry import (
    Boundary, Box, Domain, Face, Faces, Interior, PeriodicFaces, Plane, Region, ShapeDomain,
)
from pdedsl.language import _ast as ast
from pdedsl.language._data import read_observations
from pdedsl.language._ir import (
    Apply, Arith, CheckedCondition, CheckedProblem, Const, Coord, Curl, Diff, Div, Dot, Expr, Extra, Grad, Lap,
    Learned, Manufactured, Neg, NormalDiff, Num, Paired, Param, Total, Var, Vec, nodes_in, unknowns_in,
)
from pdedsl.language._settings import check_settings, single, suggest
from pdedsl.language._shapes import SHAPES, build_shape

__all__ = ["check", "FUNCTIONS", "MAX_DERIVATIVE_ORDER"]

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "abs")
OPERATORS = ("d", "grad", "div", "lap", "dot", "curl", "dn")
CONSTANTS = {"pi": math.pi, "e": math.e}
BUILTINS = FUNCTIONS + OPERATORS + tuple(CONSTANTS) + SHAPES + ("manufactured",)

MAX_DERIVATIVE_ORDER = 8
MAX_EXPONENT = 64
MAX_SUM_TERMS = 1000
MAX_DIMENSION = 16





@dataclass(frozen=True)
class _Typed:
    """A resolved expression with its shape (0: scalar, n: vector of n), derivative order and value."""

    expr: Expr
    size: int = 0
    order: int = 0
    value: float | None = None  # the number, when the expression is a constant
    unknown: bool = False  # mentions an unknown


@dataclass(frozen=True)
class _FaceUse:
    """An unknown on a face, `u(x = 0)`, in a side of a `periodic:` condition."""

    axis: int
    side: int  # 0: the face x = low, 1: x = high
    span: Span  # of `x = 0`
    value: Expr  # the face position as written (resolved), e.g. 2 * pi
    label: str  # "x = 0"


def check(spec: ast.Spec, folder: Path | None = None) -> CheckedProblem:
    """Resolve and validate a parsed spec (raises `PdeError` subclasses with spans).

    `folder` is where relative `data` paths start (the spec's folder; the working directory if None).
    """
    return _Checker(spec, folder or Path.cwd()).run()


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Checker:
    """One pass over a spec; the state is the names defined so far."""

    def __init__(self, spec: ast.Spec, folder: Path):
        self.spec, self.folder = spec, folder
        self.learned: dict[str, float] = {}
        self.exact_parameters: dict[str, float] = {}
        self.context: str | None = None  # the kind of the condition being resolved
        self.point: tuple[tuple[float, ...], Span] | None = None  # where a `point:` condition holds
        self.faces: list[_FaceUse] | None = None  # the faces `u(x = 0)` of the side of a periodic condition
        self.definitions: dict[str, tuple[str, Span]] = {}
        self.coordinates: dict[str, int] = {}
        self.vectors: dict[str, tuple[int, ...]] = {}
        self.unknowns: dict[str, int] = {}
        self.lets: dict[str, _Typed] = {}
        self.parameters: list[tuple[str, Expr]] = []
        self.time: str | None = None
        self.box: Domain | None = None

    def statements(self, kind):
        return [s for s in self.spec.statements if isinstance(s, kind)]

    # -- driver

    def run(self) -> CheckedProblem:
        self._declarations()
        conditions = self._conditions()
        self._sample_targets(conditions)
        reference = single(self.spec, ast.Reference, "reference")
        return CheckedProblem(
            domain=self.box,
            unknowns=tuple(self.unknowns),
            parameters=tuple(self.parameters),
            conditions=conditions,
            exact=self._exact(),
            reference=self._reference(),
            settings=check_settings(self.spec),
            learned=tuple(self.learned.items()),
            exact_parameters=tuple(self.exact_parameters.items()),
            reference_span=None if reference is None else reference.span,
        )

    # The point sets a `sample` count feeds, by the kinds of condition that use it.
    _SAMPLED_BY = {"interior": ("pde",), "boundary": ("boundary", "periodic"), "initial": ("initial",)}

    def _sample_targets(self, conditions) -> None:
        """A `sample` count for a point set no condition uses would be silently ignored: an error."""
        sample = single(self.spec, ast.Sample, "sample")
        kinds = {c.kind for c in conditions}
        for item in () if sample is None else sample.items:
            target = getattr(item, "target", None)
            uses = self._SAMPLED_BY.get(getattr(target, "name", None), ())
            if uses and not kinds.intersection(uses):
                raise PdeSemanticError(
                    f"`{target.name} {item.count.value}` samples points that no condition uses", item.span,
                    hint=f"the spec has no {' or '.join(u + ':' for u in uses)} condition; remove this count")

    def _declarations(self) -> None:
        """The domain, unknowns and `let`s, in source order: each may use the names defined before it."""
        first_domain = None
        for statement in self.spec.statements:
            if isinstance(statement, ast.Domain):
                if first_domain is not None:
                    raise PdeNameError(f"a second domain statement (the first is at line {first_domain.line})",
                                       statement.span, hint="declare every coordinate in one `domain` line")
                first_domain = statement.span
                self.box = self._declare_domain(statement)
            elif isinstance(statement, ast.Unknowns):
                for name in statement.names:
                    self._define(name, "an unknown")
                    self.unknowns[name.name] = len(self.unknowns)
            elif isinstance(statement, ast.Let):
                self._define_let(statement)
            elif isinstance(statement, ast.LearnedParam):
                value = self.constant(statement.init, "the initial value of a parameter")
                self._define(statement.name, "a learned parameter")
                self.learned[statement.name.name] = value
        if self.box is None:
            raise PdeSemanticError("the spec declares no domain", self.spec.statements[0].span,
                                   hint="add a line such as `domain x in [0, 1], y in [0, 1]`")
        if not self.unknowns:
            raise PdeSemanticError("the spec declares no unknown", self.spec.statements[0].span,
                                   hint="add a line such as `unknown u`")

    def _define(self, name: ast.Name, kind: str) -> None:
        if name.name in BUILTINS:
            raise PdeNameError(f"'{name.name}' is a built-in name and cannot be redefined", name.span,
                               hint="choose another name")
        if name.name in self.definitions:
            other_kind, other = self.definitions[name.name]
            raise PdeNameError(f"'{name.name}' is already defined as {other_kind} at line {other.line}", name.span,
                               hint="every name is defined once; choose another name")
        self.definitions[name.name] = (kind, name.span)

    # -- declarations

    def _declare_domain(self, domain: ast.Domain) -> Domain:
        """Register the coordinates (their bounds may use the `let` constants defined above)."""
        names: list[str] = []
        for item in domain.items:
            if item.shape is not None:
                for name in item.names:
                    self._define(name, "a coordinate")
                    self.coordinates[name.name] = len(names)
                    names.append(name.name)
            elif item.power is not None:
                if len(item.names) > 1 or item.time:
                    raise PdeSemanticError("an indexed coordinate `x in [a, b]^n` takes a single name",
                                           item.span, hint="write `x in [0, 1]^5`, then use x[k] or x1 .. x5")
                base = item.names[0]
                n = self._constant_int(item.power, 1, MAX_DIMENSION, "the dimension")
                self._define(base, "an indexed coordinate")
                self.vectors[base.name] = tuple(range(len(names), len(names) + n))
                for k in range(1, n + 1):
                    component = ast.Name(base.span, f"{base.name}{k}")
                    self._define(component, f"a component of {base.name}")
                    self.coordinates[component.name] = len(names)
                    names.append(component.name)
            else:
                if item.time and (len(item.names) > 1 or self.time is not None):
                    raise PdeSemanticError("only one coordinate can be the time", item.span,
                                           hint="write `time t in [0, 1], x in [0, 1]`")
                if item.time:
                    self.time = item.names[0].name
                for name in item.names:
                    self._define(name, "a coordinate")
                    self.coordinates[name.name] = len(names)
                    names.append(name.name)
        if self.time is None and "t" in self.coordinates:
            self.time = "t"
        if len(names) > MAX_DIMENSION:
            raise PdeSemanticError(f"the domain has {len(names)} coordinates; at most {MAX_DIMENSION} are supported",
                                   domain.span)
        if any(item.shape is not None for item in domain.items):
            return self._build_shape_domain(domain, names)
        return self._build_box(domain, names)

    def _build_shape_domain(self, domain: ast.Domain, names: list[str]) -> ShapeDomain:
        """One shape over the spatial coordinates, and at most a time interval beside it."""
        shapes = [item for item in domain.items if item.shape is not None]
        others = [item for item in domain.items if item.shape is None]
        if len(shapes) > 1:
            raise PdeSemanticError("a domain has at most one shape", shapes[1].span,
                                   hint="combine shapes with union(…), intersection(…) or difference(…)")
        for item in others:
            if item.names[0].name != self.time or item.power is not None:
                raise PdeSemanticError("beside a shape, a domain line may only give the time interval", item.span,
                                       hint="put every spatial coordinate in the shape: `domain x, y in disk(...)`")
        (item,) = shapes
        shape = build_shape(item.shape, len(item.names), self.constant)
        interval = None
        if others:
            low, high = (self.constant(e, "a domain bound") for e in (others[0].low, others[0].high))
            if not low < high:
                raise PdeSemanticError(f"the interval [{_fmt(low)}, {_fmt(high)}] is empty", others[0].span)
            interval = (low, high)
        return ShapeDomain(tuple(names), shape, self.time, interval)

    def _define_let(self, let: ast.Let) -> None:
        typed = self.resolve(let.value, {}, 1)
        self._define(let.name, "a `let` definition")
        if typed.value is not None:
            self.parameters.append((let.name.name, typed.expr))
            typed = _Typed(Param(let.name.span, let.name.name), value=typed.value)
        self.lets[let.name.name] = typed

    def _build_box(self, domain: ast.Domain, names: list[str]) -> Box:
        lows, highs = [], []
        for item in domain.items:
            low = self.constant(item.low, "a domain bound")
            high = self.constant(item.high, "a domain bound")
            if not low < high:
                raise PdeSemanticError(f"the interval [{_fmt(low)}, {_fmt(high)}] is empty", item.span,
                                       hint="write the lower end first, e.g. [0, 1]")
            count = len(self.vectors.get(item.names[0].name, ())) or len(item.names)
            lows += [low] * count
            highs += [high] * count
        return Box(tuple(names), tuple(lows), tuple(highs), self.time)

    # -- equations and conditions

    def _conditions(self) -> tuple[CheckedCondition, ...]:
        counts: dict[str, int] = {}
        checked = []

        def name_for(kind: str) -> str:
            counts[kind] = counts.get(kind, 0) + 1
            return kind if counts[kind] == 1 else f"{kind}.{counts[kind]}"

        for statement in self.spec.statements:
            if isinstance(statement, ast.Condition) and statement.kind == "periodic":
                checked.append(self._periodic_pair(statement, name_for("periodic")))
            elif isinstance(statement, ast.Condition):
                checked.append(self._condition(statement, name_for(statement.kind)))
            elif isinstance(statement, ast.Periodic):
                checked += [self._periodic(statement, name, name_for("periodic")) for name in statement.names]
            elif isinstance(statement, ast.Data):
                checked.append(self._data(statement, name_for("data")))
        if "pde" not in counts:
            raise PdeSemanticError("the spec has no `pde:` equation", self.spec.statements[-1].span,
                                   hint="add the differential equation, e.g. `pde: -lap(u) = f`")
        self._every_unknown_in_a_pde(checked)
        return tuple(checked)

    def _condition(self, condition: ast.Condition, name: str) -> CheckedCondition:
        self.context, self.point = condition.kind, None
        try:
            lhs, rhs = self._sides(condition.equation)
        finally:
            self.context = None
        weight = self._weight(condition.weight)
        fixed = None
        if condition.kind == "point":
            fixed = {"points": self._point_of(condition)}
        return CheckedCondition(name, condition.kind, self._region(condition), weight, condition.span,
                                condition.text, lhs, rhs, fixed)

    def _sides(self, equation: ast.Equation) -> tuple[Expr, Expr]:
        """Both sides resolved: scalars, or vectors of the same length (a right side of 0 fits any vector)."""
        left = self.resolve(equation.lhs, {}, 1)
        if isinstance(equation.rhs, ast.Name) and equation.rhs.name == "manufactured":
            return left.expr, self._manufactured(equation.rhs, left)
        right = self.resolve(equation.rhs, {}, 1)
        if left.size != right.size:
            if right.value == 0 and not right.size:
                return left.expr, Vec(equation.rhs.span, (right.expr,) * left.size)
            if left.value == 0 and not left.size:
                return Vec(equation.lhs.span, (left.expr,) * right.size), right.expr
            raise PdeSemanticError(f"the two sides have different numbers of components: {_components(left)} on "
                                   f"the left, {_components(right)} on the right", equation.span,
                                   hint="a vector equation needs vectors of the same length on both sides "
                                        "(or 0 on one side)")
        if not (left.unknown or right.unknown):
            raise PdeSemanticError("this equation does not involve any unknown", equation.span,
                                   hint=f"equations and conditions constrain the unknowns ({', '.join(self.unknowns)})")
        return left.expr, right.expr

    def _manufactured(self, name: ast.Name, left: _Typed) -> Expr:
        if not self.statements(ast.ExactItem):
            raise PdeSemanticError("'manufactured' needs an exact solution", name.span,
                                   hint="add an `exact:` block; the right side is then the left side evaluated "
                                        "at the exact solution")
        if nodes_in(left.expr, (Learned, Extra)):
            raise PdeSemanticError("a manufactured right side cannot depend on learned parameters or data",
                                   name.span, hint="write the right side explicitly")
        if not left.unknown:
            raise PdeSemanticError("this equation does not involve any unknown", name.span)
        return Manufactured(name.span) if not left.size else Vec(name.span, (Manufactured(name.span),) * left.size)

    def _weight(self, weight_expr: ast.Expr | None) -> float:
        if weight_expr is None:
            return 1.0
        weight = self.constant(weight_expr, "a weight")
        if not weight > 0:
            raise PdeSemanticError(f"a weight must be positive, not {_fmt(weight)}", weight_expr.span)
        return weight

    def _point_of(self, condition: ast.Condition) -> np.ndarray:
        if self.point is None:
            name = next(iter(self.unknowns))
            example = ", ".join(["0.5"] * self.box.dim)
            raise PdeSemanticError("a `point:` condition needs the point where it holds", condition.equation.span,
                                   hint=f"write the unknown at its point, e.g. {name}({example}) = 0")
        return np.asarray([self.point[0]], float)

    def _periodic(self, statement: ast.Periodic, coordinate: ast.Name, name: str) -> CheckedCondition:
        """Every unknown and its derivative along `coordinate` agree on the two opposite faces."""
        if not isinstance(self.box, Box):
            raise PdeSemanticError("periodic conditions need a box domain", statement.span,
                                   hint="a shape domain has no pairs of opposite faces")
        axis = self._coordinate_axis(coordinate, "a periodic condition")
        if axis == self.box.time_axis:
            raise PdeSemanticError(f"'{coordinate.name}' is the time; periodic conditions pair spatial faces",
                                   coordinate.span)
        span = statement.span
        here = [Var(span, k, u) for u, k in self.unknowns.items()]
        here += [Diff(span, v, (axis,)) for v in list(here)]
        return CheckedCondition(name, "periodic", PeriodicFaces(axis), self._weight(statement.weight), span,
                                statement.text, Vec(span, tuple(here)), Vec(span, tuple(Paired(span, e) for e in here)))

    def _periodic_pair(self, condition: ast.Condition, name: str) -> CheckedCondition:
        """`periodic: lhs = rhs`: the left side on one face of a coordinate, the right side on the other.

        The group's points are sampled on the lower face and paired with their image on the upper one
        (`PeriodicFaces(axis)`); the side written on the upper face is evaluated at the paired point, with the
        periodic coordinate translated by (upper − lower) wherever it appears explicitly.
        """
        equation = condition.equation
        if isinstance(equation.rhs, ast.Name) and equation.rhs.name == "manufactured":
            raise PdeSemanticError("'manufactured' cannot be used in a `periodic:` condition", equation.rhs.span,
                                   hint=f"a periodic condition pairs two faces: write both sides, e.g. "
                                        f"{self._face_example()}")
        sides = []
        self.context = "periodic"
        try:
            for which, expr in (("left", equation.lhs), ("right", equation.rhs)):
                self.faces = []
                typed = self.resolve(expr, {}, 1)
                sides.append((typed, self._side_face(which, expr, self.faces)))
        finally:
            self.context, self.faces = None, None
        (left, left_face), (right, right_face) = sides
        if left.size != right.size:
            raise PdeSemanticError(f"the two sides have different numbers of components: {_components(left)} on "
                                   f"the left, {_components(right)} on the right", equation.span,
                                   hint="both sides of a periodic condition have the same shape: "
                                        "scalars, or vectors of the same length")
        if left_face.axis != right_face.axis:
            raise PdeSemanticError(f"the two sides are on faces of different coordinates: {left_face.label} on the "
                                   f"left, {right_face.label} on the right", right_face.span,
                                   hint=f"a periodic condition pairs the two faces of one coordinate, e.g. "
                                        f"{self._face_example(left_face.axis)}")
        if left_face.side == right_face.side:
            raise PdeSemanticError(f"both sides are on the face {left_face.label}", right_face.span,
                                   hint=f"a periodic condition pairs two different faces, e.g. "
                                        f"{self._face_example(left_face.axis)}")
        axis, span = left_face.axis, condition.span
        lower, upper = (left_face, right_face) if left_face.side == 0 else (right_face, left_face)
        shift = Arith(span, "-", upper.value, lower.value)

        def on_upper(expr: Expr) -> Expr:
            return Paired(span, _translate(expr, axis, shift))

        lhs, rhs = left.expr, right.expr
        if left_face.side == 1:
            lhs = on_upper(lhs)
        else:
            rhs = on_upper(rhs)
        return CheckedCondition(name, "periodic", PeriodicFaces(axis), self._weight(condition.weight), span,
                                condition.text, lhs, rhs)

    def _side_face(self, which: str, expr: ast.Expr, faces: list[_FaceUse]) -> _FaceUse:
        """The one face on which a side of a periodic condition evaluates the unknowns."""
        if not faces:
            raise PdeSemanticError(f"the {which} side of a periodic condition has no unknown on a face", expr.span,
                                   hint=f"each side evaluates the unknowns on one face, e.g. {self._face_example()}; "
                                        "a condition on a single face is a `boundary:` condition")
        first = faces[0]
        for face in faces[1:]:
            if (face.axis, face.side) != (first.axis, first.side):
                raise PdeSemanticError(f"the {which} side of a periodic condition uses two faces, {first.label} and "
                                       f"{face.label}", face.span,
                                       hint="each side is evaluated on one face; the other face belongs on the "
                                            "other side")
        return first

    def _face_example(self, axis: int | None = None, name: str | None = None) -> str:
        """`u(x = 0) = u(x = 1)` for the first spatial coordinate (or `axis`) and the first unknown (or `name`)."""
        box = self.box
        if axis is None:
            axis = box.spatial_axes[0] if isinstance(box, Box) and box.spatial_axes else 0
        name = name or next(iter(self.unknowns))
        x = box.names[axis]
        return f"{name}({x} = {_fmt(box.lows[axis])}) = {name}({x} = {_fmt(box.highs[axis])})"

    def _unknown_on_face(self, expr: ast.Call, indices) -> _Typed:
        """`u(x = 0)` in a `periodic:` condition: the unknown on the face x = 0 of a box."""
        name, box = expr.func.name, self.box
        if not isinstance(box, Box):
            raise PdeSemanticError("periodic conditions need a box domain", expr.span,
                                   hint="a shape domain has no pairs of opposite faces")
        if len(expr.args) != 1 or not isinstance(expr.args[0], ast.Face):
            raise PdeSemanticError(f"in a `periodic:` condition, '{name}' is written on one face", expr.span,
                                   hint=f"a periodic condition pairs two faces of one coordinate, e.g. "
                                        f"{self._face_example(name=name)}")
        (face,) = expr.args
        axis = self._coordinate_axis(face.coordinate, "a periodic face", indices)
        coordinate = box.names[axis]
        if axis == box.time_axis:
            raise PdeSemanticError(f"'{coordinate}' is the time; periodic conditions pair spatial faces",
                                   face.coordinate.span)
        value = self.constant(face.value, "a face position")
        low, high = box.lows[axis], box.highs[axis]
        hint = f"a periodic condition pairs the faces {coordinate} = {_fmt(low)} and {coordinate} = {_fmt(high)}"
        side = next((side for side, end in ((0, low), (1, high))
                     if math.isclose(value, end, rel_tol=1e-12, abs_tol=1e-12)), None)
        if side is None:
            where = "lies outside the domain" if not low < value < high else "is not a face of the domain"
            raise PdeSemanticError(f"{coordinate} = {_fmt(value)} {where}: {coordinate} ranges over "
                                   f"[{_fmt(low)}, {_fmt(high)}]", face.span, hint=hint)
        self.faces.append(_FaceUse(axis, side, face.span, self.resolve(face.value, {}, 1).expr,
                                   f"{coordinate} = {_fmt(value)}"))
        return _Typed(Var(expr.span, self.unknowns[name], name), unknown=True)

    def _data(self, statement: ast.Data, name: str) -> CheckedCondition:
        """Residual u_k(x_i) − observed_ik for each observed unknown, at the points of the file."""
        observations = read_observations(statement.path, statement.path_span, self.folder, self.box.names,
                                         tuple(self.unknowns), bounds=(self.box.lows, self.box.highs))
        span = statement.span
        lhs = tuple(Var(span, self.unknowns[u], u) for u in observations.unknowns)
        rhs = tuple(Extra(span, "observed", j, f"{u}_observed") for j, u in enumerate(observations.unknowns))
        fixed = {"points": observations.points, "observed": observations.values}
        return CheckedCondition(name, "data", Interior(), self._weight(statement.weight), span, statement.text,
                                Vec(span, lhs), Vec(span, rhs), fixed)

    def _region(self, condition: ast.Condition) -> Region:
        box, region = self.box, condition.region
        if condition.kind in ("pde", "point"):
            return Interior()
        if condition.kind == "initial":
            if box.time is None:
                raise PdeSemanticError("an initial condition needs a time coordinate", condition.span,
                                       hint="name a coordinate `t`, or mark one with `time`, "
                                            "e.g. `domain time s in [0, 1], x in [0, 1]`")
            start = box.initial_slice()
            if region is not None and self._faces(region) != start:
                raise PdeSemanticError(f"an initial condition holds at the start of time, "
                                       f"{box.time} = {_fmt(box.lows[box.time_axis])}", region.span,
                                       hint="drop the `on` clause, or use a `boundary:` condition for other faces")
            return start
        if region is None or isinstance(region, ast.OnBoundary):
            if not box.spatial_axes:
                raise PdeSemanticError("the domain has no spatial boundary", condition.span,
                                       hint="name the faces: `on t = 1`")
            return box.whole_boundary()
        return self._faces(region)

    def _faces(self, region) -> Faces | Boundary:
        if isinstance(region, ast.OnBoundary):
            return self.box.whole_boundary()
        parts = [self._face(face) for face in region.faces]
        if isinstance(self.box, Box):
            return Faces(tuple(parts))
        faces = [p for p in parts if isinstance(p, Face)]
        if faces and len(faces) != len(parts):
            raise PdeSemanticError("a condition holds either on time faces or on the boundary in space, not both",
                                   region.span, hint="split it into two conditions")
        return Faces(tuple(faces)) if faces else Boundary(tuple(dict.fromkeys(parts)))

    def _face(self, face: ast.Face | ast.Piece) -> Face | Plane | str:
        if isinstance(face, ast.Piece):
            return self._piece(face)
        axis = self._coordinate_axis(face.coordinate, "a condition's face")
        name = self.box.names[axis]
        value = self.constant(face.value, "a face position")
        if isinstance(self.box, ShapeDomain) and axis != self.box.time_axis:
            return self._plane(face, axis, value)
        low, high = self.box.lows[axis], self.box.highs[axis]
        for side, end in ((0, low), (1, high)):
            if math.isclose(value, end, rel_tol=1e-12, abs_tol=1e-12):
                return Face(axis, side)
        raise PdeSemanticError(f"{name} = {_fmt(value)} is not a face of the domain: "
                               f"{name} ranges over [{_fmt(low)}, {_fmt(high)}]", face.span,
                               hint=f"conditions hold on faces: {name} = {_fmt(low)} or {name} = {_fmt(high)}")

    def _plane(self, face: ast.Face, axis: int, value: float) -> Plane:
        """The flat boundary piece `x = value` of a shape domain (a side of one of its boxes)."""
        k = self.box.spatial_axes.index(axis)
        for piece in self.box.pieces():
            if isinstance(piece, Plane) and piece.axis == k and math.isclose(piece.value, value, rel_tol=1e-12,
                                                                              abs_tol=1e-12):
                return piece
        raise PdeSemanticError(f"the domain has no boundary {self.box.names[axis]} = {_fmt(value)}", face.span,
                               hint=f"its boundary pieces are: {self._piece_names()}")

    def _piece(self, piece: ast.Piece) -> str:
        if isinstance(self.box, ShapeDomain) and piece.name in self.box.pieces():
            return piece.name
        if isinstance(self.box, Box):
            faces = ", ".join(f"{self.box.names[f.axis]} = {_fmt(self.box.face_value(f))}"
                              for f in self.box.whole_boundary().faces)
            hint = f"a box's boundary is made of faces: {faces}; or write `on boundary`"
        else:
            hint = f"its boundary pieces are: {self._piece_names()}; or write `on boundary`"
        raise PdeSemanticError(f"the domain has no boundary '{piece.name}'", piece.span, hint=hint)

    def _piece_names(self) -> str:
        spatial = self.box.spatial_axes
        return ", ".join(f"{self.box.names[spatial[p.axis]]} = {_fmt(p.value)}" if isinstance(p, Plane) else p
                         for p in self.box.pieces())

    def _every_unknown_in_a_pde(self, checked: list[CheckedCondition]) -> None:
        used: set[int] = set()
        for condition in checked:
            if condition.kind == "pde":
                used |= unknowns_in(condition.lhs) | unknowns_in(condition.rhs)
        for statement in self.statements(ast.Unknowns):
            for name in statement.names:
                if self.unknowns[name.name] not in used:
                    raise PdeSemanticError(f"the unknown '{name.name}' appears in no `pde:` equation", name.span,
                                           hint="every unknown needs an equation that determines it")

    def _exact(self) -> tuple[Expr, ...] | None:
        items = self.statements(ast.ExactItem)
        if not items:
            return None
        solutions: dict[str, Expr] = {}
        for item in items:
            name = item.name.name
            if name in self.learned:
                if name in self.exact_parameters:
                    raise PdeNameError(f"a second exact value for '{name}'", item.name.span)
                self.exact_parameters[name] = self.constant(item.value, "the exact value of a parameter")
                continue
            if name not in self.unknowns:
                guess = suggest(name, self.unknowns)
                hint = f"did you mean '{guess}'?" if guess else f"the unknowns are: {', '.join(self.unknowns)}"
                raise PdeNameError(f"exact solution for '{name}', which is not a declared unknown", item.name.span,
                                   hint=hint)
            if name in solutions:
                raise PdeNameError(f"a second exact solution for '{name}'", item.name.span)
            typed = self.resolve(item.value, {}, 1)
            if typed.unknown or typed.size or nodes_in(typed.expr, Learned):
                raise PdeSemanticError("an exact solution must be a scalar expression of the coordinates",
                                       item.value.span, hint="it may use coordinates and `let` constants, "
                                                             "not the unknowns")
            solutions[name] = typed.expr
        missing = [u for u in self.unknowns if u not in solutions]
        if len(missing) == len(self.unknowns):
            return None
        if missing:
            raise PdeSemanticError(f"no exact solution for '{missing[0]}'", items[-1].span,
                                   hint=f"add `{missing[0]} = ...` to the `exact:` block")
        return tuple(solutions[u] for u in self.unknowns)

    def _reference(self) -> str | None:
        reference = single(self.spec, ast.Reference, "reference")
        if reference is None:
            return None
        if not reference.path.strip():
            raise PdeSemanticError("the reference path is empty", reference.span,
                                   hint='write the data file\'s path, e.g. reference "data/burgers_reference.npz"')
        return reference.path

    # -- constants

    def constant(self, expr: ast.Expr, what: str) -> float:
        typed = self.resolve(expr, {}, 1)
        if typed.value is None or typed.size:
            raise PdeSemanticError(f"{what} must be a constant", expr.span,
                                   hint="use numbers, pi, e and `let` constants")
        return typed.value

    def _constant_int(self, expr: ast.Expr, low: int, high: int, what: str, indices=None) -> int:
        typed = self.resolve(expr, indices or {}, 1)
        value = typed.value
        if value is None or typed.size or value != int(value):
            raise PdeSemanticError(f"{what} must be a whole number", expr.span)
        if not low <= value <= high:
            raise PdeSemanticError(f"{what} must lie in {low}..{high}, not {int(value)}", expr.span)
        return int(value)

    def _coordinate_axis(self, expr, what: str, indices=None) -> int:
        """The axis of a coordinate reference (`x`, `x2` or `x[k]`)."""
        if isinstance(expr, ast.Name) and expr.name in self.coordinates:
            return self.coordinates[expr.name]
        if isinstance(expr, ast.Index) and expr.base.name in self.vectors:
            return self.resolve(expr, indices or {}, 1).expr.axis
        if isinstance(expr, (ast.Name, ast.Index)):
            name = expr.name if isinstance(expr, ast.Name) else expr.base.name
            if name in self.definitions or name in BUILTINS or isinstance(expr, ast.Index):
                raise PdeSemanticError(f"'{name}' is not a coordinate", expr.span,
                                       hint=f"{what} names a coordinate: {', '.join(self.coordinates)}")
            raise self._unknown_name(expr, indices or {})
        raise PdeSemanticError(f"{what} must name a coordinate", expr.span,
                               hint=f"the coordinates are: {', '.join(self.coordinates)}")

    # -- expressions

    def resolve(self, expr: ast.Expr, indices: dict[str, int], multiplicity: int) -> _Typed:
        """Resolve `expr` with the sum indices in scope; `multiplicity` counts the unrolled copies."""
        method = getattr(self, f"_resolve_{type(expr).__name__.lower()}")
        return method(expr, indices, multiplicity)

    def _resolve_number(self, expr: ast.Number, indices, multiplicity) -> _Typed:
        return _Typed(Num(expr.span, expr.value), value=float(expr.value))

    def _resolve_name(self, expr: ast.Name, indices, multiplicity) -> _Typed:
        name, span = expr.name, expr.span
        if name in indices:
            return _Typed(Num(span, Fraction(indices[name])), value=float(indices[name]))
        if name in self.coordinates:
            return _Typed(Coord(span, self.coordinates[name], name))
        if name in self.unknowns:
            if self.context == "point":
                example = ", ".join(["0.5"] * self.box.dim)
                raise PdeSemanticError(f"in a `point:` condition, '{name}' is written with its point", span,
                                       hint=f"e.g. {name}({example})")
            if self.context == "periodic":
                raise PdeSemanticError(f"in a `periodic:` condition, '{name}' is written on a face", span,
                                       hint=f"e.g. {self._face_example(name=name)}")
            return _Typed(Var(span, self.unknowns[name], name), unknown=True)
        if name in self.learned:
            return _Typed(Learned(span, name))
        if name == "manufactured":
            raise PdeSemanticError("'manufactured' stands for a whole right side", span,
                                   hint="write `lhs = manufactured`: the right side is then the left side "
                                        "evaluated at the exact solution")
        if name in self.lets:
            return self.lets[name]
        if name in CONSTANTS:
            return _Typed(Const(span, name), value=CONSTANTS[name])
        if name in self.vectors:
            n = len(self.vectors[name])
            raise PdeSemanticError(f"'{name}' has {n} components; use one of them", span,
                                   hint=f"write {name}[k] inside a sum, or {name}1 .. {name}{n}")
        if name in FUNCTIONS or name in OPERATORS:
            raise PdeSemanticError(f"'{name}' is a function; call it, as in {name}(...)", span)
        if name in SHAPES:
            raise PdeSemanticError(f"'{name}' is a shape; shapes belong on the `domain` line", span)
        raise self._unknown_name(expr, indices)

    def _unknown_name(self, expr, indices) -> PdeNameError:
        name = expr.name if isinstance(expr, ast.Name) else expr.base.name
        visible = [*self.coordinates, *self.vectors, *self.unknowns, *self.lets, *CONSTANTS, *indices]
        guess = suggest(name, visible)
        if guess:
            hint = f"did you mean '{guess}'? Names are coordinates, unknowns and `let` constants."
        else:
            hint = f"define it first: `let {name} = ...`, `unknown {name}`, or a coordinate in the domain"
        return PdeNameError(f"unknown name '{name}'", expr.span, hint=hint)

    def _resolve_face(self, expr: ast.Face, indices, multiplicity) -> _Typed:
        raise PdeSemanticError("a face `coordinate = value` is not an expression", expr.span,
                               hint="an unknown on a face, as in u(x = 0), is written in `periodic:` conditions only")

    def _resolve_index(self, expr: ast.Index, indices, multiplicity) -> _Typed:
        base = expr.base.name
        if base not in self.vectors:
            if base in self.definitions or base in BUILTINS:
                raise PdeSemanticError(f"'{base}' is not an indexed coordinate", expr.span,
                                       hint="only coordinates declared as `x in [a, b]^n` take an index")
            raise self._unknown_name(expr, indices)
        axes = self.vectors[base]
        k = self._constant_int(expr.index, 1, len(axes), f"the index of {base}", indices)
        return _Typed(Coord(expr.span, axes[k - 1], f"{base}{k}"))

    def _resolve_vector(self, expr: ast.Vector, indices, multiplicity) -> _Typed:
        items = [self._scalar(self.resolve(item, indices, multiplicity), item, "a vector's component")
                 for item in expr.items]
        return _Typed(Vec(expr.span, tuple(t.expr for t in items)), len(items), max(t.order for t in items), None,
                      any(t.unknown for t in items))

    def _resolve_neg(self, expr: ast.Neg, indices, multiplicity) -> _Typed:
        typed = self.resolve(expr.operand, indices, multiplicity)
        value = None if typed.value is None else -typed.value
        return _Typed(Neg(expr.span, typed.expr), typed.size, typed.order, value, typed.unknown)

    def _resolve_binop(self, expr: ast.BinOp, indices, multiplicity) -> _Typed:
        left = self.resolve(expr.left, indices, multiplicity)
        right = self.resolve(expr.right, indices, multiplicity)
        size = self._binop_size(expr, left, right)
        if expr.op == "^" and right.value is not None and abs(right.value) > MAX_EXPONENT:
            raise PdeSemanticError(f"the exponent {_fmt(right.value)} is too large (at most {MAX_EXPONENT})",
                                   expr.right.span, hint="rewrite the power, e.g. with exp()")
        value = None
        if left.value is not None and right.value is not None:
            value = self._fold(expr, left.value, right.value)
        return _Typed(Arith(expr.span, expr.op, left.expr, right.expr), size, max(left.order, right.order), value,
                      left.unknown or right.unknown)

    @staticmethod
    def _binop_size(expr: ast.BinOp, left: _Typed, right: _Typed) -> int:
        if not (left.size or right.size):
            return 0
        if expr.op in "+-" and left.size == right.size:
            return left.size
        if expr.op == "*" and not (left.size and right.size):
            return left.size or right.size
        if expr.op == "/" and not right.size:
            return left.size
        raise PdeSemanticError(f"'{expr.op}' cannot combine these operands: "
                               f"{_shape(left)} {expr.op} {_shape(right)}", expr.span,
                               hint="vectors (from grad) can be added, scaled, divided by a scalar, "
                                    "and combined with dot(a, b) or div(v)")

    @staticmethod
    def _fold(expr: ast.BinOp, a: float, b: float) -> float:
        try:
            value = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                     "^": lambda: a**b}[expr.op]()
        except ZeroDivisionError:
            raise PdeSemanticError("division by zero", expr.span) from None
        except OverflowError:
            value = math.inf
        if isinstance(value, complex):
            raise PdeSemanticError("this constant has no real value", expr.span,
                                   hint="a negative number to a fractional power is complex")
        if not math.isfinite(value):
            raise PdeSemanticError("this constant is too large for a float", expr.span)
        return value

    def _resolve_sum(self, expr: ast.Sum, indices, multiplicity) -> _Typed:
        index = expr.index.name
        if index in indices or index in self.definitions or index in BUILTINS:
            raise PdeNameError(f"the sum index '{index}' hides another name", expr.index.span,
                               hint="choose an index name that is not used elsewhere, e.g. k")
        low = self._constant_int(expr.low, -10**6, 10**6, "a sum bound", indices)
        high = self._constant_int(expr.high, -10**6, 10**6, "a sum bound", indices)
        count = high - low + 1
        if count < 1:
            raise PdeSemanticError(f"the sum range {low}..{high} is empty", expr.span,
                                   hint="write the lower bound first, e.g. k = 1..5")
        if count * multiplicity > MAX_SUM_TERMS:
            raise PdeSemanticError(f"this sum has too many terms (at most {MAX_SUM_TERMS} in all)", expr.span)
        terms = [self.resolve(expr.body, {**indices, index: k}, count * multiplicity) for k in range(low, high + 1)]
        sizes = {t.size for t in terms}
        values = [t.value for t in terms]
        value = None if None in values else math.fsum(values)
        return _Typed(Total(expr.span, tuple(t.expr for t in terms)), sizes.pop(), max(t.order for t in terms),
                      value, any(t.unknown for t in terms))

    def _resolve_call(self, expr: ast.Call, indices, multiplicity) -> _Typed:
        func = expr.func.name
        if func in FUNCTIONS:
            (arg,) = self._args(expr, 1)
            typed = self._scalar(self.resolve(arg, indices, multiplicity), arg, f"{func}()")
            value = None if typed.value is None else self._apply(expr, func, typed.value)
            return _Typed(Apply(expr.span, func, typed.expr), 0, typed.order, value, typed.unknown)
        if func in ("grad", "div", "lap", "dot", "curl", "dn"):
            return getattr(self, f"_call_{func}")(expr, indices, multiplicity)
        if func in self.unknowns and self.context == "point":
            return self._unknown_at_point(expr, indices)
        if func in self.unknowns and self.context == "periodic":
            return self._unknown_on_face(expr, indices)
        if func == "d":
            return self._call_d(expr, indices, multiplicity)
        axes = self._shorthand_axes(func)
        if axes is not None:
            (arg,) = self._args(expr, 1)
            return self._derivative(expr, self.resolve(arg, indices, multiplicity), arg, axes)
        raise self._not_a_function(expr, indices)

    def _not_a_function(self, expr: ast.Call, indices) -> PdeError:
        func = expr.func.name
        if func in self.unknowns and any(isinstance(arg, ast.Face) for arg in expr.args):
            return PdeSemanticError(f"'{func}' on a face is written in `periodic:` conditions only", expr.span,
                                    hint=f"elsewhere an unknown is evaluated where its equation holds: write {func}; "
                                         f"a condition on a face is written `boundary: ... on x = 0`")
        if func in self.unknowns:
            return PdeSemanticError(f"'{func}' is an unknown, not a function", expr.span,
                                    hint=f"an unknown is evaluated where its equation holds: write {func}, "
                                         f"not {func}(...)")
        if func in self.definitions or func in CONSTANTS or func in indices:
            return PdeSemanticError(f"'{func}' is not a function", expr.func.span,
                                    hint=f"the functions are: {', '.join(FUNCTIONS)}")
        shorthands = ["d" + c for c in self.coordinates if len(c) == 1]
        shorthands += ["d" + a + b for a in self.coordinates for b in self.coordinates if len(a) == len(b) == 1]
        guess = suggest(func, [*FUNCTIONS, *OPERATORS, *shorthands])
        hint = f"did you mean '{guess}'? " if guess else ""
        if func.startswith("d"):
            hint += "derivatives are d(u, x, y) or the shorthand d + coordinate letters (dx, dxx, dxy)"
        else:
            hint += f"the functions are: {', '.join(FUNCTIONS)}"
        return PdeNameError(f"unknown function '{func}'", expr.func.span, hint=hint)

    def _shorthand_axes(self, func: str) -> tuple[int, ...] | None:
        """`dxy` → the axes of x and y, when every letter after the `d` is a one-letter coordinate."""
        if not re.fullmatch(r"d[A-Za-z]+", func) or func in self.definitions:
            return None
        letters = func[1:]
        if all(c in self.coordinates for c in letters):
            return tuple(self.coordinates[c] for c in letters)
        return None

    def _args(self, expr: ast.Call, n: int) -> tuple:
        if len(expr.args) != n:
            plural = "argument" if n == 1 else "arguments"
            raise PdeSemanticError(f"{expr.func.name}() takes {n} {plural}, got {len(expr.args)}", expr.span)
        return expr.args

    @staticmethod
    def _scalar(typed: _Typed, arg, what: str) -> _Typed:
        if typed.size:
            raise PdeSemanticError(f"{what} needs a scalar, but this is a vector of {typed.size} components",
                                   arg.span, hint="take div(...) or dot(..., ...) to get a scalar")
        return typed

    @staticmethod
    def _apply(expr: ast.Call, func: str, x: float) -> float:
        fn = {"abs": abs, "sqrt": math.sqrt, "log": math.log}.get(func) or getattr(math, func)
        try:
            value = fn(x)
        except ValueError:
            raise PdeSemanticError(f"{func}({_fmt(x)}) has no real value", expr.span) from None
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise PdeSemanticError("this constant is too large for a float", expr.span)
        return value

    def _call_d(self, expr: ast.Call, indices, multiplicity) -> _Typed:
        if len(expr.args) < 2:
            raise PdeSemanticError(f"d() takes an expression and at least one coordinate, got {len(expr.args)} "
                                   f"argument{'s' if len(expr.args) != 1 else ''}", expr.span,
                                   hint="e.g. d(u, x) or d(u, x, x, y)")
        operand, *variables = expr.args
        axes = tuple(self._coordinate_axis(v, "a derivative", indices) for v in variables)
        return self._derivative(expr, self.resolve(operand, indices, multiplicity), operand, axes)

    def _derivative(self, expr: ast.Call, typed: _Typed, operand, axes: tuple[int, ...]) -> _Typed:
        return self._with_order(expr, Diff(expr.span, typed.expr, axes), typed, len(axes), typed.size)

    def _unknown_at_point(self, expr: ast.Call, indices) -> _Typed:
        """`u(0.5, 0.5)` in a `point:` condition: the unknown at a constant point inside the domain."""
        name, box = expr.func.name, self.box
        if len(expr.args) != box.dim:
            raise PdeSemanticError(f"{name}(...) at a point takes {box.dim} coordinates "
                                   f"({', '.join(box.names)}), got {len(expr.args)}", expr.span)
        point = tuple(self.constant(arg, "a coordinate of the point") for arg in expr.args)
        for axis, value in enumerate(point):
            if not box.lows[axis] - 1e-12 <= value <= box.highs[axis] + 1e-12:
                raise PdeSemanticError(f"the point lies outside the domain: {box.names[axis]} = {_fmt(value)} is "
                                       f"not in [{_fmt(box.lows[axis])}, {_fmt(box.highs[axis])}]", expr.args[axis].span)
        if self.point is not None and not np.allclose(self.point[0], point):
            raise PdeSemanticError("a `point:` condition holds at one point; this one names two", expr.span,
                                   hint=f"the first is at line {self.point[1].line}, column {self.point[1].column}; "
                                        "write one condition per point")
        self.point = (point, expr.span)
        return _Typed(Var(expr.span, self.unknowns[name], name), unknown=True)

    def _with_order(self, expr, node, typed: _Typed, increase: int, size: int) -> _Typed:
        order = typed.order + increase
        if order > MAX_DERIVATIVE_ORDER:
            raise PdeSemanticError(f"derivative of order {order}; at most {MAX_DERIVATIVE_ORDER} is supported",
                                   expr.span)
        return _Typed(node, size, order, None, typed.unknown)

    def _spatial(self, expr: ast.Call) -> tuple[int, ...]:
        """The spatial axes (all but the time), which grad, div and lap act on."""
        axes = tuple(axis for name, axis in self.coordinates.items() if name != self.time)
        if not axes:
            raise PdeSemanticError(f"{expr.func.name}() acts on the spatial coordinates, and there are none",
                                   expr.span)
        return axes

    def _call_grad(self, expr, indices, multiplicity) -> _Typed:
        (arg,) = self._args(expr, 1)
        typed = self._scalar(self.resolve(arg, indices, multiplicity), arg, "grad()")
        return self._with_order(expr, Grad(expr.span, typed.expr), typed, 1, len(self._spatial(expr)))

    def _call_lap(self, expr, indices, multiplicity) -> _Typed:
        (arg,) = self._args(expr, 1)
        typed = self.resolve(arg, indices, multiplicity)
        self._spatial(expr)
        return self._with_order(expr, Lap(expr.span, typed.expr), typed, 2, typed.size)

    def _call_curl(self, expr, indices, multiplicity) -> _Typed:
        (arg,) = self._args(expr, 1)
        typed = self.resolve(arg, indices, multiplicity)
        n = len(self._spatial(expr))
        sizes = {2: {2: 0, 0: 2}, 3: {3: 3}}.get(n, {})
        if typed.size not in sizes:
            wanted = {2: "a vector of 2 components (or a scalar stream function)", 3: "a vector of 3 components"}
            raise PdeSemanticError(f"curl() in {n} dimensions needs {wanted.get(n, 'a 2-D or 3-D domain')}, "
                                   f"got {_components(typed)}", arg.span, hint="e.g. curl([u, v])")
        return self._with_order(expr, Curl(expr.span, typed.expr), typed, 1, sizes[typed.size])

    def _call_dn(self, expr, indices, multiplicity) -> _Typed:
        (arg,) = self._args(expr, 1)
        if self.context != "boundary":
            raise PdeSemanticError("dn() is the outward normal derivative: it is defined on the boundary only",
                                   expr.span, hint="use it in a `boundary:` condition, e.g. `dn(u) = 0 on x = 1`")
        typed = self.resolve(arg, indices, multiplicity)
        self._spatial(expr)
        return self._with_order(expr, NormalDiff(expr.span, typed.expr), typed, 1, typed.size)

    def _call_div(self, expr, indices, multiplicity) -> _Typed:
        (arg,) = self._args(expr, 1)
        typed = self.resolve(arg, indices, multiplicity)
        n = len(self._spatial(expr))
        if typed.size != n:
            raise PdeSemanticError(f"div() needs a vector of {n} components, such as grad(u)", arg.span)
        return self._with_order(expr, Div(expr.span, typed.expr), typed, 1, 0)

    def _call_dot(self, expr, indices, multiplicity) -> _Typed:
        a, b = self._args(expr, 2)
        left, right = self.resolve(a, indices, multiplicity), self.resolve(b, indices, multiplicity)
        if not left.size or left.size != right.size:
            raise PdeSemanticError(f"dot() needs two vectors of the same length, got {_shape(left)} and "
                                   f"{_shape(right)}", expr.span)
        return _Typed(Dot(expr.span, left.expr, right.expr), 0, max(left.order, right.order), None,
                      left.unknown or right.unknown)


def _translate(expr: Expr, axis: int, shift: Expr) -> Expr:
    """`expr` with the coordinate `axis` replaced by coordinate + shift (a translation: derivatives unchanged)."""
    if isinstance(expr, Coord):
        return Arith(expr.span, "+", expr, shift) if expr.axis == axis else expr
    changes = {}
    for item in dataclasses.fields(expr):
        value = getattr(expr, item.name)
        if isinstance(value, tuple) and any(_is_node(v) for v in value):
            changes[item.name] = tuple(_translate(v, axis, shift) if _is_node(v) else v for v in value)
        elif _is_node(value):
            changes[item.name] = _translate(value, axis, shift)
    return dataclasses.replace(expr, **changes) if changes else expr


def _is_node(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, Span)


def _shape(typed: _Typed) -> str:
    return f"vector({typed.size})" if typed.size else "scalar"


def _components(typed: _Typed) -> str:
    return f"a vector of {typed.size} components" if typed.size else "a scalar"
