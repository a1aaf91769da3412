"""The self-scaled Broyden update and optimizer, against the secant equation and numpy's least squares."""

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.solvers import run
from pdedsl.solvers._quasi_newton import SSBroyden, ssbroyden_update


def _pair(seed, n=6):
    """(H, s, y, η, ∇) for a step s = −η H∇ on a convex quadratic (y = G s, yᵀs > 0), H any SPD matrix."""
    rng = np.random.default_rng(seed)
    m, k = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    hessian, h_inv = m @ m.T + n * np.eye(n), k @ k.T + np.eye(n)
    grad, eta = rng.normal(size=n), 0.7
    s = -eta * h_inv @ grad
    return jnp.asarray(h_inv), jnp.asarray(s), jnp.asarray(hessian @ s), eta, jnp.asarray(grad)


def test_update_satisfies_the_secant_equation_and_stays_positive_definite():
    for seed in range(4):
        for first in (False, True):
            h_inv, s, y, eta, grad = _pair(seed)
            new, ok = ssbroyden_update(h_inv, s, y, jnp.asarray(eta), grad, jnp.asarray(first))
            assert bool(ok)
            np.testing.assert_allclose(new @ y, s, rtol=1e-10, atol=1e-13)  # H₊y = s for every member
            np.testing.assert_allclose(new, new.T, rtol=1e-12, atol=1e-14)
            assert np.linalg.eigvalsh(np.asarray(new)).min() > 0


def test_update_skips_a_pair_without_positive_curvature():
    h_inv, s, y, eta, grad = _pair(0)
    new, ok = ssbroyden_update(h_inv, s, -y, jnp.asarray(eta), grad, jnp.asarray(False))
    assert not bool(ok)
    np.testing.assert_array_equal(new, h_inv)


def test_ssbroyden_solves_a_least_squares_problem_and_its_step_is_jitted():
    rng = np.random.default_rng(0)
    a = jnp.asarray(rng.normal(size=(12, 4)))
    b = jnp.asarray(rng.normal(size=12))
    residual = lambda x, d: d["A"] @ x - d["b"]
    data = {"A": a, "b": b}
    x_star = np.linalg.lstsq(np.asarray(a), np.asarray(b), rcond=None)[0]
    out = run(SSBroyden(), residual, jnp.zeros(4), data, steps=15)
    np.testing.assert_allclose(out.params, x_star, rtol=1e-10, atol=1e-12)
    # a quasi-Newton method on a 4-unknown quadratic: far from the answer after one step, exact within 15
    first = run(SSBroyden(), residual, jnp.zeros(4), data, steps=1)
    assert np.linalg.norm(np.asarray(first.params) - x_star) > 1e-3
    opt = SSBroyden()
    jitted = jax.jit(opt.step, static_argnums=0)
    _, state, stats = jitted(residual, jnp.zeros(4), opt.init(residual, jnp.zeros(4), data), data)
    assert int(state.step) == 1 and bool(state.paired) and int(state.updates) == 0
    assert float(stats["loss_after"]) < float(stats["loss"])
