"""The engine's caches: a schedule loaded by another worker counts once the TTL has passed."""

from __future__ import annotations

from datetime import date

from engine.caches import CALENDAR_TTL, CalendarCache
from engine.service import Engine

MONDAY = date(2031, 6, 2)  # a year without bundled data: counted Monday-Friday until loaded


def test_calendar__a_schedule_loaded_by_another_worker_counts_within_the_ttl(engine: Engine):
    clock = [1000.0]
    engine.calendars = CalendarCache(clock=lambda: clock[0])
    other = Engine(engine.settings)  # another web or timer process on the same database
    with engine.transaction() as service:
        assert service.calendar.current().is_workday(MONDAY)
    with other.transaction() as service:
        service.calendar.load("2031-06-02 holiday 测试假日\n")
    with other.transaction() as service:
        assert not service.calendar.current().is_workday(MONDAY)  # the loading worker: at once
    clock[0] += CALENDAR_TTL - 1
    with engine.transaction() as service:
        assert service.calendar.current().is_workday(MONDAY)  # still the cached days
    clock[0] += 1
    with engine.transaction() as service:
        assert not service.calendar.current().is_workday(MONDAY)
    other.close()


def test_calendar__a_load_that_rolls_back_leaves_the_old_days(engine: Engine):
    with engine.transaction() as service:
        assert service.calendar.current().is_workday(MONDAY)
    try:
        with engine.transaction() as service:
            service.calendar.load("2031-06-02 holiday 测试假日\n")
            assert not service.calendar.current().is_workday(
                MONDAY
            )  # its own unit sees the new day
            raise RuntimeError("the admin's import failed later")
    except RuntimeError:
        pass
    with engine.transaction() as service:
        assert service.calendar.current().is_workday(MONDAY)
