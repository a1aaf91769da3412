"""Compile, sample, train and write results: the product's main job.

`solve(problem, ...)` is what `pdedsl solve` and notebooks call. A run folder holds:

    metrics.json     settings, final loss and errors, status, per-step history (written last)
    params.npz       the trained network (reload with `pdedsl.load_solution(DIR)`)
    solution.npz     the solution (and exact solution / error where known) on a regular grid
    checkpoint.npz   parameters + optimizer state + history, every K steps and at the end
    convergence.png  loss and error against step and wall time
    solution.png     the solution and its absolute error (heat maps, or 2-D slices)

Every file is written atomically, and the outputs other than the checkpoint all or none
(pdedsl.run._outputs states the folder's policy).

`devices` splits the collocation points over that many devices (pdedsl.solvers.Sharded, docs/scaling.md);
in a multi-process run (`jax.distributed`) only process 0 writes, and every process reads the
checkpoint of `resume` from the shared folder.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path

import jax
import numpy as np

from pdedsl import settings as schema
from pdedsl.errors import PdeError
from pdedsl.run._interrupt import counting_sigint
from pdedsl.run._memory import check_step_memory
from pdedsl.run._metrics import describe_device, final_metrics
from pdedsl.run._outputs import check_out_dir, clear_out_dir, write_outputs
from pdedsl.run._settings import RunSettings, resolve_settings
from pdedsl.run._solution import Solution, save_params
from pdedsl.run._training import Training
from pdedsl.solvers import OptimizerSettingError, Sharded, make_optimizer, optimizer_settings, points_mesh

__all__ = ["solve", "describe_device", "start_processes"]


def _compile(problem):
    if isinstance(problem, (str, Path)):
        from pdedsl.language import load

        problem = load(problem)
    return problem.compile() if hasattr(problem, "compile") else problem


def solve(problem, *, optimizer=None, points=None, optimizer_options=None, out=None, resume=False, overwrite=False,
          float32=None, quiet=True, handle_sigint=True, devices=None, **settings) -> Solution:
    """Train a PINN for `problem` (a Problem, CompiledProblem or path) and return the Solution.

    Keyword arguments override the spec's settings: `optimizer`, `points` ({"interior": N, ...}),
    `optimizer_options` and every setting of the table `pdedsl.settings.ENTRIES` by its name (`steps`,
    `time_limit`, `seed`, `widths`, `causal`, ...: docs/usage.md, "Defaults", lists them); None leaves a
    setting to the spec or the defaults. With `out=DIR` every output file is written there: `resume=True`
    continues from DIR's checkpoint, `overwrite=True` replaces the run DIR holds (a folder holding a run
    is refused otherwise); without `out` nothing is written. Ctrl-C
    (in the main thread, with `handle_sigint`) stops at the end of the current step and still writes
    every output; a Ctrl-C while they are written removes them and raises KeyboardInterrupt.
    `devices`: how many devices the points are split over (default: all of them on an accelerator,
    1 on CPU); a run resumes on the number it started with.
    """
    _check_keywords(settings)
    compiled = _compile(problem)
    settings = resolve_settings(compiled.settings, compiled.domain, compiled.linear, len(compiled.unknowns),
                                optimizer=optimizer, points=points, optimizer_options=optimizer_options,
                                float32=float32, **settings)
    out_dir = Path(out) if out is not None else None
    if resume and out_dir is None:
        raise PdeError("--resume needs the folder of the run to continue", hint="pass --out DIR of that run")
    if resume and overwrite:
        raise PdeError("--resume continues the run in the folder, --overwrite replaces it: choose one",
                       hint="drop --overwrite to continue, or --resume to start again")
    if out_dir is not None:
        check_out_dir(out_dir, resume=resume, overwrite=overwrite)
    mesh = _mesh(devices)
    built = Sharded(_build_optimizer(compiled, settings), mesh)
    writer = jax.process_index() == 0
    with jax.enable_x64(not settings.float32), counting_sigint(handle_sigint) as interrupts:
        training = Training(compiled, settings, built, out_dir, quiet=quiet or not writer,
                            fingerprint=_fingerprint(compiled, settings, mesh.devices.size))
        run = training.start(resume)
        if not writer:  # the outputs, checkpoints included, are process 0's
            training.out_dir = out_dir = None
        rows = sum(len(training.collocation[g.name]["points"]) * g.n_components for g in compiled.groups)
        n_params = sum(np.size(x) for x in jax.tree_util.tree_leaves(run.params))
        if jax.default_backend() != "cpu":  # each accelerator holds its share of the rows; host devices share one memory
            rows = -(-rows // int(mesh.devices.size))
        check_step_memory(settings.optimizer, rows, n_params, training.dtype)
        if out_dir is not None:
            clear_out_dir(out_dir, resume=resume, overwrite=overwrite)
        status = training.train(run, interrupts)
        return _finish(training, run, status, interrupts, int(mesh.devices.size))


def _check_keywords(given: dict) -> None:
    """Every keyword is a setting of the table (a retired one says what replaced it)."""
    keywords = schema.keywords()
    for name in given:
        if name in keywords:
            continue
        if name in schema.RETIRED:
            raise PdeError(f"'{name}' is no longer a setting", hint=schema.RETIRED[name])
        guess = difflib.get_close_matches(name, keywords, n=1)
        hint = (f"did you mean '{guess[0]}'? " if guess else "") + f"the settings are: {', '.join(keywords)}"
        raise PdeError(f"solve() got an unknown setting '{name}'", hint=hint)


def start_processes() -> bool:
    """`jax.distributed.initialize()` when the environment describes a job of several processes
    (JAX_COORDINATOR_ADDRESS, or SLURM or Open MPI with more than one task); JAX reads the coordinator,
    the process count and this process's index from the same variables. Call it before anything
    else touches JAX's devices. Returns whether it did."""
    env = os.environ
    several = any(int(env.get(name, "1") or "1") > 1 for name in ("SLURM_NTASKS", "OMPI_COMM_WORLD_SIZE"))
    if not (env.get("JAX_COORDINATOR_ADDRESS") or several):
        return False
    jax.distributed.initialize()
    return True


