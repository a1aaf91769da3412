"""Result files beyond the metrics: the solution on a grid and PNG plots.

`solution.npz` holds, for 1-D/2-D problems (and 1+1-D in time), the whole domain on a
regular grid; for higher dimensions a 2-D slice through the centre along the first two axes.
Keys: `axes` (names of the grid axes), one 1-D array per axis name, `points` (M, dim),
`u` (grid shape + (n_unknowns,)), and `exact` and `error` (|u − u*|) where an exact
solution is known.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pdedsl.run._files import atomic_write_bytes, write_npz
from pdedsl.run._metrics import display_name

__all__ = ["write_solution_grid", "write_plots"]

GRID_POINTS = {1: 1001, 2: 201}  # per axis


def _grid(box):
    """Axis names, axis arrays and (M, dim) points of the plotting grid."""
    dim = box.dim
    plot_axes = list(range(min(dim, 2)))
    n = GRID_POINTS[len(plot_axes)]
    axes = [np.linspace(box.lows[k], box.highs[k], n) for k in plot_axes]
    mesh = np.meshgrid(*axes, indexing="ij")
    points = np.empty((mesh[0].size, dim))
    for k in range(dim):  # other axes sit at the centre of the box
        points[:, k] = 0.5 * (box.lows[k] + box.highs[k])
    for k, m in zip(plot_axes, mesh):
        points[:, k] = m.ravel()
    return [box.names[k] for k in plot_axes], axes, points


def write_solution_grid(path: Path, solution, compiled, dtype, output_id: str = "") -> dict:
    names, axes, points = _grid(compiled.domain)
    shape = tuple(len(a) for a in axes)
    u = solution.u(points).reshape(shape + (-1,))
    grid = {"axes": np.array(names), "points": points, "u": u, **{n: a for n, a in zip(names, axes)}}
    if compiled.exact is not None:
        import jax
        import jax.numpy as jnp

        exact = np.asarray(jax.jit(compiled.exact)(jnp.asarray(points, dtype))).reshape(shape + (-1,))
        grid.update(exact=exact, error=np.abs(u - exact))
    write_npz(path, **grid, output_id=output_id)
    return grid


def _figure(**kwargs) -> Figure:
    """A figure drawn by the Agg canvas alone: no pyplot state, the global backend untouched."""
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    atomic_write_bytes(path, buf.getvalue())


def _convergence_plot(path: Path, metrics: dict) -> None:
    history = metrics.get("history", {})
    loss = np.asarray(history.get("loss", []), float)
    steps = np.arange(1, loss.size + 1)
    times = np.asarray(history.get("time", []), float)
    err = np.asarray(history.get("rel_l2", []), float)
    fig = _figure(figsize=(11, 4))
    panels = fig.subplots(1, 2)
    for ax, x, label in ((panels[0], steps, "step"), (panels[1], times, "wall time [s]")):
        if loss.size:
            ax.semilogy(x[: loss.size], np.where(loss > 0, loss, np.nan), label="training loss")
        if err.size:
            ax.semilogy(x[: err.size], np.where(err > 0, err, np.nan), label="relative L2 error")
        ax.set_xlabel(label)
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    fig.suptitle(f"{display_name(metrics.get('problem'))} · {metrics.get('optimizer')} · {metrics.get('device')}")
    _save(fig, path)


def _solution_plot(path: Path, grid: dict, compiled) -> None:
    names = [str(n) for n in grid["axes"]]
    u = grid["u"]
    unknowns = compiled.unknowns
    has_err = "error" in grid
    ncols = 2 if has_err else 1
    fig = _figure(figsize=(5.5 * ncols, 4.2 * len(unknowns)))
    axes = fig.subplots(len(unknowns), ncols, squeeze=False)
    for i, name in enumerate(unknowns):
        fields = [(u[..., i], f"{name}")] + ([(grid["error"][..., i], f"|{name} − exact|")] if has_err else [])
        for j, (values, title) in enumerate(fields):
            ax = axes[i][j]
            if len(names) == 1:
                ax.plot(grid[names[0]], values)
                ax.set_xlabel(names[0])
                if j == 0 and "exact" in grid:
                    ax.plot(grid[names[0]], grid["exact"][..., i], "--", label="exact")
                    ax.legend()
                if j == 1:
                    ax.set_yscale("log")
            else:
                a, b = grid[names[0]], grid[names[1]]
                im = ax.pcolormesh(a, b, values.T, shading="auto", cmap="viridis" if j == 0 else "magma")
                fig.colorbar(im, ax=ax)
                ax.set_xlabel(names[0])
                ax.set_ylabel(names[1])
            ax.set_title(title if compiled.domain.dim <= 2 else f"{title} (slice through the centre)")
    _save(fig, path)


def write_plots(out_dir: Path, metrics: dict, grid: dict, compiled) -> None:
    _convergence_plot(out_dir / "convergence.png", metrics)
    _solution_plot(out_dir / "solution.png", grid, compiled)
