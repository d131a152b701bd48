"""Input formats: bytes in, validated rows out (one module per source family).

The readers load on first use, so that the one-pass CSV load (:mod:`._ged_csv`) can be
imported without the Arrow stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accordwatch._lazy import lazy_attributes

if TYPE_CHECKING:
    from ._batch import Batch
    from .ucdp import detect_source, read_ucdp, records_to_batch

__all__ = ["Batch", "detect_source", "read_ucdp", "records_to_batch"]

_HOME = {
    "Batch": "._batch",
    "detect_source": ".ucdp",
    "read_ucdp": ".ucdp",
    "records_to_batch": ".ucdp",
}


__getattr__ = lazy_attributes(__name__, _HOME)
