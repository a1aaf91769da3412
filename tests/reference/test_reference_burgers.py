"""Burgers reference: Cole–Hopf quadrature self-convergence, independent checks, PDE residual."""

from pathlib import Path

import mpmath as mp
import numpy as np
import pytest

from pdedsl.reference import burgers_grid, burgers_initial, burgers_solution, load_reference
from pdedsl.reference._burgers import NU

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"

# points near the shock (x = 0, t -> 1) and in smooth regions
SHOCK_T = np.array([0.9, 0.99, 1.0, 1.6037 / np.pi])[:, None]
SHOCK_X = np.array([-1e-2, -1e-3, -1e-4, 0.0, 1e-4, 1e-3, 3e-3, 1e-2])[None, :]


def test_node_doubling_agrees_to_1e12_near_the_shock():
    u_n = burgers_solution(SHOCK_T, SHOCK_X, n_nodes=129)
    u_2n = burgers_solution(SHOCK_T, SHOCK_X, n_nodes=257)
    u_4n = burgers_solution(SHOCK_T, SHOCK_X, n_nodes=513)
    assert np.abs(u_n - u_2n).max() < 1e-13
    assert np.abs(u_2n - u_4n).max() < 1e-13
    # and the quadrature is genuinely resolving something: too few nodes is visibly wrong
    assert np.abs(burgers_solution(SHOCK_T, SHOCK_X, n_nodes=49) - u_2n).max() > 1e-6


def test_node_doubling_on_a_coarse_grid():
    t, x = np.linspace(0.01, 1, 12)[:, None], np.linspace(-1, 1, 41)[None, :]
    assert np.abs(burgers_solution(t, x, n_nodes=129) - burgers_solution(t, x, n_nodes=257)).max() < 1e-13


def test_matches_40_digit_mpmath_quadrature():
    mp.mp.dps = 40
    nu = mp.mpf("0.01") / mp.pi
    for t, x in [(1.0, -0.01), (0.5, 0.0005)]:
        c = 2 * mp.sqrt(nu * t)
        log_w = lambda s: -s**2 - mp.cos(mp.pi * (x - c * s)) / (2 * mp.pi * nu) - 50  # noqa: E731
        nodes = mp.linspace(-14, 14, 57)
        num = mp.quad(lambda s: mp.sin(mp.pi * (x - c * s)) * mp.exp(log_w(s)), nodes)
        den = mp.quad(lambda s: mp.exp(log_w(s)), nodes)
        assert abs(float(burgers_solution(t, x)) - float(-num / den)) < 1e-14
    mp.mp.dps = 15


def test_basdevant_maximal_slope():
    # Basdevant et al. (1986): du/dx(t = 1.6037/pi, x = 0) = -152.00516
    t, h = 1.6037 / np.pi, 1e-5
    u = burgers_solution(t, np.array([-2 * h, -h, h, 2 * h]))
    slope = (u[0] - 8 * u[1] + 8 * u[2] - u[3]) / (12 * h)
    assert abs(slope - (-152.00516)) < 2e-5


def test_boundary_initial_condition_and_symmetry():
    t = np.linspace(0, 1, 21)
    assert np.abs(burgers_solution(t, 1.0)).max() < 1e-15
    assert np.abs(burgers_solution(t, -1.0)).max() < 1e-15
    x = np.linspace(-1, 1, 33)
    np.testing.assert_array_equal(burgers_solution(0.0, x), -np.sin(np.pi * x))
    np.testing.assert_array_equal(burgers_initial(x), -np.sin(np.pi * x))
    # continuity at t = 0+: u(t) = u0 + t (nu u0'' - u0 u0') + O(t^2)
    tau = 1e-6
    du = burgers_solution(tau, x) - burgers_initial(x)
    expected = tau * (NU * np.pi**2 * np.sin(np.pi * x) - np.pi * np.sin(np.pi * x) * np.cos(np.pi * x))
    assert np.abs(du - expected).max() < 1e-10
    assert np.abs(burgers_solution(t[:, None], -x) + burgers_solution(t[:, None], x)).max() < 1e-14


def test_pde_residual_by_finite_differences_in_smooth_regions():
    # 4th-order central differences; smooth region |x| >= 0.2 (away from the shock at x = 0)
    tt, xx = np.meshgrid(np.linspace(0.1, 0.9, 9), np.r_[-0.9:-0.19:0.1, 0.2:0.91:0.1], indexing="ij")
    h, k = 1e-3, 1e-3
    sx = np.array([-2, -1, 0, 1, 2])[:, None, None]
    u_x5 = burgers_solution(tt, xx + sx * h)  # (5, 9, 15)
    u_t5 = burgers_solution(tt + sx * k, xx)
    u = u_x5[2]
    ux = (u_x5[0] - 8 * u_x5[1] + 8 * u_x5[3] - u_x5[4]) / (12 * h)
    uxx = (-u_x5[0] + 16 * u_x5[1] - 30 * u + 16 * u_x5[3] - u_x5[4]) / (12 * h * h)
    ut = (u_t5[0] - 8 * u_t5[1] + 8 * u_t5[3] - u_t5[4]) / (12 * k)
    residual = ut + u * ux - NU * uxx
    assert np.abs(ut).max() > 0.1  # the terms are O(1); their sum vanishes
    assert np.abs(residual).max() < 1e-8


def test_shipped_file_matches_fresh_evaluation():
    ref = load_reference(DATA / "burgers_reference.npz")
    rng = np.random.default_rng(0)
    idx = np.concatenate([rng.choice(ref.values.shape[0], 40, replace=False), [ref.values.shape[0] - 128]])
    pts = ref.points[idx]
    fresh = burgers_solution(pts[:, 0], pts[:, 1], n_nodes=193)
    assert np.abs(fresh - ref.values[idx, 0]).max() < 1e-10


def test_grid_helper_shapes():
    t, x, u = burgers_grid(5, 7)
    assert t.shape == (5,) and x.shape == (7,) and u.shape == (5, 7)
    assert burgers_solution(0.5, 0.25).shape == ()


def test_rejects_negative_time():
    with pytest.raises(ValueError, match="finite t >= 0"):
        burgers_solution(-0.1, 0.0)
