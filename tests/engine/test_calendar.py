"""Tests for the Asia/Shanghai working-day calendar.

Holiday facts below were checked against chinesecalendar 1.11.0:
- Mid-Autumn 2026: Fri 09-25 to Sun 09-27 off.
- National Day 2026: Thu 10-01 to Wed 10-07 off; make-up days Sun 09-20 and Sat 10-10.
- Spring Festival 2026: Sun 02-15 to Mon 02-23 off; make-up days Sat 02-14 and Sat 02-28.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from engine.calendar import (
    SHANGHAI,
    ScheduleError,
    WorkingCalendar,
    WorkingHours,
    load_schedule,
)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return an Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of_day(year: int, month: int, day: int) -> datetime:
    """Return 17:30 Shanghai time, the default end of office hours."""
    return sh(year, month, day, 17, 30)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- is_workday / covers -------------------------------------------------------------


def test_is_workday__knows_2026_holidays_and_makeup_days(cal):
    assert cal.is_workday(date(2026, 10, 1)) is False
    assert cal.is_workday(date(2026, 10, 10)) is True  # Saturday make-up day
    assert cal.is_workday(date(2026, 9, 20)) is True  # Sunday make-up day
    assert cal.is_workday(date(2026, 2, 14)) is True  # Saturday make-up day
    assert cal.is_workday(date(2026, 9, 25)) is False  # Mid-Autumn Friday
    assert cal.fallback_days == frozenset()


def test_covers__bundled_years_and_override_years():
    cal = WorkingCalendar(overrides={date(2027, 1, 1): False})
    assert cal.covers(date(2026, 6, 1))
    assert cal.covers(date(2027, 6, 1))
    assert not cal.covers(date(2028, 6, 1))
    assert not WorkingCalendar().covers(date(2027, 6, 1))


# --- add_working_days ----------------------------------------------------------------


def test_add_working_days__plain_week(cal):
    assert cal.add_working_days(sh(2026, 6, 8, 10), 1) == end_of_day(2026, 6, 9)
    assert cal.add_working_days(sh(2026, 6, 8, 10), 3) == end_of_day(2026, 6, 11)


def test_add_working_days__skips_weekend(cal):
    assert cal.add_working_days(sh(2026, 6, 11, 10), 3) == end_of_day(2026, 6, 16)


def test_add_working_days__start_time_of_day_does_not_matter(cal):
    assert cal.add_working_days(sh(2026, 6, 8, 23, 59), 1) == end_of_day(2026, 6, 9)


def test_add_working_days__skips_mid_autumn_friday(cal):
    assert cal.add_working_days(sh(2026, 9, 24, 10), 1) == end_of_day(2026, 9, 28)


def test_add_working_days__skips_national_day_and_counts_makeup_saturday(cal):
    start = sh(2026, 9, 30, 10)
    assert cal.add_working_days(start, 1) == end_of_day(2026, 10, 8)
    assert cal.add_working_days(start, 3) == end_of_day(2026, 10, 10)
    assert cal.add_working_days(start, 4) == end_of_day(2026, 10, 12)


def test_add_working_days__counts_makeup_sunday_before_national_day(cal):
    assert cal.add_working_days(sh(2026, 9, 19, 10), 1) == end_of_day(2026, 9, 20)


def test_add_working_days__spring_festival_counts_makeup_saturdays(cal):
    start = sh(2026, 2, 13, 10)
    assert cal.add_working_days(start, 1) == end_of_day(2026, 2, 14)
    assert cal.add_working_days(start, 2) == end_of_day(2026, 2, 24)
    assert cal.add_working_days(sh(2026, 2, 27, 10), 1) == end_of_day(2026, 2, 28)


def test_add_working_days__zero_on_workday_is_same_day(cal):
    assert cal.add_working_days(sh(2026, 6, 8, 10), 0) == end_of_day(2026, 6, 8)


def test_add_working_days__zero_on_holiday_is_next_workday(cal):
    assert cal.add_working_days(sh(2026, 10, 3, 10), 0) == end_of_day(2026, 10, 8)


def test_add_working_days__zero_on_makeup_saturday_is_same_day(cal):
    assert cal.add_working_days(sh(2026, 10, 10, 10), 0) == end_of_day(2026, 10, 10)


def test_add_working_days__uses_shanghai_local_date(cal):
    # 2026-06-08 20:00 UTC is Tuesday 2026-06-09 04:00 in Shanghai.
    start = datetime(2026, 6, 8, 20, tzinfo=UTC)
    result = cal.add_working_days(start, 1)
    assert result == end_of_day(2026, 6, 10)
    assert result.tzinfo == SHANGHAI


def test_working_hours__rejects_bad_periods():
    with pytest.raises(ValueError):
        WorkingHours(periods=())
    with pytest.raises(ValueError):
        WorkingHours(periods=((time(12), time(9)),))


def test_add_working_days__negative_n_rejected(cal):
    with pytest.raises(ValueError, match="n must be >= 0"):
        cal.add_working_days(sh(2026, 6, 8), -1)


def test_add_working_days__custom_hours_end_at_last_period():
    cal = WorkingCalendar(hours=WorkingHours(periods=((time(9), time(18)),)))
    assert cal.add_working_days(sh(2026, 6, 8, 10), 1) == sh(2026, 6, 9, 18)


# --- add_working_hours ---------------------------------------------------------------


def test_add_working_hours__within_morning(cal):
    assert cal.add_working_hours(sh(2026, 6, 8, 9), 2) == sh(2026, 6, 8, 11)


def test_add_working_hours__across_lunch(cal):
    assert cal.add_working_hours(sh(2026, 6, 8, 11), 2) == sh(2026, 6, 8, 14, 30)


def test_add_working_hours__overnight(cal):
    assert cal.add_working_hours(sh(2026, 6, 8, 17), 1.5) == sh(2026, 6, 9, 9, 30)


def test_add_working_hours__friday_evening_to_monday(cal):
    assert cal.add_working_hours(sh(2026, 6, 12, 17), 1) == sh(2026, 6, 15, 9)


def test_add_working_hours__outside_office_starts_at_next_period(cal):
    assert cal.add_working_hours(sh(2026, 6, 8, 7), 1) == sh(2026, 6, 8, 9, 30)
    assert cal.add_working_hours(sh(2026, 6, 8, 12, 15), 1) == sh(2026, 6, 8, 14, 30)
    assert cal.add_working_hours(sh(2026, 6, 13, 10), 1) == sh(2026, 6, 15, 9, 30)


def test_add_working_hours__ending_exactly_at_period_end_stays_that_day(cal):
    assert cal.add_working_hours(sh(2026, 6, 8, 16, 30), 1) == sh(2026, 6, 8, 17, 30)


def test_add_working_hours__skips_national_day(cal):
    assert cal.add_working_hours(sh(2026, 9, 30, 17), 1) == sh(2026, 10, 8, 9)


def test_add_working_hours__negative_rejected(cal):
    with pytest.raises(ValueError, match="hours must be >= 0"):
        cal.add_working_hours(sh(2026, 6, 8), -0.5)


# --- working_time_between ------------------------------------------------------------


def test_working_time_between__same_day_excludes_lunch(cal):
    assert cal.working_time_between(sh(2026, 6, 8, 11), sh(2026, 6, 8, 14)) == timedelta(
        hours=1, minutes=30
    )


def test_working_time_between__full_day_is_seven_and_a_half_hours(cal):
    assert cal.working_time_between(sh(2026, 6, 8), sh(2026, 6, 9)) == timedelta(hours=7.5)


def test_working_time_between__over_weekend(cal):
    assert cal.working_time_between(sh(2026, 6, 12, 17), sh(2026, 6, 15, 9)) == timedelta(hours=1)


def test_working_time_between__negative_when_overdue(cal):
    deadline = end_of_day(2026, 6, 8)
    assert cal.working_time_between(sh(2026, 6, 9, 11, 30), deadline) == -timedelta(hours=3)


def test_working_time_between__inverts_add_working_hours(cal):
    start = sh(2026, 9, 29, 10, 15)
    end = cal.add_working_hours(start, 20.25)
    assert cal.working_time_between(start, end) == timedelta(hours=20.25)


# --- naive datetimes -----------------------------------------------------------------


def test_working_time_from__same_as_working_time_between_for_every_end():
    """The inbox's many-deadlines form (`working_time_from`) gives exactly the pairwise answer:
    across holidays, make-up days, the 2027 fallback, overrides, and ends before the start."""
    cal = WorkingCalendar({date(2026, 10, 9): False, date(2027, 1, 4): False})
    for start in (sh(2026, 9, 24, 10, 15), sh(2026, 9, 30, 18), sh(2026, 12, 30, 12, 30),
                  datetime(2026, 2, 13, 3, 7, 11, 250, tzinfo=UTC)):  # fmt: skip
        between = cal.working_time_from(start)
        ends = [start + timedelta(minutes=97 * i + i * i) for i in range(-40, 400)]
        ends += [sh(2026, 10, d, h) for d in range(1, 12) for h in (0, 8, 9, 12, 13, 17, 23)]
        for end in ends:
            assert between(end) == cal.working_time_between(start, end), (start, end)
    assert WorkingCalendar().fallback_days == frozenset()
    fresh = WorkingCalendar()
    fresh.working_time_from(sh(2026, 12, 31, 9))(sh(2027, 1, 5, 9))
    assert fresh.fallback_days == {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3),
                                   date(2027, 1, 4), date(2027, 1, 5)}  # fmt: skip


def test_naive_datetime__rejected_everywhere(cal):
    naive = datetime(2026, 6, 8, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_hours(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_time_between(naive, sh(2026, 6, 9))


# --- fallback past the bundled data --------------------------------------------------


def test_add_working_days__2027_falls_back_to_weekends_and_records_days(cal):
    assert cal.add_working_days(sh(2026, 12, 30, 10), 5) == end_of_day(2027, 1, 6)
    expected = frozenset(date(2027, 1, d) for d in range(1, 7))
    assert cal.fallback_days == expected
    assert cal.drain_fallback_days() == expected
    assert cal.fallback_days == frozenset()


def test_overrides__win_over_bundled_data():
    cal = WorkingCalendar(overrides={date(2026, 6, 8): False, date(2026, 6, 13): True})
    assert cal.is_workday(date(2026, 6, 8)) is False
    assert cal.add_working_days(sh(2026, 6, 12, 10), 1) == end_of_day(2026, 6, 13)


def test_overrides__for_2027_are_used_and_suppress_fallback():
    cal = WorkingCalendar(overrides={date(2027, 1, 1): False, date(2027, 1, 2): False})
    assert cal.add_working_days(sh(2026, 12, 30, 10), 5) == end_of_day(2027, 1, 7)
    assert cal.fallback_days == frozenset()


# --- load_schedule -------------------------------------------------------------------

GOOD_SCHEDULE = """\ufeff# 2027 official schedule (example)

