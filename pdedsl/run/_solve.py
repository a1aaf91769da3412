"""Compile, sample, train and write results: the product's main job.

`solve(problem, ...)` is what `pdedsl solve` and notebooks call. A run folder holds
(all written atomically):

    metrics.json     settings, final loss and errors, status, per-step history
    params.npz       the trained network (reload with `pdedsl.load_solution(DIR)`)
    solution.npz     the solution (and exact solution / error where known) on a regular grid
    checkpoint.npz   parameters + optimizer state + history, every K steps and at the end
    convergence.png  loss and error against step and wall time
    solution.png     the solution and its absolute error (heat maps, or 2-D slices)
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.errors import PdeError
from pdedsl.run._assemble import (
    Monitored, error_norms, error_norms_by_unknown, evaluate_network, initial_params, learned_scalars,
    make_error_monitor, make_residual_fn, network_params,
)
from pdedsl.run._files import load_pytree_leaves, save_pytree, write_json, write_npz
from pdedsl.run._progress import make_reporter
from pdedsl.run._sampling import (
    collocation_points, evaluation_points, interior_groups, residual_density_sample,
)
from pdedsl.run._settings import RunSettings, resolve_settings
from pdedsl.run._solution import Solution, save_params
from pdedsl.solvers import MLP, OptimizerSettingError, make_optimizer, optimizer_settings, run

__all__ = ["solve", "describe_device"]

CHECKPOINT = "checkpoint.npz"


def describe_device() -> str:
    """The device JAX computes on, e.g. 'cpu' or 'gpu (NVIDIA H100 80GB HBM3)'."""
    dev = jax.devices()[0]
    kind = getattr(dev, "device_kind", "") or ""
    return dev.platform if not kind or kind == dev.platform else f"{dev.platform} ({kind})"


def _compile(problem):
    if isinstance(problem, (str, Path)):
        from pdedsl.language import load

        problem = load(problem)
    return problem.compile() if hasattr(problem, "compile") else problem


def solve(problem, *, optimizer=None, steps=None, seed=None, points=None, method=None, out=None,
          resume=False, float32=None, quiet=True, time_limit=None, target_loss=None, widths=None,
          activation=None, optimizer_options=None, checkpoint_every=None, n_test=None, restarts=None,
          restart_above=None, restart_noise=None, stall_window=None, stall_factor=None,
          resample_every=None, resample_pool=None, handle_sigint=None) -> Solution:
    """Train a PINN for `problem` (a Problem, CompiledProblem or path) and return the Solution.

    Keyword arguments override the spec's settings. With `out=DIR` every output file is
    written there (and `resume=True` continues from DIR's checkpoint); without it nothing
    is written. Ctrl-C stops at the end of the current step and still writes every output.
    """
    compiled = _compile(problem)
    settings = resolve_settings(
        compiled.settings, optimizer=optimizer, steps=steps, seed=seed, points=points, method=method,
        float32=float32, time_limit=time_limit, target_loss=target_loss, widths=widths, activation=activation,
        optimizer_options=optimizer_options, checkpoint_every=checkpoint_every, n_test=n_test, restarts=restarts,
        restart_above=restart_above, restart_noise=restart_noise, stall_window=stall_window,
        stall_factor=stall_factor, resample_every=resample_every, resample_pool=resample_pool)
    out_dir = Path(out) if out is not None else None
    if resume and out_dir is None:
        raise PdeError("--resume needs the folder of the run to continue", hint="pass --out DIR of that run")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise PdeError(f"the output folder {out_dir} is a file", hint="choose another --out folder")
    if handle_sigint is None:
        handle_sigint = threading.current_thread() is threading.main_thread()
    with jax.enable_x64(not settings.float32):
        return _Run(compiled, settings, out_dir, quiet=quiet).execute(resume=resume, handle_sigint=handle_sigint)


@contextlib.contextmanager
def _sigint_sets(flag: threading.Event, enabled: bool):
    """While active, a first Ctrl-C sets `flag` (stop after this step); a second one aborts."""
    if not enabled:
        yield
        return

    def handler(signum, frame):
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _build_optimizer(compiled, settings: RunSettings):
    """The configured optimizer. An option it does not have, or a value it cannot take, is a PdeError; at
    its place in the spec when it came from there."""
    valid = optimizer_settings(settings.optimizer)
    spec = compiled.settings
    from_spec = spec.solve.get("optimizer") == settings.optimizer

    def error(key, message, hint):
        value = settings.optimizer_options[key]
        span = spec.solve_spans.get(key) if from_spec and spec.solve.get(key) == value else None
        err = PdeError(message, span, hint=hint)
        if span is not None and compiled.filename is not None:
            err.with_source(compiled.filename, compiled.text)
        return err

    for key in settings.optimizer_options:
        if key not in valid:
            guess = difflib.get_close_matches(key, valid, n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise error(key, f"optimizer '{settings.optimizer}' has no setting '{key}'",
                        hint + f"its settings are: {', '.join(valid)}")
    try:
        return make_optimizer(settings.optimizer, **settings.optimizer_options)
    except OptimizerSettingError as bad:
        raise error(bad.setting, str(bad), "docs/solvers.md lists every setting with its default") from None


def _perturbed(params, sigma: float, key, dtype):
    """Each array leaf plus σ·std(leaf)·N(0, 1); scalar leaves (std 0) are unchanged."""
    leaves, tree = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(key, len(leaves))
    moved = []
    for leaf, k in zip(leaves, keys):
        leaf = jnp.asarray(leaf, dtype)
        moved.append(leaf + sigma * jnp.std(leaf) * jax.random.normal(k, leaf.shape, dtype))
    return jax.tree_util.tree_unflatten(tree, moved)


@dataclass
class _Attempts:
    """Restarts: the attempt now running, a summary of each finished one, and the best finished one."""

    current: int = 0
    finished: list = field(default_factory=list)  # {"attempt", "steps", "end_step", "loss", "status"} each
    best_loss: float = math.inf
    best: Any = None  # parameters of the finished attempt with the lowest loss, on the host

    def finish(self, loss: float, params, steps: int, status: str) -> None:
        first = self.finished[-1]["end_step"] if self.finished else 0
        self.finished.append({"attempt": self.current, "steps": steps - first, "end_step": steps, "loss": loss,
                              "status": status})
        if loss < self.best_loss:
            self.best_loss, self.best = loss, jax.device_get(params)
        self.current += 1


class _Run:
    """One training run: everything derived deterministically from (spec, settings)."""

    def __init__(self, compiled, settings: RunSettings, out_dir: Path | None, *, quiet: bool):
        self.compiled, self.settings, self.out_dir, self.quiet = compiled, settings, out_dir, quiet
        self.dtype = jnp.float32 if settings.float32 else jnp.float64
        box = compiled.domain
        model_kwargs = dict(in_dim=box.dim, out_dim=len(compiled.unknowns), widths=settings.widths,
                            activation=settings.activation)
        if settings.init is not None:
            model_kwargs["initializer"] = settings.init
        base = _build_optimizer(compiled, settings)
        try:
            self.model = MLP(**model_kwargs)
        except (ValueError, TypeError) as err:
            raise PdeError(str(err), hint="check the `model` settings (or the flags)") from None
        self.collocation = collocation_points(box, compiled.groups, settings.counts, settings.method, settings.seed)
        self.test_points, self.test_values = self._evaluation_data()
        self.data = {name: {k: jnp.asarray(v, self.dtype) for k, v in group.items()}
                     for name, group in self.collocation.items()}
        self.optimizer = base
        if self.test_values is not None:
            # The per-step error uses at most n_test points (a fixed subset of a large reference
            # grid); the final error in metrics.json uses every test point.
            pick = np.random.default_rng(self.settings.seed).permutation(len(self.test_points))[: settings.n_test]
            pick = np.sort(pick)
            self.data["__test__"] = jnp.asarray(self.test_points[pick], self.dtype)
            self.optimizer = Monitored(base, make_error_monitor(self.model, jnp.asarray(self.test_values[pick],
                                                                                        self.dtype)))
        self.residual_fn = make_residual_fn(compiled.groups, self.model, self.data)
        self.fingerprint = settings.fingerprint(compiled.source)
        self.attempts = _Attempts()
        self.redrawn = interior_groups(compiled.groups) if settings.resample_every else []
        count = len(self.collocation[self.redrawn[0]]["points"]) if self.redrawn else 0
        if 0 < settings.resample_pool < count:
            raise PdeError(f"resample_pool = {settings.resample_pool} is smaller than the {count} interior points "
                           "it must supply", hint=f"give at least {count} candidates, or 0 for 20 times the count")
        self.resamples: list[dict] = []  # one row per redraw of the interior points
        self._score = None

    # -- data ---------------------------------------------------------------------------------
    def _evaluation_data(self):
        """Test points never used in training, and the solution there (exact or reference)."""
        box = self.compiled.domain
        if self.compiled.exact is not None:
            pts = evaluation_points(box, self.settings.n_test, self.settings.seed)
            return pts, np.asarray(self.compiled.exact(jnp.asarray(pts, self.dtype)))
        if self.compiled.reference is not None:
            from pdedsl.reference import load_reference

            def at_reference(message, hint):  # at the spec's `reference` line, when it is known
                err = PdeError(message, self.compiled.reference_span, hint=hint)
                if err.span is not None and self.compiled.filename is not None:
                    err.with_source(self.compiled.filename, self.compiled.text)
                return err

            try:
                ref = load_reference(self.compiled.reference)
            except PdeError as err:
                raise at_reference(err.message, err.hint) from None
            order = [ref.coords.index(name) for name in box.names] if set(ref.coords) == set(box.names) else None
            if order is None:
                raise at_reference(f"reference file {self.compiled.reference} has coordinates "
                                   f"{', '.join(ref.coords)}, the domain has {', '.join(box.names)}",
                                   "regenerate the reference file")
            return ref.points[:, order], ref.values
        return None, None

    # -- checkpoints --------------------------------------------------------------------------
    def _save_checkpoint(self, params, state, step: int, history: dict, elapsed: float) -> None:
        if self.out_dir is None:
            return
        arrays = {**save_pytree("params", params), **save_pytree("state", state)}
        arrays.update({f"history/{k}": np.asarray(v) for k, v in history.items()})
        tries = self.attempts
        arrays.update({"attempts/current": tries.current, "attempts/finished": json.dumps(tries.finished),
                       "attempts/best_loss": tries.best_loss})
        if tries.best is not None:
            arrays.update(save_pytree("best_params", tries.best))
        if self.resamples:
            arrays.update({"resample/points": np.asarray(self.data[self.redrawn[0]]["points"]),
                           "resample/rows": json.dumps(self.resamples)})
        write_npz(self.out_dir / CHECKPOINT, step=step, elapsed=elapsed, fingerprint=self.fingerprint, **arrays)

    def _load_checkpoint(self, params, state):
        path = self.out_dir / CHECKPOINT
        if not path.is_file():
            raise PdeError(f"cannot resume: {path} does not exist", hint="start the run without --resume first")
        with np.load(path) as ck:
            if str(ck["fingerprint"]) != self.fingerprint:
                raise PdeError(f"cannot resume: the run in {self.out_dir} used another spec or other settings",
                               hint="resume with the same spec and flags, or choose a fresh --out folder")
            params = load_pytree_leaves(ck, "params", params)
            state = load_pytree_leaves(ck, "state", state)
            history = {k.split("/", 1)[1]: list(ck[k]) for k in ck.files if k.startswith("history/")}
            if "attempts/current" in ck.files:
                best = None
                if "best_params/000" in ck.files:
                    best = load_pytree_leaves(ck, "best_params", params)
                self.attempts = _Attempts(int(ck["attempts/current"]), json.loads(str(ck["attempts/finished"])),
                                          float(ck["attempts/best_loss"]), best)
            if "resample/points" in ck.files:
                self._set_interior(ck["resample/points"])
                self.resamples = json.loads(str(ck["resample/rows"]))
            return params, state, int(ck["step"]), history, float(ck["elapsed"])

    # -- the loop -----------------------------------------------------------------------------
    def _initial(self, attempt: int):
        """Initial parameters and optimizer state of attempt `attempt`; attempt 0 is the seed's own.

        A restart starts from a fresh initialisation, or with `restart_noise` σ > 0 from the best
        finished attempt's parameters with every array moved by σ·std(array)·N(0, 1) (learned scalars
        stay): a stall near a solution is a local floor that a small jump leaves (docs/solvers.md).
        """
        key = jax.random.PRNGKey(self.settings.seed)
        if attempt:
            key = jax.random.fold_in(key, attempt)
        if attempt and self.settings.restart_noise > 0 and self.attempts.best is not None:
            params = _perturbed(self.attempts.best, self.settings.restart_noise, key, self.dtype)
        else:
            params = initial_params(self.model, key, self.compiled.parameters)
        return params, self.optimizer.init(self.residual_fn, params, self.data)

    def _slow(self, losses: list, step: int) -> bool:
        """The `stall_window` test: this attempt's loss fell by less than `stall_factor` over its last
        `stall_window` steps (`losses` holds the loss before each step, over all attempts)."""
        window = self.settings.stall_window
        first = self.attempts.finished[-1]["end_step"] if self.attempts.finished else 0
        if self.resamples:  # a redraw starts a new stretch: the loss jumps up there
            first = max(first, self.resamples[-1]["step"])
        if not window or step - first <= window or len(losses) <= window:
            return False
        return not losses[-1] * self.settings.stall_factor <= losses[-1 - window]

    # -- adaptive resampling ------------------------------------------------------------------
    def _set_interior(self, points) -> None:
        for name in self.redrawn:
            self.data[name] = {**self.data[name], "points": jnp.asarray(points, self.dtype)}

    def _residual_size(self, params, candidates: np.ndarray) -> np.ndarray:
        """|r(x)| over the interior groups (every component), at many points, in fixed-size batches."""
        batch = 4096
        if self._score is None:
            groups = [g for g in self.residual_fn.groups if g.key in self.redrawn]

            def size(p, x):
                return jnp.sqrt(sum(jnp.sum(jnp.ravel(g.fn(p, {"points": x})) ** 2) for g in groups))

            self._score = jax.jit(lambda p, xs: jax.lax.map(lambda chunk: jax.vmap(size, (None, 0))(p, chunk), xs))
        m = len(candidates)
        padded = np.concatenate([candidates, np.repeat(candidates[:1], -m % batch, axis=0)])
        chunks = jnp.asarray(padded.reshape(-1, batch, candidates.shape[1]), self.dtype)
        return np.asarray(self._score(params, chunks)).reshape(-1)[:m]

    def _redraw_due(self, step: int) -> bool:
        return bool(self.redrawn) and 0 < step < self.settings.steps and step % self.settings.resample_every == 0

    def _resample(self, params, step: int) -> None:
        """Redraw the interior points from the residual of `params` (RAD, docs/usage.md)."""
        n = int(self.data[self.redrawn[0]]["points"].shape[0])
        pool = self.settings.resample_pool or 20 * n
        rng = np.random.default_rng(np.random.SeedSequence([self.settings.seed, 3, len(self.resamples)]))
        before = self._loss(params)
        points = residual_density_sample(lambda x: self._residual_size(params, x), self.compiled.domain, n,
                                         pool, rng)
        self._set_interior(points)
        self.resamples.append({"step": step, "loss_before": before, "loss_after": self._loss(params)})

    def _loss(self, params) -> float:
        return float(0.5 * jnp.sum(self.residual_fn(params, self.data) ** 2))

    def execute(self, *, resume: bool, handle_sigint: bool) -> Solution:
        s = self.settings
        params, state = self._initial(0)
        start, history, elapsed0 = 0, {}, 0.0
        if resume:
            params, state, start, history, elapsed0 = self._load_checkpoint(params, state)
            if self._redraw_due(start) and not (self.resamples and self.resamples[-1]["step"] == start):
                # The run stopped on a redraw step before redrawing (budget, Ctrl-C): redraw now.
                self._resample(params, start)
                state = self.optimizer.init(self.residual_fn, params, self.data)
        interrupted = threading.Event()
        reporter = make_reporter(self.quiet, total=s.steps, start=start, problem=self.compiled.name,
                                 optimizer=s.optimizer, device=describe_device())
        t0 = time.perf_counter()
        stop_reason = {"value": None}

        def on_step(info) -> bool:
            step = info.step + 1
            elapsed = elapsed0 + time.perf_counter() - t0
            for key, value in info.stats.items():
                if key == "time":  # the driver's clock restarts on resume; ours continues
                    continue
                history.setdefault(key, []).append(float(np.asarray(value)))
            history.setdefault("time", []).append(elapsed)
            if s.restarts:
                history.setdefault("attempt", []).append(self.attempts.current)
            reporter.update(step, info.stats, elapsed)
            if s.checkpoint_every and step % s.checkpoint_every == 0:
                self._save_checkpoint(info.params, info.state, step, history, elapsed)
            if interrupted.is_set():
                stop_reason["value"] = "interrupted"
                return True
            if s.time_limit is not None and elapsed - elapsed0 >= s.time_limit:
                stop_reason["value"] = "time_limit"
                return True
            if self._redraw_due(step):
                stop_reason["value"] = "resample"
                return True
            if self._slow(history["loss"], step):
                stop_reason["value"] = "stalled"
                return True
            return False

        with reporter, _sigint_sets(interrupted, handle_sigint):
            while True:
                stop_reason["value"] = None
                result = run(self.optimizer, self.residual_fn, params, self.data, steps=max(s.steps - start, 0),
                             target_loss=s.target_loss, callback=on_step, state=state, start_step=start)
                status = stop_reason["value"] or result.status.name.lower()
                # The driver keeps the last finite parameters when the loss turns non-finite, and counts
                # steps globally (start_step + steps taken). History rows of a non-finite step are kept.
                params, state, start = result.params, result.state, int(result.steps)
                if status == "resample":  # new interior points, a fresh optimizer state; same attempt
                    self._resample(params, start)
                    state = self.optimizer.init(self.residual_fn, params, self.data)
                    continue
                out_of_time = s.time_limit is not None and time.perf_counter() - t0 >= s.time_limit
                if (status not in ("stalled", "nonfinite") or self.attempts.current >= s.restarts
                        or start >= s.steps or out_of_time):
                    break
                loss = self._loss(params)
                if not loss > s.restart_above and status == "stalled":  # a stall at a floor good enough
                    break
                # A stall (or a breakdown) with restarts left: start again from a fresh initialisation on
                # the same points, sharing the step and time budgets; the best attempt is kept at the end.
                self.attempts.finish(loss, params, start, status)
                params, state = self._initial(self.attempts.current)
        elapsed = elapsed0 + time.perf_counter() - t0
        return self._finish(params, state, start, history, elapsed, status)

    # -- outputs ------------------------------------------------------------------------------
    def _kept(self, params, steps_done, status):
        """(params to report, attempt summaries or None): the best attempt's when restarts happened."""
        tries = self.attempts
        if not tries.finished:
            return params, None
        loss = self._loss(params)
        first = tries.finished[-1]["end_step"]
        summaries = tries.finished + [{"attempt": tries.current, "steps": steps_done - first, "end_step": steps_done,
                                       "loss": loss, "status": status}]
        return (tries.best if tries.best_loss < loss else params), summaries

    def _final_metrics(self, params, steps_done, history, elapsed, status, summaries=None) -> dict:
        loss = self._loss(params)
        errors = {"rel_l2": None, "abs_l2": None, "rel_l2_by_unknown": None}
        if self.test_values is not None:
            pred = evaluate_network(self.model, network_params(params), jnp.asarray(self.test_points, self.dtype))
            expected = jnp.asarray(self.test_values, self.dtype)
            errors = {**error_norms(pred, expected),
                      "rel_l2_by_unknown": error_norms_by_unknown(pred, expected, self.compiled.unknowns)}
        errors.update(self._parameter_metrics(params))
        message = {
            "nonfinite": "the loss became non-finite; the last finite parameters were kept",
            "interrupted": "interrupted by the user (Ctrl-C); outputs reflect the last finished step",
            "converged": "converged: the optimizer needs no further component to reach its precision target",
            "stalled": ("stalled: the loss stopped falling (the optimizer's `patience` of steps without a "
                        "`min_decrease`" + (", or less than a factor `stall_factor` over `stall_window` steps"
                                            if self.settings.stall_window else "")
                        + ") — the floor of this network, these points and this rule (restarts, a larger "
                        "network or another optimizer may go further)"),
            "time_limit": "stopped at the wall-time limit",
            "target": "reached the target loss",
            "budget": "used the whole step budget",
            "stopped": "stopped by the callback",
        }.get(status, status)
        if status == "stalled" and self.settings.restarts and not loss > self.settings.restart_above:
            message = (f"stalled at loss {loss:.3e}, at or below restart_above = {self.settings.restart_above:g}: "
                       "a floor good enough, so no restart")
        if self.resamples:
            message += (f" (interior points redrawn from the residual {len(self.resamples)} time(s), "
                        f"the last at step {self.resamples[-1]['step']})")
        restarts = {}
        if summaries:
            tries = summaries
            best = min(range(len(tries)), key=lambda k: tries[k]["loss"])
            restarts = {"attempts": tries, "best_attempt": tries[best]["attempt"]}
            message += (f" ({len(tries)} attempts after {len(tries) - 1} restart(s); kept attempt "
                        f"{tries[best]['attempt']}, loss {tries[best]['loss']:.3e})")
        return {
            "problem": self.compiled.name,
            "optimizer": self.settings.optimizer,
            "settings": self.settings.as_dict(),
            "steps": steps_done,
            "wall_s": elapsed,
            "device": describe_device(),
            "dtype": "float32" if self.settings.float32 else "float64",
            "n_params": int(sum(np.size(x) for x in jax.tree_util.tree_leaves(params))),
            "n_points": {name: int(p["points"].shape[0]) for name, p in self.collocation.items()},
            "n_test_points": None if self.test_points is None else int(self.test_points.shape[0]),
            "error_reference": ("exact" if self.compiled.exact is not None
                                else "reference" if self.compiled.reference is not None else None),
            "loss": loss,
            **errors,
            "status": status,
            "message": message,
            **restarts,
            **({"resamples": self.resamples} if self.resamples else {}),
            "history": history,
        }

    def _parameter_metrics(self, params) -> dict:
        """`parameters`: the recovered learned scalars; `parameter_errors`: relative errors where the spec
        states their exact values (absent for a problem without learned scalars)."""
        if not self.compiled.parameters:
            return {}
        values = {name: float(v) for name, v in learned_scalars(params).items()}
        exact = dict(self.compiled.exact_parameters)
        errors = {name: abs(values[name] - true) / max(abs(true), np.finfo(float).tiny)
                  for name, true in exact.items()}
        return {"parameters": values, "parameter_errors": errors or None}

    def _finish(self, params, state, steps_done, history, elapsed, status) -> Solution:
        """Write the outputs. The checkpoint holds where the run stopped (resume continues from there);
        params.npz, metrics and plots hold the kept parameters (the best attempt's, after restarts)."""
        if self.out_dir is not None:
            self._save_checkpoint(params, state, steps_done, history, elapsed)
        params, summaries = self._kept(params, steps_done, status)
        metrics = self._final_metrics(params, steps_done, history, elapsed, status, summaries)
        solution = Solution(model=self.model, params=params, coordinates=self.compiled.domain.names,
                            unknowns=self.compiled.unknowns, metrics=metrics, history=history,
                            out_dir=self.out_dir, float32=self.settings.float32)
        if self.out_dir is not None:
            from pdedsl.run._plots import write_plots, write_solution_grid

            save_params(self.out_dir / "params.npz", self.model, params,
                        coordinates=self.compiled.domain.names, unknowns=self.compiled.unknowns,
                        parameters=[name for name, _ in self.compiled.parameters])
            grid = write_solution_grid(self.out_dir / "solution.npz", solution, self.compiled, self.dtype)
            write_plots(self.out_dir, metrics, grid, self.compiled)
            write_json(self.out_dir / "metrics.json", metrics)
        return solution

