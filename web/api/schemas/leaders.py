"""Shapes of the leaders' SLA heatmap of a process diagram and of the recommendations made
upward (the rates, knowledge base and meetings are in `reports.py`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from engine.element_heat import TIERS

from . import Answer, Body, Filled, Instant, Query, Texts, one_of
from .reports import Day


class ProcessHeatQuery(Query):
    """Which version, and the cases of which tier and period."""

    version: Annotated[
        int | None, Field(ge=1, description="The version number (default: the latest).")
    ] = None
    tier: Annotated[
        Annotated[str, one_of(TIERS)] | None, Field(description="Cases received at this tier.")
    ] = None
    start: Annotated[
        Day | None, Field(alias="from", description="First day a task reached its element.")
    ] = None
    end: Annotated[Day | None, Field(alias="to", description="Last day (included).")] = None

    def as_args(self) -> dict[str, str]:
        """The parameters as the shared parser (web/process_heat.py) reads them."""
        values = {"version": self.version, "tier": self.tier, "from": self.start, "to": self.end}
        return {name: str(value) for name, value in values.items() if value is not None}


class HeatCase(Answer):
    """One case through an element: how long it spent there, whether it breached."""

    key: str
    title: str
    opened_at: Instant
    closed_at: Instant | None
    working_hours: float
    breached: bool


class ElementHeat(Answer):
    """One element's figures and its cases (breached first, then longest; at most 200)."""

    element_id: str
    name: str
    on_diagram: bool = Field(description="False: drawn in a called process.")
    cases: int
    tasks: int
    open: int
    median_working_hours: float | None
    with_due: int
    breached: int
    breach_share: float | None
    case_list: list[HeatCase]


class ProcessHeatmap(Answer):
    """The SLA heatmap of a process version, most cases first."""

    model_config = ConfigDict(serialize_by_alias=True)  # `from` and `to`, as in the query

    process_id: str
    name: str
    version: int
    versions: list[int]
    tier: str | None
    start: Annotated[Instant | None, Field(alias="from")]
    end: Annotated[Instant | None, Field(alias="to")]
    elements: list[ElementHeat]


class OpenRecommendation(Answer):
    """A recommendation made upward still awaiting the higher level's answer."""

    id: str
    title: str
    recommended_to: str | None
    since: Instant
    age_days: int
    source_cases: Texts


class OpenRecommendations(Answer):
    """The recommendations awaiting an answer, oldest first."""

    recommendations: list[OpenRecommendation]


class RecommendationAnswer(Body):
    """The higher level's answer to a recommendation made upward."""

    answer_text: Annotated[Filled, Field(max_length=4000)]
    answered_on: Annotated[
        Day | None, Field(description="The day the answer came (default today).")
    ] = None
