"""The leaders' endpoints of /api/v1: heatmaps, knowledge base, recommendations, monthly
meetings (shapes in schemas/reports.py and schemas/leaders.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from engine.organisation import UserView

from .. import db, reports
from ..process_heat import parse_heat_query
from .operations import Reply, operation
from .schemas import leaders as heat
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


@operation(
    "get", "/processes/<process_id>/heatmap", query=heat.ProcessHeatQuery,
    ok=Reply(heat.ProcessHeatmap, "The elements, most cases first."),
    errors={**FORBIDDEN, 422: "A bad parameter, named in `fields` and `errors` "
                              "(`validation_failed`, `form_invalid`)."},
    path_text={"process_id": "The process id, e.g. closed_loop."},
)  # fmt: skip
def process_heatmap(process_id: str, user: UserView, query: heat.ProcessHeatQuery) -> Any:
    """The SLA heatmap of a process version: per user task, the cases through it, the median
    working time spent there (working calendar), the share that breached its deadline, and
    its cases (leaders, process admins)."""
    parsed = parse_heat_query(query.as_args())
    found = db.service().leadership.element_heat.heatmap(process_id, user.username, parsed)
    return heat.ProcessHeatmap.model_validate(found.as_dict())


@operation("get", "/recommendations", errors=FORBIDDEN,
           ok=Reply(heat.OpenRecommendations, "With their age in days."))  # fmt: skip
def recommendations_awaiting(user: UserView) -> heat.OpenRecommendations:
    """Recommendations made upward still awaiting an answer, oldest first, with their age."""
    found = db.service().leadership.recommendations.awaiting(user.username)
    return heat.OpenRecommendations(
        recommendations=[heat.OpenRecommendation.model_validate(r.as_dict()) for r in found]
    )


@operation(
    "post", "/knowledge/<key>/answer", body=heat.RecommendationAnswer,
    ok=Reply(shapes.KnowledgeEntry, "The entry, answered."),
    errors={**FORBIDDEN, 409: "Answered already (`conflict`)."},
    path_text={"key": "The entry's number, e.g. KB-12."},
)  # fmt: skip
def recommendation_answer(
    key: str, user: UserView, body: heat.RecommendationAnswer
) -> shapes.KnowledgeEntry:
    """Record the higher level's answer to a recommendation made upward (leading-group office,
    joint meeting)."""
    leadership = db.service().leadership
    leadership.recommendations.answer(user.username, key, body.model_dump())
    entry = leadership.knowledge.get(user.username, key).as_dict()
    db.commit()
    return shapes.KnowledgeEntry.model_validate(entry)


@operation("get", "/knowledge", query=shapes.KnowledgeQuery, errors=FORBIDDEN,
           ok=Reply(shapes.KnowledgeEntries, "Newest first, at most 50."))  # fmt: skip
def knowledge_search(user: UserView, query: shapes.KnowledgeQuery) -> shapes.KnowledgeEntries:
    """Knowledge-base entries holding every whitespace-separated term of q (all, newest first,
    without it)."""
    entries = db.service().leadership.knowledge.search(user.username, query.q)
    return shapes.KnowledgeEntries(
        entries=[shapes.KnowledgeEntry.model_validate(e.as_dict()) for e in entries]
    )


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
    return shapes.Meetings(meetings=[shapes.Meeting.model_validate(m.as_dict()) for m in found])


@operation("get", "/meetings/<key>", ok=Reply(shapes.Meeting, "The meeting."), errors=FORBIDDEN,
           path_text={"key": "The meeting's case number."})  # fmt: skip
def meeting(key: str, user: UserView) -> shapes.Meeting:
    """One monthly meeting: agenda cases and the decisions taken."""
    return shapes.Meeting.model_validate(db.service().leadership.meetings.get(key, user.username)
                                         .as_dict())  # fmt: skip
