# Linear advection with periodic boundaries: u_t + c u_x = 0, x in [0, 1] periodic, t in [0, 1],
# u(0, x) = sin(2πx). Exact solution u = sin(2π(x − ct)).
# A first-order equation needs only the values to agree at x = 0 and x = 1 (at every t);
# `periodic x` would also pair ∂u/∂x.
let c = 1/2
domain t in [0, 1], x in [0, 1]
unknown u

pde:      dt(u) + c * dx(u) = 0
periodic: u(x = 0) = u(x = 1)
initial:  u = sin(2 * pi * x)
exact:    u = sin(2 * pi * (x - c * t))

model  mlp(widths = [32], init = glorot)
sample interior 900, initial 100, method = sobol
solve  amstramgram(steps = 300)
