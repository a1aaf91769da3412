# Poisson equation on the unit square (benchmark problem "Laplace 2D"), trained to round-off:
#   Δu = −2π² sin(πx) sin(πy) in Ω = [0, 1]²,  u = 0 on ∂Ω.
# No settings: the defaults for a linear stationary problem on a 2-D box are the published set-up's 28 × 28
# grid and 116 boundary points on a 2-56-1 tanh net (LeCun initialisation). AMStramGRAM converges
# quadratically to a loss of 4e-20 to 3e-24: a relative L2 error of 3e-13 to 1.4e-10 in 5–7 s on one CPU
# core (seeds 0–4, docs/benchmarks.md). A run that stalls at a local floor above round-off restarts from its
# best weights moved by 10 % noise and re-converges.
domain x in [0, 1], y in [0, 1]
unknown u

pde:      lap(u) = -2 * pi^2 * sin(pi * x) * sin(pi * y)
boundary: u = 0
exact:    u = sin(pi * x) * sin(pi * y)

