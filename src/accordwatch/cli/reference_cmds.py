"""Reference lookups: actors by any alias, places by any spelling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ._common import Format, FormatOption, print_frame, print_json

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    pass

__all__ = ["register"]


def _actors_cmd(
    alias: Annotated[
        str, typer.Argument(help="Any name, acronym or UCDP id: 'FAMa', 'CMA', 'GSIM', 8822.")
    ],
    on: Annotated[
        str | None, typer.Option(help="Resolve the name valid on this date (YYYY-MM-DD).")
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="Country context for ambiguous aliases ('the army').")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Who an alias names: the actor, its UCDP ids, aliases, and its lineage (CMA → CSP → FLA).

    Example: accordwatch actors "Cadre stratégique permanent" --on 2023-09-15
    """
    import pandas as pd

    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    actor = reg.resolve(alias, on=on, country=country)
    lineage = reg.lineage(actor.actor_id)
    info = {
        "actor_id": actor.actor_id,
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country,
        "ucdp_ids": list(actor.ucdp_ids),
        "valid_from": actor.valid_from,
        "valid_to": actor.valid_to,
        "aliases": [a if isinstance(a, str) else getattr(a, "text", str(a)) for a in actor.aliases],
        "lineage": [a.name for a in lineage],
        "source": actor.source,
    }
    if fmt is Format.json:
        print_json(info)
        return
    rows = pd.DataFrame(
        {
            "field": list(info),
            "value": [", ".join(map(str, v)) if isinstance(v, list) else v for v in info.values()],
        }
    )
    print_frame(rows, fmt, title=actor.name)


def _places_cmd(
    name: Annotated[
        str, typer.Argument(help="A place name in any spelling: 'Tombouctou', 'Anéfis', 'Ber'.")
    ],
    fuzzy: Annotated[bool, typer.Option("--fuzzy", help="Allow misspellings.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many places.")] = 5,
    fmt: FormatOption = Format.table,
) -> None:
    """Gazetteer lookup: coordinates, admin-1 and PRIO-GRID cell of a place.

    The gazetteer is GeoNames' Mali dump with curated corrections.

    Example: accordwatch places Tombouctou
    """
    import pandas as pd

    from ..geo import Gazetteer, Place

    found = Gazetteer.default().lookup(name, fuzzy=fuzzy, limit=limit)
    rows = pd.DataFrame([p.record() for p in found], columns=list(Place.RECORD_FIELDS))
    if rows.empty and fmt is not Format.json:
        from ..errors import NotFound

        raise NotFound(f"no place {name!r} in the gazetteer{'' if fuzzy else '; try --fuzzy'}")
    print_frame(rows, fmt, title=name)


def register(app: typer.Typer) -> None:
    app.command("actors")(_actors_cmd)
    app.command("places")(_places_cmd)
