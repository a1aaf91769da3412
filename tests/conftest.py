"""Test-wide settings: float64 everywhere (tests may flip JAX flags; library code may not)."""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
