"""Implementation assessments: validation, duplicate fingerprints and the implementation index.

**Index formula** (Peace Accords Matrix style).  At a date *d*, every provision that has
at least one assessment dated on or before *d* counts once, with its latest state carried
forward; its points are the PAM score 0–3, ``reversed`` counts 0, ``suspended`` keeps the
points reached before the suspension.  Then::

    index(d) = 100 × Σ points / (3 × number of provisions assessed)

By theme, provisions are grouped by their (inherited) theme; by party, a provision counts
once for every responsible party it names.

>>> a = pd.DataFrame({"assessment_id": [1, 2, 3], "provision_id": ["p1", "p2", "p1"],
...                   "date": pd.to_datetime(["2016-01-01", "2016-06-01", "2017-01-01"]).date,
...                   "score": ["1", "3", "reversed"]})
>>> p = pd.DataFrame({"provision_id": ["p1", "p2"], "effective_theme": ["guarantees", "guarantees"],
...                   "parties": ["A", "A; B"]})
>>> idx = compute_index(a, p, pd.to_datetime(["2016-12-31", "2017-12-31"]).date)
>>> [round(v, 2) for v in idx["index"]]
[66.67, 50.0]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import pandas as pd

from .._text import binary_kind, decode_text
from ..errors import InputError, NotFound, RowError, RowErrors
from ._model import parse_date, parse_score, score_points, split_list

__all__ = [
    "ASSESSMENT_COLUMNS",
    "compute_index",
    "fingerprint",
    "index_dates",
    "read_assessment_file",
    "validate_assessments",
]

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "provision_id",
    "date",
    "score",
    "assessor",
    "evidence",
    "source_url",
)
_URL = re.compile(r"^https?://\S+$")


def fingerprint(
    provision_id: str,
    date: dt.date,
    score: str,
    assessor: str,
    evidence: str,
    source_url: str | None,
) -> str:
    """sha256 of an assessment's content: two identical assessments share it."""
    parts = [
        provision_id,
        date.isoformat(),
        score,
        assessor.strip(),
        " ".join(evidence.split()),
        source_url or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""
    )


def validate_assessments(
    rows: Iterable[dict[str, Any]],
    *,
    name: str,
    provisions: dict[str, dt.date | None],
    existing: set[str],
    today: dt.date | None = None,
    first_line: int = 2,
) -> pd.DataFrame:
    """Check assessment rows; return them clean, or raise RowErrors listing every bad line.

    ``provisions`` maps each known provision id to its agreement's signature date (None if
    unknown); ``existing`` holds the fingerprints already in the store.  Rejected: unknown
    provision ids, scores outside 0–3/reversed/suspended, dates that are not dates, dated
    before signature or in the future, missing assessor or evidence, a source_url that is
    not http(s), and duplicates (of the store or of an earlier line).
    """
    today = today or dt.date.today()
    errors: list[RowError] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        line = first_line + i
        n_before = len(errors)

        def bad(field: str, reason: str, value: object = None, line: int = line) -> None:
            errors.append(
                RowError(name, line, field, reason, None if value is None else str(value))
            )

        pid = "" if _blank(row.get("provision_id")) else str(row["provision_id"]).strip()
        if not pid:
            bad("provision_id", "missing")
        elif pid not in provisions:
            bad(
                "provision_id",
                "unknown provision; see `accordwatch accords provisions AGREEMENT_ID`",
                pid,
            )
        score = None
        try:
            score = parse_score("" if _blank(row.get("score")) else row["score"])
        except InputError as exc:
            bad(
                "score",
                str(exc).split(";")[0] + "; use 0, 1, 2, 3, reversed or suspended",
                row.get("score"),
            )
        date = None
        try:
            date = parse_date("" if _blank(row.get("date")) else row["date"], "date")
        except InputError:
            bad("date", "not a date; use YYYY-MM-DD", row.get("date"))
        if date is not None:
            signed = provisions.get(pid)
            if signed is not None and date < signed:
                bad(
                    "date",
                    f"before the agreement was signed ({signed.isoformat()})",
                    date.isoformat(),
                )
            if date > today:
                bad("date", "in the future; assessments record what has happened", date.isoformat())
        assessor = "" if _blank(row.get("assessor")) else str(row["assessor"]).strip()
        if not assessor:
            bad("assessor", "missing; say who made the assessment")
        evidence = "" if _blank(row.get("evidence")) else str(row["evidence"]).strip()
        if not evidence:
            bad("evidence", "missing; describe what was observed")
        url = None if _blank(row.get("source_url")) else str(row["source_url"]).strip()
        if url is not None and not _URL.match(url):
            bad("source_url", "must be an http(s) link", url)
        if len(errors) > n_before or score is None or date is None:
            continue
        fp = fingerprint(pid, date, score, assessor, evidence, url)
        if fp in existing:
            bad("provision_id", "duplicate: this exact assessment is already in the store", pid)
            continue
        if fp in seen:
            bad("provision_id", f"duplicate of line {seen[fp]}", pid)
            continue
        seen[fp] = line
        out.append(
            {
                "provision_id": pid,
                "date": date,
                "score": score,
                "assessor": assessor,
                "evidence": evidence,
                "source_url": url,
                "fingerprint": fp,
            }
        )
    if errors:
        raise RowErrors(
            errors, hint="Fix these lines and import again; no assessment was recorded."
        )
    return pd.DataFrame(out, columns=[*ASSESSMENT_COLUMNS, "fingerprint"])


