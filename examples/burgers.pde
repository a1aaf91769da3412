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

# AMStramGRAM, the interior points redrawn from the residual every 10 steps (automatic for an
# evolution problem; the optimizer keeps its state across a redraw). On fixed points a network fits
# its 2000 points and not the front between them (Adam then L-BFGS: training loss 2.9e-5, held-out
# val_loss 6.8e-2). Seed 0, 900 s on one (busy) CPU core: rel L2 1.15e-3 after 1249 steps, against
# 3.3e-2 with redraws every 200 steps that reset the optimizer, and 4.8e-2 for adam_lbfgs with
# redraws every 500 steps in the same 900 s (docs/benchmarks.md).
model  mlp(widths = [32, 32], activation = tanh, init = lecun)
sample interior 2000, boundary 100, initial 200, method = sobol
solve  amstramgram(steps = 100000, eps = 1e-14, time_limit = 900)
