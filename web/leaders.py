"""The leaders' pages beside the dashboard: heatmap, monthly bulletin, case-list exports.

Scope and roles come from the engine (`Service.reports()`): leaders see every case, a
clerk their unit's, a department its own; the bulletin is the leaders' alone (403).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from openpyxl import Workbook

from engine.calendar import SHANGHAI
from engine.errors import FieldError, FormInvalid
from engine.heatmap import AXES, CaseLine
from engine.organisation import UserView
from engine.reporting import LEADER_ROLES, RatesQuery

from . import db, reports
from .auth import login_required, me
from .dashboard import GROUP_NAMES, group_label, percent
from .i18n import field_message
from .i18n import gettext as _
from .timefmt import local
from .vocabulary import KINDS, RATINGS, STATUSES, label

bp = Blueprint("leaders", __name__, url_prefix="/leaders")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def is_leader(user: UserView | None) -> bool:
    """True for the roles that see every case (bulletin, meetings)."""
    return user is not None and bool(set(user.roles) & LEADER_ROLES)


def _reports() -> Any:
    return db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])


@bp.get("/heatmap")
@login_required
def heatmap() -> Any:
    """Cases received per matter kind × unit (or any two axes), coloured by count."""
    rows_by = request.args.get("rows") or "kind"
    columns_by = request.args.get("columns") or "unit"
    errors: dict[str, str] = {}
    try:
        query = reports.parse_query(request.args)
        board = _reports().heatmap(me().username, query, rows_by, columns_by)
    except FormInvalid as error:
        errors = {e.field: field_message(e) for e in error.errors}
        rows_by, columns_by = "kind", "unit"
        board = _reports().heatmap(me().username, RatesQuery(), rows_by, columns_by)
    cells = {(c.row, c.column): c for c in board.cells}
    chart = {
        "rows": [group_label(rows_by, r) for r in board.rows],
        "columns": [group_label(columns_by, c) for c in board.columns],
        "cells": [[board.columns.index(c.column), board.rows.index(c.row), c.received]
                  for c in board.cells],
        "max": max((c.received for c in board.cells), default=0),
        "name": _("件数"),
    }  # fmt: skip
    return render_template(
        "leaders/heatmap.html", board=board, cells=cells, chart=chart, errors=errors,
        args=request.args, axes=[(a, GROUP_NAMES[a]) for a in AXES], group_label=group_label,
        percent=percent,
    )  # fmt: skip


def _month(text: str | None) -> tuple[date, date]:
    """The first day of a `YYYY-MM` month and of the next (default: last month)."""
    today = datetime.now(SHANGHAI).date()
    if text:
        try:
            first = datetime.strptime(text.strip(), "%Y-%m").date()
        except ValueError:
            message = _("月份格式应为 YYYY-MM，例如 2026-09")
            raise FormInvalid(
                [FieldError("month", "not_a_date", {"value": text}, message)]
            ) from None
    else:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following


@bp.get("/bulletin")
@login_required
def bulletin() -> Any:
    """The printable monthly bulletin: rates, ranking, overdue, hot spots (leaders)."""
    first, following = _month(request.args.get("month"))
    query = RatesQuery(start=datetime.combine(first, time(), SHANGHAI),
                       end=datetime.combine(following, time(), SHANGHAI))  # fmt: skip
    board = _reports().bulletin(me().username, query)
    kinds = _reports().heatmap(me().username, query, "kind", "unit")
    return render_template(
        "leaders/bulletin.html", board=board, month=first, kinds=kinds, percent=percent,
        group_label=group_label, issued=datetime.now(SHANGHAI),
    )  # fmt: skip


COLUMNS = (
    ("案件编号", lambda line: line.key),
    ("标题", lambda line: line.title),
    ("状态", lambda line: label(STATUSES, line.status)),
    ("受理单位", lambda line: group_label("unit", line.facts.unit) if line.facts.unit else ""),
    ("诉求类型", lambda line: label(KINDS, line.facts.kind) if line.facts.kind else ""),
    ("受理时间", lambda line: local(line.facts.received_at) if line.facts.received_at else ""),
    ("办理期限", lambda line: local(line.facts.deadline) if line.facts.deadline else ""),
    ("答复时间", lambda line: local(line.facts.replied_at) if line.facts.replied_at else ""),
    ("按时办结", lambda line: (_("是") if line.facts.ok_finish else _("否"))
     if line.facts.replied else ""),
    ("评价", lambda line: label(RATINGS, line.facts.rating) if line.facts.rating else ""),
)  # fmt: skip


def _lines() -> list[CaseLine]:
    lines: list[CaseLine] = _reports().case_lines(me().username, reports.parse_query(request.args))
    return lines


@bp.get("/cases.csv")
@login_required
def cases_csv() -> Any:
    """The cases of the current filters as CSV, streamed row by row (big lists start at once)."""
    lines, headings = _lines(), [_(heading) for heading, _value in COLUMNS]

    def generate() -> Iterator[str]:
        yield "\ufeff"  # a BOM: Excel then reads the Chinese correctly
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headings)
        for count, line in enumerate(lines, start=1):
            writer.writerow([value(line) for _heading, value in COLUMNS])
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cases.csv"})  # fmt: skip


@bp.get("/cases.xlsx")
@login_required
def cases_xlsx() -> Any:
    """The cases of the current filters as an Excel workbook (write-only: little memory)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("案件清单"))
    sheet.append([_(heading) for heading, _value in COLUMNS])
    for line in _lines():
        sheet.append([value(line) for _heading, value in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=cases.xlsx"})  # fmt: skip
