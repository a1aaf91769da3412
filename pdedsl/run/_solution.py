"""A trained solution: the network, its parameters, the run's metrics and history.

`Solution.u(points)` evaluates the trained network; `load_solution(DIR)` rebuilds a
`Solution` from the `params.npz` and `metrics.json` of a finished (or interrupted) run,
without the spec file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import jax
import numpy as np

from pdedsl.errors import PdeDataError
from pdedsl.run._files import load_pytree_leaves, save_pytree, write_npz
from pdedsl.solvers import MLP

__all__ = ["Solution", "load_solution", "save_params"]


def _model_config(model) -> dict:
    return {"in_dim": model.in_dim, "out_dim": model.out_dim, "widths": list(model.widths),
            "activation": model.activation}


def _build_model(config: dict):
    kwargs = dict(in_dim=int(config["in_dim"]), out_dim=int(config["out_dim"]),
                  widths=tuple(int(w) for w in config["widths"]), activation=str(config["activation"]))
    return MLP(**kwargs)


def save_params(path: Path, model, params, *, coordinates, unknowns, parameters=()) -> None:
    """params.npz: the model's configuration (JSON) and its parameter leaves in tree order.

    With learned scalars (`parameters`, their names) the tree is {"net": …, "scalars": {name: …}}.
    """
    meta = {"model": _model_config(model), "coordinates": list(coordinates), "unknowns": list(unknowns),
            "parameters": list(parameters)}
    write_npz(path, meta=np.array(json.dumps(meta)), **save_pytree("params", params))


@dataclass
class Solution:
    """The result of `pdedsl.solve` / `pdedsl solve`.

    Attributes: `model`, `params`, `coordinates`, `unknowns`, `metrics` (the dict written to
    metrics.json), `history` (per-step lists), `out_dir` (None when nothing was written).
    """

    model: object
    params: object
    coordinates: tuple
    unknowns: tuple
    metrics: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    out_dir: Path | None = None
    float32: bool = False

    def u(self, points) -> np.ndarray:
        """The trained solution at `points` (N, dim) -> (N, n_unknowns), as a NumPy array."""
        with jax.enable_x64(not self.float32):
            pts = np.atleast_2d(np.asarray(points, dtype=np.float32 if self.float32 else np.float64))
            if pts.shape[-1] != len(self.coordinates):
                raise ValueError(f"points must have {len(self.coordinates)} columns "
                                 f"({', '.join(self.coordinates)}), got shape {pts.shape}")
            apply = jax.jit(jax.vmap(self.model.apply, in_axes=(None, 0)))
            return np.asarray(apply(_network(self.params), pts))

    @property
    def parameters(self) -> dict[str, float]:
        """The learned scalars ({} when the problem has none)."""
        scalars = self.params.get("scalars", {}) if isinstance(self.params, dict) else {}
        return {name: float(value) for name, value in scalars.items()}

    @property
    def status(self) -> str | None:
        return self.metrics.get("status")


def _network(params):
    return params["net"] if isinstance(params, dict) and "net" in params else params


def load_solution(directory) -> Solution:
    """Rebuild the trained solution of a run folder (needs params.npz; metrics.json if present)."""
    directory = Path(directory)
    params_path = directory / "params.npz"
    if not params_path.is_file():
        raise PdeDataError(f"no trained parameters in {directory}: {params_path.name} is missing",
                           hint="run `pdedsl solve SPEC --out DIR` first, then load DIR")
    metrics_path = directory / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    with np.load(params_path) as archive:
        meta = json.loads(str(archive["meta"]))
        float32 = bool(metrics.get("settings", {}).get("float32", False))
        with jax.enable_x64(not float32):
            model = _build_model(meta["model"])
            like = model.init(jax.random.PRNGKey(0))
            if meta.get("parameters"):
                like = {"net": like, "scalars": {name: np.zeros(()) for name in meta["parameters"]}}
            params = load_pytree_leaves(archive, "params", like)
    return Solution(model=model, params=params, coordinates=tuple(meta["coordinates"]),
                    unknowns=tuple(meta["unknowns"]), metrics=metrics,
                    history=metrics.get("history", {}), out_dir=directory, float32=float32)
