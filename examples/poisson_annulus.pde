# Poisson equation on the ring 1/2 < r < 1 (r² = x² + y²): −Δu = 4, a Dirichlet condition on the outer
# circle and a Neumann condition on the inner one, where the outward normal of the ring points to the
# centre: n = −(x, y)/r, so dn(u) = −∂u/∂r.
# Exact solution u = 1 − r² + xy (xy is harmonic). On r = 1, u = xy; since ∂(xy)/∂r = 2xy/r,
# ∂u/∂r = −2r + 2xy/r = −1 + 4xy on r = 1/2, hence dn(u) = 1 − 4xy there.
domain x, y in annulus([0, 0], 1/2, 1)
unknown u

pde:      -lap(u) = 4
boundary: u = x * y                on outer
boundary: dn(u) = 1 - 4 * x * y    on inner
exact:    u = 1 - x^2 - y^2 + x * y

model  mlp(widths = [32], init = glorot)
solve  amstramgram(steps = 300)
