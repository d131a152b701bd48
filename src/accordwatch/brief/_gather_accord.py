"""The accord section, the accord's milestones for the timeline, and the actors' coalitions and
name changes for "who fights whom".

The main agreement of a country is the one located there with provisions or assessments in
the store, else with the most milestones, else the latest comprehensive one (UCDP ``pa_type``
1), else the latest signed.  Its status comes from its milestones: ``terminated`` from a
termination milestone (by its actors, on its date), ``suspended`` from a suspension not
followed by a resumption, else ``in force`` — or ``terminated`` without a date when UCDP codes
the agreement as ended.

A provision is *reversed* when its latest state is ``reversed`` or a lower score than it had,
*suspended* when its latest state is ``suspended``, and *stalled* when its score is below full
(3) and has not risen for :data:`STALLED_MONTHS` months before the period's end.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import NotFound
from ._ctx import Context, month_end, shift_months
from ._model import Accord

if TYPE_CHECKING:
    import pandas as pd

    from ..actors import ActorRegistry

__all__ = [
    "LATEST_ASSESSMENTS",
    "STALLED_MONTHS",
    "accord_section",
    "lineage_frame",
    "main_agreement",
    "milestone_frame",
    "provision_changes",
    "registry",
]

#: months without a rise after which a provision below full counts as stalled
STALLED_MONTHS = 24
#: assessments listed as the latest
LATEST_ASSESSMENTS = 10

_TERMINATION = {"termination", "terminated"}
_SUSPENSION = {"suspension", "suspended"}
_RESUMPTION = {"resumption", "resumed", "reinstated"}


def _first_day(value: Any, precision: str) -> dt.date:
    text = str(value)
    if precision == "year":
        return dt.date(int(text[:4]), 1, 1)
    if precision == "month":
        return dt.date(int(text[:4]), int(text[5:7]), 1)
    return dt.date.fromisoformat(text[:10])


def _period_end(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return month_end(day)
    return day


def main_agreement(db: Any, country: str) -> tuple[dict[str, Any], str] | None:
    """The country's main agreement (``show_agreement``'s record) and why it was chosen (a
    key of the words: ``why_provisions``, ``why_milestones``, ``why_latest``), or None."""
    import accordwatch.accords as ac

    try:
        frame = ac.list_agreements(db, country=country)
    except NotFound:
        return None
    if frame.empty:
        return None
    from .._app.briefing import milestone_counts

    counts = milestone_counts([int(a) for a in frame["agreement_id"]], db)

    def rank(rec: dict[str, Any]) -> tuple[Any, ...]:
        return (
            int(rec.get("provisions") or 0) > 0,
            counts[int(rec["agreement_id"])],
            str(rec.get("pa_type")) == "1",
            str(rec.get("signed") or ""),
        )

    records = cast("list[dict[str, Any]]", frame.to_dict(orient="records"))
    best = max(records, key=rank)
    key = rank(best)
    why = "why_provisions" if key[0] else "why_milestones" if key[1] else "why_latest"
    return ac.show_agreement(int(best["agreement_id"]), db), why


def _status(ctx: Context, rec: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = {"status": "in force", "by": None, "date": None, "source": None}
    ordered = sorted(rec["milestones"], key=lambda m: str(m["date"]))
    for m in ordered:
        kind = str(m.get("kind") or "").lower()
        if kind in _TERMINATION:
            status = {
                "status": "terminated",
                "by": m.get("actors"),
                "date": str(m["date"]),
                "precision": m.get("precision"),
                "source": m.get("source"),
            }
            break
        if kind in _SUSPENSION:
            status = {
                "status": "suspended",
                "by": m.get("actors"),
                "date": str(m["date"]),
                "precision": m.get("precision"),
                "source": m.get("source"),
            }
        elif kind in _RESUMPTION and status["status"] == "suspended":
            status = {
                "status": "in force",
                "by": m.get("actors"),
                "date": str(m["date"]),
                "precision": m.get("precision"),
                "source": m.get("source"),
            }
    if status["status"] == "in force" and rec.get("ended") is True:
        status = {
            "status": "terminated",
            "by": None,
            "date": None,
            "precision": None,
            "source": rec.get("source"),
        }
        status["note"] = ctx.w("note_ucdp_ended")
    status["label"] = ctx.w("status_" + status["status"].replace(" ", "_"))
    return status


def milestone_frame(ctx: Context, found: tuple[dict[str, Any], str] | None) -> pd.DataFrame:
    """The main agreement's milestones (and its signature) whose period overlaps the
    briefing's: ``date`` (first day of its precision's period), ``precision``, ``label``,
    ``kind``, ``source``."""
    import pandas as pd

    cols = ["date", "precision", "label", "kind", "source"]
    if found is None:
        return pd.DataFrame(columns=cols)
    rec = found[0]
    rows = [
        {
            "date": _first_day(m["date"], m.get("precision") or "day"),
            "precision": m.get("precision") or "day",
            "label": m.get("description") or m.get("kind"),
            "kind": m.get("kind"),
            "source": m.get("source"),
        }
        for m in rec["milestones"]
    ]
    if rec.get("signed") is not None:
        signed = pd.Timestamp(rec["signed"]).date()
        if not any(r["kind"] == "signature" and r["date"] == signed for r in rows):
            rows.append(
                {
                    "date": signed,
                    "precision": "day",
                    "label": str(rec["name"]),
                    "kind": "agreement_signed",
                    "source": rec.get("source"),
                }
            )
    keep = [
        r
        for r in rows
        if r["date"] <= ctx.until and _period_end(r["date"], r["precision"]) >= ctx.since
    ]
    frame = pd.DataFrame(keep, columns=cols)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _index(ctx: Context, aid: int) -> pd.DataFrame:
    import pandas as pd

    import accordwatch.accords as ac

    overall = ac.implementation_index(aid, db=ctx.db, until=ctx.until)
    if overall.empty:
        return pd.DataFrame(columns=["period", "theme", "index"])
    themes = ac.implementation_index(aid, db=ctx.db, until=ctx.until, by="theme")
    both = pd.concat([overall.assign(group=ctx.w("label_overall")), themes], ignore_index=True)
    out = both.rename(columns={"date": "period", "group": "theme"})[["period", "theme", "index"]]
    out["period"] = [pd.Timestamp(d).date() for d in out["period"]]
    return out.dropna(subset=["index"]).reset_index(drop=True)


def provision_changes(
    history: pd.DataFrame, titles: dict[str, str], until: dt.date
) -> pd.DataFrame:
    """Provisions stalled, reversed or suspended at ``until`` (rules in the module docs):
    ``provision_id``, ``text``, ``score``, ``change`` (``stalled`` | ``reversed`` |
    ``suspended``), ``since`` (when that state began)."""
    import pandas as pd

    cols = ["provision_id", "text", "score", "change", "since"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    hist = history.assign(_day=[pd.Timestamp(d).date() for d in history["date"]])
    hist = hist[hist["_day"] <= until].sort_values(["_day", "assessment_id"], kind="stable")
    limit = shift_months(until, -STALLED_MONTHS)
    rows = []
    for pid, group in hist.groupby("provision_id", sort=True):
        states = list(zip(group["score"].astype(str), group["_day"], strict=True))
        last, day = states[-1]
        numbers = [(int(s), d) for s, d in states if s.isdigit()]
        if last == "reversed" or (
            last.isdigit() and any(int(s) > int(last) for s, _ in numbers[:-1])
        ):
            rows.append((pid, "reversed", last, day))
        elif last == "suspended":
            rows.append((pid, "suspended", last, day))
        elif last.isdigit() and int(last) < 3:
            rises = [d for (s, d), (p, _) in zip(numbers[1:], numbers[:-1], strict=False) if s > p]
            since = rises[-1] if rises else numbers[0][1]
            if since <= limit:
                rows.append((pid, "stalled", last, since))
    return pd.DataFrame(
        [
            {"provision_id": p, "text": titles.get(str(p), ""), "score": s, "change": c, "since": d}
            for p, c, s, d in rows
        ],
        columns=cols,
    )


def _latest(history: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    import pandas as pd

    cols = ["date", "provision_id", "score", "evidence", "source", "assessor", "url"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    hist = history.assign(date=[pd.Timestamp(d).date() for d in history["date"]])
    hist = (
        hist[hist["date"] <= until]
        .sort_values(["date", "assessment_id"], ascending=False, kind="stable")
        .head(LATEST_ASSESSMENTS)
    )
    url = hist["source_url"].where(hist["source_url"].notna(), None)
    return pd.DataFrame(
        {
            "date": hist["date"],
            "provision_id": hist["provision_id"],
            "score": hist["score"].astype(str),
            "evidence": hist["evidence"],
            "source": [
                u if isinstance(u, str) else a for u, a in zip(url, hist["assessor"], strict=True)
            ],
            "assessor": hist["assessor"],
            "url": url,
        },
        columns=cols,
    ).reset_index(drop=True)


def accord_section(
    ctx: Context, agreement: int | str | None
) -> tuple[Accord, tuple[dict[str, Any], str] | None]:
    """The accord section and the agreement behind it (with why it was chosen)."""
    import accordwatch.accords as ac

    accord = Accord(title=ctx.w("title_accord"))
    if agreement is not None:
        found: tuple[dict[str, Any], str] | None = (
            ac.show_agreement(agreement, ctx.db),
            "why_provisions",
        )
    else:
        found = main_agreement(ctx.db, ctx.name)
    if found is None:
        accord.empty = ctx.w("empty_accord", country=ctx.name)
        return accord, None
    ctx.used.add("ucdp-peace")
    rec, why = found
    aid = int(rec["agreement_id"])
    accord.agreement_id = aid
    accord.name = str(rec["name"])
    accord.signed = str(rec["signed"])[:10] if rec.get("signed") is not None else None
    accord.command = ctx.command("accords show", str(aid))
    accord.status = _status(ctx, rec)
    if agreement is None:
        accord.notes.append(ctx.w("note_accord_choice", name=accord.name, id=aid, why=ctx.w(why)))
    accord.index = _index(ctx, aid)
    history = ac.assessments(ctx.db, agreement_id=aid)
    titles = {}
    if len(history):
        provs = ac.provisions(aid, ctx.db)
        titles = dict(
            zip(provs["provision_id"].astype(str), provs["title"].astype(str), strict=True)
        )
    accord.stalled = provision_changes(history, titles, ctx.until)
    accord.latest = _latest(history, ctx.until)
    if accord.index.empty:
        accord.notes.append(ctx.w("empty_index"))
    elif accord.stalled.empty:
        accord.notes.append(ctx.w("empty_stalled"))
    return accord, found


# -- coalitions and name changes --------------------------------------------------------------
@cache
def registry() -> ActorRegistry:
    """The bundled actor registry (:meth:`ActorRegistry.default`), kept in the user cache
    (:mod:`accordwatch.brief._cache`) under a key of the accordwatch version and the files
    it is built from (the actors package and its data), so that a briefing reads it in a
    hundredth of the time it takes to build."""
    import pickle
    from importlib import resources

    import accordwatch as aw

    from ..actors import ActorRegistry
    from . import _cache

    package = Path(str(resources.files("accordwatch")))
    key = _cache.files_key(
        [package / "actors", package / "data" / "actors", package / "data" / "ucdp"],
        str(aw.__version__),
        f"pickle {pickle.HIGHEST_PROTOCOL}",
    )
    name = f"actor-registry-{key}.pickle"
    data = _cache.read(name)
    if data is not None:
        try:
            found = pickle.loads(data)  # written by this function, in the user's own cache
        except Exception:  # a damaged or foreign file: built again
            found = None
        if isinstance(found, ActorRegistry):
            return found
    built = ActorRegistry.default()
    _cache.write(name, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    return built


@cache
def _coalition_ids() -> tuple[str, ...]:
    """The registry's actors that have members."""
    frame = registry().to_frame()
    return tuple(str(a) for a in frame.loc[frame["members"].map(len) > 0, "actor_id"])


