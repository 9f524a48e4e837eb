"""The rates report, the heatmap, the knowledge base and the monthly meetings
(api/reports_routes.py, api/leaders_routes.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from engine.heatmap import AXES
from engine.knowledge import STATUSES
from engine.reporting import GROUPS

from ...vocabulary import KINDS, TIERS
from . import Answer, Instant, Query, Texts, one_of


def _day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("not_a_date", "not a date", {"value": value}) from None
    return value


Day = Annotated[str, AfterValidator(_day), Field(json_schema_extra={"format": "date"})]
Code = Annotated[str, Field(max_length=100)]

# --- requests ---------------------------------------------------------------------------------


class ReportFilters(Query):
    """Which cases: received between two local dates, of a tier, unit, department, kind."""

    start: Annotated[
        Day | None, Field(alias="from", description="First day received (local date).")
    ] = None
    end: Annotated[Day | None, Field(alias="to", description="Last day received (included).")] = (
        None
    )
    tier: Annotated[Annotated[str, one_of(TIERS)] | None, Field(description="Receiving tier.")] = (
        None
    )
    unit: Annotated[
        Code | None, Field(description="Receiving unit code (with the units below it).")
    ] = None
    department: Annotated[Code | None, Field(description="Lead department code.")] = None
    kind: Annotated[Annotated[str, one_of(KINDS)] | None, Field(description="Matter kind.")] = None
    channel: Annotated[Code | None, Field(description="Channel (window, online, enterprise).")] = (
        None
    )

    def as_args(self) -> dict[str, str]:
        """The parameters as the shared parser (web/reports.py) reads them."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v}


class RatesQuery(ReportFilters):
    """The rates report's filters and grouping."""

    group_by: Annotated[
        Annotated[str, one_of(GROUPS)] | None,
        Field(description="One row per value; without it one total row."),
    ] = None


class HeatmapQuery(ReportFilters):
    """The heatmap's axes and filters."""

    rows: Annotated[str, one_of(AXES), Field(description="What the rows are.")] = "kind"
    columns: Annotated[
        Annotated[str, one_of(AXES)],
        Field(description="What the columns are; must differ from rows."),
    ] = "unit"


class KnowledgeQuery(Query):
    """Whitespace-separated terms an entry must all hold."""

    q: Annotated[str, Field(max_length=200)] = ""


# --- answers ----------------------------------------------------------------------------------

Rate = Annotated[float | None, Field(description="0-1; null without a denominator")]


class RateRow(Answer):
    """三率 and the other shares of one group, with numerators and denominators."""

    group: str | None
    received: int
    responded_on_time: int
    response_judged: int
    response_rate: Rate
    finished: int
    finished_on_time: int
    finished_or_overdue: int
    on_time_rate: Rate
    rated: int
    satisfied: int
    satisfaction_rate: Rate
    rehandled: int
    rehandle_share: Rate
    escalated: dict[str, int]
    escalation_share: dict[str, Rate]
    cannot_resolve: int
    cannot_resolve_share: Rate
    median_hours: float | None


class Rates(Answer):
    """One row per group."""

    group_by: str | None
    rows: list[RateRow]


class HeatCell(Answer):
    """Cases received for one (row, column) pair and their on-time share."""

    row: str
    column: str
    received: int
    finished_on_time: int
    finished_or_overdue: int
    on_time_rate: float | None


class Heatmap(Answer):
    """The matrix; rows and columns sorted by how many cases they hold."""

    rows_by: str
    columns_by: str
    rows: Texts
    columns: Texts
    cells: list[HeatCell]


class AnswerState(Answer):
    """Where a recommendation made upward stands."""

    state: Literal["awaiting", "answered"]
    recommended_to: str | None
    text: str | None
    at: Instant | None
    by: str | None


class KnowledgeEntry(Answer):
    """A knowledge-base entry (KB-n)."""

    id: str
    title: str
    problem: str
    remedy: str
    legal_basis: str
    kind: str | None
    category: str | None
    keywords: Texts
    departments: Texts
    status: Literal[tuple(STATUSES)]  # type: ignore[valid-type]
    source_cases: Texts
    created_at: Instant
    updated_at: Instant
    answer: AnswerState | None  # recommendations made upward only


class KnowledgeEntries(Answer):
    """Entries, newest first (at most 50)."""

    entries: list[KnowledgeEntry]


class AgendaItem(Answer):
    """A case on a meeting's agenda and the decision taken on it."""

    index: int
    case_key: str
    title: str
    reason: str
    case_status: str
    decision: dict[str, Any] | None
    started: dict[str, str] = Field(
        description="Cases the decision started: handling_case (an assignment), consultation_case."
    )


class Meeting(Answer):
    """A monthly joint meeting."""

    key: str
    title: str
    period: str
    status: str
    meeting_date: str | None
    chair: str | None
    current: int | None
    items: list[AgendaItem]


class Meetings(Answer):
    """The monthly meetings, newest first."""

    meetings: list[Meeting]
