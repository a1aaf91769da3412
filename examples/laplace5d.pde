# Poisson equation in five dimensions (seed benchmark "Laplace 5D"):
#   −Δu = π² Σₖ sin(πxₖ) in [0, 1]⁵,  u = Σₖ sin(πxₖ) on ∂Ω.
# x in [0, 1]^5 declares the coordinates x1 .. x5, also written x[k].
domain x in [0, 1]^5
unknown u

pde:      -lap(u) = pi^2 * sum(k = 1..5, sin(pi * x[k]))
boundary: u = sum(k = 1..5, sin(pi * x[k]))      on boundary
exact:    u = sum(k = 1..5, sin(pi * x[k]))

model  mlp(widths = [64], activation = tanh)
sample interior 4000, boundary 500, method = sobol
solve  amstramgram(steps = 500, eps = 1e-12)
