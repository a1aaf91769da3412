"""The randomized low-rank factorisation against numpy's SVD, the sketch ladder, and the optimizers'
choice between sketch and thin SVD (same rank, same step)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.solvers import ENGD, AMStramGRAM, ANaGRAM, make_optimizer
from pdedsl.solvers._amstramgram import reconstruction_errors
from pdedsl.solvers import _factorization
from pdedsl.solvers._factorization import SketchLadder, randomized_projection, spectral_projection

MIN_AUTO_FULL = _factorization.MIN_AUTO_FULL  # as shipped, before the fixture below lowers it


@pytest.fixture(autouse=True)
def sketch_small_matrices(monkeypatch):
    """The tests' matrices are small (min(S, P) = 160) so that they run fast; "auto" would factor them
    with the thin SVD outright. Let it sketch them, as it does matrices of MIN_AUTO_FULL and more."""
    monkeypatch.setattr(_factorization, "MIN_AUTO_FULL", 0)


def _matrix(shape, spectrum, seed):
    """A (S, P) matrix with the given singular values and random orthonormal singular vectors."""
    rng = np.random.default_rng(seed)
    k = len(spectrum)
    left, _ = np.linalg.qr(rng.normal(size=(shape[0], k)))
    right, _ = np.linalg.qr(rng.normal(size=(shape[1], k)))
    return left @ np.diag(spectrum) @ right.T


def _exact_rce(jac, r, n):
    u, _, _ = np.linalg.svd(jac, full_matrices=False)
    return np.linalg.norm(r - u[:, :n] @ (u[:, :n].T @ r))


@pytest.mark.parametrize("shape", [(300, 120), (120, 300)])
def test_sketch_matches_numpy_svd_on_a_decaying_spectrum(shape):
    spectrum = 10.0 ** (-np.arange(min(shape)) / 8)  # 1 down to ~1e-15
    jac = _matrix(shape, spectrum, seed=1)
    r = np.random.default_rng(2).normal(size=shape[0])
    proj = randomized_projection(jnp.asarray(jac), jnp.asarray(r), 48)
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    lead = 36  # the trusted 3/4 of the sketch
    np.testing.assert_allclose(proj.singular_values[:lead], s[:lead], rtol=1e-9, atol=1e-14)
    # right vectors up to sign, where the singular values are well above the sketch's tail
    v = np.asarray(proj.right_vectors[:, :24])
    np.testing.assert_allclose(np.abs(np.sum(v * vt[:24].T, axis=0)), 1.0, atol=1e-8)
    # the residual outside the computed range, and RCE_n for every computed n, are exact for these
    # 48 vectors; against the true SVD they agree where the sketch is accurate
    total = float(proj.outside_sq + jnp.sum(jnp.square(proj.coefficients)))
    np.testing.assert_allclose(total, r @ r, rtol=1e-13)
    rce = np.asarray(reconstruction_errors(proj.outside_sq, proj.coefficients))
    for n in (0, 1, 10, 24):
        np.testing.assert_allclose(rce[n], _exact_rce(jac, r, n), rtol=1e-10)
    np.testing.assert_allclose(rce[lead], _exact_rce(jac, r, lead), rtol=1e-6)


def test_sketch_of_an_exactly_low_rank_matrix_is_exact_and_pads_with_zeros():
    jac = _matrix((200, 90), np.array([5.0, 2.0, 1.0, 0.5, 0.1, 1e-3]), seed=3)
    r = np.random.default_rng(4).normal(size=200)
    proj = randomized_projection(jnp.asarray(jac), jnp.asarray(r), 16)
    exact = spectral_projection(jnp.asarray(jac), jnp.asarray(r))
    np.testing.assert_allclose(proj.singular_values[:6], [5.0, 2.0, 1.0, 0.5, 0.1, 1e-3], rtol=1e-12)
    assert float(jnp.max(proj.singular_values[6:])) < 1e-13
    # the whole range is captured: the part of r outside it is the least-squares residual
    outside = np.sum(np.square(r - jac @ np.linalg.lstsq(jac, r, rcond=None)[0]))
    np.testing.assert_allclose(float(proj.outside_sq) + float(jnp.sum(jnp.square(proj.coefficients[6:]))),
                               outside, rtol=1e-10)
    np.testing.assert_allclose(np.abs(proj.coefficients[:6]), np.abs(exact.coefficients[:6]), rtol=1e-10)


def test_ladder_sizes_trust_and_next_level():
    ladder = SketchLadder.build("auto", 2300, 1185)
    assert ladder.sizes == (16, 24, 32, 48, 64, 96, 128, 192, 256) and ladder.full == 1185
    assert ladder.trusted == (12, 18, 24, 36, 48, 72, 96, 144, 192, 1185)
    # the next level trusts 1.5× the need: 35 → 53 components → 96 (72 trusted); 200 → the SVD
    decaying = jnp.asarray(10.0 ** (-np.arange(1185) / 8))
    assert [int(ladder.next_level(decaying, n)) for n in (0, 8, 35, 128, 200)] == [0, 0, 5, 8, 9]
    # a flat spectrum: no sketch resolves 10 components (the 16th value is not 10x below the 10th)
    flat = jnp.asarray(np.linspace(1.0, 0.5, 1185))
    assert int(ladder.next_level(flat, 10)) == 9
    assert SketchLadder.build("svd", 2300, 1185).sizes == ()
    assert SketchLadder.build("auto", 40, 7).sizes == ()  # too small to gain: always the thin SVD
    assert SketchLadder.build("lowrank", 300, 129).sizes == (16, 24, 32, 48, 64, 129)
    with pytest.raises(ValueError, match="unknown factorization 'qr'; expected one of auto, svd, lowrank"):
        SketchLadder.build("qr", 10, 10)
    with pytest.raises(ValueError, match="setting 'factorization' must be one of auto, svd, lowrank"):
        make_optimizer("anagram", factorization="qr")


def test_auto_factors_matrices_below_min_auto_full_by_the_thin_svd(monkeypatch):
    monkeypatch.setattr(_factorization, "MIN_AUTO_FULL", MIN_AUTO_FULL)
    assert MIN_AUTO_FULL == 512
    assert SketchLadder.build("auto", 900, 129).sizes == ()  # a sketch costs about what the SVD does
    assert SketchLadder.build("auto", 1016, 511).sizes == ()
    assert SketchLadder.build("auto", 1016, 512).sizes == (16, 24, 32, 48, 64, 96, 128)
    assert SketchLadder.build("lowrank", 900, 129).sizes == (16, 24, 32, 48, 64, 129)  # asked for: always


def _linear_problem(spectrum, shape=(300, 160), seed=0):
    jac = _matrix(shape, spectrum, seed)
    b = jnp.asarray(np.random.default_rng(seed + 1).normal(size=shape[0]))
    residual = lambda x, d: d["A"] @ x - d["b"]
    return residual, {"A": jnp.asarray(jac), "b": b}, jnp.zeros(shape[1])


def _one_step(opt, residual, data, x0, level=None):
    state = opt.init(residual, x0, data)
    if level is not None:
        state = state._replace(level=jnp.asarray(level, jnp.int32))
    x1, state1, stats = jax.jit(opt.step, static_argnums=0)(residual, x0, state, data)
    return np.asarray(x1), state1, stats


@pytest.mark.parametrize("cls", [AMStramGRAM, ANaGRAM, ENGD], ids=lambda c: c.__name__)
def test_the_sketch_path_takes_the_svd_paths_step_when_it_holds_the_rank(cls):
    # singular values 1 … 1e-3 over 10 components, then a tail at 1e-14: every rule keeps the 10
    spectrum = np.concatenate([np.logspace(0, -3, 10), np.full(150, 1e-14)])
    residual, data, x0 = _linear_problem(spectrum)
    kwargs = {ANaGRAM: {"cutoff": 1e-6}, AMStramGRAM: {"tau": 1e-5, "elbow": 0.0}, ENGD: {}}[cls]
    x_svd, _, stats_svd = _one_step(cls(factorization="svd", **kwargs), residual, data, x0)
    x_auto, state, stats_auto = _one_step(cls(factorization="auto", **kwargs), residual, data, x0)
    assert int(stats_svd["components"]) == 160
    assert int(stats_auto["components"]) == 16  # the smallest sketch holds the 10 components
    assert int(state.level) == 1  # the next step starts from 24 (18 trusted ≥ 1.5 × 10)
    if "rank" in stats_svd:
        assert int(stats_auto["rank"]) == int(stats_svd["rank"]) == 10
    np.testing.assert_allclose(x_auto, x_svd, rtol=1e-8, atol=1e-10 * np.abs(x_svd).max())
    np.testing.assert_allclose(stats_auto["loss_after"], stats_svd["loss_after"], rtol=1e-10)


def test_a_rule_needing_more_than_the_sketch_holds_climbs_the_ladder_then_falls_back_to_the_svd():
    spectrum = np.logspace(0, -2, 40)  # AMStramGRAM keeps many of these
    residual, data, x0 = _linear_problem(spectrum, shape=(300, 160))
    opt = AMStramGRAM(tau=1e-5, elbow=0.0)
    x_svd, _, stats_svd = _one_step(AMStramGRAM(tau=1e-5, elbow=0.0, factorization="svd"), residual, data, x0)
    x_auto, state, stats_auto = _one_step(opt, residual, data, x0, level=0)
    assert int(stats_svd["rank"]) == 40
    # sketches of 16, 24, 32 components (ladder up to 160/4 = 40) trust at most 24 < 40: the thin SVD
    assert int(stats_auto["components"]) == 160 and int(stats_auto["rank"]) == 40
    assert int(state.level) == 3  # 1.5 × 40 = 60 > 24: the next step goes straight to the SVD
    np.testing.assert_allclose(x_auto, x_svd, rtol=1e-12, atol=1e-14)
    # forced low rank: the ladder goes on to 48, 64 … and the 64 sketch (48 trusted) holds the 40
    x_low, _, stats_low = _one_step(AMStramGRAM(tau=1e-5, elbow=0.0, factorization="lowrank"), residual, data, x0)
    assert int(stats_low["components"]) == 64 and int(stats_low["rank"]) == 40
    np.testing.assert_allclose(x_low, x_svd, rtol=1e-7, atol=1e-9 * np.abs(x_svd).max())
