"""Issue 14's reach features behind one facade: `service.reach.duplicates`, `.direct`, `.open311`.

Each is a small class over the service's session; `engine/` stays free of Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .direct import DirectChannel
from .duplicates import Duplicates
from .open311 import Open311

if TYPE_CHECKING:
    from .service import Service


class Reach:
    """Duplicates, the 一键直达 channel and Open311 clients, in the service's unit of work."""

    def __init__(self, service: Service) -> None:
        self.service = service

    @property
    def duplicates(self) -> Duplicates:
        """Suggest, merge and tell apart duplicate cases."""
        return Duplicates(self.service)

    @property
    def direct(self) -> DirectChannel:
        """一键直达 codes and misconduct reports."""
        return DirectChannel(self.service)

    @property
    def open311(self) -> Open311:
        """Open311 clients' keys and requests."""
        return Open311(self.service)
