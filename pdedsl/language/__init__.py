"""The `.pde` language: text → checked problem → JAX residual functions.

    problem = parse(text)            # or load("heat.pde"); raises PdeError with a position
    compiled = problem.compile()     # CompiledProblem: residual groups, exact solution, source

The stages live in private modules, in order: `_tokens` and `_parser` (→ `_ast`); `_check` (→ `_ir`:
`_declarations`, `_expressions`, `_calls`, `_conditions`, `_regions`, `_periodic` over a `_scope`, with
`_settings`, `_shapes`, `_data`); `_symbolic`; `_lower`; `_evaluate` (the point functions) and `_residual`
(jets, vmapped), with `_codegen` printing the same residuals as readable source.  `_registry` lists the
built-in functions and operators for all of them.  `_problem` drives the stages; `_verify` and `_commands`
serve the command line.
"""

from pdedsl.language._ir import Settings
from pdedsl.language._problem import CompiledProblem, Problem, ResidualGroup, load, parse

__all__ = ["parse", "load", "Problem", "CompiledProblem", "ResidualGroup", "Settings"]
