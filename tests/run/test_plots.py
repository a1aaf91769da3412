"""Plots are drawn without touching matplotlib's global backend or pyplot's figures."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAPLACE = ROOT / "tests" / "data" / "laplace2d.pde"

SCRIPT = f"""
import matplotlib
matplotlib.use("svg")  # a notebook's own choice of backend
import matplotlib.pyplot as plt
import pdedsl, pdedsl.run
from pdedsl.run import _plots
sol = pdedsl.solve({str(LAPLACE)!r}, steps=2, widths=(4,), points={{"interior": 16, "boundary": 8}},
                   out=OUT, n_test=100)
print(matplotlib.get_backend(), len(plt.get_fignums()))
"""


def test_importing_and_plotting_leaves_the_backend_and_pyplot_alone(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-c", SCRIPT.replace("OUT", repr(str(out)))], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "0"]
    for name in ("convergence.png", "solution.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
