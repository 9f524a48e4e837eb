"""Working-day calendar for Asia/Shanghai: statutory holidays and make-up working days (调休).

Day data comes, in order of priority, from admin overrides (loaded from the official
schedule with ``load_schedule``), then the bundled ``chinesecalendar`` package (2004-2026),
then a Monday-Friday fallback. Days decided by the fallback are recorded in
``WorkingCalendar.fallback_days`` so callers can warn that the deadline may be wrong.

Schedule file format (UTF-8 text, one entry per line)::

    # 2027 official schedule
    2027-01-01  holiday  元旦
    2027-02-06  workday  春节调休
    2027-02-07  休
    2027-02-20  班       春节调休

Each line is ``YYYY-MM-DD  keyword  [optional name]``. The keyword is ``holiday`` or ``休``
(a day off) or ``workday`` or ``班`` (a make-up working day). Text after ``#`` and blank
lines are ignored. A date may appear only once.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

_KEYWORDS = {"holiday": False, "休": False, "workday": True, "班": True}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    """Office hours of a working day, as (start, end) local-time periods."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        """Reject empty, reversed or overlapping periods."""
        if not self.periods:
            raise ValueError("WorkingHours needs at least one (start, end) period")
        previous_end = time.min
        for start, end in self.periods:
            if not previous_end <= start < end:
                raise ValueError("periods must be ordered, non-overlapping, with start < end")
            previous_end = end


class ScheduleError(ValueError):
    """An official schedule file could not be parsed."""


class WorkingCalendar:
    """Answers working-day and office-time questions in Asia/Shanghai."""

    def __init__(
        self, overrides: Mapping[date, bool] | None = None, hours: WorkingHours | None = None
    ) -> None:
        """Create a calendar.

        overrides: day -> is_workday, loaded by an admin from the official schedule;
        they win over the bundled data.
        """
        self._overrides = dict(overrides or {})
        self._override_years = frozenset(day.year for day in self._overrides)
        self._hours = hours or WorkingHours()
        self._fallback: set[date] = set()
        self._decided_here: dict[date, bool] = {}
        self._bundled: dict[date, bool] = {}  # the bundled data's answers, asked once per day
        self._day_length = sum(  # office time of a working day (Shanghai keeps no DST)
            (datetime.combine(date.min, end) - datetime.combine(date.min, start)
             for start, end in self._hours.periods),
            timedelta(),
        )  # fmt: skip

    def is_workday(self, day: date) -> bool:
        """Return True if this local date is a working day (overrides, bundled data, Mon-Fri)."""
        if day in self._overrides:
            self._decided_here[day] = self._overrides[day]
            return self._overrides[day]
        if day in self._bundled:
            return self._bundled[day]
        try:
            answer = self._bundled[day] = bool(chinese_calendar.is_workday(day))
            return answer
        except NotImplementedError:
            if day.year not in self._override_years:
                self._fallback.add(day)
            self._decided_here[day] = day.weekday() < 5
            return day.weekday() < 5

    @property
    def hours(self) -> WorkingHours:
        """The office hours of a working day."""
        return self._hours

    @property
    def decided_days(self) -> dict[date, bool]:
        """Days answered by overrides or the fallback (not the bundled data) so far.

        Replaying an event with exactly these answers reproduces its deadlines even
        after an admin loads a newer schedule.
        """
        return dict(self._decided_here)

    def covers(self, day: date) -> bool:
        """Return True if the overrides or the bundled data know the day's year."""
        if day.year in self._override_years:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    @property
    def fallback_days(self) -> frozenset[date]:
        """Days looked up so far for which no data existed (the weekends-only rule was used)."""
        return frozenset(self._fallback)

    def drain_fallback_days(self) -> frozenset[date]:
        """Return the fallback days recorded so far and forget them."""
        days = self.fallback_days
        self._fallback.clear()
        return days

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Return the end of office hours of the n-th working day after start's local date."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = _local(start).date()
        if n == 0:
            while not self.is_workday(day):
                day += _ONE_DAY
        for _ in range(n):
            day += _ONE_DAY
            while not self.is_workday(day):
                day += _ONE_DAY
        return _at(day, self._hours.periods[-1][1])

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """Return the instant reached after adding this much office time to start."""
        if hours < 0:
            raise ValueError(f"hours must be >= 0, got {hours}")
        cursor = _local(start)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        while True:
            for period_start, period_end in self._periods(day):
                begin = max(cursor, period_start)
                if begin > period_end:
                    continue
                if remaining <= period_end - begin:
                    return begin + remaining
                remaining -= period_end - begin
            day += _ONE_DAY

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the office time between two instants (negative if end is before start)."""
        start, end = _local(start), _local(end)
        if end < start:
            return -self.working_time_between(end, start)
        first, last = start.date(), end.date()
        total = self._office_time(first, start, end)
        if last != first:
            total += self._office_time(last, start, end)
        day = first + _ONE_DAY
        while day < last:  # whole days in between: a working day counts its full hours
            if self.is_workday(day):
                total += self._day_length
            day += _ONE_DAY
        return total

    def working_time_from(self, start: datetime) -> Callable[[datetime], timedelta]:
        """`working_time_between(start, end)` for many ends (an inbox page's deadlines): the
        rest of the start's day, each whole day after it and each end's day's office periods
        are worked out once, not once per end."""
        local_start = _local(start)
        first = local_start.date()
        rest_of_first = self._office_time(first, local_start, _at(first + _ONE_DAY, time.min))
        whole = [timedelta()]  # office time of the first k whole days after `first`
        periods: dict[date, list[tuple[datetime, datetime]]] = {}

        def between(end: datetime) -> timedelta:
            local_end = _local(end)
            last = local_end.date()
            if last <= first:  # the same day, or before the start
                return self.working_time_between(start, end)
            days = (last - first).days - 1
            while len(whole) <= days:
                workday = self.is_workday(first + timedelta(days=len(whole)))
                whole.append(whole[-1] + (self._day_length if workday else timedelta()))
            if last not in periods:
                periods[last] = list(self._periods(last))
            total = rest_of_first + whole[days]
            for period_start, period_end in periods[last]:  # as `_office_time` counts them
                total += max(min(local_end, period_end) - period_start, timedelta())
            return total

        return between

    def _office_time(self, day: date, start: datetime, end: datetime) -> timedelta:
        """The office time of one day that lies between start and end."""
        total = timedelta()
        for period_start, period_end in self._periods(day):
            total += max(min(end, period_end) - max(start, period_start), timedelta())
        return total

    def _periods(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Yield the office periods of a day as aware datetimes (none on days off)."""
        if self.is_workday(day):
            for start, end in self._hours.periods:
                yield _at(day, start), _at(day, end)


def load_schedule(text: str) -> dict[date, bool]:
    """Parse an official schedule file (format in the module docstring) into overrides."""
    overrides: dict[date, bool] = {}
    seen_on: dict[date, int] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2:
            raise ScheduleError(
                f"line {number}: expected 'YYYY-MM-DD holiday|workday [name]', got '{line}'"
            )
        day = _parse_date(parts[0], number)
        keyword = parts[1].lower()
        if keyword not in _KEYWORDS:
            raise ScheduleError(
                f"line {number}: unknown keyword '{parts[1]}'; use holiday (休) or workday (班)"
            )
        if day in seen_on:
            raise ScheduleError(
                f"line {number}: {day} is already listed on line {seen_on[day]}; keep one entry"
            )
        overrides[day] = _KEYWORDS[keyword]
        seen_on[day] = number
    return overrides


def _parse_date(token: str, number: int) -> date:
    """Parse a strict YYYY-MM-DD token or raise ScheduleError naming the line."""
    try:
        if _DATE_RE.fullmatch(token):
            return date.fromisoformat(token)
    except ValueError:
        pass
    raise ScheduleError(f"line {number}: '{token}' is not a date (YYYY-MM-DD)")


def _local(moment: datetime) -> datetime:
    """Convert an aware datetime to Shanghai time; reject naive ones."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(SHANGHAI)


def _at(day: date, clock: time) -> datetime:
    """Return the Shanghai instant at this local date and time."""
    return datetime.combine(day, clock, tzinfo=SHANGHAI)
