"""Allen–Cahn reference: Chebyshev building blocks, self-convergence, the shipped file."""

from pathlib import Path

import numpy as np
import pytest

from pdedsl.reference import (
    allen_cahn_chebyshev,
    allen_cahn_initial,
    barycentric_interpolate,
    chebyshev_points,
    load_reference,
)
from pdedsl.reference._allen_cahn import chebyshev_d2

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def test_chebyshev_points_are_symmetric_lobatto_points():
    x = chebyshev_points(8)
    assert x[0] == 1.0 and x[-1] == -1.0 and x[4] == 0.0
    np.testing.assert_array_equal(x, -x[::-1])
    np.testing.assert_allclose(x, np.cos(np.pi * np.arange(9) / 8), atol=1e-16)


def test_d2_differentiates_polynomials_and_kills_constants():
    x, d2 = chebyshev_d2(24)
    np.testing.assert_allclose(d2 @ x**6, 30 * x**4, rtol=0, atol=1e-10)
    assert np.abs(d2 @ np.ones_like(x)).max() < 1e-9


def test_barycentric_interpolation_is_exact_for_polynomials_and_at_nodes():
    n = 16
    x = chebyshev_points(n)
    p = lambda z: 3 * z**7 - z**4 + 0.5 * z  # noqa: E731
    z = np.linspace(-1, 1, 37)  # contains the nodes +-1 and 0
    vals = np.stack([p(x), 2 * p(x)])  # (2, n+1): leading axes are carried along
    out = barycentric_interpolate(vals, z)
    assert out.shape == (2, 37)
    np.testing.assert_allclose(out[0], p(z), rtol=0, atol=1e-14)
    np.testing.assert_allclose(out[1], 2 * p(z), rtol=0, atol=1e-14)
    assert out[0, 0] == p(x)[-1] and out[0, 18] == p(x)[n // 2]


def test_boundary_and_initial_values():
    t = np.array([0.0, 0.05, 0.1])
    x, u, stats = allen_cahn_chebyshev(24, t, rtol=1e-8, atol=1e-9)
    assert u.shape == (3, 25) and stats["steps"] > 0
    np.testing.assert_array_equal(u[:, [0, -1]], -1.0)
    np.testing.assert_array_equal(u[0], allen_cahn_initial(x))


def test_symmetric_fold_equals_full_solve():
    t = np.array([0.0, 0.15, 0.3])
    _, full, _ = allen_cahn_chebyshev(48, t, rtol=1e-11, atol=1e-12, symmetric=False)
    _, half, _ = allen_cahn_chebyshev(48, t, rtol=1e-11, atol=1e-12, symmetric=True)
    assert np.abs(full - half).max() < 1e-11
    with pytest.raises(ValueError, match="even n"):
        allen_cahn_chebyshev(47, t)


def test_self_convergence_in_n_on_a_short_interval():
    # t in [0, 0.25], rtol 1e-8: successive N differ by < 3e-4 (N=32 vs 48) and < 5e-6 (48 vs 64)
    t, xg = np.linspace(0, 0.25, 6), np.linspace(-1, 1, 101)
    u = [barycentric_interpolate(allen_cahn_chebyshev(n, t, rtol=1e-8, atol=1e-9)[1], xg) for n in (32, 48, 64)]
    d1, d2 = np.abs(u[0] - u[1]).max(), np.abs(u[1] - u[2]).max()
    assert d1 < 3e-4
    assert d2 < 5e-6
    assert d2 < d1 / 20  # geometric (spectral) decrease


def test_self_convergence_in_tolerance():
    t, xg = np.array([0.0, 0.5]), np.linspace(-1, 1, 65)
    u = [barycentric_interpolate(allen_cahn_chebyshev(64, t, rtol=r, atol=r / 10)[1], xg) for r in (1e-7, 1e-9, 1e-11)]
    d1, d2 = np.abs(u[0] - u[1]).max(), np.abs(u[1] - u[2]).max()
    assert d1 < 1e-6 and d2 < 1e-8 and d2 < d1 / 10


def test_shipped_file_matches_fresh_computation():
    ref = load_reference(DATA / "allen_cahn_reference.npz")
    t, x = ref.axes
    rows = [100, 200]  # t = 0.5 and t = 1
    # N = 512 (256 unknowns by symmetry) at rtol 1e-10 is accurate to ~3e-9 at t = 1
    _, u, _ = allen_cahn_chebyshev(512, t[[0, *rows]], rtol=1e-10, atol=1e-11)
    fresh = barycentric_interpolate(u[1:], x)
    assert np.abs(fresh - ref.grid_values()[rows]).max() < 1e-8


def test_single_threaded_blas_sets_and_restores_thread_counts():
    from pdedsl.reference._threads import _controls, _loaded_openblas, single_threaded_blas

    controls = [c for c in map(_controls, _loaded_openblas()) if c is not None]
    if not controls:
        pytest.skip("no OpenBLAS loaded in this process")
    before = [get() for get, _ in controls]
    with single_threaded_blas():
        assert [get() for get, _ in controls] == [1] * len(controls)
    assert [get() for get, _ in controls] == before
