"""The working-day calendar: loading official holiday schedules and counting office time.

`Service.calendar` is this facade. Loading a schedule recomputes the deadlines of open
cases that were counted without it (`recalculation.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from . import casefiles
from . import repository as repo
from .calendar import ScheduleError, WorkingCalendar, load_schedule
from .errors import CalendarError, NotAllowed
from .recalculation import PROCESS_ADMIN, cases_awaiting_schedules, recalculate_open_cases
from .staff import Staff
from .views import CalendarLoaded, CaseSummary
from .work import Work


class Holidays:
    """Holiday schedules and working time in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def current(self) -> WorkingCalendar:
        """The working-day calendar with every loaded schedule."""
        return self.work.calendar()

    def load(self, text: str, at: datetime | None = None) -> CalendarLoaded:
        """Load an official holiday schedule (see `calendar.load_schedule`) and recompute
        the deadlines of open cases that were counted without it (`recalculation.py`)."""
        try:
            days = load_schedule(text)
        except ScheduleError as error:
            raise CalendarError(f"{error}; nothing was loaded") from None
        repo.save_calendar_days(self.session, {d: (w, "") for d, w in days.items()})
        self.session.flush()
        self.work.loaded_calendar = True
        self.work.engine.calendars.forget()
        changed = recalculate_open_cases(self.work, (at or datetime.now(UTC)).astimezone(UTC))
        return CalendarLoaded(days=len(days), recalculated=changed)

    def working_time_left(self, due_at: datetime, now: datetime | None = None) -> timedelta:
        """Office time from now to a deadline (negative once overdue)."""
        return self.work.calendar().working_time_between(now or datetime.now(UTC), due_at)

    def cases_awaiting(self, viewer: str) -> list[CaseSummary]:
        """Open cases counted without a holiday schedule (for process admins, who load them)."""
        if PROCESS_ADMIN not in Staff(self.work).get_user(viewer).roles:
            raise NotAllowed("only process admins see the cases awaiting a holiday schedule")
        return casefiles.summaries(self.session, cases_awaiting_schedules(self.session))
