"""Allen–Cahn reference: Chebyshev collocation in x, stiffly accurate Radau IIA in t.

Problem (design §5, ``allen_cahn``)::

    u_t - eps u_xx - 5 (u - u^3) = 0,   eps = 1e-3,   t in [0, 1],   x in [-1, 1],
    u(t, +-1) = -1,                     u(0, x) = x^2 cos(pi x).

Space.  ``N + 1`` Chebyshev–Gauss–Lobatto points ``x_j = cos(pi j / N)`` (``x_0 = 1``,
``x_N = -1``).  The Dirichlet values are known, so the two boundary rows are eliminated: the
unknowns are the ``N - 1`` interior values ``v`` and the semi-discrete system is::

    v' = eps (A v + b) + 5 (v - v^3),    A = D2[1:N, 1:N],  b = -(D2[1:N, 0] + D2[1:N, N]),

with analytic Jacobian ``J = eps A + diag(5 - 15 v^2)``.  ``D2`` is built from the first
derivative matrix with the "negative sum" diagonal (rows of ``D`` and ``D2`` annihilate
constants exactly), which keeps the rounding of ``D2`` (entries ``~N^4``) from polluting the
solution.  The interfaces that form are ``tanh(50 (x - x_i))`` fronts (width ~ 0.02); their
complex poles sit ``pi/100`` off the real axis, which fixes the Chebyshev resolution needed.

Time.  ``scipy.integrate.solve_ivp(method="Radau")`` — 5th-order, L-stable, adaptive error
control, dense analytic Jacobian (N/2 = 512 unknowns at N = 1024 with the symmetry fold: dense LU is cheap).  The
largest eigenvalue of ``eps A`` is ``-0.0474 eps N^4`` in magnitude (2e5 at N = 256, 5e7 at N = 1024): an
explicit method would need ~1e5-1e8 steps, while the dynamics (front formation, slow motion)
needs only a few hundred accurate steps.  ETDRK4 would also work but gives a fixed-step
4th-order method whose error must be controlled by hand; an adaptive Radau run with a
tolerance sweep gives the time-convergence table directly.  To avoid the lower-order dense
output, the integration is restarted at every output time so each stored value is a step end.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from pdedsl.reference._threads import single_threaded_blas

__all__ = [
    "EPS",
    "REACTION",
    "allen_cahn_initial",
    "chebyshev_points",
    "chebyshev_d2",
    "barycentric_interpolate",
    "allen_cahn_chebyshev",
    "allen_cahn_grid",
]

#: Diffusion coefficient and reaction rate of the benchmark.
EPS = 1e-3
REACTION = 5.0


def allen_cahn_initial(x: np.ndarray) -> np.ndarray:
    """Initial condition ``u(0, x) = x^2 cos(pi x)``; any shape in, same shape out."""
    x = np.asarray(x, dtype=np.float64)
    return x * x * np.cos(np.pi * x)


def chebyshev_points(n: int) -> np.ndarray:
    """The ``n + 1`` Chebyshev–Gauss–Lobatto points ``cos(pi j / n)``, j = 0..n (descending), (n+1,).

    Computed as ``sin(pi (n - 2j) / (2n))`` so that the points are exactly symmetric.
    """
    j = np.arange(n + 1)
    return np.sin(np.pi * (n - 2 * j) / (2.0 * n))


def _chebyshev_d1(x: np.ndarray) -> np.ndarray:
    """First-derivative collocation matrix on CGL points ``x`` (n+1,) -> (n+1, n+1)."""
    n = x.size - 1
    c = np.ones(n + 1)
    c[0] = c[-1] = 2.0
    c *= (-1.0) ** np.arange(n + 1)
    dx = x[:, None] - x[None, :]
    d = np.outer(c, 1.0 / c) / (dx + np.eye(n + 1))
    d -= np.diag(d.sum(axis=1))  # negative-sum trick: D @ 1 == 0 exactly
    return d


def chebyshev_d2(n: int) -> tuple[np.ndarray, np.ndarray]:
    """CGL points (n+1,) and the second-derivative matrix (n+1, n+1) with zero row sums."""
    x = chebyshev_points(n)
    d1 = _chebyshev_d1(x)
    d2 = d1 @ d1
    d2 -= np.diag(d2.sum(axis=1))
    return x, d2


def barycentric_interpolate(values: np.ndarray, x_new: np.ndarray) -> np.ndarray:
    """Interpolate data on the ``n + 1`` CGL points to ``x_new`` (m,) by the barycentric formula.

    ``values`` is (..., n+1) (last axis over the points ``chebyshev_points(n)``); returns (..., m).
    Exact at nodes that coincide with ``x_new`` entries.
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[-1] - 1
    x = chebyshev_points(n)
    w = (-1.0) ** np.arange(n + 1)
    w[0] *= 0.5
    w[-1] *= 0.5
    x_new = np.asarray(x_new, dtype=np.float64)
    diff = x_new[:, None] - x[None, :]  # (m, n+1)
    hit = diff == 0.0
    diff[hit] = 1.0
    k = w[None, :] / diff
    out = (values @ k.T) / k.sum(axis=1)
    rows, cols = np.nonzero(hit)
    out[..., rows] = values[..., cols]
    return out


