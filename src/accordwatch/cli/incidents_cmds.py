"""Commands over incidents (one incident, several sources) and claims: ``incidents …`` and
``claims …``.

An event is named ``SOURCE|ID`` (quote it in the shell) or ``SOURCE/ID``:
``'ucdp-ged|244657'``, ``acled/MLI12345``, ``'text:doc-1a2b3c|doc-1a2b3c-4'``.  Every change
is recorded with who made it (``--by``, default ``cli:<os user>``), when and why.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._common import DbOption, Format, FormatOption, err, lazy_module, print_frame, print_json

__all__ = ["register"]

_inc = lazy_module("accordwatch._app.incidents")
_claims = lazy_module("accordwatch._app.claims")

_incidents_app = typer.Typer(
    help="Link the records of UCDP GED, ACLED and news events that report the same incident; "
    "explain, undo, choose whose figure counts.",
    no_args_is_help=True,
)
_claims_app = typer.Typer(
    help="Claims: what a party says happened (deaths, a capture, a responsibility), kept "
    "beside the figures, never merged into them.",
    no_args_is_help=True,
)

_Event = Annotated[str, typer.Argument(help="An event: SOURCE|ID (quoted) or SOURCE/ID.")]
_Ref = Annotated[str, typer.Argument(help="An incident id, or one of its events (SOURCE|ID).")]
_Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the incident log).")]
_By = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default cli:<os user>).")
]
_Country = Annotated[
    str | None, typer.Option("--country", help="Only events of this country (name, ISO3, GW).")
]
_Since = Annotated[str | None, typer.Option("--since", help="From this day (YYYY-MM-DD).")]
_Until = Annotated[str | None, typer.Option("--until", help="Up to this day (YYYY-MM-DD).")]
_Limit = Annotated[int | None, typer.Option("--limit", min=0, help="At most this many rows.")]


def _by(by: str | None) -> str:
    if by is not None:
        return by
    users = lazy_module("accordwatch._app.users")
    name: str = users.cli_actor()
    return name


def _records(frame: Any) -> list[dict[str, Any]]:
    from ..export import records

    rows: list[dict[str, Any]] = records(frame)
    return rows


def _link_all_cmd(
    country: _Country = None,
    since: _Since = None,
    until: _Until = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Link the records of different sources that report the same incident.

    Rules: dates within a day (a record dated to a month spans it), distance within 10 km
    plus each record's location uncertainty, an actor in common (the same entity or lineage,
    through the actor registry), compatible types.  Re-running changes nothing; pairs an
    analyst unlinked stay apart; manual links stay.

    Example: accordwatch incidents link-all --country Mali --since 2023-01-01
    """
    counts = _inc.link_incidents(db, country=country, since=since, until=until)
    if fmt is Format.json:
        print_json(counts)
        return
    err.print(
        f"{counts['candidates']} record(s) matched; {counts['linked']} link(s) added, "
        f"{counts['unlinked']} removed; {counts['incidents']} incident(s) in the store"
    )


