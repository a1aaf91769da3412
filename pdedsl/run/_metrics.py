"""What a run measures: the test points and their solution, and the final metrics (metrics.json)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pdedsl.errors import PdeError
from pdedsl.run._assemble import error_norms, error_norms_by_unknown, evaluate_network, learned_scalars, network_params
from pdedsl.run._restarts import ranked
from pdedsl.run._sampling import evaluation_points

__all__ = ["evaluation_data", "final_metrics", "display_name", "describe_device"]


def describe_device() -> str:
    """The device JAX computes on, e.g. 'cpu' or 'gpu (NVIDIA H100 80GB HBM3)'."""
    dev = jax.devices()[0]
    kind = getattr(dev, "device_kind", "") or ""
    return dev.platform if not kind or kind == dev.platform else f"{dev.platform} ({kind})"


def display_name(name: str) -> str:
    """A problem name fit for JSON and plot titles (a file name that is not UTF-8 keeps a �)."""
    return str(name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def evaluation_data(compiled, settings, dtype):
    """Test points never used in training, and the solution there (exact or reference); (None, None)
    when neither is known."""
    box = compiled.domain
    if compiled.exact is not None:
        pts = evaluation_points(box, settings.n_test, settings.seed)
        return pts, np.asarray(jax.jit(compiled.exact)(jnp.asarray(pts, dtype)))
    if compiled.reference is None:
        return None, None
    from pdedsl.reference import load_reference

    def at_reference(message, hint):  # at the spec's `reference` line, when it is known
        err = PdeError(message, compiled.reference_span, hint=hint)
        if err.span is not None and compiled.filename is not None:
            err.with_source(compiled.filename, compiled.text)
        return err

    try:
        ref = load_reference(compiled.reference)
    except PdeError as err:
        raise at_reference(err.message, err.hint) from None
    if set(ref.coords) != set(box.names):
        raise at_reference(f"reference file {compiled.reference} has coordinates {', '.join(ref.coords)}, the "
                           f"domain has {', '.join(box.names)}", "regenerate the reference file")
    order = [ref.coords.index(name) for name in box.names]
    return ref.points[:, order], ref.values


_MESSAGES = {
    "nonfinite": "the loss became non-finite; the last finite parameters were kept",
    "interrupted": "interrupted by the user (Ctrl-C); outputs reflect the last finished step",
    "converged": "converged: the optimizer needs no further component to reach its precision target",
    "target": "converged: the loss reached its target",
    "stopped": "stopped by the callback",
}
CONVERGED = ("converged", "target")  # the statuses of a run that reached its target
_ENDED = {
    "budget": "the step budget ran out",
    "time_limit": "the time budget ran out",
    "stalled": "the loss fell by less than 10x over the stall window and no restart was left",
}


def _not_converged(status: str, loss: float, target: float, history: dict) -> str:
    """The message of a run that ended on a budget or a stall above its target: what happened, what to try."""
    losses = [x for x in history.get("loss", []) if np.isfinite(x)]
    first = losses[0] if losses else loss
    sizes = [x for x in history.get("step_size", []) if np.isfinite(x)]
    stuck = losses and loss > 0.5 * first
    message = f"did not converge: {_ENDED.get(status, status)} at loss {loss:.3e}, above the target {target:.3e}"
    if stuck:
        eta = f" (median step size {np.median(sizes):.1e})" if sizes else ""
        message += (f"; the loss hardly moved from its start, {first:.3e}{eta}. Try another optimizer "
                    "(--optimizer amstramgram, or adam_lbfgs), another seed, or initial values of the learned "
                    "parameters nearer the truth")
    else:
        message += ("; try a longer budget (--time-limit), restarts (--restarts N), more points or a larger "
                    "network (docs/usage.md, \"Defaults\")")
    return message


def _message(status: str, loss: float, target: float, settings, resamples: list, summaries, history) -> str:
    if status in _ENDED:
        message = (_MESSAGES["target"] if loss <= target
                   else _not_converged(status, loss, target, history))
    else:
        message = _MESSAGES.get(status, status)
    if resamples:
        message += (f" (interior points redrawn from the residual {len(resamples)} time(s), "
                    f"the last at step {resamples[-1]['step']})")
    if summaries:
        best = min(summaries, key=lambda row: ranked(row["loss"]))
        message += (f" ({len(summaries)} attempts after {len(summaries) - 1} restart(s); kept attempt "
                    f"{best['attempt']}, loss {best['loss']:.3e})")
    return message


def _errors(compiled, model, params, test_points, test_values, dtype) -> dict:
    errors = {"rel_l2": None, "abs_l2": None, "rel_l2_by_unknown": None}
    if test_values is not None:
        pred = evaluate_network(model, network_params(params), jnp.asarray(test_points, dtype))
        expected = jnp.asarray(test_values, dtype)
        errors = {**error_norms(pred, expected),
                  "rel_l2_by_unknown": error_norms_by_unknown(pred, expected, compiled.unknowns)}
    if compiled.parameters:  # the recovered learned scalars, and their errors where the spec knows them
        values = {name: float(v) for name, v in learned_scalars(params).items()}
        exact = dict(compiled.exact_parameters)
        errors["parameters"] = values
        errors["parameter_errors"] = {name: abs(values[name] - true) / max(abs(true), np.finfo(float).tiny)
                                      for name, true in exact.items()} or None
    return errors


def final_metrics(training, params, loss: float, run, status: str, summaries) -> dict:
    """metrics.json of `training` (a `Training`) ending at `run` (a RunState) with the kept `params`."""
    compiled, settings = training.compiled, training.settings
    restarts = {}
    if summaries:
        best = min(summaries, key=lambda row: ranked(row["loss"]))
        restarts = {"attempts": summaries, "best_attempt": best["attempt"]}
    rows = training.resampler.rows
    return {
        "problem": display_name(compiled.name),
        "optimizer": settings.optimizer,
        "settings": settings.as_dict(),
        "steps": run.step,
        "wall_s": run.elapsed,
        "device": describe_device(),
        "dtype": "float32" if settings.float32 else "float64",
        "n_params": int(sum(np.size(x) for x in jax.tree_util.tree_leaves(params))),
        "n_points": {name: int(p["points"].shape[0]) for name, p in training.collocation.items()},
        "n_test_points": None if training.test_points is None else int(training.test_points.shape[0]),
        "error_reference": ("exact" if compiled.exact is not None
                            else "reference" if compiled.reference is not None else None),
        "loss": loss,
        "val_loss": training.val_loss(params),
        **_errors(compiled, training.model, params, training.test_points, training.test_values, training.dtype),
        "status": status,
        "converged": status in CONVERGED or (status in _ENDED and loss <= training.target_loss),
        "target_loss": training.target_loss,
        "message": _message(status, loss, training.target_loss, settings, rows, summaries, run.history),
        **restarts,
        **({"resamples": rows} if rows else {}),
        "history": run.history,
        "run_id": run.run_id,
    }
