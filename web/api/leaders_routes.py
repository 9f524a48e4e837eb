"""The leaders' endpoints of /api/v1: heatmap, knowledge base, monthly meetings
(shapes in schemas/reports.py)."""

from __future__ import annotations

from flask import current_app

from engine.organisation import UserView

from .. import db, reports
from .operations import Reply, operation
from .schemas import reports as shapes

FORBIDDEN = {403: "The caller's role may not read this (`not_allowed`)."}


@operation(
    "get", "/reports/heatmap", query=shapes.HeatmapQuery, ok=Reply(shapes.Heatmap, "The matrix."),
    errors={**FORBIDDEN, 422: "A bad parameter, named in `fields` and `errors` "
                              "(`validation_failed`, `form_invalid`)."},
)  # fmt: skip
def heatmap(user: UserView, query: shapes.HeatmapQuery) -> shapes.Heatmap:
    """Cases received per (rows, columns) value pair and each cell's on-time share; the same
    scope as the rates report."""
    parsed = reports.parse_query(query.as_args())
    service = db.service().reports(current_app.config["MASHANGBAN_INTAKE_PROCESS"])
    found = service.heatmap(user.username, parsed, query.rows, query.columns)
    return shapes.Heatmap.model_validate(found.as_dict())


@operation("get", "/knowledge", query=shapes.KnowledgeQuery, errors=FORBIDDEN,
           ok=Reply(shapes.KnowledgeEntries, "Newest first, at most 50."))  # fmt: skip
def knowledge_search(user: UserView, query: shapes.KnowledgeQuery) -> shapes.KnowledgeEntries:
    """Knowledge-base entries holding every whitespace-separated term of q (all, newest first,
    without it)."""
    entries = db.service().leadership.knowledge.search(user.username, query.q)
    return shapes.KnowledgeEntries(entries=[e.as_dict() for e in entries])


@operation("get", "/knowledge/<key>", ok=Reply(shapes.KnowledgeEntry, "The entry."),
           errors=FORBIDDEN, path_text={"key": "The entry's number, e.g. KB-12."})  # fmt: skip
def knowledge_entry(key: str, user: UserView) -> shapes.KnowledgeEntry:
    """One knowledge-base entry."""
    found = db.service().leadership.knowledge.get(user.username, key)
    return shapes.KnowledgeEntry.model_validate(found.as_dict())


@operation("get", "/meetings", ok=Reply(shapes.Meetings, "Meetings."), errors=FORBIDDEN)
def meetings(user: UserView) -> shapes.Meetings:
    """The monthly joint meetings, newest first (leaders)."""
    found = db.service().leadership.meetings.list(user.username)
    return shapes.Meetings(meetings=[m.as_dict() for m in found])


@operation("get", "/meetings/<key>", ok=Reply(shapes.Meeting, "The meeting."), errors=FORBIDDEN,
           path_text={"key": "The meeting's case number."})  # fmt: skip
def meeting(key: str, user: UserView) -> shapes.Meeting:
    """One monthly meeting: agenda cases and the decisions taken."""
    return shapes.Meeting.model_validate(db.service().leadership.meetings.get(key, user.username)
                                         .as_dict())  # fmt: skip
