"""Write heat_obs.csv: clean observations of u = exp(-κπ²t) sin(πx), κ = 1/4, for examples/heat_inverse.pde.

    python examples/data/make_heat_obs.py

100 points of a scrambled Sobol sequence in (t, x) ∈ [0, 1]², values written with 17 significant
digits (float64 round trip).
"""

from pathlib import Path

import numpy as np
from scipy.stats import qmc

KAPPA = 0.25


def main() -> None:
    points = qmc.Sobol(d=2, scramble=True, seed=7).random(128)[:100]
    t, x = points[:, 0], points[:, 1]
    u = np.exp(-KAPPA * np.pi**2 * t) * np.sin(np.pi * x)
    rows = ["t,x,u"] + [f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(t, x, u)]
    (Path(__file__).parent / "heat_obs.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
