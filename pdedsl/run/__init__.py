"""Compile-and-solve: sampling, residual assembly, training runs and their outputs."""

from pdedsl.run._solution import Solution, load_solution
from pdedsl.run._solve import describe_device, solve

__all__ = ["solve", "load_solution", "Solution", "describe_device"]
