# Allen–Cahn equation (benchmark problem):
#   ∂ₜu − 10⁻³ ∂ₓₓu − 5 (u − u³) = 0,  t ∈ [0, 1], x ∈ [−1, 1],
#   u(t, ±1) = −1,  u(0, x) = x² cos(πx).
# No closed-form solution: errors are measured against a high-accuracy reference.
let epsilon = 1e-3
domain t in [0, 1], x in [-1, 1]
unknown u

pde:      dt(u) - epsilon * dxx(u) - 5 * (u - u^3) = 0
boundary: u = -1                     on x = -1, x = 1
initial:  u = x^2 * cos(pi * x)      on t = 0
reference "data/allen_cahn_reference.npz"

# Self-scaled Broyden, a dense quasi-Newton method (docs/solvers.md), on the defaults of an evolution
# problem: 2-32-32-1 LeCun, 2000 + 100 + 200 Sobol' points, the interior redrawn from the residual
# every 100 steps (the inverse Hessian kept). 600 s on one CPU core: rel. L2 ~6e-5 (seed 0,
# docs/benchmarks.md), the published AMStramGRAM figure 5.87e-5.
solve  ssbroyden(time_limit = 600)
