"""Compile-and-solve: sampling, residual assembly, training runs and their outputs."""

__all__ = ["solve", "load_solution", "Solution", "describe_device"]


def __getattr__(name):
    # Lazy re-exports: importing a light module of the runner (the Ctrl-C counter the CLI installs
    # first thing) does not import JAX.
    if name == "solve":
        from pdedsl.run._solve import solve

        return solve
    if name in ("load_solution", "Solution"):
        from pdedsl.run import _solution

        return getattr(_solution, name)
    if name == "describe_device":
        from pdedsl.run._metrics import describe_device

        return describe_device
    raise AttributeError(f"module 'pdedsl.run' has no attribute {name!r}")
