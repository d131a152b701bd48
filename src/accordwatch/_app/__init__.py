"""The application layer: what a person's action maps to, composed from the packages below.

The CLI, the web app and a notebook share these functions; each is one unit of work on the
store (one transaction for a write).  This is the only layer that joins :mod:`accordwatch.store`
with :mod:`accordwatch.sources`, :mod:`accordwatch.accords` and :mod:`accordwatch.extract`:

* :mod:`._store` — opening the store (read-only for reads, seeded on first use);
* :mod:`.seed` — the bundled default a new store is filled with;
* :mod:`.ingest` — loading a file through the store's one ingest engine;
* :mod:`.review` — the review queue of events extracted from text;
* :mod:`.accords` — agreements, provisions and assessments over the store.

The public names are re-exported from :mod:`accordwatch` (and the accords functions from
:mod:`accordwatch.accords`).
"""

#: nothing of its own: the functions live in the submodules, re-exported by accordwatch
__all__: list[str] = []
