# Helmholtz equation with Robin conditions on the unit square:
#   −Δu − k²u = f in [0, 1]²,  ∂u/∂n + u = g on ∂Ω (n the outward normal, on every face),
# with f and g manufactured from the exact solution u = sin(πx) cos(πy) + x/2.
let k = 2
domain x in [0, 1], y in [0, 1]
unknown u

pde:      -lap(u) - k^2 * u = manufactured
boundary: dn(u) + u = manufactured            # Robin, on the whole boundary
exact:    u = sin(pi * x) * cos(pi * y) + x / 2

model  mlp(widths = [32], init = glorot)
sample interior 900, boundary 200, method = sobol
solve  amstramgram(steps = 300)
