# Steady incompressible Navier–Stokes: Kovasznay flow at Re = 20 (Kovasznay 1948).
#   (U·∇)U + ∇p − ν ΔU = 0,  ∇·U = 0,  U = (u, v), ν = 1/Re, on [−0.5, 1] × [−0.5, 1.5];
#   U given on the boundary, p pinned at one corner. One network with three outputs (u, v, p).
let Re = 20
let nu = 1 / Re
let lam = Re / 2 - sqrt(Re^2 / 4 + 4 * pi^2)
domain x in [-0.5, 1], y in [-0.5, 1.5]
unknown u, v, p
let U = [u, v]

pde:
    [dot(U, grad(u)), dot(U, grad(v))] + grad(p) - nu * lap(U) = 0     # momentum (2 components)
    div(U) = 0                                                          # continuity
boundary: U = manufactured            # the exact velocity on the whole boundary
point:    p(-0.5, -0.5) = manufactured

exact:
    u = 1 - exp(lam * x) * cos(2 * pi * y)
    v = lam / (2 * pi) * exp(lam * x) * sin(2 * pi * y)
    p = (1 - exp(2 * lam * x)) / 2

# 2-24-24-3 on 400 + 120 points: ~0.33 s a step on 2 CPU cores. In 15 minutes (about 2700 steps)
# the relative L2 error reached 2.6e-5 on u, 1.0e-4 on v and 5.3e-5 on p (docs/benchmarks.md).
model  mlp(widths = [24, 24], activation = tanh)
sample interior 400, boundary 120, method = sobol
solve  amstramgram(steps = 3000, eps = 1e-14)
