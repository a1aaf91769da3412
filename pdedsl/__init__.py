"""pdedsl: a compiler from `.pde` specifications to natural-gradient PINN solvers.

    import pdedsl
    problem = pdedsl.load("examples/heat.pde")     # or pdedsl.parse(text)
    compiled = problem.compile()                   # JAX residual functions + readable source
    sol = pdedsl.solve(problem, optimizer="amstramgram", steps=300)
    sol.u(points); sol.metrics

The public API is re-exported here; implementation lives in private modules.
"""

from pdedsl.errors import PdeError

__version__ = "0.1.0"

__all__ = ["PdeError", "parse", "load", "solve", "load_solution", "__version__"]


def __getattr__(name):
    # Lazy re-exports keep `import pdedsl` (and `pdedsl check`) free of JAX start-up cost.
    if name in ("parse", "load"):
        from pdedsl import language

        return getattr(language, name)
    if name in ("solve", "load_solution"):
        from pdedsl import run

        return getattr(run, name)
    raise AttributeError(f"module 'pdedsl' has no attribute {name!r}")
