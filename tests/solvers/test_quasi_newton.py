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


def test_a_search_without_decrease_is_not_taken_and_h_starts_again():
    # an ascent direction (H = −I): no step size decreases the loss, so θ stays and H is reset
    rng = np.random.default_rng(1)
    a, b = jnp.asarray(rng.normal(size=(8, 3))), jnp.asarray(rng.normal(size=8))
    residual, data, x0 = (lambda x, d: d["A"] @ x - d["b"]), {"A": a, "b": b}, jnp.zeros(3)
    opt = SSBroyden()
    state = opt.init(residual, x0, data)._replace(inverse_hessian=-jnp.eye(3), updates=jnp.asarray(4, jnp.int32))
    x1, state1, stats = jax.jit(opt.step, static_argnums=0)(residual, x0, state, data)
    np.testing.assert_array_equal(x1, x0)
    assert int(state1.updates) == 0 and not bool(state1.paired) and float(stats["step_size"]) == 0.0
    assert float(stats["loss_after"]) == float(stats["loss"])
    # the next step starts from a multiple of I (a gradient step) and decreases the loss again
    x2, _, stats2 = opt.step(residual, x1, state1, data)
    assert float(stats2["loss_after"]) < float(stats2["loss"])
