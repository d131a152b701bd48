"""Package attributes that import their module on first use (PEP 562), so that importing
one light submodule does not pull in a package's heavy ones (numpy, shapely, pyarrow)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, home: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that finds each name in its ``home`` submodule.

    >>> getattr_ = lazy_attributes("accordwatch.geo", {"priogrid_sql": "._grid"})
    >>> getattr_("priogrid_sql")("a", "b").startswith("CASE")
    True
    """

    def __getattr__(name: str) -> Any:
        if name in home:
            return getattr(importlib.import_module(home[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
