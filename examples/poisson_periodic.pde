# Poisson equation periodic in x: −Δu = 5π² u_exact on [0, 1] × [0, 1], u = 0 on y = 0 and y = 1,
# and u, ∂u/∂x equal on the faces x = 0 and x = 1 (written as pairs of faces).
# Exact solution u = sin(2πx + π/4) sin(πy): 1-periodic in x, neither u nor ∂u/∂x vanishes at x = 0.
domain x in [0, 1], y in [0, 1]
unknown u

pde:      -lap(u) = 5 * pi^2 * sin(2 * pi * x + pi / 4) * sin(pi * y)
boundary: u = 0                          on y = 0, y = 1
periodic:
    u(x = 0) = u(x = 1)
    dx(u(x = 0)) = dx(u(x = 1))
exact:    u = sin(2 * pi * x + pi / 4) * sin(pi * y)

model  mlp(widths = [32], init = glorot)
sample interior 900, boundary 120, method = sobol
solve  amstramgram(steps = 300)
