"""A fully connected network u_θ : R^in_dim -> R^out_dim (the PINN model).

Parameters are a list of layers ``[{"w": (fan_in, fan_out), "b": (fan_out,)}, ...]`` — a plain pytree
that `jax.flatten_util.ravel_pytree` flattens to θ ∈ R^P and `numpy.savez` can store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp

__all__ = ["MLP", "ACTIVATIONS", "INITIALIZERS"]


def _softplus(x):
    return jax.nn.softplus(x)


ACTIVATIONS: dict[str, Callable] = {
    "tanh": jnp.tanh,
    "sin": jnp.sin,
    "softplus": _softplus,
    "sigmoid": jax.nn.sigmoid,
    "gelu": lambda x: jax.nn.gelu(x, approximate=False),
    "silu": jax.nn.silu,
    "cos": jnp.cos,
}

# Standard deviation of the Gaussian weights of a layer, as a function of (fan_in, fan_out, init_std).
INITIALIZERS: dict[str, Callable[[int, int, float], float]] = {
    "glorot": lambda fan_in, fan_out, init_std: (2.0 / (fan_in + fan_out)) ** 0.5,
    "lecun": lambda fan_in, fan_out, init_std: (1.0 / fan_in) ** 0.5,
    "normal": lambda fan_in, fan_out, init_std: init_std,
}


@dataclass(frozen=True)
class MLP:
    """Multi-layer perceptron ``in_dim -> widths... -> out_dim`` with a smooth activation.

    Attributes:
        in_dim: number of coordinates of a point x.
        out_dim: number of unknowns u(x).
        widths: hidden layer widths; ``(32,)`` is one hidden layer of 32 units.
        activation: one of `ACTIVATIONS` (smooth ones only: PINN residuals differentiate the network).
        initializer: ``"glorot"`` (weights N(0, 2/(fan_in+fan_out))), ``"lecun"`` (N(0, 1/fan_in)) or
            ``"normal"`` (N(0, init_std²), the published ANaGRAM set-up with init_std = 0.1).
        init_std: standard deviation for ``initializer="normal"``.
        bias_std: biases are drawn from N(0, bias_std²) for glorot/lecun (``"normal"`` uses init_std).
        dtype: floating dtype of the parameters; None derives it from JAX's default float (float64 when
            x64 is enabled, float32 otherwise) — global flags are never changed here.
    """

    in_dim: int
    out_dim: int
    widths: tuple[int, ...] = (32,)
    activation: str = "tanh"
    initializer: str = "glorot"
    init_std: float = 0.1
    bias_std: float = 0.1
    dtype: Any = None

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; expected one of {sorted(ACTIVATIONS)}"
            )
        if self.initializer not in INITIALIZERS:
            raise ValueError(
                f"unknown initializer {self.initializer!r}; expected one of {sorted(INITIALIZERS)}"
            )
        if self.in_dim < 1 or self.out_dim < 1 or any(w < 1 for w in self.widths):
            raise ValueError("MLP dimensions must be positive integers")

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        return (self.in_dim, *self.widths, self.out_dim)

    @property
    def num_params(self) -> int:
        sizes = self.layer_sizes
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))

    def _dtype(self):
        if self.dtype is not None:
            return jnp.dtype(self.dtype)
        return jnp.dtype(jax.dtypes.canonicalize_dtype(jnp.float64))

    def init(self, key) -> list[dict[str, jax.Array]]:
        """Draw parameters: a list of ``{"w": (fan_in, fan_out), "b": (fan_out,)}`` layers."""
        dtype = self._dtype()
        sizes = self.layer_sizes
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            key, kw, kb = jax.random.split(key, 3)
            std = INITIALIZERS[self.initializer](fan_in, fan_out, self.init_std)
            bstd = self.init_std if self.initializer == "normal" else self.bias_std
            w = std * jax.random.normal(kw, (fan_in, fan_out), dtype)
            b = bstd * jax.random.normal(kb, (fan_out,), dtype)
            params.append({"w": w, "b": b})
        return params

    def apply(self, params, x: jax.Array) -> jax.Array:
        """u_θ(x) for one point x of shape (in_dim,); returns shape (out_dim,)."""
        act = ACTIVATIONS[self.activation]
        h = x
        for layer in params[:-1]:
            h = act(h @ layer["w"] + layer["b"])
        last = params[-1]
        return h @ last["w"] + last["b"]
