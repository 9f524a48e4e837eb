"""The reports endpoints of /api/v1 (listed in openapi.py, `_report_paths`)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from .. import db, reports
from . import tokens
from .blueprint import bp


def _rows() -> list[Any]:
    user = tokens.staff()  # 401 without a staff token: citizens get nothing
    query = reports.parse_query(request.args)
    service = db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])
    return service.rates(user.username, query)  # NotAllowed (403) outside the reporting roles


@bp.get("/reports/rates")
def rates() -> Any:
    """三率 and the other shares: one row per group, numerators and denominators."""
    rows = _rows()
    return jsonify(group_by=request.args.get("group_by") or None,
                   rows=[row.as_dict() for row in rows])  # fmt: skip


@bp.get("/reports/rates.csv")
def rates_csv() -> Any:
    """The same rows as CSV."""
    body = reports.to_csv(_rows())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=rates.csv"})  # fmt: skip


@bp.get("/reports/rates.xlsx")
def rates_xlsx() -> Any:
    """The same rows as an Excel workbook."""
    body = reports.to_xlsx(_rows())
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": "attachment; filename=rates.xlsx"})  # fmt: skip