2027-01-01  holiday  元旦
2027-02-06  workday  春节调休   # Saturday
2027-02-07  休
2027-02-20  班 春节调休
2027-10-01  HOLIDAY
"""


def test_load_schedule__parses_english_and_chinese_keywords():
    assert load_schedule(GOOD_SCHEDULE) == {
        date(2027, 1, 1): False,
        date(2027, 2, 6): True,
        date(2027, 2, 7): False,
        date(2027, 2, 20): True,
        date(2027, 10, 1): False,
    }


def test_load_schedule__empty_text_gives_no_overrides():
    assert load_schedule("# nothing yet\n\n") == {}


def test_load_schedule__bad_date_names_line():
    text = "# header\n2027-01-01 holiday\n2027-13-01 holiday\n"
    with pytest.raises(ScheduleError, match=r"^line 3: '2027-13-01' is not a date \(YYYY-MM-DD\)"):
        load_schedule(text)


def test_load_schedule__non_iso_date_rejected():
    with pytest.raises(ScheduleError, match="line 1: '2027/1/1' is not a date"):
        load_schedule("2027/1/1 holiday\n")


def test_load_schedule__unknown_keyword_names_line():
    with pytest.raises(ScheduleError, match=r"line 2: unknown keyword 'off'.*holiday.*workday"):
        load_schedule("2027-01-01 holiday\n2027-01-02 off\n")


def test_load_schedule__missing_keyword_names_line():
    with pytest.raises(
        ScheduleError, match=re.escape("line 1: expected 'YYYY-MM-DD holiday|workday")
    ):
        load_schedule("2027-01-01\n")


def test_load_schedule__duplicate_date_names_both_lines():
    text = "2027-01-01 holiday\n\n2027-01-01 workday\n"
    with pytest.raises(ScheduleError, match="line 3: 2027-01-01 is already listed on line 1"):
        load_schedule(text)


def test_load_schedule__schedule_error_is_value_error():
    assert issubclass(ScheduleError, ValueError)
