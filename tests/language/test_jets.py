"""Jets by forward-mode products along the named axes only (`jet_values`), against hand derivatives and
against the full nested-`jacfwd` Hessian they replaced — values and per-point parameter Jacobians."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.language._lower import Jet
from pdedsl.language._residual import _taylor_to_second_order, jet_values
from pdedsl.solvers import MLP


def jets_of(*entries):
    """Jets from (unknown, multi_index) pairs."""
    return tuple(Jet(None, unknown, tuple(index)) for unknown, index in entries)


def reference_jet_values(u, x, jets):
    """The former implementation: value, Jacobian and full Hessian by nested jacfwd; orders ≥ 3 by nested jvp."""
    hessian = jax.jacfwd(jax.jacfwd(u))(x)
    jacobian = jax.jacfwd(u)(x)
    value = u(x)
    out = []
    for jet in jets:
        axes = [axis for axis, count in enumerate(jet.multi_index) for _ in range(count)]
        if jet.order == 0:
            out.append(value[jet.unknown])
        elif jet.order == 1:
            out.append(jacobian[jet.unknown, axes[0]])
        elif jet.order == 2:
            out.append(hessian[jet.unknown, axes[0], axes[1]])
        else:
            f = u
            for axis in axes:
                f = (lambda g, e: lambda y: jax.jvp(g, (y,), (e,))[1])(f, jnp.zeros_like(x).at[axis].set(1.0))
            out.append(f(x)[jet.unknown])
    return out


def all_jets(dim, n_unknowns, max_order=2):
    indices = [index for index in itertools.product(range(max_order + 1), repeat=dim) if sum(index) <= max_order]
    return jets_of(*[(k, index) for k in range(n_unknowns) for index in indices])


def test_hand_derivatives_of_a_field_in_three_dimensions():
    # u = x² y + exp(z) x,  v = sin(x y z)
    def field(p):
        x, y, z = p
        return jnp.stack([x**2 * y + jnp.exp(z) * x, jnp.sin(x * y * z)])

    x, y, z = 0.3, -0.7, 0.4
    jets = jets_of((0, (2, 0, 0)), (0, (0, 0, 2)), (0, (1, 0, 1)), (0, (0, 1, 0)), (1, (1, 1, 0)), (1, (0, 0, 0)),
                   (0, (2, 1, 0)))
    got = jax.jit(lambda p: jnp.stack(jet_values(field, p, jets)))(jnp.array([x, y, z]))
    c, s = np.cos(x * y * z), np.sin(x * y * z)
    expected = [2 * y, np.exp(z) * x, np.exp(z), x**2, z * c - x * y * z**2 * s, s, 2.0]
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


def test_every_jet_to_second_order_equals_the_full_hessian():
    dim, n_unknowns = 3, 2
    model = MLP(dim, n_unknowns, (8,), "tanh")
    params = model.init(jax.random.PRNGKey(dim))
    jets = all_jets(dim, n_unknowns)
    point = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, dim))
    u = lambda y: model.apply(params, y)
    new = jax.jit(lambda p: jnp.stack(jet_values(u, p, jets)))(point)
    old = jax.jit(lambda p: jnp.stack(reference_jet_values(u, p, jets)))(point)
    np.testing.assert_allclose(new, old, rtol=1e-12, atol=1e-12 * float(jnp.max(jnp.abs(old))))


@pytest.mark.parametrize("pattern", ["laplacian", "heat and mixed"])
def test_per_point_parameter_jacobians_equal_the_full_hessian_ones(pattern):
    dim = 3
    jets = {
        "laplacian": jets_of(*[(0, tuple(2 * (a == k) for a in range(dim))) for k in range(dim)]),
        "heat and mixed": jets_of((0, (1, 0, 0)), (0, (0, 0, 2)), (0, (0, 0, 0)), (0, (1, 1, 0)), (0, (0, 1, 1))),
    }[pattern]
    model = MLP(dim, 1, (16,), "tanh")
    params = model.init(jax.random.PRNGKey(1))
    points = jnp.asarray(np.random.default_rng(1).uniform(0, 1, (5, dim)))

    def jacobian(values_fn):
        def point(p, x):
            return jnp.stack(values_fn(lambda y: model.apply(p, y), x, jets))

        return jax.jit(jax.vmap(jax.jacrev(point), in_axes=(None, 0)))(params, points)

    new, old = jacobian(jet_values), jacobian(reference_jet_values)
    for a, b in zip(jax.tree_util.tree_leaves(new), jax.tree_util.tree_leaves(old)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * float(jnp.max(jnp.abs(b))))


def test_only_the_named_derivatives_are_computed():
    # a 5-D Laplacian: value, the five u_i and u_ii — no mixed u_ij, no Hessian
    dim = 5
    jets = jets_of((0, (0,) * dim), *[(0, tuple(2 * (a == k) for a in range(dim))) for k in range(dim)])
    derivatives = _taylor_to_second_order(lambda y: jnp.sum(jnp.sin(y))[None], jnp.ones(dim), list(jets))
    assert set(derivatives) == {()} | {(k,) for k in range(dim)} | {(k, k) for k in range(dim)}
    # first derivatives alone: one jvp per axis named, nothing of second order
    derivatives = _taylor_to_second_order(lambda y: y[:1], jnp.ones(dim), list(jets_of((0, (0, 1, 0, 0, 0)))))
    assert set(derivatives) == {(), (1,)}


def test_dtype_follows_the_point():
    jets = jets_of((0, (2, 0)), (0, (1, 1)), (0, (0, 1)))
    field = lambda p: jnp.stack([p[0] ** 2 * p[1]])
    values = jax.jit(lambda p: jet_values(field, p, jets))(jnp.array([0.5, 2.0], jnp.float32))
    assert all(v.dtype == jnp.float32 for v in values)
    np.testing.assert_allclose([float(v) for v in values], [4.0, 1.0, 0.25], rtol=1e-6)
