"""Solver core: PINN model, residual Jacobians, natural-gradient optimizers and the training loop.

Knows nothing of the language: it works on any ``residual_fn(params, data) -> r (S,)`` with
loss = ½‖r‖². See docs/solvers.md for the mathematics and the defaults.

The public API is what a user needs to train a model on a residual: the model (`MLP`), the pointwise
residual declaration, the optimizers and their registry (by name, as the command line and specs give
them), the loop (`run`) with its result and statuses, and the residual's Jacobian. The building blocks
(factorisations, rank rules, line search) live in the private modules.
"""

from pdedsl.solvers._amstramgram import AMStramGRAM
from pdedsl.solvers._anagram import ANaGRAM
from pdedsl.solvers._baselines import LBFGS, Adam, AdamLBFGS, GradientDescent
from pdedsl.solvers._driver import RunResult, StepInfo, run
from pdedsl.solvers._engd import ENGD
from pdedsl.solvers._errors import OptimizerSettingError
from pdedsl.solvers._jacobian import PointwiseGroup, PointwiseResidual, residual_and_jacobian
from pdedsl.solvers._mlp import MLP
from pdedsl.solvers._quasi_newton import SSBroyden
from pdedsl.solvers._registry import OPTIMIZERS, make_optimizer, optimizer_settings
from pdedsl.solvers._sharding import Sharded, points_mesh
from pdedsl.solvers._status import Status

__all__ = [
    "MLP", "PointwiseResidual", "PointwiseGroup", "residual_and_jacobian",
    "AMStramGRAM", "ANaGRAM", "ENGD", "GradientDescent", "Adam", "LBFGS", "AdamLBFGS", "SSBroyden",
    "OPTIMIZERS", "make_optimizer", "optimizer_settings", "OptimizerSettingError",
    "run", "RunResult", "StepInfo", "Status",
    "Sharded", "points_mesh",
]
