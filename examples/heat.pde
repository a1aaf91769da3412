# 1+1-D heat equation (benchmark problem): u_t = u_xx / 4 on (t, x) in [0, 1]^2, trained to round-off.
# The coordinate named t is the time: `initial:` conditions hold at t = 0.
let kappa = 1/4
domain t in [0, 1], x in [0, 1]
unknown u

pde:      dt(u) - kappa * dxx(u) = 0
boundary: u = 0                on x = 0, x = 1
initial:  u = sin(pi * x)      on t = 0
exact:    u = exp(-kappa * pi^2 * t) * sin(pi * x)

# The default 2-32-32-1 (LeCun) on a 35 × 35 grid. AMStramGRAM trains it to a loss of ~1e-24 and a
# relative L2 error of 3e-12 to 6e-12 in 1–2 minutes on 2 CPU cores (seeds 0–4, docs/benchmarks.md). A run
# that stalls, or crawls (less than 10x in 20 steps), above the round-off target restarts from its best
# weights moved by 10 % (the defaults, docs/usage.md).
sample interior 1225, boundary 70, initial 70, method = grid
solve  amstramgram(steps = 300)
