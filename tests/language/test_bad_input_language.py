"""Bad input in the language: each mistake is a positioned PdeError with an exact message, and what is not a
mistake (large constants, long flat sums, a name that looks internal) works."""

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from pdedsl.cli import main
from pdedsl.errors import PdeError, PdeNameError, PdeSemanticError
from pdedsl.language import parse

LINE = "domain x in [0, 1]\nunknown u\n"


def error(text: str, cls=PdeError) -> PdeError:
    with pytest.raises(cls) as info:
        parse(text, "spec.pde").generated_source()
    return info.value


def where(err: PdeError):
    return err.span.line, err.span.column, err.message, err.hint


# ---- constants ---------------------------------------------------------------------------------------------


def test_large_constants_evaluate_in_float64_and_float32():
    import jax

    compiled = parse("let NA = 6.02e23\nlet E = 2e11\n" + LINE + "pde: u * E = NA").compile()
    x = jnp.asarray([[0.5]])
    assert float(compiled.groups[0].fn(lambda p: p, x)[0, 0]) == pytest.approx(0.5 * 2e11 - 6.02e23, rel=1e-15)
    with jax.enable_x64(False):
        value = compiled.groups[0].fn(lambda p: p, jnp.asarray([[0.5]], jnp.float32))
    assert value.dtype == jnp.float32 and float(value[0, 0]) == pytest.approx(0.5 * 2e11 - 6.02e23, rel=1e-6)


def test_a_constant_beyond_float32_is_an_error_at_its_let_when_computing_in_float32():
    import jax

    compiled = parse("let big = 1e39\n" + LINE + "pde: u = big", "spec.pde").compile()
    assert np.isfinite(float(compiled.groups[0].fn(lambda p: p, jnp.asarray([[0.5]]))[0, 0]))
    with jax.enable_x64(False), pytest.raises(PdeSemanticError) as info:
        compiled.groups[0].fn(lambda p: p, jnp.asarray([[0.5]], jnp.float32))
    assert where(info.value) == (1, 11, "the constant 'big' = 1e+39 is beyond float32 (at most 3.4e+38)",
                                 "compute in float64 (without --float32), or rescale the equation")
    assert info.value.filename == "spec.pde"


@pytest.mark.parametrize("definition", ["let z = sin(pi)", "let z = cos(pi/2)", "let a = sqrt(2)\nlet z = a*a - 2"])
def test_a_constant_that_is_exactly_zero_is_refused_as_a_divisor(definition):
    err = error(definition + "\n" + LINE + "pde: u / z = 1", PdeSemanticError)
    line = definition.count("\n") + 4
    assert where(err) == (line, 10, "division by zero: this divisor is exactly 0",
                          "its exact value is 0 (as sin(pi) or cos(pi/2) are), although a float shows a tiny "
                          "number; divide by something else")
    assert where(error(definition + "\n" + LINE + "pde: u * z^(-2) = 1"))[:3] == (line, 10, err.message)


def test_a_divisor_that_is_not_zero_passes():
    assert parse("let z = sin(pi/2)\n" + LINE + "pde: u / z = 1").compile().groups


# ---- names -------------------------------------------------------------------------------------------------


def test_an_unknown_named_like_a_paired_value_is_its_own_unknown():
    """`u_pair` beside `u` is a second unknown, not u at the periodic image."""
    text = "domain x in [0, 1], y in [0, 1]\nunknown u, u_pair\npde: -lap(u) = u_pair\npde: -lap(u_pair) = 1\n" \
           "periodic x\n"
    compiled = parse(text).compile()
    assert [(g.name, g.point_data) for g in compiled.groups] == [("pde", ()), ("pde.2", ()), ("periodic", ("pair",))]

    def u(p):
        return jnp.stack([p[0] ** 2, p[1]])

    points = jnp.asarray([[0.0, 0.25], [0.0, 0.5]])
    np.testing.assert_allclose(compiled.groups[0].fn(u, points)[:, 0], [-2 - 0.25, -2 - 0.5], atol=1e-14)
    periodic = compiled.groups[2].fn(u, points, {"pair": points.at[:, 0].set(1.0)})
    np.testing.assert_allclose(periodic, [[-1, 0, -2, 0], [-1, 0, -2, 0]], atol=1e-14)


def test_a_shorthand_that_also_names_a_coordinate_is_ambiguous():
    err = error("domain x in [0, 1], xx in [0, 1]\nunknown u\npde: dxx(u) = 0", PdeSemanticError)
    assert where(err) == (3, 6, "'dxx' is ambiguous: the derivative along x, x, or along the coordinate 'xx'",
                          "write d(u, x, x) or d(u, xx)")
    assert parse("domain x in [0, 1], xx in [0, 1]\nunknown u\npde: d(u, xx) + dx(u) = 0").compile()


