"""The accord package is domain code: none of its modules imports the store or the app layer."""

from __future__ import annotations

import ast
from pathlib import Path

import accordwatch.accords

PACKAGE = Path(accordwatch.accords.__file__).parent
FORBIDDEN = ("accordwatch.store", "accordwatch._app")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import that runs (not under TYPE_CHECKING)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "accordwatch.accords".split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                module = node.module or ""
            found.extend((node.lineno, f"{module}.{a.name}") for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_accords_modules_import_neither_store_nor_app() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert {p.name for p in modules} >= {"__init__.py", "_model.py", "_provisions.py"}
    bad = [
        f"{path.name}:{line} imports {name}"
        for path in modules
        for line, name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.startswith(FORBIDDEN)
    ]
    assert bad == []


def test_the_check_sees_relative_imports() -> None:
    tree = ast.parse("from ..store import Store\nfrom .._app import accords\n")
    names = [name for _, name in _imports(tree)]
    assert names == ["accordwatch.store.Store", "accordwatch._app.accords"]


def test_store_functions_are_offered_lazily() -> None:
    import accordwatch._app.accords as app

    assert accordwatch.accords.assess is app.assess
    assert set(app.__all__) - {"seed_accords"} <= set(accordwatch.accords.__all__)


def test_doctests() -> None:
    import doctest
    import importlib

    for name in (
        "accordwatch.accords",
        "accordwatch.accords._model",
        "accordwatch.accords._provisions",
        "accordwatch.accords._assessments",
        "accordwatch.accords._health",
        "accordwatch.accords._links",
        "accordwatch.accords._agreements",
        "accordwatch.store.accords",
        "accordwatch._app.accords",
    ):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, name
