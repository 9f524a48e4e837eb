"""The leaders' dashboard: 三率 against the 100% targets, trend, ranking, hot spots, overdue.

Leaders see every case, a clerk their unit's, a department its own (the engine decides:
`Service.reports()`). Plots are ECharts (served from node_modules, see assets.py) drawn
by static/dashboard.js from the JSON embedded in the page; every plot's numbers are
also in a table beside it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from engine.errors import FormInvalid
from engine.leaders import Reports
from engine.organisation import UserView
from engine.reporting import DEPARTMENT_ROLES, GROUPS, LEADER_ROLES, RateRow, RatesQuery

from . import db, reports
from .auth import login_required, me
from .casefacts import unit_name
from .i18n import field_message
from .i18n import gettext as _
from .knowledge import awaiting
from .vocabulary import CHANNELS, KINDS, TIERS, label

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
GROUP_NAMES = {
    "tier": "受理层级", "unit": "受理单位", "department": "牵头部门", "kind": "诉求类型",
    "channel": "渠道", "week": "周", "month": "月",
}  # fmt: skip


@bp.app_template_global()
def may_see_dashboard(user: UserView | None) -> bool:
    """True for the roles with a dashboard: leaders, clerks, departments."""
    return user is not None and bool(
        set(user.roles) & (LEADER_ROLES | DEPARTMENT_ROLES | {"clerk"})
    )


def percent(value: float | None) -> str:
    """A rate as people read it: 77.8%, or a dash when nothing was counted."""
    return "—" if value is None else f"{value * 100:.1f}%"


def group_label(group_by: str | None, value: str | None) -> str:
    """The name of a group value (unit names, kind and tier labels)."""
    if value is None:
        return _("合计")
    if group_by in ("unit", "department"):
        return unit_name(value)
    table = {"kind": KINDS, "tier": TIERS, "channel": CHANNELS}.get(group_by or "")
    return label(table, value) if table else value


def _reports() -> Reports:
    return db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])


def _chart_data(board: Any) -> dict[str, Any]:
    def series(rows: list[RateRow]) -> dict[str, Any]:
        return {
            "labels": [group_label("month", r.group) for r in rows],
            "response": [r.response_rate for r in rows],
            "on_time": [r.on_time_rate for r in rows],
            "satisfaction": [r.satisfaction_rate for r in rows],
        }

    ranking = board.ranking
    return {
        "names": {
            "response": _("响应率"),
            "on_time": _("按时办结率"),
            "satisfaction": _("满意率"),
            "target": _("目标 100%"),
            "count": _("件数"),
        },
        "trend": series(board.trend),
        "ranking": {**series(ranking), "labels": [group_label("unit", r.group) for r in ranking]},
        "kinds": [[label(KINDS, k), n] for k, n in board.hot_spots["kinds"]],
        "places": [[unit_name(u), n] for u, n in board.hot_spots["places"]],
    }


@bp.get("")
@login_required
def index() -> Any:
    """The dashboard for the filters in the query string."""
    errors: dict[str, str] = {}
    try:
        query = reports.parse_query(request.args)
    except FormInvalid as error:
        errors = {e.field: field_message(e) for e in error.errors}
        query = RatesQuery()
    board = _reports().dashboard(me().username, query)  # NotAllowed -> 403 page
    units = db.service().staff.units()
    return render_template(
        "dashboard/index.html", board=board, query=query, args=request.args, errors=errors,
        charts=_chart_data(board), percent=percent, group_label=group_label,
        windows=[u for u in units if u.kind in ("district", "town", "village")],
        departments=[u for u in units if u.kind == "department"], kinds=KINDS, tiers=TIERS,
        channels=CHANNELS, groups=[(g, GROUP_NAMES[g]) for g in GROUPS], awaiting=awaiting(),
    )  # fmt: skip


def _rows() -> list[RateRow]:
    return _reports().rates(me().username, reports.parse_query(request.args))


@bp.get("/rates.csv")
@login_required
def rates_csv() -> Any:
    """The rates table of the current filters as CSV."""
    return Response(reports.to_csv(_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=rates.csv"})  # fmt: skip


@bp.get("/rates.xlsx")
@login_required
def rates_xlsx() -> Any:
    """The rates table of the current filters as an Excel workbook."""
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(reports.to_xlsx(_rows()), mimetype=mimetype,
                    headers={"Content-Disposition": "attachment; filename=rates.xlsx"})  # fmt: skip
