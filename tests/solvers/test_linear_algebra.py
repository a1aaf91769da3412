"""Natural-gradient linear algebra against numpy on a model linear in θ: r(θ) = Aθ − b."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.solvers import ENGD, ANaGRAM, AMStramGRAM, Status, residual_and_jacobian
from pdedsl.solvers._amstramgram import reconstruction_errors
from pdedsl.solvers._factorization import spectral_projection


def _linear(seed=0, shape=(40, 7), spectrum=None):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shape)
    if spectrum is not None:
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        a = u @ np.diag(spectrum) @ vt
    b = rng.normal(size=shape[0])
    data = {"A": jnp.asarray(a), "b": jnp.asarray(b)}
    residual_fn = lambda p, d: d["A"] @ p["x"] - d["b"]
    return a, b, data, residual_fn


def _step(opt, residual_fn, x0, data):
    params = {"x": jnp.asarray(x0)}
    state = opt.init(residual_fn, params, data)
    new, _, stats = jax.jit(opt.step, static_argnums=0)(residual_fn, params, state, data)
    return np.asarray(new["x"]), stats


def test_jacobian_of_linear_residual_is_the_matrix():
    a, b, data, res = _linear()
    x = np.linspace(-1, 1, 7)
    for mode in ("fwd", "rev"):
        r, jac = residual_and_jacobian(res, {"x": jnp.asarray(x)}, data, mode)
        np.testing.assert_allclose(jac, a, rtol=0, atol=1e-14)
        np.testing.assert_allclose(r, a @ x - b, rtol=0, atol=1e-14)


def test_anagram_full_step_equals_lstsq():
    a, b, data, res = _linear()
    x0 = np.random.default_rng(5).normal(size=7)
    opt = ANaGRAM(cutoff=0.0, step_sizes=(1.0,))
    x1, stats = _step(opt, res, x0, data)
    expected = np.linalg.lstsq(a, b, rcond=None)[0]
    np.testing.assert_allclose(x1, expected, rtol=0, atol=1e-10)
    assert int(stats["rank"]) == 7
    np.testing.assert_allclose(stats["loss"], 0.5 * np.sum((a @ x0 - b) ** 2), rtol=1e-13)


@pytest.mark.parametrize("cutoff", [1e-3, 1e-6])
def test_truncated_pseudo_inverse_equals_numpy_pinv(cutoff):
    spectrum = np.array([10.0, 3.0, 1.0, 2e-3, 5e-5, 1e-6 * 10 * 0.5, 1e-9])
    a, b, data, res = _linear(seed=1, spectrum=spectrum)
    x0 = np.zeros(7)
    x1, stats = _step(ANaGRAM(cutoff=cutoff, step_sizes=(1.0,)), res, x0, data)
    # numpy keeps s > rcond * s_max, the same strict relative rule
    expected = np.linalg.pinv(a, rcond=cutoff) @ b
    np.testing.assert_allclose(x1, expected, rtol=1e-10, atol=1e-12)
    assert int(stats["rank"]) == int(np.sum(spectrum > cutoff * spectrum[0]))


def test_absolute_cutoff_and_all_zero_matrix():
    spectrum = np.array([10.0, 3.0, 1.0, 0.5, 0.2, 0.05, 0.01])
    a, b, data, res = _linear(seed=2, spectrum=spectrum)
    x1, stats = _step(ANaGRAM(cutoff=0.3, relative=False, step_sizes=(1.0,)), res, np.zeros(7), data)
    np.testing.assert_allclose(x1, np.linalg.pinv(a, rcond=0.3 / 10.0) @ b, rtol=1e-10, atol=1e-12)
    assert int(stats["rank"]) == 4
    zero = {"A": jnp.zeros((40, 7)), "b": data["b"]}
    x1, stats = _step(ANaGRAM(step_sizes=(1.0,)), res, np.ones(7), zero)
    np.testing.assert_array_equal(x1, np.ones(7))
    assert int(stats["rank"]) == 0


def test_engd_direction_equals_anagram_on_full_rank_problem():
    a, b, data, res = _linear(seed=3)
    x0 = np.random.default_rng(0).normal(size=7)
    x_engd, _ = _step(ENGD(step_sizes=(1.0,)), res, x0, data)
    x_ana, _ = _step(ANaGRAM(cutoff=0.0, step_sizes=(1.0,)), res, x0, data)
    np.testing.assert_allclose(x_engd, x_ana, rtol=0, atol=1e-10)


def test_line_search_picks_grid_minimiser():
    # r = θ − 1 from θ = 0 with direction d = θ − 1 = −1: best η is 1 on the grid, loss → 0
    a, b, data, res = _linear(seed=4, shape=(7, 7))
    x1, stats = _step(ANaGRAM(cutoff=0.0), res, np.zeros(7), data)
    assert float(stats["step_size"]) == 1.0
    assert float(stats["loss_after"]) < 1e-20


@pytest.mark.parametrize("target", [1.0, 0.3, 0.011, 2.0**-17, 3e-9])
def test_coarse_to_fine_search_finds_the_exhaustive_grid_minimiser(target):
    # loss(η) = ½‖θ − η d − θ*‖² with θ* = target·d: unimodal in η, minimised on the grid near `target`
    from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search

    d = jnp.linspace(1.0, 2.0, 5)
    residual = lambda theta: theta - (-target * d)
    theta0 = jnp.zeros(5)
    loss0 = 0.5 * float(jnp.sum(jnp.square(residual(theta0))))
    full = grid_line_search(residual, theta0, d, loss0, DEFAULT_STEP_SIZES, reject=True, stride=1)
    fast = grid_line_search(residual, theta0, d, loss0, DEFAULT_STEP_SIZES, reject=True, stride=3)
    etas = np.asarray(DEFAULT_STEP_SIZES)
    expected = etas[np.argmin(np.abs(etas - target))] if target >= etas[-1] else etas[-1]
    assert float(full.step_size) == float(fast.step_size) == expected
    np.testing.assert_array_equal(np.asarray(full.theta), np.asarray(fast.theta))


def test_reconstruction_errors_match_projection_norms():
    rng = np.random.default_rng(7)
    jac = rng.normal(size=(30, 6))
    r = rng.normal(size=30)
    proj = spectral_projection(jnp.asarray(jac), jnp.asarray(r))
    rce = np.asarray(reconstruction_errors(proj.outside_sq, proj.coefficients))
    u, s, vt = np.linalg.svd(jac, full_matrices=False)
    np.testing.assert_allclose(proj.singular_values, s, rtol=1e-13)
    for n in range(7):
        expected = np.linalg.norm(r - u[:, :n] @ (u[:, :n].T @ r))
        np.testing.assert_allclose(rce[n], expected, rtol=1e-12)


def test_amstramgram_stops_when_residual_below_eps():
    a, b, data, res = _linear(seed=5, shape=(7, 7))
    x_exact = np.linalg.solve(a, b)
    x1, stats = _step(AMStramGRAM(eps=1e-6), res, x_exact, data)
    assert Status.from_code(stats["status"]) is Status.CONVERGED and int(stats["rank_eps"]) == 0
    np.testing.assert_array_equal(x1, x_exact)


def test_amstramgram_column_scaling_makes_the_step_invariant_to_parameter_units():
    # x = D y: the same problem in other units. With scale_columns the truncated step is the same
    # point in x; without it the rank rule sees different singular values and takes another step.
    a, b, data, res = _linear(seed=6, shape=(40, 7), spectrum=[10.0, 3.0, 1.0, 0.3, 1e-2, 1e-4, 1e-6])
    units = np.array([1.0, 100.0, 1e-2, 10.0, 1.0, 1e3, 0.1])
    scaled = {"A": data["A"] * jnp.asarray(units), "b": data["b"]}
    x0 = np.zeros(7)
    steps = {}
    for flag in (True, False):
        opt = AMStramGRAM(scale_columns=flag, tau=0.05, elbow=0.0)
        x1, stats_x = _step(opt, res, x0, data)
        y1, stats_y = _step(opt, res, x0 / units, scaled)
        steps[flag] = (x1, units * y1, int(stats_x["rank"]), int(stats_y["rank"]))
    x1, x1_from_y, rank_x, rank_y = steps[True]
    np.testing.assert_allclose(x1_from_y, x1, rtol=1e-9, atol=1e-12)
    assert rank_x == rank_y
    x1, x1_from_y, _, _ = steps[False]
    assert np.linalg.norm(x1_from_y - x1) > 1e-3 * np.linalg.norm(x1)
