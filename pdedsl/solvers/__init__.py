"""Solver core: PINN model, residual Jacobians, natural-gradient optimizers and the training loop.

Knows nothing of the language: it works on any ``residual_fn(params, data) -> r (S,)`` with
loss = ½‖r‖². See docs/solvers.md for the mathematics and the defaults.
"""

from pdedsl.solvers._amstramgram import AMStramGRAM, AMStramGRAMState, reconstruction_errors
from pdedsl.solvers._anagram import ANaGRAM, spectral_projection, truncated_direction
from pdedsl.solvers._baselines import LBFGS, Adam, GradientDescent, GradientDescentState, OptaxState
from pdedsl.solvers._driver import RunResult, StepInfo, run
from pdedsl.solvers._status import Status
from pdedsl.solvers._engd import ENGD
from pdedsl.solvers._jacobian import (
    PointwiseGroup,
    PointwiseResidual,
    flatten_problem,
    half_squared_norm,
    residual_and_jacobian,
)
from pdedsl.solvers._linesearch import DEFAULT_STEP_SIZES, grid_line_search
from pdedsl.solvers._mlp import ACTIVATIONS, INITIALIZERS, MLP
from pdedsl.solvers._registry import OPTIMIZERS, OptimizerSettingError, make_optimizer, optimizer_settings

__all__ = [
    "MLP", "ACTIVATIONS", "INITIALIZERS", "PointwiseResidual", "PointwiseGroup",
    "ANaGRAM", "AMStramGRAM", "AMStramGRAMState", "ENGD",
    "GradientDescent", "GradientDescentState", "Adam", "LBFGS", "OptaxState",
    "run", "RunResult", "Status", "StepInfo",
    "make_optimizer", "optimizer_settings", "OptimizerSettingError", "OPTIMIZERS",
    "residual_and_jacobian", "flatten_problem", "half_squared_norm", "spectral_projection",
    "truncated_direction", "reconstruction_errors", "grid_line_search", "DEFAULT_STEP_SIZES",
]
