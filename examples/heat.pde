# 1+1-D heat equation (seed benchmark): u_t = u_xx / 4 on (t, x) in [0, 1]^2.
# The coordinate named t is the time: `initial:` conditions hold at t = 0.
let kappa = 1/4
domain t in [0, 1], x in [0, 1]
unknown u

pde:      dt(u) - kappa * dxx(u) = 0
boundary: u = 0                on x = 0, x = 1
initial:  u = sin(pi * x)      on t = 0
exact:    u = exp(-kappa * pi^2 * t) * sin(pi * x)

model  mlp(widths = [32], activation = tanh)
sample interior 900, boundary 60, initial 60, method = sobol
# ANaGRAM is the default here: at equal wall time it is ~100x more accurate than today's
# AMStramGRAM rule on this problem (docs/benchmarks.md); `--optimizer amstramgram` selects it.
solve  anagram(steps = 500)
