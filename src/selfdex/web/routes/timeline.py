"""The timeline (filters, the monthly chart, the records) and one record with its provenance."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ...owner import records
from ..chart import monthly_counts, svg_chart
from ..deps import OWNER, StoreDep
from ..render import render

router = APIRouter(dependencies=OWNER)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@router.get("/timeline", response_class=HTMLResponse)
def timeline(
    request: Request,
    store: StoreDep,
    platform: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> HTMLResponse:
    sources = records.sources(store)
    kinds = sorted({k for s in sources for k in s["kinds"] if k})
    errors = [
        f"{label}: use a date such as 2024-01-31"
        for label, v in (("From", since), ("Until", until))
        if v and not DATE.match(v)
    ]
    filters = records.Filters(
        platforms=(platform,) if platform else (),
        kinds=(kind,) if kind else (),
        since=since if since and DATE.match(since) else None,
        until=until if until and DATE.match(until) else None,
    )
    counts = monthly_counts(store, filters)
    f = {"platform": platform, "kind": kind, "since": since, "until": until}
    return render(
        request,
        "timeline.html",
        page="timeline",
        sources=sources,
        kinds=kinds,
        f=f,
        errors=errors,
        counts=counts,
        chart=Markup(svg_chart(counts)),  # built from escaped strings in chart.py
        rows=records.timeline(store, filters, limit=limit),
        limit=limit,
        more=urlencode({**f, "limit": limit * 2}),
    )


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record(request: Request, record_id: str, store: StoreDep) -> HTMLResponse:
    detail = records.record_detail(store, record_id)
    if detail is None:
        raise HTTPException(404, "no such record")
    return render(
        request,
        "record.html",
        page="timeline",
        record=detail.fields,
        provenance=detail.provenance,
        raw=detail.raw,
        hidden=detail.hidden,
    )
