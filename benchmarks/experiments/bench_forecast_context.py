"""Validation-only harness (years 2010-2017): context features and step-group models.

Two ideas on top of ``QuantileGBM`` that ``bench_forecast_variants.py`` fits, caches and
scores the same way, against the conflictology benchmark of the same run (it never runs
the reporting years 2018-2021):

* ``ctx=[...]`` — country context known at the origin month, from the bundled UCDP data:
  ACD conflicts in the country in the last published year (a year is published from July
  of the next), wars among them (intensity 2), internationalised ones, conflicts over the
  last 5 published years, active dyads, years with conflict in the last 20; months since
  the last peace agreement / ceasefire agreement / full agreement, agreements in the last
  24 months (UCDP Peace Agreement Dataset, by signing date);
* ``groups=[[lo, hi], ...]`` — one set of boosters per group of steps (``group_rows``
  chooses how each group's rows are drawn).

Usage (repository root, venv active; the cache is ``bench_forecast_variants.py``'s,
``$ACCORDWATCH_VARIANTS`` to move it)::

    python benchmarks/experiments/bench_forecast_context.py ctxall \
        'ctx=["acd_n","acd_int2","acd_intl","acd_n5","dyads","acd_years","pa_since","pa_cease_since","pa_full_since","pa_n24"]'
    python benchmarks/experiments/bench_forecast_context.py grp3 \
        'groups=[[1,5],[6,9],[10,14]]' group_rows='"sampled"' seed=10
    python benchmarks/experiments/bench_forecast_context.py grp3eq 'groups=[[1,5],[6,9],[10,14]]'

What it showed: docs/decisions/2026-11-27-forecast-round-4-context.md.
"""

import json
import sys
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_forecast_variants as bv

from accordwatch.accords._agreements import read_ucdp_agreements
from accordwatch.forecast._learned import QuantileGBM

DATA = files("accordwatch").joinpath("data")  # the package's bundled data


def _csv(*parts: str, **kw) -> pd.DataFrame:
    gz = "gzip" if parts[-1].endswith(".gz") else None
    with DATA.joinpath(*parts).open("rb") as fh:
        return pd.read_csv(fh, compression=gz, **kw)


cm = _csv("views", "ged_sb_cm_1990_2022.csv.gz", usecols=["country_id", "gwcode"]).drop_duplicates()
GW = dict(zip(cm.country_id, cm.gwcode, strict=True))


def _explode(df, col):
    df = df.copy()
    df[col] = df[col].astype(str).str.split(",")
    df = df.explode(col)
    df[col] = pd.to_numeric(df[col].str.strip(), errors="coerce")
    return df.dropna(subset=[col])


acd = _explode(_csv("ucdp", "ucdp-prio-acd-251.csv"), "gwno_loc")
dy = _explode(_csv("ucdp", "ucdp-dyadic-251.csv"), "gwno_loc")
_agreements, _, _flags = read_ucdp_agreements()
_cease = set(_flags.loc[(_flags.flag == "cease") & (_flags.value == 1), "agreement_id"])
pa = _explode(_agreements.assign(cease=_agreements.agreement_id.isin(_cease).astype(int)), "gwno")
_signed = pd.to_datetime(pa.signed)
pa["m"] = (_signed.dt.year - 1980) * 12 + _signed.dt.month

CTX = [
    "acd_n",
    "acd_int2",
    "acd_intl",
    "acd_n5",
    "dyads",
    "acd_years",
    "pa_since",
    "pa_cease_since",
    "pa_full_since",
    "pa_n24",
]


