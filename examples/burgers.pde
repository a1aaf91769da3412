# Viscous Burgers equation (seed benchmark):
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

model  mlp(widths = [32, 32], activation = tanh)
sample interior 2000, boundary 100, initial 200, method = sobol
solve  amstramgram(steps = 1000, eps = 1e-12)
