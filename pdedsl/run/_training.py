"""The training loop of a run: the driver's `run`, stopped between steps for checkpoints, redraws of
the points, restarts, the wall-time limit and Ctrl-C.

Every stop is a value: the driver returns a `Status` (an optimizer's own verdict, the budget, the
target, a non-finite loss) or the stop reason the per-step callback returned (`"interrupted"`,
`"time_limit"`, or `"pause"` for a checkpoint or a redraw due at this step). The history is the
driver's, one row per step taken, joined over the calls of `run` with a global clock.
"""

from __future__ import annotations

import time
import uuid

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.errors import PdeError
from pdedsl.run._assemble import initial_params, make_residual_fn
from pdedsl.run._causal import causal_optimizer
from pdedsl.run._checkpoint import CHECKPOINT, RunState, load_checkpoint, save_checkpoint
from pdedsl.run._defaults import ROUNDOFF
from pdedsl.run._metrics import describe_device, display_name, evaluation_data
from pdedsl.run._progress import make_reporter
from pdedsl.run._resample import KEEPS_STATE, Resampler, carried_state
from pdedsl.run._sampling import collocation_points
from pdedsl.run._validation import VALIDATION_EVERY, Validated, validation_data
from pdedsl.run._wrappers import Monitored, StallWindow
from pdedsl.settings import STALL_FACTOR
from pdedsl.solvers import MLP, Status
from pdedsl.solvers import run as drive

__all__ = ["Training"]

PAUSE = "pause"  # the callback's stop reason when a checkpoint or a redraw is due


