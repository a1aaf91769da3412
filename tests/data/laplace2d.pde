# The tests' small laplace2d: the seed's 2-32-1 set-up with ANaGRAM (each test shrinks it further).
# Poisson equation on the unit square (seed benchmark "Laplace 2D"):
#   Δu = −2π² sin(πx) sin(πy) in Ω = [0, 1]²,  u = 0 on ∂Ω.
domain x in [0, 1], y in [0, 1]
unknown u

pde:      lap(u) = -2 * pi^2 * sin(pi * x) * sin(pi * y)
boundary: u = 0                                  # no `on` clause: the whole boundary
exact:    u = sin(pi * x) * sin(pi * y)

# the seed's set-up: a 2-32-1 network, the 30 × 30 grid of [0, 1]²: 28 × 28 nodes inside, 116 on the boundary
model  mlp(widths = [32], activation = tanh)
sample interior 784, boundary 116, method = grid
# ANaGRAM is the default here: at equal wall time it is ~100x more accurate than today's
# AMStramGRAM rule on this problem (docs/benchmarks.md); `--optimizer amstramgram` selects it.
solve  anagram(steps = 500)
