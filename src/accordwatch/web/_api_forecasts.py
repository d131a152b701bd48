"""``/api/forecasts`` and ``/api/alerts``: stored forecasts of the bundled VIEWS country-month
data, and the units whose latest month departs from their history.

A GET never fits a model: ``/api/forecasts/{country}`` answers from the stored forecast of
the data and model (404 when there is none); an analyst fits one with
``POST /api/forecasts/{country}`` — the fit runs beside the server's threads, then the
forecast of every unit is stored through the writer, so the next GET reads it.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response

from .._app import forecasts as stored
from ..errors import NotFound
from ._api_common import (
    Analyst,
    Sort,
    SortDesc,
    api_router,
    json_safe,
    list_route,
    role,
    table,
)
from ._app import read, write
from ._auth import audit

__all__ = [
    "AlertModel",
    "ModelName",
    "alerts",
    "fit_forecast",
    "forecast_of",
    "forecasts",
    "router",
]

router = api_router("forecasts")

ModelName = Literal["qgbm", "conflictology", "last", "zero"]
#: the models alerts can be computed with on a request (fitted in a fraction of a second)
AlertModel = Literal["conflictology", "last", "zero"]
_Country = Annotated[
    str, Path(max_length=200, description="Country: name, ISO3 code or Gleditsch–Ward number.")
]
_Months = Annotated[int, Query(ge=1, le=36, description="Months forecast.")]
_Model = Annotated[
    ModelName | None, Query(description="Model (default: the backtested default, qgbm).")
]
_SOURCE = "bundled VIEWS country-month file"


@functools.lru_cache(maxsize=1)
def _views() -> tuple[Any, Any, str]:
    """The bundled VIEWS panel, its country codes and its data key (read once)."""
    from ..forecast import country_codes, load_views_cm

    return load_views_cm(), country_codes(), stored.data_hash()


def _model(name: str | None) -> Any:
    from ..forecast._learned import as_model

    return as_model(name)


@list_route(router, "/forecasts", summary="Stored forecasts", dependencies=[role("viewer")])
async def forecasts(request: Request, sort: Sort = None, sort_desc: SortDesc = None) -> Response:
    """Every stored forecast's header: model, settings, data, origin, months, units, when."""
    frame = await read(request, stored.stored_forecasts)
    return table(request, frame, sort=sort, sort_desc=sort_desc)


def _answer(head: Any, fc: Any) -> dict[str, Any]:
    from ..forecast import months_past, stale_warning

    return {
        "model": head.model,
        "origin": head.origin,
        "months": head.months,
        "stored_at": head.created_at,
        "fitted_now": head.fitted,
        "fit_seconds": head.fit_seconds,
        "warning": stale_warning(fc),
        "rows": fc.assign(past=months_past(fc)),
    }


@router.get(
    "/forecasts/{country}",
    summary="A country's stored forecast (never fitted on a GET)",
    dependencies=[role("viewer")],
)
async def forecast_of(
    request: Request, country: _Country, months: _Months = 12, model: _Model = None
) -> JSONResponse:
    """The stored forecast of ``country``: per month the median, 50 % and 90 % intervals and
    P(≥1), P(≥25), P(≥100) deaths.  404 when none is stored for this model and months."""
    from ..forecast._keys import model_key, select_forecast

    panel, codes, key = await asyncio.to_thread(_views)
    m = _model(model)
    hit = await read(request, stored.stored_forecast, key, model_key(m), months)
    if hit is None:
        raise NotFound(
            f"no stored {months}-month forecast by {m.name} of the bundled VIEWS data; an "
            f"analyst fits one with POST /api/forecasts/{country}?months={months}"
            f"&model={m.name} (or: accordwatch forecast --country {country!r})"
        )
    head, every = hit
    fc = select_forecast(panel, every, [country], min_history=m.min_history, codes=codes)
    return JSONResponse(json_safe(_answer(head, fc)))


_fit_lock = threading.Lock()


def _fit(panel: Any, months: int, m: Any) -> tuple[Any, float]:
    from ..forecast import forecast

    with _fit_lock:  # one fit at a time: a fit takes every core it can
        t0 = time.perf_counter()
        every = forecast(panel, None, months, model=m)
        return every, time.perf_counter() - t0


@router.post(
    "/forecasts/{country}",
    summary="Fit and store a forecast of every country; answer with this one's (analyst)",
)
async def fit_forecast(
    request: Request,
    country: _Country,
    user: Analyst,
    months: _Months = 12,
    model: _Model = None,
) -> JSONResponse:
    """Fit ``model`` on the bundled VIEWS data (every unit, one fit), store the forecast
    (replacing a stored one of the same data, model and months) and answer with the rows of
    ``country``.  Slow: seconds to minutes."""
    from ..forecast._keys import forecastable_units, select_forecast

    panel, codes, key = await asyncio.to_thread(_views)
    m = _model(model)
    forecastable_units(panel, [country], min_history=m.min_history, codes=codes)
    every, seconds = await asyncio.to_thread(_fit, panel, months, m)
    head = await write(
        request,
        stored.store_forecast,
        every,
        data_hash=key,
        model=m,
        data_source=_SOURCE,
        fit_seconds=seconds,
    )
    fc = select_forecast(panel, every, [country], min_history=m.min_history, codes=codes)
    await audit(
        request,
        user,
        "forecast.fit",
        f"forecast:{head.forecast_id}",
        None,
        {"model": head.model, "months": head.months, "units": head.units, "origin": head.origin},
    )
    return JSONResponse(json_safe(_answer(head, fc)))


# -- alerts -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def _alerts(key: str, model: str, baseline: int, surge: float, least: float) -> Any:
    from ..forecast import alerts

    panel, _, _ = _views()
    return alerts(panel, model=model, baseline=baseline, surge_ratio=surge, min_deaths=least)


@list_route(
    router,
    "/alerts",
    summary="Alerts: units departing from their history",
    dependencies=[role("viewer")],
)
async def alerts(
    request: Request,
    model: Annotated[
        AlertModel,
        Query(description="Model of the expected month (fast ones only: no fit on a GET)."),
    ] = "conflictology",
    baseline: Annotated[int, Query(ge=3, le=120, description="Months in the baseline.")] = 12,
    surge_ratio: Annotated[
        float, Query(gt=1.0, le=1000.0, description="Surge: deaths ≥ this × the baseline mean.")
    ] = 3.0,
    min_deaths: Annotated[
        float, Query(ge=0.0, le=1e9, description="Ignore months with fewer deaths.")
    ] = 10.0,
    top: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 20,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Ranked alerts for the latest month of the bundled VIEWS data, with the reason in
    words (computed once per setting, then kept)."""
    _, _, key = await asyncio.to_thread(_views)
    frame = await asyncio.to_thread(_alerts, key, model, baseline, surge_ratio, min_deaths)
    return table(request, frame.head(top), sort=sort, sort_desc=sort_desc)
