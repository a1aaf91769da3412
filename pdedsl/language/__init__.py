"""The `.pde` language: text → checked problem → JAX residual functions.

    problem = parse(text)            # or load("heat.pde"); raises PdeError with a position
    compiled = problem.compile()     # CompiledProblem: residual groups, exact solution, source

The stages live in private modules, in order: `_parser` (→ `_ast`), `_check` (→ `_ir`, with
`_settings`), `_symbolic`, `_lower`, `_codegen`, `_residual`; `_problem` drives them, `_verify`
and `_commands` serve the command line.
"""

from pdedsl.language._ir import Settings
from pdedsl.language._problem import CompiledProblem, Problem, ResidualGroup, load, parse

__all__ = ["parse", "load", "Problem", "CompiledProblem", "ResidualGroup", "Settings"]
