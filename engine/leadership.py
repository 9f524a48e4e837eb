"""The leaders' facade beyond the 三率 reports: the knowledge base, recommendations, the
monthly meetings and the SLA heatmap of a process diagram.

`Service.leadership` is its only door (service.py keeps one property per concern).
"""

from __future__ import annotations

from .element_heat import ElementHeatReport
from .knowledge import Knowledge
from .meetings import Meetings
from .recommendations import Recommendations
from .work import Work


class Leadership:
    """The knowledge base, the monthly meetings and the SLA heatmap over one service (one
    transaction)."""

    def __init__(self, work: Work) -> None:
        self.work = work

    @property
    def knowledge(self) -> Knowledge:
        """KB-n entries: search, suggest, read, write."""
        return Knowledge(self.work)

    @property
    def meetings(self) -> Meetings:
        """The monthly joint meetings: agenda cases, history, decisions."""
        return Meetings(self.work)

    @property
    def element_heat(self) -> ElementHeatReport:
        """Per diagram element: cases through it, median working time, breach share."""
        return ElementHeatReport(self.work)

    @property
    def recommendations(self) -> Recommendations:
        """Recommendations made upward, awaiting or answered."""
        return Recommendations(self.work)