def test_a_let_that_uses_itself_names_the_self_reference():
    err = error("let a = a + 1\n" + LINE + "pde: u = a", PdeNameError)
    assert where(err) == (1, 9, "'a' is used in its own definition",
                          "a `let` is defined by the names above it; choose another name for the new value, "
                          "e.g. `let a2 = ...`")


def test_a_spec_without_an_unknown_line_is_reported_at_the_use_of_the_unknown():
    err = error("let f = 1\ndomain x in [0, 1]\npde: dxx(u) = f", PdeNameError)
    assert where(err) == (3, 10, "unknown name 'u'",
                          "the spec declares no unknown; if 'u' is the solution, add the line `unknown u`")


def test_a_derivative_along_a_letter_that_is_not_a_coordinate_says_so():
    err = error("domain x in [0, 1], y in [0, 1]\nunknown u\npde: dzz(u) = 0", PdeNameError)
    assert where(err) == (3, 6, "unknown function 'dzz'",
                          "'z' is not a coordinate (the coordinates are: x, y); derivatives are d(u, x, y) or the "
                          "shorthand d + coordinate letters (dx, dxx, dxy)")


def test_an_exact_solution_may_use_a_learned_parameter_whose_value_the_block_gives():
    text = "domain x in [0, 1]\nparam k unknown init 0.5\nunknown u\npde: dxx(u) + k^2 * u = 0\nexact:\n" \
           "  k = 2\n  u = sin(k * x)\n"
    compiled = parse(text).compile()
    assert compiled.exact_parameters == (("k", 2.0),)
    np.testing.assert_allclose(compiled.exact(jnp.asarray([[0.3]])), [[np.sin(0.6)]], rtol=1e-15)
    err = error(text.replace("  k = 2\n", ""), PdeSemanticError)
    assert where(err) == (6, 11, "the exact solution uses the learned parameter 'k', whose exact value the "
                                 "`exact:` block does not give", "add `k = <its true value>` to the `exact:` block")


# ---- long expressions -------------------------------------------------------------------------------------


def test_a_flat_sum_of_many_terms_is_not_deep_nesting():
    text = "let s = " + " + ".join(["1"] * 150) + "\n" + LINE + "pde: " + " + ".join(
        f"{k} * u" for k in range(1, 301)) + " = s\n"
    compiled = parse(text).compile()
    value = compiled.groups[0].fn(lambda p: p, jnp.asarray([[0.5]]))
    assert float(value[0, 0]) == 0.5 * 300 * 301 / 2 - 150


def test_the_cli_checks_a_long_flat_line(capsys, tmp_path):
    spec = tmp_path / "long.pde"
    spec.write_text(LINE + "pde: u" + " - x" * 2000 + " = 0\n")
    assert main(["check", str(spec)]) == 0
    assert capsys.readouterr().out.startswith(f"{spec}: ok: ")


# ---- data files ---------------------------------------------------------------------------------------------


def data_error(folder: Path, name: str) -> PdeError:
    text = f'domain x in [0, 1]\nunknown u\npde: u = 0\ndata "{name}"\n'
    with pytest.raises(PdeError) as info:
        parse(text, str(folder / "spec.pde"))
    assert (info.value.span.line, info.value.span.column) == (4, 6)
    return info.value


def test_a_data_file_that_is_not_utf8_is_an_error_at_the_data_line(tmp_path):
    (tmp_path / "latin.csv").write_bytes("x,u\n0.5,1\n0.25,é\n".encode("latin-1"))
    err = data_error(tmp_path, "latin.csv")
    assert (err.message, err.hint) == ("data file 'latin.csv' is not UTF-8 text: byte 0xe9 on its line 3 cannot be "
                                       "decoded", "save the file with the UTF-8 encoding")


def test_an_npz_without_rows_or_damaged_is_an_error_at_the_data_line(tmp_path):
    np.savez(tmp_path / "empty.npz", x=np.zeros(0), u=np.zeros(0))
    assert data_error(tmp_path, "empty.npz").message == "data file 'empty.npz' has no rows of data"
    np.savez(tmp_path / "good.npz", x=np.linspace(0, 1, 5), u=np.ones(5))
    data = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "damaged.npz").write_bytes(data[:60] + b"\0" * 40 + data[100:])
    err = data_error(tmp_path, "damaged.npz")
    assert (err.message, err.hint) == ("data file 'damaged.npz' is a damaged .npz archive (BadZipFile: Bad CRC-32 "
                                       "for file 'x.npy')", "write it again with numpy.savez")


