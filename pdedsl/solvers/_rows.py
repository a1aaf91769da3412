"""Where the residual rows live, and the row reductions and factorisations that follow from it.

A `Rows` describes the S rows of r and φ̂ as one step sees them: all on one device (the default), or
split over the axis ``"points"`` of a device mesh inside `jax.shard_map` (pdedsl.solvers._sharding),
each device holding the rows of its own collocation points. Everything a step needs from all the rows
goes through it, so one code path serves one device and many:

* `sum` and `dot`: sums over rows, ``Σ_i x_i`` and ``aᵀb``, as local sums followed by one all-reduce
  (`psum`) of the small results;
* `orthonormal`: the reduced QR of a tall row-split matrix by TSQR ("Communication-optimal parallel
  and sequential QR and LU factorizations", Demmel, Grigori, Hoemmen, Langou): each device factors
  its block A_i = Q_i R_i, the N triangular factors are gathered (N·P × P), and their QR
  [R_1; …; R_N] = Q̂ R gives R and the local rows Q_i Q̂_i of the global Q, never formed;
* `gather`: the whole matrix on every device, in the single-device row order, for the wide case
  (S ≤ P), where the rows are fewer than the columns and a factor of them is no smaller.

On one device every one of these is the plain operation, with the same rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["AXIS", "Basis", "Rows", "project_through", "randomized_svd", "thin_svd"]

AXIS = "points"  # the mesh axis the collocation points are split over


class Basis(NamedTuple):
    """An orthonormal basis Q (S, k) of a tall matrix's columns, as its rows here are stored: Q itself
    (rows on one device), or per local row block the local QR's Q_j (k_local, rows, m) and this
    block's rows Q̂_j (k_local, m, k) of the combining QR, Q's rows being Q_j Q̂_j (never formed)."""

    local: jax.Array
    block: jax.Array | None


@dataclass(frozen=True)
class Rows:
    """The layout of the S residual rows (module docstring).

    Split rows come in `blocks` row blocks B, B/N on each device, each block holding the same share of
    every group's points. Every reduction is made per block, the B partial results are gathered
    exactly (each device contributes its blocks, zeros elsewhere) and summed in block order, and the
    TSQR factors each block: so the result depends on B, never on N, and a run is the same bit for
    bit on every device count that divides B.

    Attributes:
        count: S, the real rows (padding rows, of zero weight, are not counted).
        devices: N, the devices of the mesh the rows are split over.
        groups: per residual group (real points, padded points, rows per point), in the order of the
            residual vector.
        split: whether the step runs inside `jax.shard_map` over the mesh axis; False: plain arrays
            on one device, and every method is the plain operation.
        blocks: B, a multiple of N.
    """

    count: int
    devices: int = 1
    groups: tuple[tuple[int, int, int], ...] = ()
    split: bool = False
    blocks: int = 1

    # -- the block layout ---------------------------------------------------------------------------
    @property
    def _local_blocks(self) -> int:
        return self.blocks // self.devices

    def _permutation(self) -> np.ndarray:
        """Local rows in block order: block j holds the j-th share of each group's local points."""
        k = self._local_blocks
        order, offset = [[] for _ in range(k)], 0
        for _, padded, width in self.groups:
            share = padded // self.blocks * width
            for j in range(k):
                order[j].append(offset + j * share + np.arange(share))
            offset += k * share
        return np.concatenate([np.concatenate(o) if o else np.zeros(0, int) for o in order])

    def _blocked(self, x: jax.Array) -> jax.Array:
        """(k_local, rows per block, …) from local rows (rows, …); one block a device needs no copy."""
        x = x if self._local_blocks == 1 else x[self._permutation()]
        return jnp.reshape(x, (self._local_blocks, -1) + x.shape[1:])

    def _unblocked(self, x: jax.Array) -> jax.Array:
        x = jnp.reshape(x, (-1,) + x.shape[2:])
        return x if self._local_blocks == 1 else x[np.argsort(self._permutation())]

    def _per_block(self, fn, *xs):
        """fn applied to each local block of the blocked arrays `xs`, one block after the other
        (`lax.map`): every block is computed by the same code whatever the number of local blocks, so
        its rounding does not depend on N. One local block is computed in place, its result kept from
        fusing with what follows (as a map's is); a barrier on its inputs too would copy a row block of
        φ̂ (S/N × P) in every call."""
        barrier = jax.lax.optimization_barrier
        if self._local_blocks == 1:
            return barrier(jax.tree_util.tree_map(lambda y: y[None], fn(*(x[0] for x in xs))))
        return barrier(jax.lax.map(lambda args: fn(*barrier(args)), barrier(xs)))

    def _stack(self, x: jax.Array) -> jax.Array:
        """Every device's x stacked along a new leading axis (N, …): exact (zeros elsewhere), the same
        on every device."""
        index = jax.lax.axis_index(AXIS)
        return jax.lax.psum(jnp.zeros((self.devices,) + x.shape, x.dtype).at[index].set(x), AXIS)

    def _all_blocks(self, partial: jax.Array) -> jax.Array:
        """(B, …) every block's partial result, from this device's (k_local, …)."""
        return jnp.reshape(self._stack(partial), (self.blocks,) + partial.shape[1:])

    def _combine(self, partial: jax.Array) -> jax.Array:
        """Σ over all B blocks, in block order, of per-block partial results (k_local, …)."""
        parts = self._all_blocks(partial)
        total = parts[0]
        for j in range(1, self.blocks):  # additions in block order, not a reduction XLA may reorder
            total = total + parts[j]
        return total

    # -- reductions over rows -----------------------------------------------------------------------
    def local(self, theta):
        """θ as this device's own copy: a derivative taken through it is this device's rows' alone
        (without it, reverse mode would sum the devices' rows at each local index)."""
        return jax.lax.pcast(theta, AXIS, to="varying") if self.split else theta

    def sum(self, x: jax.Array) -> jax.Array:
        """Σ over all rows of x (rows along axis 0)."""
        if not self.split:
            return jnp.sum(x, axis=0)
        # a product with ones rather than a reduction: XLA fuses a reduction with the ops that feed it,
        # differently in differently shaped programs, while a dot is its own kernel
        return self._combine(self._per_block(lambda b: jnp.ones(b.shape[0], b.dtype) @ b, self._blocked(x)))

    def norms(self, a: jax.Array) -> jax.Array:
        """The column norms of a (S, m) over all rows."""
        return jnp.sqrt(self.sum(jnp.square(a))) if self.split else jnp.linalg.norm(a, axis=0)

    def dot(self, a: jax.Array, b: jax.Array) -> jax.Array:
        """aᵀ b over all rows, for a (S, m) and b (S,) or (S, n)."""
        product = _times_vector if b.ndim == 1 else lambda x, y: x.T @ y
        if not self.split:
            return product(a, b)
        return self._combine(self._per_block(product, self._blocked(a), self._blocked(b)))

    def gather(self, x: jax.Array) -> jax.Array:
        """All rows of x (rows along axis 0) on every device, padding dropped, in the single-device order."""
        if not self.split:
            return x
        return jnp.reshape(self._stack(x), (-1,) + x.shape[1:])[self._order()]

    def _order(self) -> np.ndarray:
        """Positions, in the stacked local rows, of rows 0..S−1 of the single-device residual."""
        per_device = sum(padded // self.devices * width for _, padded, width in self.groups)
        order, offset = [], 0
        for real, padded, width in self.groups:
            block = padded // self.devices
            point = np.arange(real)
            start = (point // block) * per_device + offset + (point % block) * width
            order.append((start[:, None] + np.arange(width)[None, :]).ravel())
            offset += block * width
        return np.concatenate(order)

    # -- orthonormal bases (TSQR) -------------------------------------------------------------------
    def orthonormal(self, a: jax.Array) -> tuple[Basis, jax.Array]:
        """(Q, R) of the reduced QR of the tall a (S, k), S ≥ k: Q as a `Basis`, R (k, k) (TSQR)."""
        if not self.split:
            q, r = jnp.linalg.qr(a)
            return Basis(q, None), r
        q, r = self._per_block(jnp.linalg.qr, self._blocked(a))  # (k_local, rows, m), (k_local, m, k)
        stacked = self._all_blocks(r)  # (B, m, k): one gather of the triangular factors
        if self.blocks == 1:
            return Basis(q, None), stacked[0]
        m = r.shape[1]
        q_hat, r_hat = jnp.linalg.qr(jnp.reshape(stacked, (-1, r.shape[2])))
        mine = jax.lax.dynamic_slice_in_dim(q_hat, jax.lax.axis_index(AXIS) * self._local_blocks * m,
                                            self._local_blocks * m)
        return Basis(q, jnp.reshape(mine, (self._local_blocks, m, -1))), r_hat

    def coefficients(self, basis: Basis, x: jax.Array) -> jax.Array:
        """Qᵀ x (k, …) over all rows."""
        if not self.split:
            return _transposed(basis.local) @ x
        if basis.block is None:
            return self._combine(self._per_block(lambda q, b: _transposed(q) @ b, basis.local, self._blocked(x)))
        return self._combine(self._per_block(lambda q, h, b: h.T @ (_transposed(q) @ b), basis.local, basis.block,
                                             self._blocked(x)))

    def expand(self, basis: Basis, y: jax.Array) -> jax.Array:
        """Q y, the local rows."""
        if not self.split:
            return basis.local @ y
        if basis.block is None:
            return self._unblocked(self._per_block(lambda q: q @ y, basis.local))
        return self._unblocked(self._per_block(lambda q, h: q @ (h @ y), basis.local, basis.block))

    def transposed_product(self, basis: Basis, a: jax.Array) -> jax.Array:
        """aᵀ Q (m, k) for a (S, m), over all rows (formed as Qᵀa, `coefficients`)."""
        return self.coefficients(basis, a).T


def _transposed(q: jax.Array) -> jax.Array:
    """qᵀ of a thin factor q (rows, k), materialised: qᵀ a is then a row-major product that streams the
    tall a once, where XLA's CPU kernel for a product contracting both operands' rows (qᵀa or aᵀq as
    written) runs several times slower."""
    return jax.lax.optimization_barrier(q.T)


def _times_vector(a: jax.Array, v: jax.Array) -> jax.Array:
    """aᵀ v for a (rows, m) and v (rows,), as the vector-matrix product v a (which CPU kernels stream
    row by row; aᵀ v as written is several times slower on a tall a)."""
    return v @ a


def project_through(basis: Basis, small: jax.Array, r: jax.Array, rows: Rows):
    """(Δ, U, c, ‖r − Vc‖²) for φ̂ = Q · small, Q orthonormal (a `Basis`): the SVD of `small` (m, P)."""
    small_left, s, right_t = jnp.linalg.svd(small, full_matrices=False)
    in_basis = rows.coefficients(basis, r)
    outside = r - rows.expand(basis, in_basis)
    return s, right_t.T, small_left.T @ in_basis, rows.sum(jnp.square(outside))


def thin_svd(jac: jax.Array, r: jax.Array, rows: Rows):
    """(Δ, U, c, ‖r − Vc‖²) of the thin SVD φ̂ = V Δ Uᵀ of the rows `jac` and the residual rows `r`.

    Tall (S > P): the QR φ̂ = QR (TSQR when the rows are split) and the SVD of the small R (P, P), which
    never forms V. Wide: the rows are gathered and factored whole, on every device alike.
    """
    if rows.count > jac.shape[1]:
        return project_through(*rows.orthonormal(jac), r, rows)
    jac, r = rows.gather(jac), rows.gather(r)
    left, s, right_t = jnp.linalg.svd(jac, full_matrices=False)
    c = left.T @ r
    outside = r - left @ c
    return s, right_t.T, c, jnp.sum(jnp.square(outside))


def randomized_svd(jac: jax.Array, r: jax.Array, size: int, rows: Rows, power_iterations: int, seed: int):
    """(Δ, U, c, ‖r − Vc‖²) of `size` leading components by the randomized range finder with
    `power_iterations` power iterations (pdedsl.solvers._factorization); every product with φ̂ᵀ is a
    sharded product with one all-reduce, every orthonormalisation a TSQR."""
    omega = jax.random.normal(jax.random.PRNGKey(seed), (jac.shape[1], size), jac.dtype)
    basis, _ = rows.orthonormal(jac @ omega)
    for _ in range(power_iterations):
        row_basis, _ = jnp.linalg.qr(rows.transposed_product(basis, jac))
        basis, _ = rows.orthonormal(jac @ row_basis)
    return project_through(basis, rows.coefficients(basis, jac), r, rows)
