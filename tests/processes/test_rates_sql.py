"""The 三率 counted by the database equal the ones counted in Python, for every grouping,
filter and scope of the ten-case scenario (tests/processes/rates_scenario.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.reporting import GROUPS, RatesQuery, rate_rows
from engine.service import Engine

from .rates_scenario import NOW, drive

pytestmark = pytest.mark.slow
QUERIES = [RatesQuery(group_by=g) for g in (None, *GROUPS)] + [
    RatesQuery(group_by="unit", filters={"unit": "town_a"}),
    RatesQuery(group_by="kind", filters={"kind": "special_handling", "tier": "district"}),
    RatesQuery(start=datetime.fromisoformat("2026-09-29T00:00:00+08:00"),
               end=datetime.fromisoformat("2026-10-10T00:00:00+08:00"), group_by="month"),
    RatesQuery(start=datetime.fromisoformat("2027-01-01T00:00:00+08:00")),  # no case at all
]  # fmt: skip


def test_rates_sql__equal_the_python_counts_for_every_grouping_and_scope(
    any_engine: Engine,
) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        reports = service.reports()
        for viewer in ("yuanhua", "wangfang", "guoming"):  # leader, town clerk, market bureau
            for query in QUERIES:
                counted = reports.rates(viewer, query, now=NOW)
                expected = rate_rows(reports.facts(viewer, query), query.group_by, NOW)
                assert counted == expected, (viewer, query)
        total = reports.rates("yuanhua", RatesQuery(), now=NOW)[0]
    assert (total.received, total.responded_on_time, total.satisfied) == (10, 9, 6)
