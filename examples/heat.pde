# 1+1-D heat equation (benchmark problem): u_t = u_xx / 4 on (t, x) in [0, 1]^2, trained to round-off.
# The coordinate named t is the time: `initial:` conditions hold at t = 0.
let kappa = 1/4
domain t in [0, 1], x in [0, 1]
unknown u

pde:      dt(u) - kappa * dxx(u) = 0
boundary: u = 0                on x = 0, x = 1
initial:  u = sin(pi * x)      on t = 0
exact:    u = exp(-kappa * pi^2 * t) * sin(pi * x)

# No settings: the defaults for a linear evolution problem on a box are a 2-80-1 tanh net (LeCun) on the
# 35 × 35 grid, trained by AMStramGRAM to a loss of ~1e-22 — a relative L2 error of 5e-12 to 6e-11 in
# 11–25 s on one CPU core (seeds 0–4, docs/benchmarks.md). A run that stalls above the round-off target
# restarts from its best weights moved by 10 % (docs/usage.md, "Defaults").
