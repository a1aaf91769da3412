"""The default recipe: what a spec without settings lines gets, by rules that read the problem's kind.

The rules (docs/usage.md, "Defaults", has them as one table) read five facts of the problem: its
dimension (time counted), whether it has a time coordinate, whether its domain is a box or a shape,
whether its residuals are affine in the unknowns, and how many unknowns it has. They never read which
problem it is.

* network: tanh with LeCun initialisation. A linear problem takes one hidden layer: 56 neurons when
  stationary up to two dimensions, 64 in three, 80 when it evolves in time (the solution also varies
  along t). A nonlinear one takes two layers: 48 each for a stationary problem for one unknown up to two
  dimensions (the natural-gradient steps below need the width to reach round-off), 32 otherwise up to
  three dimensions. From four dimensions every problem takes one layer of 64 (a wider, shallower net
  keeps P, and the step's cost, down). One layer suits the natural-gradient steps of a linear problem:
  its Gram matrix is better conditioned, each step costs a third of a two-layer one and AMStramGRAM
  reaches round-off as surely (docs/benchmarks.md, "Specs without settings");
* points: a linear evolution problem on a box up to two dimensions takes the nodes of a regular grid
  (1225 inside: the 35 × 35 grid of the unit square, 70 on the boundary, 70 initial); another evolution
  problem 2000 interior, 100 boundary and 200 initial Sobol' points, which the runner redraws from the
  residual (every 10 AMStramGRAM or 100 SSBroyden steps, run/_resample.py); a stationary problem on a box
  up to two dimensions the nodes of a regular grid (784 inside, 116 on the boundary: the 30 × 30 grid
  of the unit square; 100 inside in one dimension); otherwise Sobol' points, 800 + 200 up to two
  dimensions, 2000 + 400 in three, 4000 + 500 from four;
* optimizer: AMStramGRAM, whose natural-gradient steps reach round-off, for a linear problem (residuals
  affine in the unknowns) and for a nonlinear stationary one for one unknown up to two dimensions,
  where restarts from moved weights carry it past the floors a nonlinear residual leaves; SSBroyden
  for every other nonlinear problem, whose loss is reached by tens of thousands of cheap quasi-Newton
  steps: an evolution problem (a shock, a reaction front), where the Gauss–Newton model behind the
  natural gradient stalls far above round-off, and a system or a problem in three or more dimensions,
  whose Jacobian (a block of rows per equation, a wide two-layer net) makes each natural-gradient step
  cost seconds;
* stopping: a wall-time budget of `TIME_LIMIT` seconds and no step budget; the loss target is
  round-off relative to the problem's scale (`ROUNDOFF` × the loss of the zero function, computed by
  the training loop); a stall (less than 10× over `STALL_WINDOW` steps) restarts from the best weights
  so far moved by 10 % noise, up to `RESTARTS` times.
"""

from __future__ import annotations

__all__ = ["recipe", "TIME_LIMIT", "ROUNDOFF", "UNLIMITED_STEPS", "STALL_WINDOW", "RESTARTS", "RESTART_NOISE"]

TIME_LIMIT = 300.0  # seconds of the training loop
UNLIMITED_STEPS = 1_000_000  # "no step budget": the time budget, the target or a stall ends the run
ROUNDOFF = 1e-21  # the default target loss, relative to the loss of the zero function
RESTARTS = 100
RESTART_NOISE = 0.1  # when restarts are on and the spec does not say
# Steps of the stall window by optimizer: natural-gradient steps each gain orders of magnitude when they
# work; first-order ones need many steps for a factor of 10.
STALL_WINDOW = {"amstramgram": 20, "anagram": 20, "engd": 20, "gd": 2000, "adam": 2000, "lbfgs": 500,
                "adam_lbfgs": 2000, "ssbroyden": 5000}
NATURAL_GRADIENT = ("amstramgram", "anagram", "engd")


def _is_box(domain) -> bool:
    return type(domain).__name__ == "Box"


def recipe(domain, linear: bool = True, unknowns: int = 1) -> dict:
    """The defaults for a problem on `domain` whose residuals are affine in the unknowns or not
    (`linear`), for `unknowns` unknowns: optimizer, widths, init, method and counts."""
    dim, evolution = int(domain.dim), getattr(domain, "time", None) is not None
    natural_gradient = linear or (not evolution and dim <= 2 and unknowns == 1)
    if dim >= 4:
        widths = (64,)
    elif linear and evolution:
        widths = (80,)
    elif linear:
        widths = (56,) if dim <= 2 else (64,)
    else:
        widths = (48, 48) if natural_gradient else (32, 32)
    if evolution and linear and _is_box(domain) and dim <= 2:
        method, counts = "grid", {"interior": 1225, "boundary": 70, "initial": 70}
    elif evolution:
        method, counts = "sobol", {"interior": 2000, "boundary": 100, "initial": 200}
    elif _is_box(domain) and dim <= 2:
        method, counts = "grid", {"interior": 784 if dim == 2 else 100, "boundary": 116}
    else:
        interior, boundary = (800, 200) if dim <= 2 else (2000, 400) if dim == 3 else (4000, 500)
        method, counts = "sobol", {"interior": interior, "boundary": boundary}
    optimizer = "amstramgram" if natural_gradient else "ssbroyden"
    return {"optimizer": optimizer, "widths": widths, "init": "lecun", "activation": "tanh", "method": method,
            "counts": counts}


def loop_defaults(optimizer: str) -> dict:
    """The training loop's defaults for `optimizer`: restarts and the stall window."""
    return {"restarts": RESTARTS if optimizer in NATURAL_GRADIENT else 0,
            "stall_window": STALL_WINDOW[optimizer]}
