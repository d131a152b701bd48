"""The UCDP Peace Agreement Dataset as three tidy frames: agreements, parties, provision flags.

>>> agreements, parties, flags = read_ucdp_agreements()
>>> len(agreements)
374
>>> agreements.set_index("agreement_id").loc[30, "signed"].isoformat()
'2015-06-20'
>>> sorted(parties[parties.agreement_id == 30].ucdp_actor_id.dropna().astype(int))
[72, 1158]
>>> sorted(flags[(flags.agreement_id == 30) & (flags.value > 0)].flag)[:4]
['co_impl', 'cul', 'ddr', 'elections']
"""

from __future__ import annotations

import io
import os
import re
from importlib import resources

import pandas as pd

from ..errors import InputError
from ._model import UCDP_FLAGS

__all__ = ["PAM_TYPES", "UCDP_SOURCE", "read_ucdp_agreements"]

UCDP_SOURCE = "UCDP Peace Agreement Dataset 22.1 (CC BY 4.0; Pettersson, Högbladh & Öberg 2019)"
PAM_TYPES = {1: "full", 2: "partial", 3: "peace process"}
_REQUIRED = (
    "paid",
    "pa_name",
    "pa_date",
    "gwno",
    "conflict_id",
    "dyad_id",
    "actor_id",
    "actor_name",
)


def _ints(value: object) -> list[int]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [int(p) for p in re.findall(r"-?\d+", str(value))]


def _names(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [p.strip() for p in str(value).split(",") if p.strip()]


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _bool(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def read_ucdp_agreements(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the UCDP Peace Agreement CSV (default: the bundled 22.1 file).

    Returns ``(agreements, parties, flags)``: one row per agreement; one row per party
    (UCDP actors listed in ``actor_id``/``actor_name`` plus the named third parties of
    ``pa_3rd``); one row per agreement and provision flag of :data:`UCDP_FLAGS`.
    Party ``role`` is ``party`` for UCDP actors and ``third-party`` for ``pa_3rd`` names;
    the store refines ``party`` into ``warring`` using the UCDP dyads.
    """
    if path is None:
        text = (
            resources.files("accordwatch")
            .joinpath("data", "peace", "ucdp-peace-agreements-221.csv")
            .read_text(encoding="utf-8")
        )
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
        name = "ucdp-peace-agreements-221.csv"
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        name = os.fspath(path)
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            f"{name} is not a UCDP Peace Agreement file: missing column(s) {', '.join(missing)}"
        )
    agreements = []
    parties = []
    flags = []
    for row in raw.to_dict(orient="records"):
        paid = int(str(row["paid"]).strip())
        signed = pd.to_datetime(row["pa_date"], errors="coerce")  # a required column
        agreements.append(
            {
                "agreement_id": paid,
                "name": _text(row["pa_name"]) or f"agreement {paid}",
                "signed": None if pd.isna(signed) else signed.date(),
                "year": int(row["year"]) if _text(row.get("year")) else None,
                "gwno": _text(row.get("gwno")),
                "region": int(row["region"]) if _text(row.get("region")) else None,
                "conflict_ids": _ints(row.get("conflict_id")),
                "dyad_ids": _ints(row.get("dyad_id")),
                "incompatibility": _text(row.get("incompatibility")),
                "pa_type": int(row["pa_type"]) if _text(row.get("pa_type")) else None,
                "ended": _bool(row.get("ended")),
                "process_id": int(row["procID"]) if _text(row.get("procID")) else None,
                "comment": _text(row.get("pa_comment")),
                "signatories_text": _text(row.get("pa_sign")),
                "signatories_comment": _text(row.get("c_sign")),
                "third_parties_text": _text(row.get("pa_3rd")),
                "third_parties_comment": _text(row.get("c_3rd")),
                "fulltext_url": _text(row.get("linktofulltextagreement")),
                "source": f"{UCDP_SOURCE}, paid {paid}",
            }
        )
        ids = _ints(row.get("actor_id"))
        names = _names(row.get("actor_name"))
        if len(ids) != len(
            names
        ):  # names with commas inside: keep ids, name them by position if possible
            names = (names + [""] * len(ids))[: len(ids)]
        seq = 0
        for aid, aname in zip(ids, names, strict=True):
            parties.append(
                {
                    "agreement_id": paid,
                    "seq": seq,
                    "name": aname or f"UCDP actor {aid}",
                    "ucdp_actor_id": aid,
                    "role": "party",
                }
            )
            seq += 1
        for third in _names(row.get("pa_3rd")):
            parties.append(
                {
                    "agreement_id": paid,
                    "seq": seq,
                    "name": third,
                    "ucdp_actor_id": None,
                    "role": "third-party",
                }
            )
            seq += 1
        for flag, (label, theme) in UCDP_FLAGS.items():
            value = _text(row.get(flag))
            flags.append(
                {
                    "agreement_id": paid,
                    "flag": flag,
                    "label": label,
                    "theme": theme,
                    "value": int(value) if value is not None else 0,
                }
            )
    agreements_df = pd.DataFrame(agreements)
    if agreements_df.agreement_id.duplicated().any():
        dupes = sorted(agreements_df.agreement_id[agreements_df.agreement_id.duplicated()].unique())
        raise InputError(f"{name}: agreement id(s) {dupes} appear more than once")
    parties_df = pd.DataFrame(
        parties, columns=["agreement_id", "seq", "name", "ucdp_actor_id", "role"]
    )
    parties_df["ucdp_actor_id"] = parties_df["ucdp_actor_id"].astype("Int64")
    return agreements_df, parties_df, pd.DataFrame(flags)