class Training:
    """One training run: everything derived deterministically from (spec, settings)."""

    def __init__(self, compiled, settings, optimizer, out_dir, *, fingerprint: str, quiet: bool):
        self.compiled, self.settings, self.out_dir, self.quiet = compiled, settings, out_dir, quiet
        self.fingerprint = fingerprint
        self.dtype = jnp.float32 if settings.float32 else jnp.float64
        model_kwargs = dict(in_dim=compiled.domain.dim, out_dim=len(compiled.unknowns), widths=settings.widths,
                            activation=settings.activation)
        if settings.init is not None:
            model_kwargs["initializer"] = settings.init
        try:
            self.model = MLP(**model_kwargs)
        except (ValueError, TypeError) as err:
            raise PdeError(str(err), hint="check the `model` settings (or the flags)") from None
        self.collocation = collocation_points(compiled.domain, compiled.groups, settings.counts, settings.method,
                                              settings.seed)
        self.data = {name: {k: jnp.asarray(v, self.dtype) for k, v in group.items()}
                     for name, group in self.collocation.items()}
        self.test_points, self.test_values = evaluation_data(compiled, settings, self.dtype)
        self.resampler = Resampler(compiled, settings, self.dtype)
        if settings.causal:
            optimizer = causal_optimizer(optimizer, compiled, settings)
        if settings.stall_window:
            optimizer = StallWindow(optimizer, settings.stall_window, STALL_FACTOR)
        self.validation = validation_data(compiled, settings.counts, settings.seed, self.dtype)
        optimizer = Validated(optimizer, self.validation, VALIDATION_EVERY.get(settings.optimizer, 1))
        if self.test_values is not None:
            # The per-step error uses at most n_test points (a fixed subset of a large reference grid);
            # the final error in metrics.json uses every test point.
            pick = np.sort(np.random.default_rng(settings.seed).permutation(len(self.test_points))[: settings.n_test])
            optimizer = Monitored(optimizer, self.model, jnp.asarray(self.test_points[pick], self.dtype),
                                  jnp.asarray(self.test_values[pick], self.dtype))
        self.optimizer = optimizer
        self.residual_fn = make_residual_fn(compiled.groups, self.model, self.data)
        # (params, state) after the last two steps of this stretch: when the first step after a pause
        # finds a non-finite loss, the parameters before the pause's are the last finite ones.
        self._recent = (None, None)
        self._loss = jax.jit(lambda params, data: 0.5 * jnp.sum(self.residual_fn(params, data) ** 2))
        self.target_loss = settings.target_loss  # None until `train` computes the round-off target

    # -- pieces -----------------------------------------------------------------------------------
    def loss(self, params, data=None) -> float:
        # Parameters as host arrays: those a step returns sit on its device mesh, fresh ones do not, and
        # either way the loss then compiles once (a second compile cost the first restart ~0.2 s).
        return float(self._loss(jax.device_get(params), self.data if data is None else data))

    def val_loss(self, params) -> float:
        """The loss at the held-out points (`val_loss`)."""
        return self.loss(params, self.validation)

    def _roundoff(self) -> float:
        """The default target: `ROUNDOFF` times the loss of the zero function (every weight, bias and
        learned scalar 0), the problem's own scale; a problem whose zero function has no loss (its
        solution is 0) takes `ROUNDOFF` squared as an absolute target."""
        zero = jax.tree_util.tree_map(jnp.zeros_like, self._fresh(jax.random.PRNGKey(0)))
        scale = self.loss(zero)
        return ROUNDOFF * scale if scale > 0 and np.isfinite(scale) else ROUNDOFF**2

    def _fresh(self, key):
        return initial_params(self.model, key, self.compiled.parameters)

    def _attempt_start(self, run: RunState) -> None:
        """Parameters and a fresh optimizer state for the attempt `run.attempts.current`."""
        s = self.settings
        run.params = run.attempts.start_params(s.seed, s.restart_noise, self._fresh, self.dtype)
        run.state = self.optimizer.init(self.residual_fn, run.params, self.data)
        self._recent = (None, None)

    def _redraw(self, run: RunState) -> None:
        self.data = self.resampler.redraw(self.residual_fn, run.params, self.data, run.step, self.loss)
        fresh = self.optimizer.init(self.residual_fn, run.params, self.data)
        name = self.settings.optimizer
        run.state = carried_state(fresh, run.state, KEEPS_STATE[name]) if name in KEEPS_STATE else fresh
        self._recent = (None, None)

    def checkpoint(self, run: RunState) -> None:
        if self.out_dir is not None:
            save_checkpoint(self.out_dir / CHECKPOINT, run, self.fingerprint, self.resampler.rows,
                            self.resampler.points(self.data))

    def start(self, resume: bool) -> RunState:
        """The state before the first step: attempt 0's, or the checkpoint's with `resume`."""
        run = RunState(None, None, run_id=uuid.uuid4().hex)
        self._attempt_start(run)
        if resume:
            run, points = load_checkpoint(self.out_dir / CHECKPOINT, self.fingerprint, run, self.resampler.rows)
            if points is not None:
                if points.shape != self.data[self.resampler.groups[0]]["points"].shape:
                    raise PdeError(f"cannot resume: {self.out_dir / CHECKPOINT} is damaged (interior points of "
                                   f"shape {points.shape})", hint="start the run again, or in a fresh --out folder")
                self.data = self.resampler.with_points(self.data, points)
            if self.resampler.pending(run.step):  # stopped on a redraw step before redrawing
                self._redraw(run)
        return run

    def _record(self, run: RunState, result, clock_at_call: float) -> None:
        """Append the steps `result` took to the history; move `run` to where it stopped."""
        taken = int(result.steps) - run.step
        for key, values in result.history.items():
            values = np.asarray(values, float)[:taken]
            if key == "time":
                values = values + clock_at_call
            run.history.setdefault(key, []).extend(values.tolist())
        if self.settings.restarts and taken:
            run.history.setdefault("attempt", []).extend([run.attempts.current] * taken)
        run.params, run.state, run.step = result.params, result.state, int(result.steps)
        if result.status is Status.NONFINITE and not taken and self._recent[0] is not None:
            run.params, run.state = self._recent[0]

    def _restart(self, run: RunState, status: str, out_of_time: bool) -> bool:
        """After an attempt ended with `status`: start the next one? (restarts left, budget left)."""
        s = self.settings
        if status not in ("stalled", "nonfinite") or run.attempts.current >= s.restarts or run.step >= s.steps:
            return False
        if out_of_time:
            return False
        loss = self.loss(run.params)
        run.attempts.finish(loss, run.params, run.step, status)
        self._attempt_start(run)
        return True

    # -- the loop ---------------------------------------------------------------------------------
    def train(self, run: RunState, interrupts) -> str:
        """Take steps until the run ends; returns its status. `run` is updated in place."""
        s = self.settings
        if self.target_loss is None:
            self.target_loss = self._roundoff()
        elapsed0, t0 = run.elapsed, time.perf_counter()

        def clock() -> float:
            return elapsed0 + time.perf_counter() - t0

        def on_step(info):
            step = info.step + 1
            self._recent = (self._recent[1], (info.params, info.state))
            reporter.update(step, info.stats, clock())
            if interrupts.count:
                return "interrupted"
            if s.time_limit is not None and clock() - elapsed0 >= s.time_limit:
                return "time_limit"
            if self.resampler.due(step) or (s.checkpoint_every and step % s.checkpoint_every == 0):
                return PAUSE
            return None

        reporter = make_reporter(self.quiet, total=s.steps, start=run.step, problem=display_name(self.compiled.name),
                                 optimizer=s.optimizer, device=describe_device(), time_limit=s.time_limit)
        status = "budget"
        with reporter:
            while not interrupts.count:
                at_call = clock()
                result = drive(self.optimizer, self.residual_fn, run.params, self.data,
                               steps=max(s.steps - run.step, 0), target_loss=self.target_loss,
                               callback=on_step, state=run.state, start_step=run.step)
                self._record(run, result, at_call)
                status = result.reason if result.status is Status.STOPPED else result.status.value
                if status == PAUSE:
                    if self.resampler.due(run.step):
                        self._redraw(run)
                    if s.checkpoint_every and run.step % s.checkpoint_every == 0:
                        run.elapsed = clock()
                        self.checkpoint(run)
                    continue
                out_of_time = s.time_limit is not None and clock() - elapsed0 >= s.time_limit
                if not self._restart(run, status, out_of_time):
                    if status == "stalled" and out_of_time and run.attempts.current < s.restarts:
                        status = "time_limit"  # a restart was due, but the time budget had run out
                    break
            else:
                status = "interrupted"
        run.elapsed = clock()
        return status

    def kept(self, run: RunState, status: str):
        """(params, loss, attempt summaries or None) to report: the best attempt's after restarts."""
        loss = self.loss(run.params)
        params, summaries = run.attempts.kept(run.params, loss, run.step, status)
        return params, (loss if params is run.params else self.loss(params)), summaries