def _unfold(v: np.ndarray, n: int, symmetric: bool) -> np.ndarray:
    """Interior values (n-1,) from the unknowns ((n/2,) when symmetric, else (n-1,))."""
    return np.concatenate([v, v[-2::-1]]) if symmetric else v


def allen_cahn_chebyshev(
    n: int,
    t_out: np.ndarray,
    *,
    rtol: float = 1e-12,
    atol: float = 1e-13,
    symmetric: bool = True,
    eps: float = EPS,
    reaction: float = REACTION,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Solve on ``n + 1`` CGL points and return the nodal solution at the times ``t_out``.

    Parameters
    ----------
    n: polynomial degree (``n - 1`` interior unknowns).
    t_out: increasing output times (nt,), ``t_out[0] = 0`` is the initial condition time.
    rtol, atol: Radau tolerances.
    symmetric: exploit ``u(t, -x) = u(t, x)`` (even initial data, equal boundary values):
        only the ``n / 2`` interior values with ``x_j >= 0`` are unknowns (``n`` must be
        even); the result is identical in exact arithmetic to the full solve and costs
        about 1/8 of its linear algebra.

    Returns
    -------
    ``x`` (n+1,) CGL points (descending), ``u`` (nt, n+1) nodal values including the boundary
    values ``-1``, and ``stats`` (``{"nfev", "njev", "nlu", "steps"}`` summed over the run).
    """
    t_out = np.asarray(t_out, dtype=np.float64)
    if t_out.ndim != 1 or t_out.size < 1 or np.any(np.diff(t_out) <= 0):
        raise ValueError("t_out must be a strictly increasing 1-D array")
    x, d2 = chebyshev_d2(n)
    a = eps * d2[1:n, 1:n]
    b = eps * (-(d2[1:n, 0] + d2[1:n, n]))  # boundary values u = -1 at both ends
    if symmetric:
        if n % 2:
            raise ValueError("symmetric=True needs an even n")
        m = n // 2  # unknowns x_1 .. x_m (x_m = 0); interior index i = j - 1
        fold = np.zeros((n - 1, m))  # full interior vector = fold @ half vector
        fold[np.arange(m), np.arange(m)] = 1.0
        fold[np.arange(m, n - 1), np.arange(m - 2, -1, -1)] = 1.0
        a = a[:m] @ fold
        b = b[:m]
        interior = slice(1, m + 1)
    else:
        interior = slice(1, n)

    def rhs(_t, v):
        return a @ v + b + reaction * (v - v * v * v)

    def jac(_t, v):
        j = a.copy()
        j[np.diag_indices_from(j)] += reaction * (1.0 - 3.0 * v * v)
        return j

    u = np.empty((t_out.size, n + 1))
    u[:, 0] = u[:, -1] = -1.0
    v = allen_cahn_initial(x[interior])
    u[0, 1:n] = _unfold(v, n, symmetric)
    stats = {"nfev": 0, "njev": 0, "nlu": 0, "steps": 0}
    first_step = None
    with single_threaded_blas():  # small dense systems: BLAS threads only cost time
        for i in range(1, t_out.size):
            sol = solve_ivp(
                rhs, (t_out[i - 1], t_out[i]), v, method="Radau", jac=jac,
                rtol=rtol, atol=atol, first_step=first_step,
            )
            if not sol.success:  # pragma: no cover - would indicate a broken setup
                raise RuntimeError(f"Radau failed on [{t_out[i - 1]}, {t_out[i]}]: {sol.message}")
            v = sol.y[:, -1]
            u[i, 1:n] = _unfold(v, n, symmetric)
            for key in ("nfev", "njev", "nlu"):
                stats[key] += int(getattr(sol, key))
            stats["steps"] += sol.t.size - 1
            last = float(sol.t[-1] - sol.t[-2]) if sol.t.size > 1 else None
            first_step = min(last, float(t_out[i + 1] - t_out[i])) if (last and i + 1 < t_out.size) else None
    return x, u, stats


def allen_cahn_grid(
    nt: int = 201,
    nx: int = 512,
    *,
    n: int = 384,
    rtol: float = 1e-12,
    atol: float = 1e-13,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The reference on ``t = linspace(0, 1, nt)``, ``x = linspace(-1, 1, nx)``.

    Returns ``(t (nt,), x (nx,), u (nt, nx), stats)``; ``u[i, j] = u(t[i], x[j])``.
    """
    t = np.linspace(0.0, 1.0, nt)
    xg = np.linspace(-1.0, 1.0, nx)
    _, u_cheb, stats = allen_cahn_chebyshev(n, t, rtol=rtol, atol=atol)
    u = barycentric_interpolate(u_cheb, xg)
    u[0] = allen_cahn_initial(xg)  # exact initial condition
    u[:, 0] = u[:, -1] = -1.0
    return t, xg, u, stats
