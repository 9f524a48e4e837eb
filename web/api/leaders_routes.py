"""The leaders' endpoints of /api/v1: heatmaps, knowledge base, recommendations, meetings
(described in openapi_leaders.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from .. import db, reports
from ..process_heat import parse_heat_query
from . import tokens
from .blueprint import bp
from .body import json_object


@bp.get("/reports/heatmap")
def heatmap() -> Any:
    """Cases received per (rows, columns) value pair, with the on-time share of each cell."""
    user = tokens.staff()
    query = reports.parse_query(request.args)
    service = db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])
    rows_by = request.args.get("rows") or "kind"
    columns_by = request.args.get("columns") or "unit"
    return jsonify(service.heatmap(user.username, query, rows_by, columns_by).as_dict())


@bp.get("/processes/<process_id>/heatmap")
def process_heatmap(process_id: str) -> Any:
    """Per element of a process version: cases, median working time, breach share, cases."""
    user = tokens.staff()
    query = parse_heat_query(request.args)
    heat = db.service().leadership.element_heat.heatmap(process_id, user.username, query)
    return jsonify(heat.as_dict())


@bp.get("/knowledge")
def knowledge_search() -> Any:
    """Knowledge-base entries holding every term of `q` (all, newest first, without it)."""
    user = tokens.staff()
    text = (request.args.get("q") or "")[:200]
    entries = db.service().leadership.knowledge.search(user.username, text)
    return jsonify(entries=[entry.as_dict() for entry in entries])


@bp.get("/knowledge/<key>")
def knowledge_entry(key: str) -> Any:
    """One knowledge-base entry by its number (KB-12)."""
    user = tokens.staff()
    return jsonify(db.service().leadership.knowledge.get(user.username, key).as_dict())


@bp.get("/recommendations")
def recommendations_awaiting() -> Any:
    """Recommendations made upward still awaiting an answer, oldest first, with their age."""
    user = tokens.staff()
    found = db.service().leadership.recommendations.awaiting(user.username)
    return jsonify(recommendations=[r.as_dict() for r in found])


@bp.post("/knowledge/<key>/answer")
def recommendation_answer(key: str) -> Any:
    """Record the higher level's answer to recommendation `key` (text, day)."""
    user = tokens.staff()
    body = json_object()
    values = {name: body.get(name) for name in ("answer_text", "answered_on")}
    leadership = db.service().leadership
    leadership.recommendations.answer(user.username, key, values)
    entry = leadership.knowledge.get(user.username, key).as_dict()
    db.commit()
    return jsonify(entry)


@bp.get("/meetings")
def meetings() -> Any:
    """The monthly joint meetings, newest first (leaders)."""
    user = tokens.staff()
    return jsonify(
        meetings=[m.as_dict() for m in db.service().leadership.meetings.list(user.username)]
    )


@bp.get("/meetings/<key>")
def meeting(key: str) -> Any:
    """One monthly meeting with its agenda and the decisions taken."""
    user = tokens.staff()
    return jsonify(db.service().leadership.meetings.get(key, user.username).as_dict())
