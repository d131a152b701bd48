"""Monthly timeline and "accord health" summary — pure functions over DataFrames.

**Health rules** (per calendar month, documented so that readers can disagree with them):

* ``fatalities_trend`` = mean deaths of the last 3 months ÷ mean of the 12 months before
  them; ``rising`` when ≥ 1.5 (and the 3-month mean is at least 5), ``falling`` when
  ≤ 0.67, else ``stable``; empty while there is not a full year of history.
* ``status``: ``terminated`` from the month of a ``termination`` milestone on; else
  ``strained`` when implementation moved backwards (index fell, or an assessment that month
  was ``reversed``/``suspended``), or signatories fought each other that month, or the
  fatality trend is ``rising``; else ``advancing`` when the index rose; else ``stalled``.

>>> months = pd.date_range("2016-01-01", periods=3, freq="MS").date
>>> out = monthly_health(
...     months,
...     index=pd.DataFrame({"month": months, "index": [10.0, 20.0, 20.0]}),
...     assessments=pd.DataFrame(columns=["date", "score"]),
...     milestones=pd.DataFrame(columns=["date", "kind", "description"]),
...     fatalities=pd.DataFrame({"month": months, "fatalities": [1, 2, 3]}),
...     signatory_events=pd.DataFrame(columns=["month", "events", "deaths", "between"]),
... )
>>> list(out.status)
['stalled', 'advancing', 'stalled']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

__all__ = ["month_range", "monthly_health", "monthly_timeline"]


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start``'s month to ``end``'s month."""
    if end < start:
        return []
    return [
        d.date()
        for d in pd.date_range(pd.Timestamp(start).replace(day=1), pd.Timestamp(end), freq="MS")
    ]


def _month(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.start_time.dt.date


def _fatalities(months: Sequence[dt.date], fatalities: pd.DataFrame) -> pd.Series:
    """Deaths per month: 0 inside the data's coverage when nothing was recorded, NaN outside."""
    out = pd.Series(float("nan"), index=list(months), dtype="float64")
    if fatalities.empty:
        return out
    f = fatalities.assign(month=_month(fatalities["month"])).groupby("month")["fatalities"].sum()
    lo, hi = min(f.index), max(f.index)
    for m in out.index:
        if lo <= m <= hi:
            out[m] = float(f.get(m, 0))
    return out


def monthly_timeline(
    months: Sequence[dt.date], milestones: pd.DataFrame, fatalities: pd.DataFrame
) -> pd.DataFrame:
    """One row per month: fatalities, its source, and the milestones dated in that month."""
    frame = pd.DataFrame({"month": list(months)})
    frame["fatalities"] = _fatalities(months, fatalities).to_numpy()
    src = fatalities["source"].iloc[0] if "source" in fatalities and len(fatalities) else None
    frame["fatalities_source"] = src
    texts: dict[dt.date, list[str]] = {}
    kinds: dict[dt.date, list[str]] = {}
    if len(milestones):
        ms = milestones.assign(month=_month(milestones["date"]))
        for month, kind, text in zip(ms["month"], ms["kind"], ms["description"], strict=True):
            texts.setdefault(month, []).append(f"{kind}: {text}")
            kinds.setdefault(month, []).append(str(kind))
    frame["milestone_kinds"] = [", ".join(kinds.get(m, [])) or None for m in frame.month]
    frame["milestones"] = [" | ".join(texts.get(m, [])) or None for m in frame.month]
    return frame


def monthly_health(
    months: Sequence[dt.date],
    *,
    index: pd.DataFrame,
    assessments: pd.DataFrame,
    milestones: pd.DataFrame,
    fatalities: pd.DataFrame,
    signatory_events: pd.DataFrame,
) -> pd.DataFrame:
    """The monthly accord-health table (rules in the module docstring).

    ``index``: month, index (overall implementation index at the month's end);
    ``assessments``: date, score; ``milestones``: date, kind, description;
    ``fatalities``: month, fatalities; ``signatory_events``: month, events, deaths, between.
    """
    frame = monthly_timeline(months, milestones, fatalities)
    idx = (
        index.assign(month=_month(index["month"])).set_index("month")["index"]
        if len(index)
        else pd.Series(dtype=float)
    )
    frame["index"] = [float(idx.get(m, float("nan"))) for m in frame.month]
    frame["index_change"] = frame["index"].diff()
    if len(assessments):
        am = assessments.assign(month=_month(assessments["date"]))
        counts = am.groupby("month").size()
        backwards = am[am.score.isin(["reversed", "suspended"])].groupby("month").size()
    else:
        counts = backwards = pd.Series(dtype="int64")
    frame["assessments"] = [int(counts.get(m, 0)) for m in frame.month]
    frame["reversed_or_suspended"] = [int(backwards.get(m, 0)) for m in frame.month]
    if len(signatory_events):
        se = signatory_events.assign(month=_month(signatory_events["month"])).set_index("month")
    else:
        se = pd.DataFrame(columns=["events", "deaths", "between"])
    for col in ("events", "deaths", "between"):
        frame[f"signatory_{col}" if col != "between" else "between_signatories"] = [
            int(se[col].get(m, 0)) if col in se else 0 for m in frame.month
        ]
    fat = frame["fatalities"]
    recent = fat.rolling(3, min_periods=3).mean()
    before = fat.shift(3).rolling(12, min_periods=12).mean()
    ratio = recent / before.where(before > 0)
    frame["fatalities_3m"] = recent.round(1)
    frame["fatalities_trend"] = [
        None
        if pd.isna(r) and not (pd.notna(b) and b == 0 and pd.notna(c) and c > 0)
        else "rising"
        if (pd.isna(r) or r >= 1.5) and c >= 5
        else "falling"
        if pd.notna(r) and r <= 0.67
        else "stable"
        for r, b, c in zip(ratio, before, recent, strict=True)
    ]
    ended = None
    if len(milestones):
        term = milestones[milestones.kind == "termination"]
        if len(term):
            ended = min(_month(term["date"]))
    status = []
    for month, change, backwards, fights, trend in zip(
        frame["month"],
        frame["index_change"],
        frame["reversed_or_suspended"],
        frame["between_signatories"],
        frame["fatalities_trend"],
        strict=True,
    ):
        if ended is not None and month >= ended:
            status.append("terminated")
        elif (pd.notna(change) and change < 0) or backwards > 0 or fights > 0 or trend == "rising":
            status.append("strained")
        elif pd.notna(change) and change > 0:
            status.append("advancing")
        else:
            status.append("stalled")
    frame["status"] = status
    return frame
