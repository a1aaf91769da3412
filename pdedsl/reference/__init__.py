"""High-accuracy reference solutions for the seed benchmarks without a closed form.

    from pdedsl.reference import load_reference, burgers_solution
    ref = load_reference("examples/data/burgers_reference.npz")
    ref.coords, ref.points.shape, ref.values.shape      # ("t", "x"), (25856, 2), (25856, 1)
    burgers_solution(t, x)                             # Cole-Hopf, <= 1e-12 accurate

* Burgers (nu = 0.01/pi): the Cole–Hopf integral by a spectrally accurate trapezoidal rule
  (`burgers_solution`, `burgers_grid`).
* Allen–Cahn (1e-3, 5): Chebyshev collocation + Radau IIA (`allen_cahn_chebyshev`,
  `allen_cahn_grid`).
* Files: `load_reference` / `save_reference`; regenerate with
  ``python -m pdedsl.reference {burgers,allen_cahn} --out PATH [--fast]``.

Formulas, accuracy tables and the file format: docs/reference_solutions.md.
"""

from pdedsl.reference._loader import Reference, load_reference, save_reference

__all__ = [
    "Reference",
    "load_reference",
    "save_reference",
    "burgers_solution",
    "burgers_initial",
    "burgers_grid",
    "allen_cahn_chebyshev",
    "allen_cahn_grid",
    "allen_cahn_initial",
    "barycentric_interpolate",
    "chebyshev_points",
]

_LAZY = {
    "burgers_solution": "_burgers",
    "burgers_initial": "_burgers",
    "burgers_grid": "_burgers",
    "allen_cahn_chebyshev": "_allen_cahn",
    "allen_cahn_grid": "_allen_cahn",
    "allen_cahn_initial": "_allen_cahn",
    "barycentric_interpolate": "_allen_cahn",
    "chebyshev_points": "_allen_cahn",
}


def __getattr__(name):
    # The solvers pull in scipy.integrate; loading a file should not.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"pdedsl.reference.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'pdedsl.reference' has no attribute {name!r}")