def _mesh(devices):
    """The 1-D mesh of the points: `devices` of them, or every device (one on CPU)."""
    if devices is None:
        devices = 1 if jax.default_backend() == "cpu" else jax.device_count()
    if isinstance(devices, bool) or not isinstance(devices, (int, np.integer)) or devices < 1:
        raise PdeError(f"--devices: cannot use {devices!r}", hint="give a number of devices, 1 or more")
    if devices > jax.device_count():
        raise PdeError(f"--devices {devices}: only {jax.device_count()} {jax.default_backend()} device(s) available",
                       hint="on CPU, XLA_FLAGS=--xla_force_host_platform_device_count=N simulates N devices")
    return points_mesh(int(devices))


def _fingerprint(compiled, settings: RunSettings, devices: int = 1) -> str:
    """The run's fingerprint: spec, settings, the contents of the data and reference files, and the
    number of devices when more than one (a run resumes on as many devices as it started on)."""
    digest = hashlib.sha256()
    if devices > 1:
        digest.update(f"devices={devices}".encode())
    for group in compiled.groups:
        for key, value in sorted((getattr(group, "fixed", None) or {}).items()):
            digest.update(key.encode() + np.ascontiguousarray(value, float).tobytes())
    if compiled.reference is not None:
        try:
            digest.update(Path(compiled.reference).read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return settings.fingerprint(compiled.source, digest.hexdigest())


def _build_optimizer(compiled, settings: RunSettings):
    """The configured optimizer. An option it does not have, or a value it cannot take, is a PdeError; at
    its place in the spec when it came from there."""
    valid = tuple(f for f in optimizer_settings(settings.optimizer) if f not in schema.FIXED_OPTIONS)
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


def _finish(training: Training, run, status: str, interrupts, devices: int = 1) -> Solution:
    """The checkpoint holds where the run stopped (resume continues from there); params.npz, metrics
    and plots hold the kept parameters (the best attempt's, after restarts), written all or none."""
    training.checkpoint(run)
    params, loss, summaries = training.kept(run, status)
    metrics = final_metrics(training, params, loss, run, status, summaries)
    metrics["devices"] = devices
    compiled, out_dir = training.compiled, training.out_dir
    solution = Solution(model=training.model, params=params, coordinates=compiled.domain.names,
                        unknowns=compiled.unknowns, metrics=metrics, history=run.history, out_dir=out_dir,
                        float32=training.settings.float32)
    if out_dir is None:
        return solution
    from pdedsl.run._plots import write_plots, write_solution_grid

    grid = {}

    def params_file(output_id):
        save_params(out_dir / "params.npz", training.model, params, coordinates=compiled.domain.names,
                    unknowns=compiled.unknowns, parameters=[name for name, _ in compiled.parameters],
                    output_id=output_id)

    def grid_file(output_id):
        grid.update(write_solution_grid(out_dir / "solution.npz", solution, compiled, training.dtype, output_id))

    def plots(output_id):
        write_plots(out_dir, metrics, grid, compiled)

    output_id = write_outputs(out_dir, (params_file, grid_file, plots), metrics, interrupts)
    metrics["output_id"] = output_id
    return solution
