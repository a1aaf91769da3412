# Allen–Cahn equation (seed benchmark):
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

model  mlp(widths = [32, 32], activation = tanh)
sample interior 2000, boundary 100, initial 200, method = sobol
solve  amstramgram(steps = 1000, eps = 1e-12)
