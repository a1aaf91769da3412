# Nonlinear Poisson equation (seed benchmark):
#   −∇·((1 + u²) ∇u) = f in [0, 1]²,  u = 0 on ∂Ω,
# with f manufactured from u = sin(πx) sin(πy):
#   f = 2π² u (1 + u²) − 2π² u (cos²(πx) sin²(πy) + sin²(πx) cos²(πy)).
domain x in [0, 1], y in [0, 1]
unknown u

let s = sin(pi * x) * sin(pi * y)      # the solution, as a function of x and y
let f = (2 * pi^2 * s * (1 + s^2)
         - 2 * pi^2 * s * (cos(pi * x)^2 * sin(pi * y)^2 + sin(pi * x)^2 * cos(pi * y)^2))

pde:      -div((1 + u^2) * grad(u)) = f
boundary: u = 0
exact:    u = s

# LeCun initialisation: AMStramGRAM leaves the start on 7 of 10 seeds with it, against 2 of 9 with
# the default (Glorot), which more often stalls near loss 1.3 (docs/benchmarks.md). On the other
# seeds it stalls early, near loss 1: `restarts = 3` then starts again from a fresh initialisation
# (same points, same step budget) and keeps the best attempt; a stall below loss 1e-6 is a floor,
# not a bad start, and ends the run.
model  mlp(widths = [32], activation = tanh, init = lecun)
sample interior 784, boundary 116, method = grid
solve  amstramgram(steps = 2500, eps = 1e-14, restarts = 3, restart_above = 1e-6)   # ~30 s, 2 CPU cores
