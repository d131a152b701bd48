"""Input formats: bytes in, validated rows out (one module per source family)."""

from ._batch import Batch
from .ucdp import detect_source, read_ucdp, records_to_batch

__all__ = ["Batch", "detect_source", "read_ucdp", "records_to_batch"]
