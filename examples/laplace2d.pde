# Poisson equation on the unit square (benchmark problem "Laplace 2D"), trained to round-off:
#   Δu = −2π² sin(πx) sin(πy) in Ω = [0, 1]²,  u = 0 on ∂Ω.
# The published set-up's 28 × 28 grid and 116 boundary points, on a 2-32-32-1 net (1185 parameters, LeCun
# initialisation): the defaults. AMStramGRAM converges quadratically to a loss of ~1e-23 and a relative L2 error
# below 1e-12 from about half of the initialisations, in 25–45 s on 2 CPU cores. The others stall at
# a loss of 1e-13 to 1e-18, a local floor: the run then restarts from its best weights moved by 10 %
# noise, and re-converges to round-off. Seeds 0–4 all reach ≤ 1e-11 within 80 s (docs/benchmarks.md).
domain x in [0, 1], y in [0, 1]
unknown u

pde:      lap(u) = -2 * pi^2 * sin(pi * x) * sin(pi * y)
boundary: u = 0
exact:    u = sin(pi * x) * sin(pi * y)

# The network, the points and the restarts are the defaults for a stationary 2-D problem on a box.
solve  amstramgram(steps = 300)
