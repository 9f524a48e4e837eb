"""The SLA heatmap on a process diagram: `/leaders/process-heatmap` (leaders, process admins).

Per element of a process version: the cases through it, the median working time spent there
and the share that breached its deadline (engine/element_heat.py), coloured on the bpmn-js
diagram (`static/process_heat.js`) with a legend, the same numbers in a table, and each
element's cases. The JSON form is `GET /api/v1/processes/<id>/heatmap` (api/leaders_routes.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request

from engine.element_heat import HEAT_ROLES, ElementHeat, HeatQuery, ProcessHeat
from engine.errors import FieldError, FormInvalid
from engine.organisation import UserView

from . import db, reports
from .auth import login_required, me
from .dashboard import percent
from .i18n import field_message
from .i18n import gettext as _
from .timefmt import local
from .vocabulary import TIERS

bp = Blueprint("process_heat", __name__, url_prefix="/leaders")
DEFAULT_PROCESS = "closed_loop"
METRICS = {"cases": "经办案件数", "working": "中位工作时长", "breach": "超期比例"}
LEVELS = 5  # colour steps of the scale (0: nothing to colour)


@bp.app_template_global()
def may_see_process_heat(user: UserView | None) -> bool:
    """Leaders and process admins (the engine checks the same roles)."""
    return user is not None and bool(set(user.roles) & HEAT_ROLES)


def parse_heat_query(args: Mapping[str, str]) -> HeatQuery:
    """`?version=&tier=&from=&to=` (local dates, both included); FormInvalid names each field."""
    text = (args.get("version") or "").strip()
    version = None
    if text:
        try:
            version = int(text)
        except ValueError:
            error = FieldError("version", "not_integer", {"value": text})
            raise FormInvalid([error]) from None
    period = reports.parse_query({name: args.get(name) or "" for name in ("from", "to")})
    tier = (args.get("tier") or "").strip() or None
    return HeatQuery(version=version, tier=tier, start=period.start, end=period.end)


def working_text(span: timedelta | None) -> str:
    """A working time as people read it: minutes under an hour, else hours."""
    if span is None:
        return "—"
    minutes = span.total_seconds() / 60
    if minutes < 60:
        return _("{n} 分钟", n=round(minutes))
    return _("{n} 小时", n=f"{minutes / 60:.1f}")


def _value(element: ElementHeat, metric: str) -> float | None:
    if metric == "working":
        median = element.median_working
        return median.total_seconds() / 3600 if median is not None else None
    if metric == "breach":
        return element.breach_share
    return float(element.cases) if element.cases else None


def _level(value: float | None, top: float) -> int:
    """The colour step of a value on [0, top] (0: no value, or zero)."""
    if not value or top <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(value / top * LEVELS)))


def _legend(metric: str, top: float) -> list[dict[str, Any]]:
    """One entry per colour step with the range of values it stands for."""
    steps = []
    for level in range(1, LEVELS + 1):
        low, high = top * (level - 1) / LEVELS, top * level / LEVELS
        if metric == "breach":
            text = f"{percent(low)} – {percent(high)}"
        elif metric == "working":
            text = f"{working_text(timedelta(hours=low))} – {working_text(timedelta(hours=high))}"
        else:
            text = f"{math.floor(low) + 1 if level > 1 else 1} – {math.floor(high)}"
        steps.append({"level": level, "text": text})
    return steps


def diagram_data(heat: ProcessHeat, metric: str) -> dict[str, Any]:
    """What the page's script needs: the XML and each drawn element's colour step and text."""
    values = {e.element_id: _value(e, metric) for e in heat.elements}
    top = 1.0 if metric == "breach" else max((v for v in values.values() if v), default=0.0)
    shown = {e.element_id: _shown(e, metric) for e in heat.elements}
    return {
        "xml": heat.xml,
        "elements": [{"id": e.element_id, "level": _level(values[e.element_id], top),
                      "text": shown[e.element_id], "name": e.name, "cases": e.cases}
                     for e in heat.elements if e.on_diagram],
        "levels": {e.element_id: _level(values[e.element_id], top) for e in heat.elements},
        "legend": _legend(metric, top) if top else [],
    }  # fmt: skip


def _shown(element: ElementHeat, metric: str) -> str:
    if metric == "working":
        return working_text(element.median_working)
    if metric == "breach":
        return percent(element.breach_share) if element.with_due else "—"
    return str(element.cases)


@bp.get("/process-heatmap")
@login_required
def page() -> Any:
    """The diagram coloured by one metric, its legend, the table and the chosen element's cases."""
    service = db.service().leadership.element_heat
    processes = service.processes(me().username)  # 403 for everyone but leaders and admins
    process_id = request.args.get("process") or DEFAULT_PROCESS
    asked = request.args.get("metric", "")
    metric = asked if asked in METRICS else "cases"
    errors: dict[str, str] = {}
    try:
        heat = service.heatmap(process_id, me().username, parse_heat_query(request.args))
    except FormInvalid as error:
        errors = {e.field: field_message(e) for e in error.errors}
        heat = service.heatmap(process_id, me().username, HeatQuery())
    chosen = request.args.get("element") or ""
    return render_template(
        "leaders/process_heat.html", heat=heat, processes=processes, metric=metric,
        metrics=METRICS, tiers=TIERS, errors=errors, args=request.args, chosen=chosen,
        diagram=diagram_data(heat, metric), working_text=working_text, percent=percent,
        local=local,
    )  # fmt: skip
