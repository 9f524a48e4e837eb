"""The 三率 report over ten cases driven through the real diagrams (rates_scenario.py)."""

from __future__ import annotations

import pytest

from engine.errors import FormInvalid, NotAllowed
from engine.reporting import RatesQuery
from engine.service import Engine

from .rates_scenario import NOW, Driver, drive

pytestmark = pytest.mark.slow

TOTAL = {
    "received": 10, "responded_on_time": 9, "response_judged": 10, "response_rate": 0.9,
    "finished": 8, "finished_on_time": 7, "finished_or_overdue": 9, "on_time_rate": 0.7778,
    "rated": 8, "satisfied": 6, "satisfaction_rate": 0.75, "rehandled": 0,
    "escalated": {"1": 0, "2": 0, "3": 0, "4": 0}, "cannot_resolve": 0, "median_hours": 1.0,
}  # fmt: skip
# 考核 ranking: 按时办结率, then 满意率, then 响应率
RANKING = [
    ("town_a", 3, 3, 3, 3, 3, 2, 3),
    ("village_a1", 3, 3, 2, 2, 2, 1, 2),
    ("district", 4, 3, 2, 4, 3, 3, 3),
]


def _subset(row: dict, wanted: dict) -> dict:
    return {name: row[name] for name in wanted}


def test_rates__known_scenario_across_mid_autumn_gives_exact_rates_and_ranking(
    any_engine: Engine,
) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        reports = service.reports()
        total = reports.rates("yuanhua", RatesQuery(), now=NOW)[0].as_dict()
        dashboard = reports.dashboard("yuanhua", RatesQuery(), now=NOW)
        months = reports.rates("panzhiqiang", RatesQuery(group_by="month"), now=NOW)
    assert _subset(total, TOTAL) == TOTAL
    ranked = [(r.group, r.received, r.responded_on_time, r.finished_on_time,
               r.finished_or_overdue, r.rated, r.satisfied, r.finished)
              for r in dashboard.ranking]  # fmt: skip
    assert ranked == RANKING
    assert [(r.group, r.received, r.finished_on_time, r.finished_or_overdue) for r in months] == [
        ("2026-09", 6, 4, 6), ("2026-10", 4, 3, 3)
    ]  # fmt: skip
    assert dashboard.hot_spots["places"] == [("district", 4), ("town_a", 3), ("village_a1", 3)]
    overdue = {(t.case_key, t.task_name, t.holder) for t in dashboard.overdue}
    assert ("C09", "签收", "区市场监管局") in overdue
    assert [t.case_key for t in dashboard.due_soon if t.task_name == "签收"] == ["C10"]


def test_rates__filters_and_scope_narrow_the_cases(any_engine: Engine) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        reports = service.reports()
        town = reports.rates("wangfang", RatesQuery(), now=NOW)[0]  # town_a and its villages
        village = reports.rates("yuanhua", RatesQuery(filters={"unit": "village_a1"}), now=NOW)
        dispatched = reports.rates("yuanhua", RatesQuery(filters={"kind": "special_handling"}),
                                   now=NOW)[0]  # fmt: skip
        market = reports.rates("guoming", RatesQuery(), now=NOW)[0]
        before_holiday = reports.rates(
            "yuanhua", RatesQuery(end=NOW.replace(month=9, day=29, hour=0)), now=NOW
        )[0]
        with pytest.raises(NotAllowed):
            reports.rates("qianjin", RatesQuery(), now=NOW)
        with pytest.raises(FormInvalid):
            reports.rates("yuanhua", RatesQuery(group_by="colour"), now=NOW)
    assert (town.received, town.satisfied, town.rated) == (6, 3, 5)
    assert [(r.received, r.finished) for r in village] == [(3, 2)]
    assert (dispatched.received, dispatched.finished_on_time, dispatched.finished_or_overdue) == (
        3, 1, 2
    )  # fmt: skip
    assert market.received == 3
    assert (before_holiday.received, before_holiday.responded_on_time) == (2, 1)


def test_rates__report_follows_new_events_after_the_first_fold(any_engine: Engine) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        before = service.reports().rates("yuanhua", RatesQuery(), now=NOW)[0]
    driver = Driver(any_engine)
    driver.start("C11", "town_a", "10-12T11:00")  # its 24 hours run until 13 Oct: not judged yet
    driver.complete(
        "C04",
        "review_unsatisfied",
        "weiming",
        "10-12T11:30",
        {"review_decision": "rehandle", "review_note": "请重新研究答复口径。"},
    )
    driver.complete("C10", "dh_sign", "guoming", "10-12T11:40", {"sign_decision": "sign"})
    with any_engine.transaction() as service:
        after = service.reports().rates("yuanhua", RatesQuery(), now=NOW)[0]
    assert (before.received, after.received) == (10, 11)
    assert (before.response_judged, after.response_judged) == (10, 10)
    assert (before.rehandled, after.rehandled) == (0, 1)
    assert after.rated == before.rated == 8  # C04's unsatisfied rating stands until re-rated


def test_rates__passing_up_is_no_first_response() -> None:
    """A window that only passes the matter up has not answered; the receiving window's
    acceptance is the first response."""
    from datetime import UTC, datetime

    from engine.rates import fold

    def event(kind: str, hour: int, spec: str | None, mode: str | None) -> tuple:
        at = datetime(2026, 6, 10, hour, tzinfo=UTC)
        return (kind, at, spec, None, *([None] * 10), mode)

    facts = fold(1, [
        event("started", 1, None, None),
        event("task_completed", 2, "accept_case", "pass_up"),
        event("task_completed", 5, "accept_case", "dispatch"),
    ])  # fmt: skip
    assert facts.responded_at == datetime(2026, 6, 10, 5, tzinfo=UTC)