def _overlaps(start: dt.date | None, end: dt.date | None, ctx: Context) -> bool:
    return (start is None or start <= ctx.until) and (end is None or end >= ctx.since)


def lineage_frame(ctx: Context, found: tuple[dict[str, Any], str] | None) -> pd.DataFrame:
    """Coalitions and name changes of the period's actors and of the agreement's parties
    (with their predecessors and successors): ``actor``, ``relation``, ``other``, ``since``,
    ``until``.  A name change is listed whenever it happened; a membership when it held at
    some time in the period."""
    import pandas as pd

    from .._app.briefing import has_lineage

    cols = ["actor", "relation", "other", "since", "until"]
    if not has_lineage(ctx.name, ctx.db):  # the registry records none: not worth reading it
        return pd.DataFrame(columns=cols)
    reg = registry()
    names: list[str] = []
    if ctx.events is not None and len(ctx.events):
        for key in ("side_a", "side_b"):
            names += [n for n in ctx.events[key].dropna().unique()]
    if found is not None:
        names += [
            p["name"] for p in found[0]["parties"] if p.get("role") in ("warring", "signatory")
        ]
    seen: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        actor = reg.find(name, country=ctx.name)
        if actor is None:
            continue
        for a in reg.lineage(actor.actor_id):
            seen.setdefault(a.actor_id, a)
    coalitions = [reg.get(i) for i in _coalition_ids()] if seen else []
    rows: list[tuple[str, str, str, Any, Any]] = []
    became, member = ctx.w("relation_succeeded_by"), ctx.w("relation_member_of")
    for a in seen.values():
        for s in a.successors:
            nxt = reg.get(s)
            rows.append((a.name, became, nxt.name, nxt.valid_from, None))
        if a.members:
            for m in a.members:
                if _overlaps(m.valid_from, m.valid_to, ctx):
                    rows.append(
                        (reg.get(m.actor_id).name, member, a.name, m.valid_from, m.valid_to)
                    )
    for c in coalitions:
        for m in c.members:
            if m.actor_id in seen and _overlaps(m.valid_from, m.valid_to, ctx):
                rows.append((seen[m.actor_id].name, member, c.name, m.valid_from, m.valid_to))
    frame = pd.DataFrame(list(dict.fromkeys(rows)), columns=cols)
    if frame.empty:
        return frame
    frame["_order"] = [d or dt.date.min for d in frame["since"]]
    return (
        frame.sort_values(["_order", "actor"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