def context(ids, months):
    n, t = len(ids), len(months)
    out = np.full((n, t, len(CTX)), np.nan)
    years = 1980 + (months - 1) // 12
    mon = (months - 1) % 12 + 1
    avail = np.where(mon >= 7, years - 1, years - 2)  # ACD year X published mid X+1
    for i, u in enumerate(ids):
        gw = GW.get(int(u))
        if gw is None:
            continue
        a = acd[acd.gwno_loc == gw]
        d = dy[dy.gwno_loc == gw]
        ay = a.groupby("year").agg(
            n=("conflict_id", "nunique"),
            imax=("intensity_level", "max"),
            intl=("type_of_conflict", lambda s: float((s == 4).any())),
        )
        dyn = d.groupby("year").dyad_id.nunique()
        yrs = np.arange(1940, 2030)
        nn = ay.n.reindex(yrs, fill_value=0).to_numpy(float)
        i2 = (ay.imax.reindex(yrs, fill_value=0) == 2).to_numpy(float)
        il = ay.intl.reindex(yrs, fill_value=0.0).to_numpy(float)
        dd = dyn.reindex(yrs, fill_value=0).to_numpy(float)
        n5 = pd.Series(nn).rolling(5, min_periods=1).sum().to_numpy()
        active = nn > 0
        # years of conflict in last 20 available years
        a20 = pd.Series(active.astype(float)).rolling(20, min_periods=1).sum().to_numpy()
        k = avail - 1940
        out[i, :, 0] = nn[k]
        out[i, :, 1] = i2[k]
        out[i, :, 2] = il[k]
        out[i, :, 3] = n5[k]
        out[i, :, 4] = dd[k]
        out[i, :, 5] = a20[k]
        p = pa[pa.gwno == gw]
        for c, sel in ((6, p), (7, p[p.cease == 1]), (8, p[p.pa_type == 1])):
            ms = np.sort(sel.m.to_numpy())
            pos = np.searchsorted(ms, months, side="right")
            last = (
                np.where(pos > 0, ms[np.maximum(pos - 1, 0)], -(10**6))
                if len(ms)
                else np.full(len(months), -(10**6))
            )
            out[i, :, c] = np.minimum(months - last, 240)
        ms = np.sort(p.m.to_numpy())
        out[i, :, 9] = np.searchsorted(ms, months, side="right") - np.searchsorted(
            ms, months - 24, side="right"
        )
    return out


class CtxGBM(QuantileGBM):
    def __init__(self, *, ctx=None, groups=None, group_rows="one", **kw):
        super().__init__(**kw)
        self.ctx = ctx  # list of CTX names or None
        self.groups = groups  # list of [lo, hi] step groups or None
        self.group_rows = group_rows  # "one" per unit and origin, or "sampled" (see _rows_group)

    def _features(self, hist):
        feats = super()._features(hist)
        if not self.ctx:
            return feats
        c = context(hist.unit_id, hist.months)[:, :, [CTX.index(x) for x in self.ctx]]
        c[~np.isfinite(hist.values)] = np.nan
        return np.concatenate([feats, c], axis=-1)

    def _fit(self, hist):
        if not self.groups:
            return super()._fit(hist)
        feats = self._features(hist)
        seeds = [self.seed + b for b in range(self.n_bags)]
        self.group_boosters_ = [
            self._fit_bags({s: self._rows_group(feats, hist.values, s, lo, hi) for s in seeds})
            for lo, hi in self.groups
        ]
        self.origin_ = feats[:, -1, :]

    def _rows_group(self, feats, values, seed, lo, hi):
        """Rows of one step group.

        ``group_rows="one"``: about one row per unit and origin, its step uniform in
        ``lo..hi`` (as many rows as the default). ``"sampled"``: the default sampler run on
        steps ``1..hi``, keeping the rows with step ``>= lo`` (fewer rows for later groups).
        """
        every = self.group_rows == "one"
        saved = self.max_step, self.steps_per_origin
        self.max_step = hi
        if every:
            self.steps_per_origin = hi
        try:
            x, y, w = self._training_rows(feats, values, seed)
        finally:
            self.max_step, self.steps_per_origin = saved
        keep = x[:, -1] >= lo
        if every:
            rng = np.random.default_rng(seed + 1000)
            keep &= rng.random(len(y)) < 1.0 / (hi - lo + 1)
        return x[keep], y[keep], w[keep]

    def predict_quantiles(self, h):
        if not self.groups:
            return super().predict_quantiles(h)
        x = self._design(h)
        q = np.zeros((x.shape[0], len(self.quantiles)))
        for (lo, hi), bags in zip(self.groups, self.group_boosters_, strict=True):
            m = (x[:, -1] >= lo) & (x[:, -1] <= hi)
            if m.any():
                q[m] = self._curve(bags, x[m])
        return self._deaths(q, x, h)


bv.QuantileGBM = CtxGBM

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    name = sys.argv[1]
    kw = {k: json.loads(v) for k, v in (s.split("=", 1) for s in sys.argv[2:])}
    t0 = time.perf_counter()
    bv.fit_variant(name, kw)
    print(f"{name}: fitted in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    bv.score([(name, 1.0)], mix=kw.get("mix", 0.25), label=f"{name} {kw}")
