"""Factorisations of the residual Jacobian φ̂ (S, P) into what the natural-gradient rules consume.

Every factorisation returns a `SpectralProjection`: the leading singular values Δ and right vectors U
of φ̂ = V Δ Uᵀ, the coefficients c = Vᵀ r of the residual on the left vectors, and ‖r − V c‖², the
part of r outside the computed range. The reconstruction errors RCE_n = sqrt(‖r − Vc‖² + Σ_{i>n} c_i²)
are then exact for every n up to the number of computed components.

* `spectral_projection`: the thin SVD, k = min(S, P) components.
* `randomized_projection`: the randomized range finder with power iterations of Halko, Martinsson and
  Tropp ("Finding structure with randomness: probabilistic algorithms for constructing approximate
  matrix decompositions"): Q = orth(φ̂ Ω) for a Gaussian Ω (P, k), refined by q power iterations
  Q ← orth(φ̂ orth(φ̂ᵀ Q)), then the SVD of the small Qᵀφ̂ = Ũ Δ Uᵀ and V = Q Ũ. Its k triples are
  the exact singular triples of QQᵀφ̂; the leading ones approach φ̂'s as (Δ_{k+1}/Δ_i)^{2q+1}.
  It costs about (2q + 2)·S·P·k flops against ~S·P² for the SVD.

`SketchLadder` chooses between them inside the jitted step. A rule needs its leading `need`
components (AMStramGRAM: up to the crossing rank; ANaGRAM and ENGD: those above the cutoff). The
ladder holds sketch sizes 16, 24, 32, 48, 64, … (ratios 3/2 and 4/3) up to min(S, P)/4 ("auto"; past
that the SVD costs little more; and none when min(S, P) < 512, where a sketch costs about what the SVD does), or up to min(S, P)/2 and then min(S, P) itself ("lowrank": never the
SVD). With one power iteration a sketch of k components is trusted for its leading 3k/4 (the
oversampling of Halko et al. leaves the rest), and only when its spectrum has fallen by GAP = 1/10
from the rule's last component to the sketch's last: on a flat spectrum a sketch underestimates its
trailing values, and a cutoff read off them would keep too few components. The optimizer state
carries the level to start from; a step sketches at that level and, while the sketch does not hold the
rule (too many components needed, or not resolved), at the next one (a `lax.while_loop` over a `lax.switch`: each size is compiled once, with the step), then
falls back to the thin SVD. The next step starts at the smallest level whose trusted part holds 1.5×
the components this step needed and that this step's spectrum says would resolve them, so the choice
follows the rule's rank in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp

from pdedsl.solvers._rows import Rows, randomized_svd, thin_svd

__all__ = ["FACTORIZATIONS", "FactoredSteps", "SketchLadder", "SketchState", "SpectralProjection",
           "randomized_projection", "spectral_projection"]

FACTORIZATIONS = ("auto", "svd", "lowrank")
MIN_SKETCH = 16  # the smallest sketch size of a ladder
MIN_AUTO_FULL = 512  # "auto" sketches only when min(S, P) is at least this: below, the thin SVD is as cheap
POWER_ITERATIONS = 1  # q of the range finder
TRUSTED = 0.75  # the fraction of a sketch's leading components a rule may use
HEADROOM = 1.5  # the next step's sketch trusts this multiple of the components this step needed
GAP = 0.1  # a sketch holds a rule when its last value is below GAP × the rule's last kept one


class SpectralProjection(NamedTuple):
    """Singular values and right vectors of φ̂ and the coefficients c = Vᵀ r of r on its left vectors."""

    singular_values: jax.Array  # (k,) descending (zero past the computed components)
    right_vectors: jax.Array  # (P, k) the U_i of the papers' notation (columns)
    coefficients: jax.Array  # (k,) c_i = V_iᵀ r
    outside_sq: jax.Array  # ‖r − V c‖², the part of r no computed component explains (computed directly)


def spectral_projection(jac: jax.Array, r: jax.Array, rows: Rows | None = None) -> SpectralProjection:
    """Thin SVD of `jac` (S, P) and the coefficients of `r` (S,) on its left singular vectors.

    For S > P the SVD goes through a reduced QR, φ̂ = Q R, and the SVD of the small R (P, P) — what
    LAPACK does internally, minus forming the (S, k) left vectors. `rows`: where the rows live
    (pdedsl.solvers._rows; split over devices, the QR is a TSQR); None: all here.
    """
    return SpectralProjection(*thin_svd(jac, r, rows or Rows(jac.shape[0])))


def randomized_projection(jac: jax.Array, r: jax.Array, size: int, power_iterations: int = POWER_ITERATIONS,
                          seed: int = 0, rows: Rows | None = None) -> SpectralProjection:
    """`size` leading components of `jac` (S, P) by the randomized range finder (module docstring).

    The Gaussian test matrix comes from `seed`, so a step is a deterministic function of its inputs.
    """
    return SpectralProjection(*randomized_svd(jac, r, size, rows or Rows(jac.shape[0]), power_iterations, seed))


def _padded(proj: SpectralProjection, k: int) -> SpectralProjection:
    """`proj` with zero components appended up to k (zero singular values are never kept)."""
    extra = k - proj.singular_values.shape[0]
    if extra == 0:
        return proj
    return SpectralProjection(jnp.pad(proj.singular_values, (0, extra)), jnp.pad(proj.right_vectors, ((0, 0), (0, extra))),
                              jnp.pad(proj.coefficients, (0, extra)), proj.outside_sq)


@dataclass(frozen=True)
class SketchLadder:
    """The sketch sizes a step may use for an S × P Jacobian, smallest first (module docstring).

    Level j < len(sizes) is a sketch of sizes[j] components; level len(sizes) is the full factorisation.
    """

    sizes: tuple[int, ...]
    full: int  # min(S, P): the number of components of the thin SVD
    rows: Rows | None = None  # where φ̂'s rows live (None: all here)

    @classmethod
    def build(cls, factorization: str, num_points: int, num_params: int, rows: Rows | None = None) -> "SketchLadder":
        """"svd": no sketch; "auto": 16, 24, 32, 48, … up to min(S, P)/4 when min(S, P) >= MIN_AUTO_FULL
        (no sketch below: a sketch of a small matrix costs about what its SVD does); "lowrank": up to
        min(S, P)/2, then min(S, P)."""
        if factorization not in FACTORIZATIONS:
            raise ValueError(f"unknown factorization {factorization!r}; expected one of {', '.join(FACTORIZATIONS)}")
        full = min(num_points, num_params)
        auto_limit = full // 4 if full >= MIN_AUTO_FULL else 0
        limit = {"svd": 0, "auto": auto_limit, "lowrank": full // 2}[factorization]
        sizes = []
        while (k := MIN_SKETCH * 2 ** (len(sizes) // 2) * (3 if len(sizes) % 2 else 2) // 2) <= limit:
            sizes.append(k)
        if factorization == "lowrank" and (not sizes or sizes[-1] < full):
            sizes.append(full)
        return cls(tuple(sizes), full, rows)

    @property
    def trusted(self) -> tuple[int, ...]:
        """Components of each level a rule may use: the leading TRUSTED of a sketch, all of the full
        factorisation."""
        return tuple(k if k == self.full else int(TRUSTED * k) for k in self.sizes) + (self.full,)

    def _resolved(self, s: jax.Array, need: jax.Array) -> jax.Array:
        """Per level (L+1,): whether the spectrum `s` has fallen by GAP between the rule's last component
        (need − 1) and the level's last one; always true for a full factorisation."""
        sizes = jnp.asarray(self.sizes + (self.full,))
        return (sizes >= self.full) | (s[sizes - 1] <= GAP * s[jnp.maximum(need, 1) - 1])

    def next_level(self, s: jax.Array, need: jax.Array) -> jax.Array:
        """The smallest level whose trusted part holds HEADROOM × `need` components of the spectrum `s`
        and resolves it (int32)."""
        fits = (jnp.asarray(self.trusted) >= jnp.ceil(HEADROOM * need)) & self._resolved(s, need)
        return jnp.argmax(fits).astype(jnp.int32)  # the last level always fits

    def sketch(self, jac, r, level, need: Callable[[SpectralProjection], jax.Array]):
        """(projection padded to `full` components, saturated, components computed): sketches from
        `level` up the ladder until one trusts the `need` of its own projection; saturated when none
        did (or `level` is the full level), and the caller must factor fully."""
        trusted = jnp.asarray(self.trusted)
        branches = [lambda a, b, k=k: _padded(randomized_projection(a, b, k, rows=self.rows), self.full)
                    for k in self.sizes]

        def body(carry):
            j, _, _ = carry
            proj = jax.lax.switch(j, branches, jac, r)
            n = need(proj)
            return j + 1, proj, (n > trusted[j]) | ~self._resolved(proj.singular_values, n)[j]

        dtype = jac.dtype
        empty = SpectralProjection(jnp.zeros(self.full, dtype), jnp.zeros((jac.shape[1], self.full), dtype),
                                   jnp.zeros(self.full, dtype), jnp.zeros((), dtype))
        start = (jnp.asarray(level, jnp.int32), empty, jnp.ones((), bool))
        end, proj, saturated = jax.lax.while_loop(lambda c: c[2] & (c[0] < len(self.sizes)), body, start)
        computed = jnp.asarray(self.sizes + (self.full,))[jnp.maximum(end - 1, 0)]
        return proj, saturated, jnp.where(saturated, self.full, computed).astype(jnp.int32)

    def project(self, jac, r, level, need: Callable[[SpectralProjection], jax.Array]):
        """(projection, level of the next step, components computed): the ladder's sketch when one holds
        the rule's `need`, else the thin SVD."""
        if not self.sizes:
            proj = spectral_projection(jac, r, self.rows)
            return proj, jnp.zeros((), jnp.int32), jnp.asarray(self.full, jnp.int32)
        proj, saturated, computed = self.sketch(jac, r, level, need)
        if self.sizes[-1] < self.full:
            proj = jax.lax.cond(saturated, lambda: spectral_projection(jac, r, self.rows), lambda: proj)
        return proj, self.next_level(proj.singular_values, need(proj)), computed


class SketchState(NamedTuple):
    step: jax.Array  # int32 scalar: number of steps taken
    level: jax.Array  # int32 scalar: the ladder level the next step's factorisation starts from


@dataclass(frozen=True)
class FactoredSteps:
    """The settings of an optimizer that factors the residual Jacobian (a base of its frozen config).

    Attributes:
        jacobian_mode: "auto", "fwd", "rev" or "pointwise" (pdedsl.solvers._jacobian).
        factorization: "auto" (a randomized sketch while the rule needs few components against
            min(S, P), else the thin SVD), "svd" or "lowrank" (module docstring).
    """

    jacobian_mode: str = "auto"
    factorization: str = "auto"

    def init(self, residual_fn, params, data) -> SketchState:
        zero = jnp.zeros((), jnp.int32)
        return SketchState(zero, zero)

    def ladder(self, jac: jax.Array, rows: Rows | None = None) -> SketchLadder:
        """The ladder for the rows `jac` (S, P); `rows`: where they live, and the real S."""
        return SketchLadder.build(self.factorization, jac.shape[0] if rows is None else rows.count, jac.shape[1],
                                  rows)
