"""The rates report as the web reads it: query parameters, table columns, CSV and Excel.

Shared by `GET /api/v1/reports/rates(.csv|.xlsx)` and the dashboard page, so the page,
the JSON and the files always show the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook

from engine.calendar import SHANGHAI
from engine.errors import FieldError, FormInvalid
from engine.reporting import FILTERS, RateRow, RatesQuery

from .i18n import gettext as _

# (JSON key, Chinese heading); headings go through gettext for English.
COLUMNS = (
    ("group", "分组"),
    ("received", "受理件数"),
    ("responded_on_time", "按时响应"),
    ("response_judged", "应响应"),
    ("response_rate", "响应率"),
    ("finished", "已办结"),
    ("finished_on_time", "按时办结"),
    ("finished_or_overdue", "已办结或超期"),
    ("on_time_rate", "按时办结率"),
    ("rated", "已评价"),
    ("satisfied", "满意（含基本满意）"),
    ("satisfaction_rate", "满意率"),
    ("rehandled", "重办"),
    ("rehandle_share", "重办占比"),
    ("escalated_2", "升级至二级"),
    ("escalated_3", "升级至三级"),
    ("escalated_4", "升级至四级"),
    ("cannot_resolve", "办不成"),
    ("cannot_resolve_share", "办不成占比"),
    ("median_hours", "办结用时中位数（工作小时）"),
)


def _day(args: Mapping[str, str], name: str, errors: list[FieldError]) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        # The dashboard shows `message` as is, so it is written in the reader's language.
        errors.append(
            FieldError(
                name, "not_a_date", {"value": text}, _("日期格式应为 YYYY-MM-DD，例如 2026-10-01")
            )
        )
        return None


def parse_query(args: Mapping[str, str]) -> RatesQuery:
    """The query of `?from=&to=&group_by=&tier=&unit=&department=&kind=&channel=`.

    `from` and `to` are local dates (Asia/Shanghai), both included.
    """
    errors: list[FieldError] = []
    start, end = _day(args, "from", errors), _day(args, "to", errors)
    if errors:
        raise FormInvalid(errors)
    query = RatesQuery(
        start=datetime.combine(start, time(), SHANGHAI) if start else None,
        end=datetime.combine(end + timedelta(days=1), time(), SHANGHAI) if end else None,
        group_by=(args.get("group_by") or "").strip() or None,
        filters={name: args[name].strip() for name in FILTERS if (args.get(name) or "").strip()},
    )
    query.check()
    return query


def row_values(row: RateRow) -> dict[str, Any]:
    """One row as flat values, in the order of COLUMNS."""
    plain = row.as_dict()
    for level in ("2", "3", "4"):
        plain[f"escalated_{level}"] = plain["escalated"][level]
    return {key: plain[key] for key, _heading in COLUMNS}


def headings() -> list[str]:
    """The column headings in the current language."""
    return [_(heading) for _key, heading in COLUMNS]


def to_csv(rows: list[RateRow]) -> str:
    """The rows as CSV (UTF-8 with BOM, so Excel opens Chinese headings correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings())
    for row in rows:
        writer.writerow(["" if v is None else v for v in row_values(row).values()])
    return "\ufeff" + buffer.getvalue()


def to_xlsx(rows: list[RateRow]) -> bytes:
    """The rows as an Excel workbook (one sheet, rates as percentages)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("三率")
    sheet.append(headings())
    for row in rows:
        sheet.append(list(row_values(row).values()))
    for column, (key, _heading) in enumerate(COLUMNS, start=1):
        if key.endswith(("_rate", "_share")):
            for cell in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell[0].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
