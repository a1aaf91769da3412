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
from pdedsl.run._checkpoint import DAMAGED
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


def save_params(path: Path, model, params, *, coordinates, unknowns, parameters=(), output_id: str = "") -> None:
    """params.npz: the model's configuration (JSON) and its parameter leaves in tree order.

    With learned scalars (`parameters`, their names) the tree is {"net": …, "scalars": {name: …}}.
    `output_id` names the set of outputs the file belongs to (metrics.json carries the same).
    """
    meta = {"model": _model_config(model), "coordinates": list(coordinates), "unknowns": list(unknowns),
            "parameters": list(parameters), "output_id": output_id}
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


def _refusal(directory: Path, message: str) -> PdeDataError:
    return PdeDataError(f"cannot load the run in {directory}: {message}",
                        hint="resume the run (`pdedsl solve SPEC --out DIR --resume`) to write its outputs again")


def _read_metrics(directory: Path) -> dict:
    try:
        metrics = json.loads((directory / "metrics.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refusal(directory, "metrics.json is missing (the run did not finish writing its outputs)") from None
    except (OSError, ValueError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _refusal(directory, f"metrics.json is damaged ({type(err).__name__})") from None
    if not isinstance(metrics, dict) or not isinstance(metrics.get("history", {}), dict):
        raise _refusal(directory, "metrics.json is damaged (not the metrics of a run)")
    return metrics


def _read_params(directory: Path, float32: bool):
    with np.load(directory / "params.npz", allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
        with jax.enable_x64(not float32):
            model = _build_model(meta["model"])
            like = model.init(jax.random.PRNGKey(0))
            if meta.get("parameters"):
                like = {"net": like, "scalars": {str(name): np.zeros(()) for name in meta["parameters"]}}
            params = load_pytree_leaves(archive, "params", like)
    coordinates, unknowns = tuple(map(str, meta["coordinates"])), tuple(map(str, meta["unknowns"]))
    if len(coordinates) != model.in_dim or len(unknowns) != model.out_dim:
        raise ValueError("the coordinates or unknowns do not match the network")
    return model, params, coordinates, unknowns, meta.get("output_id", "")


def load_solution(directory) -> Solution:
    """Rebuild the trained solution of a run folder from its params.npz and metrics.json.

    A folder whose outputs are missing, damaged or of different runs (their `output_id`s differ) is
    refused with a PdeDataError.
    """
    directory = Path(directory)
    params_path = directory / "params.npz"
    if not params_path.is_file():
        raise PdeDataError(f"no trained parameters in {directory}: {params_path.name} is missing",
                           hint="run `pdedsl solve SPEC --out DIR` first, then load DIR")
    metrics = _read_metrics(directory)
    float32 = bool((metrics.get("settings") or {}).get("float32", False)) if isinstance(
        metrics.get("settings", {}), dict) else False
    try:
        model, params, coordinates, unknowns, output_id = _read_params(directory, float32)
    except DAMAGED as err:
        raise _refusal(directory, f"params.npz is damaged ({type(err).__name__})") from None
    if output_id != metrics.get("output_id", ""):
        raise _refusal(directory, "params.npz and metrics.json belong to different runs")
    return Solution(model=model, params=params, coordinates=coordinates, unknowns=unknowns, metrics=metrics,
                    history=metrics.get("history", {}), out_dir=directory, float32=float32)
