"""Compiled residual functions: jets by forward-mode autodiff, vmapped, against derivatives done by hand."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.language import parse
from pdedsl.language._lower import Jet
from pdedsl.language._residual import jet_values

# Calls go through jax.jit: one compilation instead of op-by-op dispatch keeps the tests fast.
POINTS = np.array([[0.1, 0.7], [0.4, 0.2], [0.9, 0.5]])


def field(x):
    """u(x, y) = x³ y² + sin(y), v(x, y) = x y: a hand-differentiable pair, (2,) -> (2,)."""
    return jnp.stack([x[0] ** 3 * x[1] ** 2 + jnp.sin(x[1]), x[0] * x[1]])


def test_jets_of_every_order_match_hand_derivatives():
    x, y = 0.4, 0.2
    jets = tuple(Jet(None, unknown, index) for unknown, index in [
        (0, (0, 0)), (0, (1, 0)), (0, (0, 1)), (0, (2, 0)), (0, (1, 1)), (0, (0, 2)),
        (0, (2, 1)), (0, (3, 2)), (1, (1, 1)), (1, (0, 0))])
    values = [float(v) for v in jax.jit(lambda p: jet_values(field, p, jets))(jnp.array([x, y]))]
    expected = [x**3 * y**2 + np.sin(y), 3 * x**2 * y**2, 2 * x**3 * y + np.cos(y), 6 * x * y**2, 6 * x**2 * y,
                2 * x**3 - np.sin(y), 12 * x * y, 12.0, 1.0, x * y]
    np.testing.assert_allclose(values, expected, rtol=1e-14, atol=1e-14)


def test_group_functions_evaluate_lhs_minus_rhs_at_every_point():
    problem = parse("domain x in [0, 1], y in [0, 1]\nunknown u, v\n"
                    "pde: lap(u) + dxy(u) = v\npde: d(u, x, x, y) = 12 * x * y\n"
                    "boundary: u = 0 on x = 0, x = 1 weight 3").compile()
    pde, pde2, boundary = problem.groups
    x, y = POINTS[:, 0], POINTS[:, 1]
    u = x**3 * y**2 + np.sin(y)
    expected = 6 * x * y**2 + 2 * x**3 - np.sin(y) + 6 * x**2 * y - x * y
    evaluate = jax.jit(lambda fn, points: fn(field, points), static_argnums=0)
    out = evaluate(pde.fn, jnp.asarray(POINTS))
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-13)
    np.testing.assert_allclose(evaluate(pde2.fn, jnp.asarray(POINTS))[:, 0], 0.0, atol=1e-13)
    np.testing.assert_allclose(evaluate(boundary.fn, jnp.asarray(POINTS))[:, 0], u, rtol=1e-14)
    assert (boundary.weight, boundary.n_components, boundary.line) == (3.0, 1, 5)


def test_constant_residuals_broadcast_and_dtype_follows_points():
    problem = parse("domain x in [0, 1]\nunknown u\npde: dx(u) = 1\nexact: u = 2").compile()
    (pde,) = problem.groups
    out = jax.jit(lambda p: pde.fn(lambda x: jnp.stack([x[0] ** 2]), p))(jnp.asarray(POINTS[:, :1], jnp.float32))
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out[:, 0], 2 * POINTS[:, 0] - 1, rtol=1e-6)
    exact = problem.exact(jnp.asarray(POINTS[:, :1]))
    assert exact.shape == (3, 1) and exact.dtype == jnp.float64
    np.testing.assert_array_equal(exact, 2.0)


@pytest.mark.parametrize("spec", [
    "domain t in [0, 1], x in [0, 1]\nunknown u\npde: dt(u) - dxx(u) / 4 = 0\n"
    "exact: u = exp(-pi^2 * t / 4) * sin(pi * x)",
    "domain x in [0, 1]^3\nunknown u\npde: -lap(u) = pi^2 * sum(k = 1..3, sin(pi * x[k]))\n"
    "exact: u = sum(k = 1..3, sin(pi * x[k]))",
])
def test_exact_solutions_make_the_residual_vanish(spec):
    compiled = parse(spec).compile()
    points = jnp.asarray(np.random.default_rng(0).uniform(size=(20, compiled.domain.dim)))
    out = jax.jit(lambda p: compiled.groups[0].fn(lambda x: compiled.exact(x[None])[0], p))(points)
    assert float(jnp.max(jnp.abs(out))) < 1e-12
