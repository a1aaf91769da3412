# Poisson equation in five dimensions (benchmark problem "Laplace 5D"):
#   −Δu = π² Σₖ sin(πxₖ) in [0, 1]⁵,  u = Σₖ sin(πxₖ) on ∂Ω.
# x in [0, 1]^5 declares the coordinates x1 .. x5, also written x[k].
# The 500 steps below take about 200 s on one CPU core and reach rel L2 7e-5; with more steps
# (--steps 10000) AMStramGRAM stalls at 1.2e-6 after about 2100 steps, 9 minutes (docs/benchmarks.md).
domain x in [0, 1]^5
unknown u

pde:      -lap(u) = pi^2 * sum(k = 1..5, sin(pi * x[k]))
boundary: u = sum(k = 1..5, sin(pi * x[k]))      on boundary
exact:    u = sum(k = 1..5, sin(pi * x[k]))

# The network (5-64-1) and the 4000 + 500 Sobol' points are the defaults from four dimensions.
model  mlp(init = glorot)
solve  amstramgram(steps = 500, eps = 1e-12)
