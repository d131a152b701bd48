"""The architecture's rules of the road (DESIGN.md, "Architecture"), read from every module's
imports.  An import anywhere in a module counts — at the top, inside a function, under
``TYPE_CHECKING`` — because each one is a dependency somebody has to keep working.

A deviation kept on purpose is listed in ``DEVIATIONS`` with its reason; everything else
that breaks a rule fails the test with the module, the line and the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "accordwatch"

#: Every layer and the layers it may import (besides itself, ``errors``, ``_lazy`` and ``_text``,
#: which every layer may use).  Third-party libraries are not listed here; ``duckdb`` is checked
#: separately below.
ALLOWED: dict[str, set[str]] = {
    # the leaf: the only code that talks to DuckDB
    "store": set(),
    # pure core: DataFrames and plain objects in and out
    "geo": set(),
    "actors": set(),
    "forecast": set(),
    "extract": {"actors", "geo"},
    "accords": {"actors", "geo"},
    # formats: describe files for the store's engine, never see a Store (see SOURCES_FROM_STORE)
    "sources": {"geo", "store"},
    "export": set(),
    # the application layer: the only place that joins store/ with the packages above
    "_app": {"store", "sources", "accords", "extract", "actors", "geo", "forecast", "export"},
    "_api": {"_app", "store", "sources", "actors", "geo"},
    "accordwatch": {"_api", "_app"},  # the package's own __init__: re-exports
    # briefings and the digest: built from public functions and the application layer
    "brief": {"accordwatch", "_api", "_app", "accords", "actors", "export", "forecast", "geo"},
    "__main__": {"cli"},
    # shells: public functions only, never the store (the web app reaches the store's owner
    # through _app)
    "web": {
        "accordwatch",
        "_api",
        "_app",
        "accords",
        "actors",
        "brief",
        "export",
        "extract",
        "forecast",
        "geo",
        "sources",
    },
    "cli": {
        "accordwatch",
        "_api",
        "_app",
        "accords",
        "brief",
        "web",
        "actors",
        "export",
        "extract",
        "forecast",
        "geo",
        "sources",
    },
}
EVERYONE = {"errors", "_lazy", "_text"}

#: What of store/ a format module may import: the event table's columns and the engine's
#: input types — data contracts, not a Store.
SOURCES_FROM_STORE = {"accordwatch.store.schema", "accordwatch.store.contract"}

#: (importing module, imported module) → why this deviation is kept.
DEVIATIONS: dict[tuple[str, str], str] = {
    ("accordwatch.accords", "accordwatch._app.accords"): (
        "the accords package re-exports the app-layer functions over the store (assess, "
        "timeline, health …) lazily and for type checkers, so `from accordwatch.accords import "
        "assess` keeps working; no accords/ module uses them"
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file; ``from x import y`` yields
    ``x.y`` too when ``y`` is a submodule, so a package's own re-exports resolve to it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                rel = candidate.split(".")[1:]
                if rel and (
                    (SRC.joinpath(*rel).with_suffix(".py")).exists() or SRC.joinpath(*rel).is_dir()
                ):
                    found.append((node.lineno, candidate))
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _violations() -> list[str]:
    broken = []
    for path in _modules():
        me = _module_name(path)
        mine = _layer(me)
        for line, target in _imports(path):
            where = f"{path.relative_to(SRC.parent)}:{line}"
            if target == "duckdb" or target.startswith("duckdb."):
                if mine != "store" and (me, "duckdb") not in DEVIATIONS:
                    broken.append(f"{where}: {me} imports duckdb (only store/ talks to DuckDB)")
                continue
            if not target.startswith("accordwatch"):
                continue
            theirs = _layer(target)
            if theirs == mine or theirs in EVERYONE or (me, target) in DEVIATIONS:
                continue
            if mine not in ALLOWED:
                broken.append(f"{where}: {me} is in no layer of tests/test_layers.py; add it")
                continue
            if theirs not in ALLOWED[mine]:
                broken.append(f"{where}: {me} imports {target} ({mine}/ may not use {theirs}/)")
            elif mine == "sources" and theirs == "store" and target not in SOURCES_FROM_STORE:
                broken.append(
                    f"{where}: {me} imports {target}; sources/ may use only "
                    f"{', '.join(sorted(SOURCES_FROM_STORE))} of the store (it never sees a Store)"
                )
    return broken


def test_every_import_follows_the_layers() -> None:
    broken = _violations()
    assert not broken, "imports that break DESIGN.md's layers:\n" + "\n".join(broken)


def test_deviations_are_still_needed() -> None:
    """A listed deviation that no module makes any more is removed from the list."""
    made = {(_module_name(p), t) for p in _modules() for _, t in _imports(p)}
    stale = [k for k in DEVIATIONS if k not in made]
    assert not stale, f"deviations no longer made; remove them from DEVIATIONS: {stale}"


@pytest.mark.parametrize(
    "source, rule",
    [
        ("from ..store import Store\n", "may not use store"),
        ("import duckdb\n", "only store/ talks to DuckDB"),
    ],
)
def test_the_check_catches_a_broken_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, rule: str
) -> None:
    """The checker itself: a geo/ module that opens the store or DuckDB is caught."""
    fake = tmp_path / "accordwatch"
    (fake / "geo").mkdir(parents=True)
    (fake / "store").mkdir()
    (fake / "geo" / "bad.py").write_text(source)
    monkeypatch.setitem(globals(), "SRC", fake)
    broken = _violations()
    assert len(broken) == 1 and rule.split()[-1] in broken[0], broken


def test_no_raw_sql_outside_the_store() -> None:
    """All SQL lives behind named Store methods: nothing outside store/ reaches for the
    connection or runs a query string."""
    reaching = (".con.", "._con", ".con\n", "store.one(", "store.query(", ".execute(")
    found = []
    for path in _modules():
        if _layer(_module_name(path)) == "store":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(r in line for r in reaching) and "cursor" not in line:
                found.append(f"{path.relative_to(SRC.parent)}:{n}: {line.strip()}")
    assert not found, "SQL outside store/:\n" + "\n".join(found)
