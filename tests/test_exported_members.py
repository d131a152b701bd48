"""Every package has an ``__all__``, and every ``__all__`` lists exactly its module's public names.

The public names of a module are the names in its namespace that do not start with "_",
except modules and the names it imports from outside accordwatch (the standard library,
``typing``, ``__future__``, third-party libraries). A name imported from another accordwatch
module is public in a package (a re-export, like ``accordwatch.events``); a package that needs
such a name only inside imports it as ``_name``. A plain module may re-export one by listing it.
Names a package provides lazily (a module ``__getattr__``) may be listed when they resolve, and
so may dunders such as ``__version__``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import accordwatch


def _module_names() -> list[str]:
    names = ["accordwatch"]
    for info in pkgutil.walk_packages(accordwatch.__path__, "accordwatch."):
        if not info.name.endswith(".__main__"):  # importing it runs the CLI
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()
PACKAGES = [n for n in MODULES if hasattr(importlib.import_module(n), "__path__")]


def _imports(module: ModuleType) -> dict[str, bool]:
    """Names bound by the module's top-level imports → whether they come from accordwatch."""
    found: dict[str, bool] = {}

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.partition(".")[0]
                    found[bound] = alias.name.partition(".")[0] == "accordwatch"
            elif isinstance(node, ast.ImportFrom):
                inside = node.level > 0 or (node.module or "").partition(".")[0] == "accordwatch"
                for alias in node.names:
                    found[alias.asname or alias.name] = inside
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(inspect.getsource(module)).body)
    return found


def _public_names(module: ModuleType) -> tuple[set[str], set[str]]:
    """(names that must be in ``__all__``, accordwatch names a plain module may re-export)."""
    imported = _imports(module)
    package = hasattr(module, "__path__")
    required: set[str] = set()
    reexportable: set[str] = set()
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, ModuleType):
            continue
        if name not in imported or (package and imported[name]):
            required.add(name)
        elif imported[name]:
            reexportable.add(name)
    return required, reexportable


@pytest.mark.parametrize("name", PACKAGES)
def test_every_package_has_an_all(name: str) -> None:
    assert isinstance(getattr(importlib.import_module(name), "__all__", None), list), (
        f"{name} has no __all__ list: add one naming its public API"
    )


@pytest.mark.parametrize(
    "name", [n for n in MODULES if hasattr(importlib.import_module(n), "__all__")]
)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ names something twice"
    required, reexportable = _public_names(module)
    lazy_or_dunder = set()
    for attr in set(exported) - required - reexportable:
        if attr in vars(module) and not (attr.startswith("__") and attr.endswith("__")):
            continue  # an import from outside accordwatch, or a private name: not API
        try:
            value = getattr(module, attr)
        except AttributeError:
            continue
        if not isinstance(value, ModuleType):
            lazy_or_dunder.add(attr)
    missing = sorted(required - set(exported))
    unknown = sorted(set(exported) - required - reexportable - lazy_or_dunder)
    assert not missing, (
        f"{name}: public but not in __all__ (export it, or rename it _name): {missing}"
    )
    assert not unknown, f"{name}: in __all__ but not a public name of the module: {unknown}"
