"""ACLED-layout files the tests write themselves (ACLED data is never bundled).

:func:`acled_rows` makes realistic events of northern and central Mali — ACLED's actor names,
event and sub-event types, places with their coordinates and admin units, sources, notes,
timestamps — plus, on request, a maritime event whose ``country`` is a body of water.
:func:`write_csv` writes them in the current export layout (31 columns, labels for
``inter1``/``inter2``) or the pre-2023 layout (``data_id``, ``event_id_no_cnty``, ``iso3``,
numeric ``inter1``/``inter2``, dates as "15 March 2022"); :func:`write_json` as the API answers.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import random
from pathlib import Path
from typing import Any

from accordwatch.sources._acled_csv import CURRENT_COLUMNS, OLD_COLUMNS

__all__ = ["acled_rows", "write_csv", "write_json", "CURRENT_COLUMNS", "OLD_COLUMNS"]

#: (location, admin1, admin2, admin3, latitude, longitude)
PLACES = [
    ("Kidal", "Kidal", "Kidal", "Kidal", 18.4411, 1.4078),
    ("Anefis", "Kidal", "Tessalit", "Anefif", 18.0553, 0.6148),
    ("Ber", "Tombouctou", "Tombouctou", "Ber", 16.8667, -3.0833),
    ("Timbuktu", "Tombouctou", "Tombouctou", "Tombouctou", 16.7735, -3.0074),
    ("Gao", "Gao", "Gao", "Gao", 16.2717, -0.0447),
    ("Bourem", "Gao", "Bourem", "Bourem", 16.9538, -0.3471),
    ("Menaka", "Menaka", "Menaka", "Menaka", 15.9182, 2.4022),
    ("Mopti", "Mopti", "Mopti", "Mopti", 14.4843, -4.1827),
    ("Djenne", "Mopti", "Djenne", "Djenne", 13.9061, -4.5533),
    ("Bandiagara", "Mopti", "Bandiagara", "Bandiagara", 14.3500, -3.6100),
    ("Segou", "Segou", "Niono", "Diabaly", 14.6900, -6.0200),
    ("Bamako", "Bamako", "Bamako", "Commune III", 12.6392, -8.0029),
]

FAMA = "Military Forces of Mali (2021-)"
#: (event_type, sub_event_type, disorder_type, actor1, inter1, actor2, inter2, assoc1, assoc2,
#:  civilian_targeting)
KINDS = [
    ("Battles", "Armed clash", "Political violence", FAMA, 1,
     "JNIM: Group for Support of Islam and Muslims", 2, "Wagner Group", "", ""),
    ("Battles", "Armed clash", "Political violence",
     "CSP-PSD: Permanent Strategic Framework for Peace, Security and Development", 2, FAMA, 1,
     "", "Wagner Group", ""),
    ("Battles", "Government regains territory", "Political violence", FAMA, 1,
     "FLA: Azawad Liberation Front", 2, "Wagner Group", "", ""),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence", FAMA, 1,
     "Civilians (Mali)", 7, "", "Fulani Ethnic Group (Mali)", "Civilian targeting"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence",
     "JNIM: Group for Support of Islam and Muslims", 2, FAMA, 1, "", "", ""),
    ("Violence against civilians", "Attack", "Political violence",
     "IS Sahel: Islamic State (Sahel)", 2, "Civilians (Mali)", 7, "",
     "Tuareg Ethnic Group (Mali)", "Civilian targeting"),
    ("Violence against civilians", "Abduction/forced disappearance", "Political violence",
     "Unidentified Armed Group (Mali)", 3, "Civilians (Mali)", 7, "", "", "Civilian targeting"),
    ("Battles", "Armed clash", "Political violence", "Dozo Communal Militia (Mali)", 4,
     "Fulani Ethnic Militia (Mali)", 4, "", "", ""),
    ("Protests", "Peaceful protest", "Demonstrations", "Protesters (Mali)", 6, "", 0,
     "Women (Mali)", "", ""),
    ("Strategic developments", "Non-violent transfer of territory", "Strategic developments",
     "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali "
     "(2013-2023)", 8, FAMA, 1, "", "", ""),
    ("Riots", "Mob violence", "Demonstrations", "Rioters (Mali)", 5, "Police Forces of Mali "
     "(2021-)", 1, "", "", ""),
]  # fmt: skip
LABELS = {
    0: "",
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}
SOURCES = ["Studio Tamani", "AFP; Studio Tamani", "Reuters", "Mali Web; Twitter", "RFI"]
SCALES = ["National", "Local partner-Other", "International", "New media-National"]
WATER = {
    "location": "Gulf of Guinea",
    "country": "Gulf of Guinea",
    "region": "Western Africa",
    "admin1": "",
    "admin2": "",
    "admin3": "",
    "latitude": "3.4500",
    "longitude": "5.1200",
    "iso": "0",
    "iso3": "",
    "event_type": "Violence against civilians",
    "sub_event_type": "Abduction/forced disappearance",
    "disorder_type": "Political violence",
    "actor1": "Unidentified Armed Group (International)",
    "actor2": "Civilians (International)",
    "assoc_actor_1": "",
    "assoc_actor_2": "",
    "inter1": 3,
    "inter2": 7,
    "civilian_targeting": "Civilian targeting",
    "notes": "Armed men boarded a tanker off the coast and kidnapped 5 crew members.",
}


def _villages(per_place: int = 150) -> list[tuple[str, str, str, str, float, float]]:
    """The bundled places and ``per_place`` villages around each (fixed coordinates per
    location, as ACLED gives every event at one location the same point)."""
    rnd = random.Random(11)
    out = list(PLACES)
    for loc, a1, a2, a3, lat, lon in PLACES:
        for k in range(per_place):
            out.append(
                (f"{loc} village {k + 1}", a1, a2, a3,
                 round(lat + rnd.uniform(-0.4, 0.4), 4), round(lon + rnd.uniform(-0.4, 0.4), 4))
            )  # fmt: skip
    return out


_LOCATIONS = _villages()


def acled_rows(
    n: int,
    *,
    seed: int = 7,
    start: dt.date = dt.date(2023, 1, 1),
    water: bool = False,
    prefix: str = "MLI",
) -> list[dict[str, Any]]:
    """``n`` ACLED events (current-layout field names, values as ACLED writes them)."""
    rnd = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        where = PLACES if rnd.random() < 0.5 else _LOCATIONS
        loc, a1, a2, a3, lat, lon = where[rnd.randrange(len(where))]
        kind = KINDS[rnd.randrange(len(KINDS))]
        et, sub, disorder, actor1, i1, actor2, i2, assoc1, assoc2, civ = kind
        day = start + dt.timedelta(days=rnd.randrange(700))
        deaths = (
            0
            if et in ("Protests", "Strategic developments")
            else rnd.choice([0, 0, 1, 2, 3, 5, 8, 12, 30])
        )
        stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
        stamp += 86400 * 7 + rnd.randrange(86400)
        out.append(
            {
                "event_id_cnty": f"{prefix}{30000 + i}",
                "event_date": day.isoformat(),
                "year": str(day.year),
                "time_precision": str(rnd.choice([1, 1, 1, 2, 3])),
                "disorder_type": disorder,
                "event_type": et,
                "sub_event_type": sub,
                "actor1": actor1,
                "assoc_actor_1": assoc1,
                "inter1": i1,
                "actor2": actor2,
                "assoc_actor_2": assoc2,
                "inter2": i2,
                "interaction": f"{LABELS[i1]}-{LABELS[i2]}" if i2 else f"{LABELS[i1]} only",
                "civilian_targeting": civ,
                "iso": "466",
                "region": "Western Africa",
                "country": "Mali",
                "admin1": a1,
                "admin2": a2,
                "admin3": a3,
                "location": loc,
                "latitude": f"{lat:.4f}",
                "longitude": f"{lon:.4f}",
                "geo_precision": str(rnd.choice([1, 1, 2, 3])),
                "source": rnd.choice(SOURCES),
                "source_scale": rnd.choice(SCALES),
                "notes": f"On {day:%d %B %Y}, {actor1} and {actor2 or 'no other party'} "
                f"near {loc} ({a2}, {a1}). {deaths} fatalities reported.",
                "fatalities": str(deaths),
                "tags": "crowd size=no report" if et == "Protests" else "",
                "timestamp": str(stamp),
            }
        )
    if water and out:
        out[-1].update(WATER)
    return out


def _old(row: dict[str, Any], i: int) -> dict[str, Any]:
    """A row in the pre-2023 layout: numeric actor kinds and interaction, a word date."""
    day = dt.date.fromisoformat(row["event_date"])
    i1, i2 = int(row["inter1"]), int(row["inter2"])
    return {
        **row,
        "data_id": str(9_000_000 + i),
        "event_id_no_cnty": row["event_id_cnty"].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        "event_date": f"{day.day:02d} {day:%B %Y}",
        "inter1": str(i1),
        "inter2": str(i2),
        "interaction": str(10 * i1 + i2),
        "iso3": "" if row["country"] != "Mali" else "MLI",
    }


def write_csv(path: Path, rows: list[dict[str, Any]], layout: str = "current") -> Path:
    """Write ``rows`` as an ACLED export (``layout`` ``current`` or ``old``; .gz by name)."""
    columns = CURRENT_COLUMNS if layout == "current" else OLD_COLUMNS
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for i, r in enumerate(rows):
            rec = r if layout == "current" else _old(r, i)
            if layout == "current":
                rec = {  # codes become ACLED's labels; anything else is written as given
                    **rec,
                    "inter1": LABELS.get(r["inter1"], r["inter1"]),
                    "inter2": LABELS.get(r["inter2"], r["inter2"]),
                }
            w.writerow([rec.get(c, "") for c in columns])
    return path


def write_json(path: Path, rows: list[dict[str, Any]], *, pages: int = 1) -> Path:
    """Write ``rows`` as the API answers (``{"status": 200, "data": [...]}``; every value
    a string, as ACLED sends them), in ``pages`` answers (a list when more than one)."""
    as_text = [{k: str(v) for k, v in r.items()} for r in rows]
    size = max(1, -(-len(as_text) // pages))
    answers = [
        {"status": 200, "success": True, "count": len(chunk), "data": chunk}
        for chunk in (as_text[i : i + size] for i in range(0, len(as_text), size))
    ]
    path.write_text(json.dumps(answers[0] if pages == 1 else answers), encoding="utf-8")
    return path


class FakeAcled:
    """ACLED's API as an ``httpx.MockTransport`` handler: the OAuth token endpoint (password
    and refresh grants), ``/api/acled/read`` (country, event_date BETWEEN, timestamp >=,
    limit/page, with_total) and ``/api/deleted/read`` (deleted_timestamp >=).

    ``now`` is the server's clock (tokens expire by it); ``fail`` holds answers to give
    before the real ones (a status code, or an exception to raise); every request is kept
    in ``log``.
    """

    USER, PASSWORD = "analyst@example.org", "s3cret-Pa55"

    def __init__(self, events: list[dict[str, Any]], deleted: list[dict[str, Any]] | None = None):
        self.events = events
        self.deleted = deleted or []
        self.now = 1_750_000_000.0
        self.fail: list[Any] = []
        self.log: list[Any] = []
        self.tokens: dict[str, float] = {}  # access token -> expiry
        self.refresh: dict[str, float] = {}
        self.grants: list[str] = []
        self._n = 0

    def transport(self) -> Any:
        import httpx

        return httpx.MockTransport(self.handle)

    def _issue(self) -> dict[str, Any]:
        self._n += 1
        access, refresh = f"acc-{self._n}", f"ref-{self._n}"
        self.tokens[access] = self.now + 86400
        self.refresh[refresh] = self.now + 14 * 86400
        return {
            "token_type": "Bearer",
            "expires_in": 86400,
            "access_token": access,
            "refresh_token": refresh,
        }

    def handle(self, request: Any) -> Any:
        import urllib.parse

        import httpx

        self.log.append(request)
        if self.fail:
            what = self.fail.pop(0)
            if isinstance(what, Exception):
                raise what
            headers = {"Retry-After": "2"} if what == 429 else {}
            return httpx.Response(what, headers=headers, json={"error": "busy"})
        path = request.url.path
        if path == "/oauth/token":
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
            self.grants.append(form.get("grant_type", ""))
            if form.get("client_id") != "acled":
                return httpx.Response(400, json={"error": "invalid_client"})
            if form.get("grant_type") == "password":
                if (form.get("username"), form.get("password")) != (self.USER, self.PASSWORD):
                    return httpx.Response(400, json={"error": "invalid_grant"})
                return httpx.Response(200, json=self._issue())
            if form.get("grant_type") == "refresh_token":
                if self.refresh.get(form.get("refresh_token", ""), 0) < self.now:
                    return httpx.Response(400, json={"error": "invalid_grant"})
                return httpx.Response(200, json=self._issue())
            return httpx.Response(400, json={"error": "unsupported_grant_type"})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if self.tokens.get(token, 0) < self.now:
            return httpx.Response(401, json={"error": "expired"})
        q = dict(request.url.params)
        if path == "/api/acled/read":
            rows = [r for r in self.events if not q.get("country") or r["country"] == q["country"]]
            if "event_date" in q:
                lo, hi = q["event_date"].split("|")
                rows = [r for r in rows if lo <= r["event_date"] <= hi]
            if "timestamp" in q:
                rows = [r for r in rows if int(r["timestamp"]) >= int(q["timestamp"])]
        elif path == "/api/deleted/read":
            rows = [
                d
                for d in self.deleted
                if int(d["deleted_timestamp"]) >= int(q.get("deleted_timestamp", 0))
            ]
        else:
            return httpx.Response(404, json={"error": "not found"})
        limit, page = int(q.get("limit", 5000)), int(q.get("page", 1))
        chunk = rows[(page - 1) * limit : page * limit]
        body: dict[str, Any] = {
            "status": 200,
            "success": True,
            "count": len(chunk),
            "data": [{k: str(v) for k, v in r.items()} for r in chunk],
        }
        if q.get("with_total") == "true":
            body["total_count"] = len(rows)
        return httpx.Response(200, json=body)
