"""The residual functions are evaluated from SymPy trees; the printed module (`compile --emit jax`) computes the
same numbers.  Executing the printed source happens here, in the test only."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.errors import PdeSemanticError
from pdedsl.language import load, parse
from pdedsl.language._codegen import generate
from pdedsl.language._evaluate import exact_function, residual_functions
from pdedsl.language._lower import lower
from pdedsl.language._registry import FUNCTIONS
from pdedsl.language._residual import exact_fn, residual_fn
from pdedsl.language._symbolic import to_sympy

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.pde"))


def _mlp(dim: int, out: int, key):
    """A small random tanh network R^dim -> R^out."""
    k1, k2, k3 = jax.random.split(key, 3)
    w1, b1 = jax.random.normal(k1, (8, dim)), jax.random.normal(k2, (8,))
    w2 = jax.random.normal(k3, (out, 8)) / 3
    return lambda x: w2 @ jnp.tanh(w1 @ x + b1)


def _printed(source: str) -> dict:
    namespace = {}
    exec(compile(source, "<printed>", "exec"), namespace)  # the test's own check of the printed text
    return namespace


FORMS = {f"{name} and its derivatives": f"pde: dx({name}(1 + u^2)) + {'dx' if name == 'abs' else 'dxx'}("
                                        f"{name}(2 + x * u)) = {name}(3 - x)\n" for name in FUNCTIONS} | {
    "powers": "pde: u^3 + u^(-2) + sqrt(1 + u^2) + (1 + u^2)^(-1/2) + (2 + u)^(3/2) + 2^u = x^(1/3)\n",
    "constants": "let a = 2^40\nlet b = 1/3\nlet c = sqrt(2) * pi\npde: a * u / b + c * dx(u) = e^2\n",
    "vectors": "pde: [dx(u), u] + 2 * [u^2, dx(u)] = [x, 1]\n",
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_evaluator_and_printed_module_agree_on_each_function_and_form(tmp_path, form):
    spec = tmp_path / "form.pde"
    spec.write_text("domain x in [0.5, 1]\nunknown u\n" + FORMS[form])
    test_evaluator_and_printed_module_agree_on_every_group(spec)


def test_a_second_derivative_of_abs_is_refused_by_both():
    """d²|v|/dx² holds a Dirac delta, which neither the printer nor the evaluator has."""
    problem = parse("domain x in [0, 1]\nunknown u\npde: dxx(abs(u)) = 0")
    lowered = lower(to_sympy(problem.checked))
    for build in (lambda: generate(lowered, "spec.pde", problem.unknowns), lambda: residual_functions(lowered)):
        with pytest.raises(PdeSemanticError) as info:
            build()
        assert (info.value.span.line, info.value.message) == (3, "cannot generate code for this residual")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_evaluator_and_printed_module_agree_on_every_group(path):
    problem = load(path)
    lowered = lower(to_sympy(problem.checked))
    module = generate(lowered, path.name, problem.unknowns)
    printed, evaluated = _printed(module.source), residual_functions(lowered)
    box = problem.domain
    rng = np.random.default_rng(0)
    n = 5
    lows, highs = np.asarray(box.lows), np.asarray(box.highs)
    points = lows + (highs - lows) * rng.uniform(size=(n, box.dim))
    extras = {"normal": rng.normal(size=(n, box.dim)), "pair": lows + (highs - lows) * rng.uniform(size=(n, box.dim)),
              "observed": rng.normal(size=(n, len(problem.unknowns)))}
    scalars = {name: jnp.asarray(value + 0.1) for name, value in problem.checked.learned}
    u = _mlp(box.dim, len(problem.unknowns), jax.random.PRNGKey(0))
    names = {f.group: f.name for f in module.residuals}
    assert len(names) == len(lowered.residuals) > 0
    for residual in lowered.residuals:
        group = residual.condition.name
        want = residual_fn(printed[names[group]], residual)(u, points, extras, scalars)
        got = residual_fn(evaluated[group], residual)(u, points, extras, scalars)
        scale = 1 + float(jnp.max(jnp.abs(want)))
        assert want.shape == got.shape == (n, len(residual.exprs))
        assert float(jnp.max(jnp.abs(want - got))) <= 1e-14 * scale, group
    if module.exact is not None:
        want = exact_fn(printed[module.exact], len(problem.unknowns))(points)
        got = exact_fn(exact_function(lowered), len(problem.unknowns))(points)
        assert float(jnp.max(jnp.abs(want - got))) <= 1e-14 * (1 + float(jnp.max(jnp.abs(want))))


def test_evaluator_computes_the_residual_it_is_given():
    """u = x²: the residual -u'' + sqrt|u| - x^(3/2) - 2 is -4 + x - x^1.5, as numpy computes it."""
    compiled = parse("domain x in [0, 1]\nunknown u\npde: -dxx(u) + sqrt(abs(u)) - x^(3/2) = 2").compile()
    points = jnp.linspace(0.1, 0.9, 7)[:, None]
    value = compiled.groups[0].fn(lambda x: x**2, points)
    x = np.asarray(points)
    np.testing.assert_allclose(np.asarray(value), -4 + x - x**1.5, rtol=0, atol=1e-14)


def test_large_and_integer_constants_are_floats_or_small_integers():
    compiled = parse("let NA = 6.02e23\nlet n = 3\ndomain x in [0, 1]\nunknown u\npde: u / NA + u^n = 0").compile()
    value = compiled.groups[0].fn(lambda x: x, jnp.asarray([[0.5]]))
    np.testing.assert_allclose(np.asarray(value), [[0.5 / 6.02e23 + 0.125]], rtol=1e-15)


def test_a_head_outside_the_whitelist_is_refused_with_the_equation_position():
    import sympy

    from pdedsl.language import _evaluate

    problem = parse("domain x in [0, 1]\nunknown u\npde: u = 0")
    lowered = lower(to_sympy(problem.checked))
    (residual,) = lowered.residuals
    strange = residual.__class__(residual.condition, (sympy.gamma(residual.exprs[0]),), residual.coordinate_axes,
                                 residual.jets)
    with pytest.raises(PdeSemanticError, match="cannot generate code for this residual") as info:
        _evaluate.residual_functions(lowered.__class__(lowered.coordinates, lowered.parameters, (strange,), None))
    assert info.value.span.line == 3
