"""The reports endpoints of /api/v1 (shapes in schemas/reports.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from engine.organisation import UserView

from .. import db, reports
from .operations import File, Reply, operation
from .schemas import reports as shapes

NO_REPORTS = {403: "The caller's role has no reports (`not_allowed`).",
              422: "A bad parameter, named in `fields` and `errors` (`validation_failed`, "
                   "`form_invalid`)."}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(user: UserView, query: shapes.RatesQuery) -> list[Any]:
    parsed = reports.parse_query(query.as_args())
    service = db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])
    return service.rates(user.username, parsed)  # NotAllowed (403) outside the reporting roles


@operation("get", "/reports/rates", query=shapes.RatesQuery,
           ok=Reply(shapes.Rates, "One row per group."), errors=NO_REPORTS)  # fmt: skip
def rates(user: UserView, query: shapes.RatesQuery) -> shapes.Rates:
    """三率 (response, on-time, satisfaction) and other shares, from the event log; leaders see
    every case, a clerk their unit, a department its cases."""
    rows = _rows(user, query)
    return shapes.Rates(group_by=query.group_by,
                        rows=[shapes.RateRow(**row.as_dict()) for row in rows])  # fmt: skip


@operation("get", "/reports/rates.csv", query=shapes.RatesQuery, errors=NO_REPORTS,
           ok=File(("text/csv",), "CSV file, the same rows as the JSON."))  # fmt: skip
def rates_csv(user: UserView, query: shapes.RatesQuery) -> Any:
    """The rates table as CSV."""
    body = reports.to_csv(_rows(user, query))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=rates.csv"})  # fmt: skip


@operation("get", "/reports/rates.xlsx", query=shapes.RatesQuery, errors=NO_REPORTS,
           ok=File((XLSX,), "Excel file, the same rows as the JSON."))  # fmt: skip
def rates_xlsx(user: UserView, query: shapes.RatesQuery) -> Any:
    """The rates table as an Excel workbook."""
    body = reports.to_xlsx(_rows(user, query))
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=rates.xlsx"})  # fmt: skip
