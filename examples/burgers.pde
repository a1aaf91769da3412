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

# Every 200 steps the interior points are redrawn from the residual (RAD), so that they follow the
# front at x = 0: after ~1400 steps (30 minutes on one CPU core) rel L2 4.7e-3, against 2.7e-2 on
# fixed points (docs/benchmarks.md).
model  mlp(widths = [32, 32], activation = tanh, init = lecun)
sample interior 2000, boundary 100, initial 200, method = sobol, resample_every = 200
solve  amstramgram(steps = 1400, eps = 1e-14)
