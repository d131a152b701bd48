"""Sources, methods, notes and provenance: what a reader needs to trust and cite a briefing.

Every dataset the briefing used is listed with its version, licence, access date (when it
was loaded into the store, or that it is bundled), the filters applied and the attribution
its licence asks for (the lines of ``data/NOTICE.md``; ACLED's and UCDP's citation rules).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from ._ctx import Context
from ._model import Briefing, Provenance, SourceInfo

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DATASETS", "dataset_version", "finish"]

#: key → (name, licence, attribution) of every dataset a briefing can use
DATASETS: dict[str, tuple[str, str, str]] = {
    "ucdp-ged": (
        "UCDP Georeferenced Event Dataset (GED)",
        "CC BY 4.0",
        "Uppsala Conflict Data Program (ucdp.uu.se). Davies, Pettersson & Öberg (2023), "
        "Organized violence 1989–2022, Journal of Peace Research 60(4); Sundberg & Melander "
        "(2013), Introducing the UCDP Georeferenced Event Dataset, JPR 50(4).",
    ),
    "ucdp-candidate": (
        "UCDP Candidate Events Dataset",
        "CC BY 4.0",
        "Uppsala Conflict Data Program (ucdp.uu.se). Hegre, Croicu, Eck & Högbladh (2020), "
        "Introducing the UCDP Candidate Events Dataset, Research & Politics 7(3).",
    ),
    "acled": (
        "Armed Conflict Location & Event Data Project (ACLED)",
        "ACLED terms of use (attribution required, no redistribution of the data)",
        "Armed Conflict Location & Event Data Project (ACLED), acleddata.com. Raleigh, "
        "Linke, Hegre & Karlsen (2010), Introducing ACLED, JPR 47(5).",
    ),
    "views": (
        "VIEWS country-month series of UCDP GED state-based deaths",
        "values CC BY 4.0 (UCDP GED); compilation CC BY-NC 4.0 (non-commercial use only)",
        "Hegre et al. (2019), ViEWS: A political violence early-warning system, JPR 56(2); "
        "values from UCDP GED (Davies, Pettersson & Öberg 2023; Sundberg & Melander 2013).",
    ),
    "ucdp-peace": (
        "UCDP Peace Agreement Dataset",
        "CC BY 4.0",
        "Pettersson, Högbladh & Öberg (2019), Organized violence, 1989–2018 and peace "
        "agreements, JPR 56(4).",
    ),
    "milestones": (
        "accordwatch milestones of the agreement",
        "facts, each milestone naming its source; Apache-2.0 compilation",
        "Each milestone's source is given with it.",
    ),
    "natural-earth": (
        "Natural Earth admin-1 states and provinces, 1:10m",
        "public domain",
        "Made with Natural Earth (naturalearthdata.com).",
    ),
    "geonames": (
        "GeoNames gazetteer (Mali)",
        "CC BY 4.0",
        "GeoNames (geonames.org).",
    ),
    "actors": (
        "accordwatch actor registry (UCDP Dyadic and Armed Conflict Datasets 25.1, curated "
        "entries)",
        "CC BY 4.0 (UCDP); curated entries Apache-2.0, each naming its source",
        "Harbom, Melander & Wallensteen (2008), JPR 45(5); Gleditsch et al. (2002), JPR "
        "39(5); Davies et al. (2025), JPR 62(4).",
    ),
}

_VERSION = re.compile(r"v(\d+)_(\d+)(?:_(\d+))?", re.IGNORECASE)


def _runs(ctx: Context) -> pd.DataFrame:
    import accordwatch as aw

    cached = getattr(ctx, "_runs", None)
    if cached is None:
        cached = aw.ingest_runs(ctx.db)
        ctx._runs = cached  # type: ignore[attr-defined]
    return cached


def _of(ctx: Context, source: str) -> pd.DataFrame:
    runs = _runs(ctx)
    if runs.empty:
        return runs
    return runs[runs["source"].astype(str) == source]


def dataset_version(ctx: Context, source: str) -> str:
    """The versions of the files the store loaded ``source`` from (``23.1``, ``25.0.9``),
    read from their names; empty when none says."""
    found = []
    for name in _of(ctx, source)["file"].astype(str):
        m = _VERSION.search(name.rsplit("/", 1)[-1])
        if m:
            found.append(".".join(g for g in m.groups() if g is not None))
    return ", ".join(dict.fromkeys(found))


def _accessed(ctx: Context, source: str) -> str:
    runs = _of(ctx, source)
    if runs.empty:
        return ""
    return ", ".join(
        dict.fromkeys(str(v)[:10] for v in runs.sort_values("started_at")["started_at"])
    )


def _seeded(ctx: Context) -> str:
    import accordwatch as aw

    info = aw.store_info(ctx.db)
    seeded = info.get("seeded_at")
    text = ctx.w("src_bundled", version=aw.__version__)
    return text + (f"; {ctx.w('src_seeded', date=str(seeded)[:10])}" if seeded else "")


def _filters(ctx: Context, extra: str = "") -> str:
    parts = [ctx.w("src_country", country=ctx.name)]
    if ctx.region:
        parts.append(ctx.w("src_region", region=ctx.region))
    parts.append(f"{ctx.since.isoformat()} – {ctx.until.isoformat()}")
    if extra:
        parts.append(extra)
    return "; ".join(parts)


def _text_documents(ctx: Context) -> list[SourceInfo]:
    frame = ctx.text_events
    if frame is None or frame.empty:
        return []
    out = []
    docs = frame.drop_duplicates("source")
    for rec in docs.to_dict(orient="records"):

        def text(key: str, rec: dict[Any, Any] = rec) -> str:
            value = rec.get(key)
            return value if isinstance(value, str) else ""

        name = ", ".join(p for p in (text("source_office"), f"“{text('source_title')}”") if p)
        out.append(
            SourceInfo(
                name=name,
                version=text("source_date"),
                licence=ctx.w("src_text_licence"),
                accessed=_accessed(ctx, str(rec["source"])),
                filters=ctx.w(
                    "src_text_filters",
                    country=ctx.name,
                    since=ctx.since.isoformat(),
                    source=rec["source"],
                ),
                attribution=" ".join(
                    p for p in (name, text("source_date"), text("source_url")) if p
                ),
            )
        )
    return out


def _sources(ctx: Context, brief: Briefing) -> list[SourceInfo]:
    out: list[SourceInfo] = []
    if ctx.source:
        name, licence, cite = DATASETS[ctx.source]
        out.append(
            SourceInfo(
                name=name,
                version=dataset_version(ctx, ctx.source),
                licence=licence,
                accessed=_accessed(ctx, ctx.source),
                filters=_filters(ctx, ctx.w("src_source", source=ctx.source)),
                attribution=cite,
            )
        )
    seeded = _seeded(ctx)
    if ctx.basis == "country-month" or "views" in ctx.used:
        name, licence, cite = DATASETS["views"]
        out.append(
            SourceInfo(
                name=name,
                version="1990-01 – 2022-12 (ged_sb_cm_1990_2022)",
                licence=licence,
                accessed=seeded,
                filters=ctx.w("src_country", country=ctx.name)
                + "; "
                + ctx.w("src_cm_headline" if ctx.basis == "country-month" else "src_cm_forecast"),
                attribution=cite,
            )
        )
    if brief.accord.agreement_id is not None:
        for key, version in (("ucdp-peace", "22.1"), ("milestones", "")):
            name, licence, cite = DATASETS[key]
            if key == "milestones":
                licence, cite = ctx.w("src_milestones_licence"), ctx.w("src_milestones_cite")
            out.append(
                SourceInfo(
                    name=name,
                    version=version,
                    licence=licence,
                    accessed=seeded,
                    filters=ctx.w(
                        "src_agreement", id=brief.accord.agreement_id, name=brief.accord.name
                    ),
                    attribution=cite,
                )
            )
    keys = []
    if brief.map.geometry:
        keys.append(("natural-earth", "1:10m (bundled extract)"))
    if ctx.text_events is not None and len(ctx.text_events):
        keys.append(("geonames", "Mali dump (bundled)"))
    if len(brief.who.lineage):
        keys.append(("actors", "25.1 + curated"))
    for key, version in keys:
        name, licence, cite = DATASETS[key]
        out.append(
            SourceInfo(
                name=name,
                version=version,
                licence=licence,
                accessed=seeded,
                filters=ctx.w("src_country", country=ctx.name),
                attribution=cite,
            )
        )
    return out + _text_documents(ctx)


def _methods(ctx: Context, brief: Briefing) -> list[str]:
    from ._ctx import SOURCE_NAMES
    from ._gather import TOP_ACTORS
    from ._gather_accord import STALLED_MONTHS
    from ._gather_events import TOP_EVENTS

    lines = [ctx.w("trend_rule")]
    if ctx.basis == "events" and ctx.source:
        lines.append(
            ctx.w("methods_basis_events", source=SOURCE_NAMES[ctx.source], country=ctx.name)
        )
    else:
        lines.append(ctx.w("methods_basis_cm", country=ctx.name))
    lines.append(ctx.w("methods_previous"))
    if brief.map.empty is None:
        lines.append(ctx.w("methods_map"))
    lines.append(ctx.w("methods_timeline", n=TOP_ACTORS))
    lines.append(ctx.w("methods_who"))
    if brief.accord.empty is None:
        lines.append(ctx.w("methods_accord", months=STALLED_MONTHS))
    lines.append(ctx.w("methods_warning"))
    lines.append(ctx.w("methods_key_events", n=TOP_EVENTS))
    lines.append(ctx.w("methods_reproduce"))
    return lines


def _data_versions(sources: list[SourceInfo]) -> str:
    short = {
        DATASETS["ucdp-ged"][0]: "UCDP GED",
        DATASETS["ucdp-candidate"][0]: "UCDP Candidate",
        DATASETS["acled"][0]: "ACLED",
        DATASETS["views"][0]: "VIEWS cm",
        DATASETS["ucdp-peace"][0]: "UCDP Peace Agreements",
        DATASETS["natural-earth"][0]: "Natural Earth admin-1",
    }
    return "; ".join(f"{short[s.name]} {s.version}".strip() for s in sources if s.name in short)


def finish(ctx: Context, brief: Briefing, store_path: str) -> None:
    """Fill the briefing's sources, methods, notes and provenance."""
    import accordwatch as aw

    brief.sources = _sources(ctx, brief)
    brief.methods = _methods(ctx, brief)
    notes: list[str] = []
    if ctx.source != "ucdp-ged":
        notes.append(ctx.w("note_load_ged", country=ctx.name))
    notes += ctx.notes
    brief.notes = list(dict.fromkeys(notes))
    brief.provenance = Provenance(
        version=str(aw.__version__),
        store=store_path,
        data_versions=_data_versions(brief.sources),
        written=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