def read_assessment_file(path: str | os.PathLike[str]) -> tuple[str, list[dict[str, Any]]]:
    """(file name, rows) of an assessment CSV with the columns of :data:`ASSESSMENT_COLUMNS`."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder; give the path of an assessment CSV file")
    if not p.is_file():
        raise NotFound(f"no assessment file at {p}; give the path of a CSV file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    kind = binary_kind(data[:4096])
    if kind is not None:
        raise InputError(f"{p.name} is not a CSV text file: it is {kind}; save it as CSV (UTF-8)")
    text = decode_text(data, p.name)  # UTF-8 (or UTF-16/32 with a byte-order mark)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{p.name} is not a readable CSV file: {exc}") from exc
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in ASSESSMENT_COLUMNS if c != "source_url" and c not in frame.columns]
    if missing:
        raise InputError(
            f"{p.name}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(ASSESSMENT_COLUMNS)}"
        )
    return p.name, cast("list[dict[str, Any]]", frame.to_dict(orient="records"))


def index_dates(start: dt.date, end: dt.date, freq: str) -> list[dt.date]:
    """Evaluation dates from ``start`` to ``end``: year ends (``Y``) or month ends (``M``).

    The last period is included even when ``end`` falls inside it.
    """
    if end < start:
        return []
    code = {"Y": "YE", "M": "ME"}.get(freq.upper())
    if code is None:
        raise InputError(f"frequency {freq!r} unknown; use Y (yearly, like PAM) or M (monthly)")
    stop = pd.Timestamp(end) + (pd.offsets.YearEnd(0) if code == "YE" else pd.offsets.MonthEnd(0))
    return [d.date() for d in pd.date_range(pd.Timestamp(start), stop, freq=code)]


def _states(assessments: pd.DataFrame) -> dict[str, tuple[list[dt.date], list[int], list[str]]]:
    """Per provision: dates, carried points and score label after each assessment, in order."""
    out: dict[str, tuple[list[dt.date], list[int], list[str]]] = {}
    ordered = assessments.sort_values(["date", "assessment_id"], kind="stable")
    for pid, group in ordered.groupby("provision_id", sort=False):
        dates: list[dt.date] = []
        points: list[int] = []
        labels: list[str] = []
        prev: int | None = None
        for date, score in zip(group["date"], group["score"], strict=True):
            pts = score_points(str(score), prev)
            prev = pts
            if dates and dates[-1] == date:  # same day: the later record wins
                points[-1], labels[-1] = int(pts or 0), str(score)
                continue
            dates.append(date)
            points.append(int(pts or 0))
            labels.append(str(score))
        out[str(pid)] = (dates, points, labels)
    return out


def compute_index(
    assessments: pd.DataFrame,
    provisions: pd.DataFrame,
    dates: Sequence[dt.date],
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """The implementation index at each date (see the module docstring for the formula).

    ``assessments``: assessment_id, provision_id, date, score.  ``provisions``:
    provision_id, effective_theme, parties.  ``by``: None, ``theme`` or ``party``.
    Returns date, group, assessed, points, index, full, reversed, suspended.
    """
    if by not in (None, "theme", "party"):
        raise InputError(f"--by {by!r} unknown; use theme or party")
    states = _states(assessments) if len(assessments) else {}
    groups: dict[str, list[str]] = {}
    for rec in provisions.itertuples(index=False):
        pid = str(rec.provision_id)
        if pid not in states:
            continue
        if by is None:
            keys = ["overall"]
        elif by == "theme":
            keys = [rec.effective_theme if isinstance(rec.effective_theme, str) else "(no theme)"]
        else:
            keys = split_list(rec.parties) or ["(no party named)"]
        for key in keys:
            groups.setdefault(key, []).append(pid)
    rows: list[dict[str, Any]] = []
    for date in dates:
        for key in sorted(groups):
            n = pts_sum = full = rev = sus = 0
            for pid in groups[key]:
                p_dates, p_points, p_labels = states[pid]
                pos = int(pd.Series(p_dates).searchsorted(date, side="right")) - 1
                if pos < 0:
                    continue
                n += 1
                pts_sum += p_points[pos]
                full += p_labels[pos] == "3"
                rev += p_labels[pos] == "reversed"
                sus += p_labels[pos] == "suspended"
            rows.append(
                {
                    "date": date,
                    "group": key,
                    "assessed": n,
                    "points": pts_sum,
                    "index": round(100.0 * pts_sum / (3 * n), 2) if n else float("nan"),
                    "full": full,
                    "reversed": rev,
                    "suspended": sus,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["date", "group", "assessed", "points", "index", "full", "reversed", "suspended"],
    )
