"""The leaders' facade beyond the 三率 reports: knowledge base, recommendations, meetings.

`Service.leadership` is its only door (service.py keeps one property per concern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .knowledge import Knowledge
from .meetings import Meetings
from .recommendations import Recommendations

if TYPE_CHECKING:
    from .service import Service


class Leadership:
    """The knowledge base and the monthly meetings over one service (one transaction)."""

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
    def recommendations(self) -> Recommendations:
        """Recommendations made upward, awaiting or answered."""
        return Recommendations(self.service)
