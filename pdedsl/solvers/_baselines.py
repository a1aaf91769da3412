"""First-order and quasi-Newton baselines on loss = ½‖r‖², in the same init/step interface.

`GradientDescent` uses the batched grid line search along −∇loss; `Adam` and `LBFGS` wrap optax
(`optax.adam`; `optax.lbfgs` with its zoom line search, reusing value and gradient from its state);
`AdamLBFGS` runs the first for a fixed number of steps, then the second, as DeepXDE's examples do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from pdedsl.solvers._jacobian import flatten_problem, half_squared_norm, row_layout
from pdedsl.solvers._linesearch import LineSearch
from pdedsl.solvers._status import status_code

__all__ = ["GradientDescent", "Adam", "LBFGS", "AdamLBFGS", "GradientDescentState", "OptaxState", "AdamLBFGSState"]


def _loss_fn(residual_fn, data):
    def loss(params):
        r = jnp.ravel(residual_fn(params, data))
        return half_squared_norm(r, row_layout(residual_fn, r.shape[0]))

    return loss


class GradientDescentState(NamedTuple):
    step: jax.Array  # int32 scalar


@dataclass(frozen=True)
class GradientDescent(LineSearch):
    """θ ← θ − η ∇loss, η from the line search's grid scaled by `max_step_size`; `reject` (default on)
    leaves θ unchanged when no step size decreases the loss."""

    max_step_size: float = 1.0
    reject: bool = True

    def init(self, residual_fn, params, data) -> GradientDescentState:
        return GradientDescentState(jnp.zeros((), jnp.int32))

    def step(self, residual_fn, params, state, data):
        prob = flatten_problem(residual_fn, params, data)
        loss, grad = jax.value_and_grad(lambda t: half_squared_norm(prob.residual(t), prob.rows))(prob.theta)
        new_params, stats = self.searched_step(prob, grad, loss, reject=self.reject, scale=self.max_step_size)
        return new_params, GradientDescentState(state.step + 1), stats


class OptaxState(NamedTuple):
    step: jax.Array  # int32 scalar
    inner: Any  # the optax optimizer state (a pytree of arrays)


@dataclass(frozen=True)
class Adam:
    """optax.adam(learning_rate, b1, b2, eps) on loss = ½‖r‖²."""

    learning_rate: float = 1e-3
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8

    def _tx(self):
        return optax.adam(self.learning_rate, b1=self.b1, b2=self.b2, eps=self.eps)

    def init(self, residual_fn, params, data) -> OptaxState:
        return OptaxState(jnp.zeros((), jnp.int32), self._tx().init(params))

    def step(self, residual_fn, params, state: OptaxState, data):
        loss, grads = jax.value_and_grad(_loss_fn(residual_fn, data))(params)
        updates, inner = self._tx().update(grads, state.inner, params)
        new_params = optax.apply_updates(params, updates)
        dtype = jnp.result_type(loss)
        stats = {
            "loss": loss,
            "step_size": jnp.asarray(self.learning_rate, dtype),
            "status": status_code(),
        }
        return new_params, OptaxState(state.step + 1, inner), stats


@dataclass(frozen=True)
class LBFGS:
    """optax.lbfgs(memory_size) with its zoom line search (strong Wolfe), each search from η = 1."""

    memory_size: int = 10
    max_linesearch_steps: int = 20

    def _tx(self):
        # Each search starts from η = 1, the quasi-Newton step, as optax.lbfgs's own default does; the
        # line search's own default keeps the last η, which freezes L-BFGS into a gradient method.
        linesearch = optax.scale_by_zoom_linesearch(max_linesearch_steps=self.max_linesearch_steps,
                                                    initial_guess_strategy="one")
        return optax.lbfgs(memory_size=self.memory_size, linesearch=linesearch)

    def init(self, residual_fn, params, data) -> OptaxState:
        return OptaxState(jnp.zeros((), jnp.int32), self._tx().init(params))

    def step(self, residual_fn, params, state: OptaxState, data):
        loss_fn = _loss_fn(residual_fn, data)
        tx = self._tx()
        loss, grads = optax.value_and_grad_from_state(loss_fn)(params, state=state.inner)
        updates, inner = tx.update(grads, state.inner, params, value=loss, grad=grads, value_fn=loss_fn)
        new_params = optax.apply_updates(params, updates)
        stats = {
            "loss": loss,
            "loss_after": optax.tree_utils.tree_get(inner, "value"),
            "step_size": optax.tree_utils.tree_get(inner, "learning_rate"),
            "status": status_code(),
        }
        return new_params, OptaxState(state.step + 1, inner), stats


class AdamLBFGSState(NamedTuple):
    step: jax.Array  # int32 scalar
    adam: Any  # the Adam stage's optax state
    lbfgs: Any  # the L-BFGS stage's optax state (untouched until the switch)


@dataclass(frozen=True)
class AdamLBFGS:
    """Adam at `learning_rate` for `adam_steps` steps, then L-BFGS with a long memory and the zoom line
    search from wherever Adam stopped — the recipe DeepXDE's PINN examples run. One jitted step: a
    `lax.cond` on the step count picks the stage; stats ``stage`` is 0 (Adam) or 1 (L-BFGS)."""

    learning_rate: float = 1e-3
    adam_steps: int = 15000
    memory_size: int = 50
    max_linesearch_steps: int = 20

    def _stages(self):
        return Adam(learning_rate=self.learning_rate), LBFGS(self.memory_size, self.max_linesearch_steps)

    def init(self, residual_fn, params, data) -> AdamLBFGSState:
        adam, lbfgs = self._stages()
        return AdamLBFGSState(jnp.zeros((), jnp.int32), adam.init(residual_fn, params, data).inner,
                              lbfgs.init(residual_fn, params, data).inner)

    def step(self, residual_fn, params, state: AdamLBFGSState, data):
        adam, lbfgs = self._stages()

        def stage(optimizer, field):
            def take(_):
                new_params, inner, stats = optimizer.step(residual_fn, params,
                                                          OptaxState(state.step, getattr(state, field)), data)
                loss = stats["loss"]
                return new_params, state._replace(**{field: inner.inner}), loss, stats["step_size"].astype(loss.dtype)
            return take

        in_adam = state.step < self.adam_steps
        new_params, new_state, loss, eta = jax.lax.cond(in_adam, stage(adam, "adam"), stage(lbfgs, "lbfgs"), None)
        stats = {"loss": loss, "step_size": eta, "status": status_code(), "stage": (~in_adam).astype(jnp.int32)}
        return new_params, new_state._replace(step=state.step + 1), stats
