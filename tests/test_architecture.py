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


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            yield node


def test_spec_text_never_reaches_eval():
    """No sympify/parse_expr call anywhere in the package: SymPy objects are constructed, never parsed."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in _calls(path):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
            if name in ("sympify", "parse_expr"):
                calls.append(f"{path.name}:{node.lineno} {name}")
    assert calls == []


def test_no_code_is_executed_from_text():
    """No call of the builtins eval, exec or compile anywhere in the package (`re.compile` and the like are
    attribute calls, not the builtin): residual functions are evaluated from SymPy trees, not run as source."""
    calls = [f"{path.name}:{node.lineno} {node.func.id}" for path in PACKAGE.rglob("*.py") for node in _calls(path)
             if isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec", "compile", "__import__")]
    assert calls == []


def test_the_check_catches_builtin_calls():
    """The scan above sees a builtin call, and lets an attribute call of the same name pass."""
    source = "import re\nre.compile('a')\nexec('1')\ncompile('1', 'f', 'exec')\n"
    found = [n.func.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert found == ["exec", "compile"]