def _list_cmd(
    country: _Country = None,
    since: _Since = None,
    until: _Until = None,
    limit: _Limit = 50,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List incidents, newest first.

    Each with the counted record's date, place and deaths, and the sources linked.
    """
    df = _inc.incident_list(db=db, country=country, since=since, until=until, limit=limit)
    if df.empty and fmt is Format.table:
        err.print("no incidents; link records with: accordwatch incidents link-all")
        return
    print_frame(df, fmt)


def _side_by_side(inc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per field, one column per member (the counted one first)."""
    members = _records(inc["members"])
    fields = (
        ("counted", lambda m: "yes — its figure is used" if m["counted"] else "no"),
        ("date", lambda m: _span(m["date_start"], m["date_end"])),
        ("place", lambda m: m["where_description"] or ""),
        ("admin1", lambda m: m["admin1"] or ""),
        ("coordinates", lambda m: _coords(m["latitude"], m["longitude"], m["where_prec"])),
        ("actors", lambda m: "; ".join(x for x in (m["side_a"], m["side_b"], m["actors"]) if x)),
        ("type", lambda m: m["event_type"] or _tov(m["type_of_violence"])),
        ("deaths low/best/high", lambda m: "/".join(_n(m[k]) for k in ("low", "best", "high"))),
        ("linked", lambda m: f"{m['how']} by {m['linked_by']}"),
        (
            "matched with",
            lambda m: f"{m['matched_source']}|{m['matched_id']}" if m["matched_source"] else "",
        ),
        ("why", lambda m: _why(m["explanation"])),
    )
    rows = []
    for name, get in fields:
        row: dict[str, Any] = {"": name}
        for m in members:
            row[f"{m['ev_source']}|{m['ev_id']}"] = get(m)
        rows.append(row)
    return rows


def _span(start: Any, end: Any) -> str:
    a, b = str(start or "")[:10], str(end or "")[:10]
    return a if not b or a == b else f"{a} – {b}"


def _coords(lat: Any, lon: Any, prec: Any) -> str:
    if lat is None or lon is None:
        return ""
    return f"{lat:.4f}, {lon:.4f}" + (f" (precision {prec})" if prec is not None else "")


def _tov(value: Any) -> str:
    return {1: "state-based", 2: "non-state", 3: "one-sided"}.get(value, "")


def _n(value: Any) -> str:
    return "?" if value is None else str(int(value))


def _why(expl: Any) -> str:
    if not isinstance(expl, dict):
        return ""
    if "reason" in expl:
        return f"analyst: {expl['reason']}"
    actors = ", ".join(a["name"] for a in expl.get("actors", []))
    return (
        f"{expl['days']} day(s), {expl['km']} km (limit {expl['limit_km']}), "
        f"actors {expl['actor_match']}{': ' + actors if actors else ''}, score {expl['score']}"
    )


def _show_cmd(ref: _Ref, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Show an incident: each source's record side by side, and why.

    Each source's date, place, actors and deaths; whose figure is counted and why; why each
    record was linked; the claims about it; its log.

    Example: accordwatch incidents show 'acled|MLI12345'
    """
    inc = _inc.incident_show(ref, db=db)
    if fmt is Format.json:
        print_json(
            {
                **{k: v for k, v in inc.items() if k not in ("members", "claims", "log")},
                "members": _records(inc["members"]),
                "claims": _records(inc["claims"]),
                "log": _records(inc["log"]),
            }
        )
        return
    print_frame(_side_by_side(inc), fmt, title=f"incident {inc['incident_id']}")
    if fmt is not Format.table:
        return
    err.print(f"counted: {inc['counted_because']}")
    if len(inc["claims"]):
        print_frame(
            inc["claims"][["claim_id", "claimant", "kind", "deaths", "target", "source"]],
            fmt,
            title="claims (claimed, not confirmed)",
        )
    print_frame(
        inc["log"][["logged_at", "who", "action", "ev_source", "ev_id", "reason"]],
        fmt,
        title="log",
    )


def _why_cmd(a: _Event, b: _Event, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Say why two records are (or are not) one incident: each rule and what it found.

    Example: accordwatch incidents why 'ucdp-ged|244657' acled/CAF1234
    """
    why = _inc.incident_why(a, b, db=db)
    if fmt is not Format.table:
        print_json(why)
        return
    now = why["rules_now"]
    rows = [
        {"rule": "sources differ", "holds": now["sources"]["ok"], "found": _pair(now["sources"])},
        {
            "rule": "date",
            "holds": now["date"]["ok"],
            "found": f"{now['date']['days']} day(s) apart (window {now['date']['window']})",
        },
        {"rule": "place", "holds": now["place"]["ok"], "found": _place(now["place"])},
        {"rule": "type", "holds": now["type"]["ok"], "found": _pair(now["type"], "families")},
        {"rule": "actors", "holds": now["actors"]["ok"], "found": _actors(now["actors"])},
    ]
    print_frame(rows, fmt, title=f"{why['a']} and {why['b']}")
    verdict = "linkable" if now["linkable"] else "not linkable"
    same = f"both in incident {why['incidents'][0]}" if why["same_incident"] else "not linked"
    score = "" if now["score"] is None else f" (score {now['score']:.3f})"
    err.print(f"rules now: {verdict}{score}; {same}")
    if why["separated_by_analyst"]:
        sep = why.get("separation") or {}
        err.print(
            f"an analyst unlinked them ({sep.get('by')}, {str(sep.get('at'))[:19]}: "
            f"{sep.get('reason')}): the linker keeps them apart"
        )
    for u in why.get("unlinks", []):
        err.print(
            f"{u['event']} was unlinked from incident {u['incident_id']} by {u['by']} "
            f"on {str(u['at'])[:19]}: {u['reason']}"
        )


def _pair(found: dict[str, Any], key: str | None = None) -> str:
    if key is not None:
        return " / ".join(str(x) for x in found[key])
    return f"{found['a']} / {found['b']}"


def _place(found: dict[str, Any]) -> str:
    if found.get("km") is None:
        return str(found.get("why", ""))
    return f"{found['km']} km (limit {found['limit_km']} km)"


def _actors(found: dict[str, Any]) -> str:
    shared = ", ".join(s["name"] for s in found["shared"])
    return f"{found['match']}" + (f": {shared}" if shared else "")


def _link_cmd(a: _Event, b: _Event, reason: _Reason, by: _By = None, db: DbOption = None) -> None:
    """Link two records as one incident by hand (the linker never moves them).

    Example: accordwatch incidents link 'ucdp-ged|244657' acled/MLI12345 --reason 'same ambush'
    """
    inc = _inc.incident_link(a, b, reason=reason, by=_by(by), db=db)
    err.print(f"linked in incident {inc['incident_id']} ({len(inc['members'])} records)")


def _unlink_cmd(
    a: _Event,
    b: Annotated[
        str | None, typer.Argument(help="Optional: another record of the same incident.")
    ] = None,
    reason: _Reason = "",
    by: _By = None,
    db: DbOption = None,
) -> None:
    """Take a record out of its incident; the linker never joins them again.

    Example: accordwatch incidents unlink acled/MLI12345 --reason 'a different attack'
    """
    done = _inc.incident_unlink(a, b, reason=reason, by=_by(by), db=db)
    tail = "; the incident is dissolved" if done["dissolved"] else ""
    err.print(f"{done['removed']} is out of incident {done['incident_id']}{tail}")


def _count_cmd(
    ref: _Ref,
    event: Annotated[
        str | None, typer.Argument(help="The member whose figure counts (none: precedence).")
    ] = None,
    reason: _Reason = "",
    by: _By = None,
    db: DbOption = None,
) -> None:
    """Choose whose figure an incident counts (default: UCDP GED > ACLED > text).

    Example: accordwatch incidents count 12 acled/MLI12345 --reason 'GED lumps two days'
    """
    inc = _inc.incident_count(ref, event, reason=reason, by=_by(by), db=db)
    err.print(f"incident {inc['incident_id']}: {inc['counted_because']}")


def _claim_add_cmd(
    claimant: Annotated[str, typer.Option("--claimant", help="Who claims (an actor).")],
    kind: Annotated[str, typer.Option("--kind", help="deaths, capture, responsibility or other.")],
    evidence: Annotated[str, typer.Option("--evidence", help="The statement, as written.")],
    source: Annotated[str, typer.Option("--source", help="Where it was read (outlet, doc).")],
    deaths: Annotated[
        int | None, typer.Option("--deaths", min=0, help="The number claimed.")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="Whom it is about.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="What day it is about: YYYY[-MM[-DD]].")
    ] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where.")] = None,
    claimed_on: Annotated[
        str | None, typer.Option("--claimed-on", help="When the claim was made (YYYY-MM-DD).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="The source's address.")] = None,
    event: Annotated[
        str | None, typer.Option("--event", help="The stored event it is about (SOURCE|ID).")
    ] = None,
    by: _By = None,
    db: DbOption = None,
) -> None:
    """Record a party's claim, attributed to its source (never added to any death toll).

    Example: accordwatch claims add --claimant FAMa --kind deaths --deaths 30 --source
    'communiqué FAMa' --evidence 'neutralisé 30 terroristes' --event 'ucdp-ged|244657'
    """
    c = _claims.claim_add(
        claimant=claimant,
        kind=kind,
        evidence=evidence,
        source=source,
        deaths=deaths,
        target=target,
        date=date,
        place=place,
        claimed_on=claimed_on,
        url=url,
        event=event,
        by=_by(by),
        db=db,
    )
    err.print(f"claim {c['claim_id']} by {c['claimant']} recorded (claimed, not confirmed)")


def _claim_list_cmd(
    event: Annotated[
        str | None, typer.Option("--event", help="Claims about this event (SOURCE|ID).")
    ] = None,
    incident: Annotated[
        int | None, typer.Option("--incident", help="Claims about this incident's records.")
    ] = None,
    claimant: Annotated[
        str | None, typer.Option("--claimant", help="Claims by this claimant.")
    ] = None,
    since: _Since = None,
    until: _Until = None,
    limit: _Limit = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List claims: claimant, what, about which event, from which source."""
    df = _claims.claim_list(
        db=db,
        event=event,
        incident=incident,
        claimant=claimant,
        since=since,
        until=until,
        limit=limit,
    )
    if df.empty and fmt is Format.table:
        err.print("no claims match")
        return
    if fmt is Format.table:
        df = df[
            [
                "claim_id",
                "claimant",
                "kind",
                "deaths",
                "target",
                "claim_date",
                "source",
                "ev_source",
                "ev_id",
            ]
        ]
    print_frame(df, fmt, title="claims (claimed, not confirmed)" if fmt is Format.table else None)


def register(app: typer.Typer) -> None:
    """Add ``incidents …`` and ``claims …`` to the app."""
    _incidents_app.command("link-all")(_link_all_cmd)
    _incidents_app.command("list")(_list_cmd)
    _incidents_app.command("show")(_show_cmd)
    _incidents_app.command("why")(_why_cmd)
    _incidents_app.command("link")(_link_cmd)
    _incidents_app.command("unlink")(_unlink_cmd)
    _incidents_app.command("count")(_count_cmd)
    app.add_typer(_incidents_app, name="incidents")
    _claims_app.command("add")(_claim_add_cmd)
    _claims_app.command("list")(_claim_list_cmd)
    app.add_typer(_claims_app, name="claims")
