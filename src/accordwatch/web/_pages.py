"""The web app's pages: server-rendered HTML (jinja2, autoescaped, CSS inline, no external
asset), readable on a phone.

:data:`router` holds every page; :func:`accordwatch.web.create_app` includes it.
"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

#: every page of the app (HTML); the JSON API lives under /api
router = APIRouter(include_in_schema=False)
