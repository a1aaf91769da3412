"""The layering rules of docs/architecture.md, read from the import statements themselves."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pdedsl"

FORBIDDEN = {
    "solvers": ("pdedsl.language", "pdedsl.run", "pdedsl.reference", "pdedsl.cli", "sympy", "lark"),
    "language": ("pdedsl.solvers", "pdedsl.run", "pdedsl.cli"),
    "reference": ("pdedsl.solvers", "pdedsl.run", "pdedsl.language", "pdedsl.cli"),
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_what_it_must_not(layer):
    files = sorted((PACKAGE / layer).glob("*.py"))
    assert files, f"pdedsl/{layer} has no modules"
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offenders == []


def test_spec_text_never_reaches_eval():
    """No eval/exec/sympify/parse_expr call anywhere in the package (generated code is compiled, not eval'd)."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
                if name in ("eval", "sympify", "parse_expr"):
                    calls.append(f"{path.name}:{node.lineno} {name}")
    assert calls == []
