"""The Adam → L-BFGS recipe, L-BFGS itself, and ANaGRAM with momentum, against hand computations."""

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.solvers import LBFGS, Adam, AdamLBFGS, make_optimizer, run


def _least_squares():
    rng = np.random.default_rng(0)
    a = jnp.asarray(rng.normal(size=(12, 4)))
    b = jnp.asarray(rng.normal(size=12))
    return (lambda x, d: d["A"] @ x - d["b"]), {"A": a, "b": b}, np.linalg.lstsq(a, b, rcond=None)[0]


def test_adam_lbfgs_switches_at_the_given_step_then_converges():
    residual, data, x_star = _least_squares()
    opt = make_optimizer("adam_lbfgs", adam_steps=5, learning_rate=0.05)
    assert opt == AdamLBFGS(learning_rate=0.05, adam_steps=5, memory_size=50)
    out = run(opt, residual, jnp.zeros(4), data, steps=30)
    assert out.history["stage"].tolist()[:7] == [0, 0, 0, 0, 0, 1, 1]
    # the first five steps are plain Adam's, bit for bit
    adam = run(Adam(learning_rate=0.05), residual, jnp.zeros(4), data, steps=5)
    np.testing.assert_array_equal(out.history["loss"][:5], adam.history["loss"])
    np.testing.assert_array_equal(out.history["step_size"][:5], 0.05)
    # L-BFGS then solves the least-squares problem to round-off (Adam alone is far from it)
    best = 0.5 * float(np.sum(np.square(np.asarray(data["A"]) @ x_star - np.asarray(data["b"]))))
    assert out.history["loss"][5] > best + 1e-2
    np.testing.assert_allclose(out.params, x_star, rtol=1e-9, atol=1e-12)
    jitted = jax.jit(opt.step, static_argnums=0)
    _, state, _ = jitted(residual, jnp.zeros(4), opt.init(residual, jnp.zeros(4), data), data)
    assert int(state.step) == 1


def test_lbfgs_solves_a_least_squares_problem_in_a_few_steps():
    # on a quadratic in 4 unknowns L-BFGS with a line search from η = 1 is exact within a few steps;
    # a search that keeps the last η instead crawls like gradient descent
    residual, data, x_star = _least_squares()
    out = run(LBFGS(), residual, jnp.zeros(4), data, steps=12)
    np.testing.assert_allclose(out.params, x_star, rtol=1e-10, atol=1e-12)


def _anagram_steps(steps, **momentum):
    rng = np.random.default_rng(5)
    a = jnp.asarray(rng.normal(size=(9, 4)))
    b = jnp.asarray(rng.normal(size=9))
    residual = lambda x, d: d["A"] @ x - d["b"]
    opt = make_optimizer("anagram", step_sizes=[1.0], cutoff=1e-12, **momentum)
    out = run(opt, residual, jnp.zeros(4), {"A": a, "b": b}, steps=steps)
    return np.asarray(out.params), np.linalg.lstsq(np.asarray(a), np.asarray(b), rcond=None)[0]


def test_natural_gradient_with_heavy_ball_momentum_in_function_space():
    # v1 = r0 → x1 = 0 − A⁺r0 = x*; v2 = β r0 + r1 and A⁺r1 = 0 (r1 ⟂ range A) → x2 = x* − β A⁺r0 = (1 + β) x*
    beta = 0.5
    x1, x_star = _anagram_steps(1, momentum=beta)
    np.testing.assert_allclose(x1, x_star, rtol=1e-12)
    x2, _ = _anagram_steps(2, momentum=beta)
    np.testing.assert_allclose(x2, (1 + beta) * x_star, rtol=1e-12)
    plain, _ = _anagram_steps(2)  # without momentum the second step stays at x*
    np.testing.assert_allclose(plain, x_star, rtol=1e-12)


def test_natural_gradient_with_nesterov_momentum_in_function_space():
    # step 1 applies A⁺ to r0 + β v1 = (1 + β) r0 → x1 = (1 + β) x*; then A⁺r1 = β x* and v2 = β r0 + r1 has
    # A⁺v2 = −β x* + β x* = 0, so step 2 applies A⁺(r1 + β v2) = β x* → x2 = x*
    beta = 0.5
    x1, x_star = _anagram_steps(1, momentum=beta, nesterov=True)
    np.testing.assert_allclose(x1, (1 + beta) * x_star, rtol=1e-12)
    x2, _ = _anagram_steps(2, momentum=beta, nesterov=True)
    np.testing.assert_allclose(x2, x_star, rtol=1e-12)
