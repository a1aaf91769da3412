"""The points split over 1, 2 and 4 simulated CPU devices give the single-device answer.

The checks run in one subprocess started with ``--xla_force_host_platform_device_count=4`` (this
process's JAX already has one CPU device); it prints its figures as JSON and the tests read them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DEVICES = (1, 2, 4)


def _problem(num_interior):
    """1-D Poisson u'' = −π² sin(πx) on (0, 1), u(0) = u(1) = 0, on a 1-16-1 tanh network (P = 49)."""
    import jax.numpy as jnp

    from pdedsl.solvers import MLP, PointwiseGroup, PointwiseResidual

    model = MLP(in_dim=1, out_dim=1, widths=(16,))

    def pde(params, x):
        u = lambda y: model.apply(params, y)[0]
        uxx = jax_hessian(u)(x)[0, 0]
        return uxx + jnp.pi**2 * jnp.sin(jnp.pi * x[0])

    def edge(params, x):
        return model.apply(params, x)

    from jax import hessian as jax_hessian

    data = {"pde": jnp.linspace(0.0, 1.0, num_interior)[:, None], "edge": jnp.asarray([[0.0], [1.0]])}
    fn = PointwiseResidual((PointwiseGroup("pde", pde, (1 / num_interior) ** 0.5),
                            PointwiseGroup("edge", edge, 0.5**0.5)))
    return model, fn, data


def _worker() -> dict:  # runs in the subprocess
    import jax
    import numpy as np
    from jax.sharding import PartitionSpec as P

    jax.config.update("jax_enable_x64", True)
    from pdedsl.solvers._jacobian import linearize
    from pdedsl.solvers._rows import AXIS, Rows, thin_svd
    from pdedsl.solvers._sharding import distribute, points_mesh

    out = {"devices": jax.device_count(), "tsqr": {}, "rows": {}}
    rng = np.random.default_rng(0)
    tall = rng.standard_normal((203, 17)) @ np.diag(np.logspace(0, -3, 17))
    r = rng.standard_normal(203)
    left, s, _ = np.linalg.svd(tall, full_matrices=False)
    for n in DEVICES:
        extra = (-203) % n
        rows = Rows(203, n, ((203, 203 + extra, 1),), split=True, blocks=n)
        factor = jax.shard_map(lambda a, b: thin_svd(a, b, rows), mesh=points_mesh(n),
                               in_specs=(P(AXIS), P(AXIS)), out_specs=P())
        sv, _, c, outside = jax.jit(factor)(np.vstack([tall, np.zeros((extra, 17))]), np.pad(r, (0, extra)))
        out["tsqr"][n] = {"sv": float(np.max(np.abs(sv - s)) / s[0]),
                          "c": float(np.max(np.abs(np.abs(c) - np.abs(left.T @ r)))),
                          "outside": float(abs(outside - np.sum((r - left @ (left.T @ r)) ** 2)))}
    model, fn, data = _problem(101)
    params = model.init(jax.random.PRNGKey(0))
    r1, j1 = jax.jit(lambda p, d: linearize(fn, p, d)[1:3])(params, data)
    for n in DEVICES:
        local_fn, padded = distribute(fn, params, data, n)
        specs = {k: P(AXIS) for k in padded}
        both = jax.shard_map(lambda p, d: linearize(local_fn, p, d)[1:3], mesh=points_mesh(n),
                             in_specs=(P(), specs), out_specs=P(AXIS))
        rn, jn = jax.jit(both)(params, padded)
        order = Rows(local_fn.rows.count, n, local_fn.rows.groups, split=True)._order()
        out["rows"][n] = {"r": float(np.max(np.abs(np.asarray(rn)[order] - r1)) / np.max(np.abs(r1))),
                          "J": float(np.max(np.abs(np.asarray(jn)[order] - j1)) / np.max(np.abs(j1))),
                          "padding": float(np.max(np.abs(np.delete(np.asarray(jn), order, axis=0)), initial=0.0)),
                          "count": local_fn.rows.count, "padded_rows": int(rn.shape[0])}
    out["default_blocks"] = _first_steps()
    out["runs"] = {name: {n: _trajectory(make(), n, interior) for n in DEVICES} for name, (make, interior) in RUNS.items()}
    return out


def _amstramgram():
    from pdedsl.solvers import AMStramGRAM

    return AMStramGRAM()


def _anagram_momentum():
    from pdedsl.solvers import ANaGRAM

    return ANaGRAM(cutoff=1e-4, momentum=0.5)


def _amstramgram_lowrank():
    from pdedsl.solvers import AMStramGRAM

    return AMStramGRAM(factorization="lowrank")


def _engd():
    from pdedsl.solvers import ENGD

    return ENGD()


def _gd():
    from pdedsl.solvers import GradientDescent

    return GradientDescent()


# name: (optimizer, interior points); 101 + 2 rows are more than P = 49 (TSQR), 30 + 2 fewer (gathered);
# "lowrank" takes the randomized sketches (sharded products, TSQR of φ̂Ω) in place of the thin SVD
RUNS = {"amstramgram": (_amstramgram, 101), "amstramgram_lowrank": (_amstramgram_lowrank, 101),
        "anagram_momentum": (_anagram_momentum, 101),
        "amstramgram_wide": (_amstramgram, 30), "engd": (_engd, 101), "gd": (_gd, 101)}
STEPS = 20


def _first_steps():
    """The parameters after one AMStramGRAM step unsharded and on 1, 2, 4 devices with B = N blocks."""
    import jax
    import numpy as np
    from jax.flatten_util import ravel_pytree

    from pdedsl.solvers import AMStramGRAM, Sharded, points_mesh, run

    model, fn, data = _problem(101)
    params = model.init(jax.random.PRNGKey(1))
    flat = lambda p: np.asarray(ravel_pytree(p)[0]).tolist()
    out = {"plain": flat(run(AMStramGRAM(), fn, params, data, steps=1).params)}
    out.update({n: flat(run(Sharded(AMStramGRAM(), points_mesh(n)), fn, params, data, steps=1).params) for n in DEVICES})
    return out


def _trajectory(optimizer, n, interior):
    """The losses of STEPS steps and the parameters after the first step and after all of them."""
    import jax
    import numpy as np
    from jax.flatten_util import ravel_pytree

    from pdedsl.solvers import Sharded, points_mesh, run

    model, fn, data = _problem(interior)
    params = model.init(jax.random.PRNGKey(1))
    opt = Sharded(optimizer, points_mesh(n), blocks=max(DEVICES))
    first = run(opt, fn, params, data, steps=1)
    result = run(opt, fn, params, data, steps=STEPS)
    flat = lambda p: np.asarray(ravel_pytree(p)[0]).tolist()
    return {"losses": np.asarray(result.history["loss"]).tolist(), "first": flat(first.params),
            "last": flat(result.params), "status": result.status.value}


@pytest.fixture(scope="module")
def figures():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    done = subprocess.run([sys.executable, __file__], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_subprocess_has_four_devices(figures):
    assert figures["devices"] == 4


@pytest.mark.parametrize("n", DEVICES)
def test_tsqr_equals_numpy_svd(figures, n):
    got = figures["tsqr"][str(n)]
    assert got["sv"] < 1e-14 and got["c"] < 1e-13 and got["outside"] < 1e-11


@pytest.mark.parametrize("n", DEVICES)
def test_sharded_residual_and_jacobian_rows_equal_one_device(figures, n):
    got = figures["rows"][str(n)]
    assert got["count"] == 103
    # each group padded to a multiple of ALIGN · N = 32 N points: 101 + 2 -> 128 + 32, 128 + 64, 128 + 128
    assert got["padded_rows"] == {1: 160, 2: 192, 4: 256}[n]
    assert got["r"] <= 1e-15 and got["J"] <= 1e-15  # relative to the largest entry
    assert got["padding"] == 0.0  # the padding rows are exact zeros


def _relative(a, b):
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", list(RUNS))
@pytest.mark.parametrize("n", DEVICES[1:])
def test_steps_on_many_devices_equal_one_device(figures, name, n):
    """With the same row blocks (B = 4) the natural-gradient steps agree bit for bit; gradient
    descent's gradient is summed over the devices by autodiff, to rounding."""
    one, many = figures["runs"][name]["1"], figures["runs"][name][str(n)]
    assert len(one["losses"]) == STEPS and one["losses"][-1] < 0.1 * one["losses"][0]  # it trains
    assert len(many["losses"]) == STEPS
    assert _relative(many["first"], one["first"]) <= 1e-12
    assert max(abs(a - b) / b for a, b in zip(many["losses"], one["losses"])) <= 1e-12
    assert _relative(many["last"], one["last"]) <= 1e-12


@pytest.mark.parametrize("n", DEVICES)
def test_a_step_with_one_block_per_device_equals_the_unsharded_step(figures, n):
    got = figures["default_blocks"]
    assert _relative(got[str(n)], got["plain"]) <= 1e-12


if __name__ == "__main__":
    print(json.dumps(_worker()))
