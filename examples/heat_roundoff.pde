# heat trained to round-off: the seed problem on a net with more parameters than points.
#   u_t = κ u_xx on [0, 1] × [0, 1], κ = 1/4,  u = 0 at x = 0 and x = 1,  u = sin(πx) at t = 0.
# As in laplace2d_roundoff.pde: 2-32-32-1 (1185 parameters, LeCun initialisation) on a grid of
# 900 + 60 + 60 points, AMStramGRAM, and a fresh initialisation after a stall above loss 1e-20.
# Measured with --time-limit 120 on 2 CPU cores (docs/benchmarks.md): seed 2 reaches rel L2 2.5e-12
# on its third attempt (120 s), seed 1 1.7e-11 on its first (41 s), seed 0 4.4e-9.
let kappa = 1/4
domain t in [0, 1], x in [0, 1]
unknown u

pde:      dt(u) - kappa * dxx(u) = 0
boundary: u = 0                on x = 0, x = 1
initial:  u = sin(pi * x)      on t = 0
exact:    u = exp(-kappa * pi^2 * t) * sin(pi * x)

model  mlp(widths = [32, 32], activation = tanh, init = lecun)
sample interior 900, boundary 60, initial 60, method = grid
solve  amstramgram(steps = 300, eps = 1e-14, restarts = 10, restart_above = 1e-20, restart_noise = 0.1)
