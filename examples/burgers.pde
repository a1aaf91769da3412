# Viscous Burgers equation (benchmark problem):
#   ∂ₜu + u ∂ₓu = ν ∂ₓₓu,  ν = 0.01/π,  t ∈ [0, 1], x ∈ [−1, 1],
#   u(t, ±1) = 0,  u(0, x) = −sin(πx).
# Errors are measured against the Cole–Hopf solution, computed by quadrature.
let nu = 0.01 / pi
domain t in [0, 1], x in [-1, 1]
unknown u

pde:      dt(u) + u * dx(u) = nu * dxx(u)
boundary: u = 0                      on x = -1, x = 1
initial:  u = -sin(pi * x)           on t = 0
reference "data/burgers_reference.npz"

# Self-scaled Broyden, a dense quasi-Newton method (docs/solvers.md), on the defaults of an evolution
# problem: 2-32-32-1 LeCun, 2000 + 100 + 200 Sobol' points, the interior redrawn from the residual
# every 100 steps (the inverse Hessian kept). 900 s on one CPU core: rel. L2 3e-5 to 8e-5 over seeds
# 0-2, below 1e-4 from about 10 minutes on (docs/benchmarks.md); the published AMStramGRAM figure is
# 1.5e-6.
solve  ssbroyden(time_limit = 900)
