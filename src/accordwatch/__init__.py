"""accordwatch — independent monitoring of peace accords and the conflicts around them."""

from __future__ import annotations

__version__ = "0.1.0"
