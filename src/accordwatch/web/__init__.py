"""The team web app: a JSON API under ``/api`` and server-rendered pages, on one owner of
the store.

>>> from accordwatch.web import create_app
>>> app = create_app("accordwatch.duckdb")                  # doctest: +SKIP

``accordwatch serve`` runs it with uvicorn on 127.0.0.1.
"""

from ._app import create_app

__all__ = ["create_app"]
