"""Issue 14's reach features behind one facade: `service.reach.duplicates`, `.direct`, `.open311`.

Each is a small class over the service's session; `engine/` stays free of Flask.
"""

from __future__ import annotations

from .direct import DirectChannel
from .duplicates import Duplicates
from .open311 import Open311
from .work import Work


class Reach:
    """Duplicates, the 一键直达 channel and Open311 clients, in the service's unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work

    @property
    def duplicates(self) -> Duplicates:
        """Suggest, merge and tell apart duplicate cases."""
        return Duplicates(self.work)

    @property
    def direct(self) -> DirectChannel:
        """一键直达 codes and misconduct reports."""
        return DirectChannel(self.work)

    @property
    def open311(self) -> Open311:
        """Open311 clients' keys and requests."""
        return Open311(self.work)
