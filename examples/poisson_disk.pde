# Poisson equation on the unit disk: −Δu = 4 in r < 1, u = 0 on the circle r = 1.
# Exact solution u = 1 − r² = 1 − x² − y².
domain x, y in disk([0, 0], 1)
unknown u

pde:      -lap(u) = 4
boundary: u = 0                on circle
exact:    u = 1 - x^2 - y^2

model  mlp(widths = [32], init = glorot)
solve  amstramgram(steps = 300)
