"""Building the shipped reference files and measuring their self-convergence."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pdedsl.reference._allen_cahn import allen_cahn_chebyshev, allen_cahn_grid, barycentric_interpolate
from pdedsl.reference._burgers import burgers_grid, burgers_solution

__all__ = [
    "GRIDS",
    "generate",
    "burgers_convergence",
    "allen_cahn_space_convergence",
    "allen_cahn_time_convergence",
    "ConvergenceRow",
]

#: Output grids (nt, nx): t = linspace(0, 1, nt), x = linspace(-1, 1, nx), endpoints included.
GRIDS = {"burgers": (101, 256), "allen_cahn": (201, 512)}

# Final and check resolutions.  fast=True gives a quick, less accurate file (smoke tests).
_BURGERS_NODES = {False: (257, 513), True: (129, 257)}
_AC_SETTINGS = {
    # (N, rtol, atol) of the stored solution, then of the independent check run
    False: ((1024, 1e-12, 1e-13), (896, 1e-13, 1e-14)),
    True: ((512, 1e-10, 1e-11), (384, 1e-10, 1e-11)),
}


def _versions() -> str:
    import scipy

    from pdedsl import __version__

    return f"pdedsl {__version__}, numpy {np.__version__}, scipy {scipy.__version__}"


def _against_check(grid, setting, check_setting):
    """(grid(setting), the max-norm difference of its solution from grid(check_setting)'s): the
    reference and its measured error. `grid` returns a tuple whose third item is the solution."""
    result = grid(setting)
    return result, float(np.abs(result[2] - grid(check_setting)[2]).max())


def generate(problem: str, *, fast: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, str]]:
    """Compute a reference: returns ``(axes {"t": (nt,), "x": (nx,)}, u (nt, nx), metadata)``.

    The metadata's ``estimated_error`` is measured, not assumed: the max-norm difference on
    the whole output grid between the stored solution and an independent run at another
    resolution (and, for Allen–Cahn, a tighter time tolerance).
    """
    nt, nx = GRIDS[problem]
    start = time.perf_counter()
    if problem == "burgers":
        n, n_check = _BURGERS_NODES[fast]
        (t, x, u), diff = _against_check(lambda nodes: burgers_grid(nt, nx, n_nodes=nodes), n, n_check)
        meta = {
            "problem": "burgers",
            "equation": "u_t + u u_x = nu u_xx, nu = 0.01/pi, (t, x) in [0, 1] x [-1, 1], "
            "u(t, -1) = u(t, 1) = 0, u(0, x) = -sin(pi x)",
            "method": "Cole-Hopf integral (Basdevant et al. 1986), eta = 2 sqrt(nu t) s, trapezoidal rule "
            "on s in [-12, 12] in log space; t = 0 row is the initial condition; u(t, +-1) = 0 exactly",
            "resolution": f"{n} quadrature nodes (h = {24.0 / (n - 1):.4g})",
            "estimated_error": f"{max(diff, 1e-16):.1e} (max |u_{n} - u_{n_check}| over the grid; "
            "absolute, round-off level)",
        }
    elif problem == "allen_cahn":
        (n, rtol, atol), (n_c, rtol_c, atol_c) = _AC_SETTINGS[fast]
        (t, x, u, stats), diff = _against_check(lambda c: allen_cahn_grid(nt, nx, n=c[0], rtol=c[1], atol=c[2]),
                                                (n, rtol, atol), (n_c, rtol_c, atol_c))
        meta = {
            "problem": "allen_cahn",
            "equation": "u_t - 1e-3 u_xx - 5 (u - u^3) = 0, (t, x) in [0, 1] x [-1, 1], "
            "u(t, -1) = u(t, 1) = -1, u(0, x) = x^2 cos(pi x)",
            "method": "Chebyshev collocation on N+1 Gauss-Lobatto points (Dirichlet rows eliminated, "
            "even symmetry u(t,-x) = u(t,x) folded in), Radau IIA (scipy solve_ivp, analytic Jacobian) "
            "restarted at every output time, barycentric interpolation to the uniform x grid",
            "resolution": f"N = {n}, rtol = {rtol:g}, atol = {atol:g}, {stats['steps']} Radau steps",
            "estimated_error": f"{diff:.1e} (max |u - u_check| over the grid, u_check: N = {n_c}, "
            f"rtol = {rtol_c:g}; absolute)",
        }
    else:
        raise ValueError(f"unknown problem {problem!r}; expected 'burgers' or 'allen_cahn'")
    meta["grid"] = f"t = linspace(0, 1, {nt}), x = linspace(-1, 1, {nx}); u[i, j] = u(t[i], x[j])"
    meta["generated_with"] = _versions() + (" (--fast)" if fast else "")
    meta["generation_seconds"] = f"{time.perf_counter() - start:.0f}"
    return {"t": t, "x": x}, u, meta


@dataclass(frozen=True)
class ConvergenceRow:
    """One row of a self-convergence table: ``coarse`` vs ``fine`` resolution."""

    coarse: str
    fine: str
    diff_all: float  # max |difference| over all compared points
    diff_focus: float  # max |difference| over the focus set (Burgers shock / Allen–Cahn at t = 1)
    seconds: float  # time of the fine run


def burgers_convergence(nodes=(49, 65, 97, 129, 257, 513, 1025)) -> list[ConvergenceRow]:
    """Differences between successive node counts on the 101 x 256 grid and on a shock set.

    The shock set is ``t in {0.9, 0.95, 0.99, 1}`` x ``x in 0 +- {0, 1e-4, 1e-3, 3e-3, 1e-2}``
    plus the steepest time ``t = 1.6037 / pi``.
    """
    nt, nx = GRIDS["burgers"]
    tg, xg = np.linspace(0, 1, nt)[:, None], np.linspace(-1, 1, nx)[None, :]
    ts = np.array([0.9, 0.95, 0.99, 1.0, 1.6037 / np.pi])[:, None]
    off = np.array([1e-4, 1e-3, 3e-3, 1e-2])
    xs = np.concatenate([-off[::-1], [0.0], off])[None, :]
    rows, prev = [], None
    for n in nodes:
        t0 = time.perf_counter()
        cur = (burgers_solution(tg, xg, n_nodes=n), burgers_solution(ts, xs, n_nodes=n))
        sec = time.perf_counter() - t0
        if prev is not None:
            rows.append(ConvergenceRow(
                str(prev[0]), str(n),
                float(np.abs(cur[0] - prev[1][0]).max()), float(np.abs(cur[1] - prev[1][1]).max()), sec,
            ))
        prev = (n, cur)
    return rows


def _ac_run(n: int, rtol: float, t_out: np.ndarray, x_out: np.ndarray) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    _, u, _ = allen_cahn_chebyshev(n, t_out, rtol=rtol, atol=rtol / 10)
    return barycentric_interpolate(u, x_out), time.perf_counter() - t0


def allen_cahn_space_convergence(ns=(128, 256, 384, 512, 768, 1024, 1280), rtol=1e-12, nt=11, nx=512):
    """Max differences between successive N at fixed tolerance, on t = linspace(0,1,nt) x uniform x."""
    return _successive_differences([(f"N={n}", n, rtol) for n in ns], nt, nx)


def allen_cahn_time_convergence(n=1024, rtols=(1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13), nt=11, nx=512):
    """Max differences between successive tolerances (atol = rtol/10) at fixed N."""
    return _successive_differences([(f"rtol={rtol:g}", n, rtol) for rtol in rtols], nt, nx)


def _successive_differences(runs, nt: int, nx: int) -> list:
    """One `ConvergenceRow` per pair of successive runs (label, N, rtol): their max differences over
    the output grid and at the final time, and the second run's seconds."""
    t_out, x_out = np.linspace(0, 1, nt), np.linspace(-1, 1, nx)
    rows, prev = [], None
    for label, n, rtol in runs:
        u, sec = _ac_run(n, rtol, t_out, x_out)
        if prev is not None:
            d = np.abs(u - prev[1])
            rows.append(ConvergenceRow(prev[0], label, float(d.max()), float(d[-1].max()), sec))
        prev = (label, u)
    return rows
