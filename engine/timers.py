"""Timers: scheduled process starts and due timer events, a batch of cases at a time.

`Service.timers` is this facade; `Engine.fire_due_timers` drives it, one transaction per
batch. Each case fires in its own savepoint, so a broken case is quarantined alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import acting, scheduling
from . import repository as repo
from .acting import SYSTEM
from .errors import Conflict
from .models import Case
from .work import Work

Fired = tuple[str, list[Any]]  # a case's key and the timers that fired on it


class Timers:
    """Starting scheduled processes and firing due timers in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def start_next_scheduled(self, now: datetime) -> tuple[str, str | None] | None:
        """Start one scheduled process whose time has come: (the case's key, error or None)."""
        return scheduling.start_next_due(self.work, now)

    def fire_due_batch(
        self, now: datetime, after: tuple[datetime, int] | None, limit: int, fired: set[int]
    ) -> tuple[list[Fired], tuple[datetime, int] | None]:
        """Lease a batch of due cases after the cursor and fire each case not yet in `fired`.

        Returns what fired per case and the new cursor (None when nothing was due).
        """
        cases = repo.lease_due_cases(self.session, now, after, limit)
        if not cases:
            return [], None
        cursor = (cases[-1].next_timer_at or now, cases[-1].id)  # read before firing moves it
        results = []
        for case in cases:
            if case.id not in fired:
                fired.add(case.id)
                results.append(self._fire_case(case, now))
        return results, cursor

    def _fire_case(self, case: Case, now: datetime) -> Fired:
        """Fire one leased case's due timers in a savepoint; quarantine it if it breaks."""
        savepoint = self.session.begin_nested()
        try:
            outcome = acting.act(self.work, case, "timer_fired", SYSTEM, now, {})
            self.work.open_tasks_after.pop(case.id, None)  # no answer to build from it
        except Conflict:
            savepoint.rollback()  # another worker or a person moved it first: skip
            return case.business_key, []
        except KeyboardInterrupt:
            raise  # the operator stopping the worker
        except BaseException as error:  # one broken case must not stop every other timer
            savepoint.rollback()
            acting.quarantine(self.session, case, now, f"{type(error).__name__}: {error}")
            return case.business_key, []
        savepoint.commit()
        return case.business_key, list(outcome.details.get("fired", []))