def test_an_unreadable_data_file_or_a_folder_is_an_error_at_the_data_line(tmp_path, monkeypatch):
    (tmp_path / "folder.csv").mkdir()
    err = data_error(tmp_path, "folder.csv")
    assert (err.message, err.hint) == ("data file 'folder.csv' is not a file",
                                       f"{tmp_path / 'folder.csv'} is a folder or a device")
    (tmp_path / "locked.csv").write_text("x,u\n0.5,1\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    err = data_error(tmp_path, "locked.csv")
    assert (err.message, err.hint) == ("data file 'locked.csv' cannot be read: Permission denied",
                                       "check the file's permissions")


# ---- what an error shows ------------------------------------------------------------------------------------


def test_a_long_line_is_shown_as_a_window_around_the_column():
    text = LINE + "pde: u = " + "1 + " * 9_000 + "kapa  # " + "x" * 20_000 + "\n"
    err = error(text, PdeNameError)
    shown = str(err).splitlines()
    assert shown[0] == f"spec.pde:3:{9 + 4 * 9_000 + 1}: error: unknown name 'kapa'"
    column = 9 + 4 * 9_000  # of `kapa`, 0-based
    assert shown[1] == "    …" + text.splitlines()[2][column - 50:column + 50] + "…"
    assert shown[1].endswith("+ 1 + kapa  # " + "x" * 42 + "…")
    assert shown[2] == "    " + " " * 51 + "^~~~"
    assert max(len(line) for line in shown) < 200


def test_control_characters_and_terminal_escapes_are_shown_escaped():
    err = error(LINE + "pde: u = \x1b[31mred\n")
    assert str(err).splitlines()[:3] == ["spec.pde:3:10: error: unexpected character '\\x1b'",
                                         "    pde: u = \\x1b[31mred", "             ^~~~"]
    assert "\x1b" not in str(err)


def test_a_utf16_file_is_read_by_its_byte_order_mark(tmp_path):
    from pdedsl.language import load

    spec = tmp_path / "spec.pde"
    spec.write_bytes((LINE + "pde: u = kapa\n").encode("utf-16"))
    with pytest.raises(PdeNameError) as info:
        load(spec)
    assert str(info.value).splitlines()[:3] == [f"{spec}:3:10: error: unknown name 'kapa'", "    pde: u = kapa",
                                                "             ^~~~"]
    spec.write_bytes((LINE + "pde: u = 0\n").encode("utf-16-le"))
    with pytest.raises(PdeError) as info:
        load(spec)
    assert str(info.value).splitlines()[0] == (f"{spec}:1:2: error: the file contains NUL bytes: it looks like "
                                               "UTF-16 text without a byte-order mark")
    assert "\x00" not in str(info.value)


# ---- through the command line -------------------------------------------------------------------------------


def test_check_refuses_a_zero_divisor_and_verify_accepts_an_unknown_named_u_pair(capsys, tmp_path):
    zero = tmp_path / "zero.pde"
    zero.write_text("let z = cos(pi/2)\n" + LINE + "pde: u / z = 1\n")
    assert main(["check", str(zero)]) == 1
    assert capsys.readouterr().err.splitlines()[:3] == [
        f"{zero}:4:10: error: division by zero: this divisor is exactly 0", "    pde: u / z = 1", "             ^"]
    pair = tmp_path / "pair.pde"
    pair.write_text("domain x in [0, 2*pi], y in [0, 1]\nunknown u, u_pair\npde: -dxx(u) = sin(x)\n"
                    "pde: u_pair - dx(u) = 0\nperiodic x\nexact:\n  u = sin(x)\n  u_pair = cos(x)\n")
    assert main(["verify", "--points", "50", str(pair)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{pair}: ok: every residual <= 1e-08"


def test_a_point_condition_with_two_points_is_reported_at_the_second():
    err = error(LINE + "pde: dxx(u) = 0\npoint: u(0.5) + dx(u(0.25)) = 0", PdeSemanticError)
    assert where(err) == (4, 20, "a `point:` condition holds at one point; this one names two",
                          "the first is at line 4, column 8; write one condition per point")
    compiled = parse(LINE + "pde: dxx(u) = 0\npoint: u(0.5) + dx(u(1/2)) = 1").compile()
    np.testing.assert_allclose(compiled.groups[1].fixed["points"], [[0.5]])


def test_an_equation_without_unknowns_in_a_spec_without_any_says_to_declare_one():
    err = error("domain x in [0, 1]\npde: x = 0", PdeSemanticError)
    assert where(err) == (2, 6, "this equation does not involve any unknown",
                          "the spec declares no unknown; add a line such as `unknown u`")
