"""The leaders' facade beyond the 三率 reports: the knowledge base, the monthly meetings and
the SLA heatmap of a process diagram.

`Service.leadership` is its only door (service.py keeps one property per concern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .element_heat import ElementHeatReport
from .knowledge import Knowledge
from .meetings import Meetings

if TYPE_CHECKING:
    from .service import Service


class Leadership:
    """The knowledge base, the monthly meetings and the SLA heatmap over one service (one
    transaction)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    @property
    def knowledge(self) -> Knowledge:
        """KB-n entries: search, suggest, read, write."""
        return Knowledge(self.service)

    @property
    def meetings(self) -> Meetings:
        """The monthly joint meetings: agenda cases, history, decisions."""
        return Meetings(self.service)

    @property
    def element_heat(self) -> ElementHeatReport:
        """Per diagram element: cases through it, median working time, breach share."""
        return ElementHeatReport(self.service)
