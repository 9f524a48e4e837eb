"""Goal (issue 12): the 三率 report over 100,000 intake cases answers in under 1 s on PostgreSQL.

The ten cases of the known scenario (tests/processes/rates_scenario.py: real diagrams,
Mid-Autumn holiday) are driven through the engine, then their case rows and their whole
event histories are cloned in SQL, so every row has the shape the engine writes. The
report is computed through the service API: once on a fresh engine right after the copy
(backfill: the copies bypassed the engine, so every history is folded and `case_facts`
filled), once more on another fresh engine (cold: one read of `case_facts`, as after a
restart in production, where the engine keeps the table with every event) and then
again (warm). Since issue 12 the report is one aggregate query over `case_facts`
(engine/rates_sql.py): cold and warm differ only by PostgreSQL's caches. After the
backfill the two tables are vacuumed, as autovacuum does soon after a bulk write (the
report reads `cases` through an index-only scan).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from engine.reporting import RatesQuery
from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import NOW, Driver, drive

from .common import median
from .inbox import _columns

VIEWER = "yuanhua"  # leading-group office: sees every case


def _clone(engine: Engine, copies: int) -> None:
    """`copies` clones of every scenario case (rows and events), 10,000 copies a batch."""
    case_columns = _columns(engine, "cases")
    values = ["'B' || g || '-' || t.business_key" if c == "business_key" else f"t.{c}"
              for c in case_columns]  # fmt: skip
    event_columns = [c for c in _columns(engine, "case_events") if c != "case_id"]
    for offset in range(0, copies, 10_000):
        batch = {"first": offset + 1, "last": min(copies, offset + 10_000)}
        series = "generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g"
        with engine.sql.begin() as connection:
            connection.execute(text(
                f"INSERT INTO cases ({', '.join(case_columns)}) SELECT {', '.join(values)} "
                f"FROM cases t, {series} "
                "WHERE t.business_key LIKE 'C__'"), batch)  # fmt: skip
            connection.execute(text(
                f"INSERT INTO case_events (case_id, {', '.join(event_columns)}) "
                f"SELECT n.id, {', '.join('e.' + c for c in event_columns)} "
                f"FROM {series} "
                "JOIN cases t ON t.business_key LIKE 'C__' "
                "JOIN cases n ON n.business_key = 'B' || g || '-' || t.business_key "
                "JOIN case_events e ON e.case_id = t.id"), batch)  # fmt: skip
    with engine.sql.begin() as connection:
        connection.execute(text("ANALYZE"))


def _timed(engine: Engine) -> tuple[float, list]:
    started = time.perf_counter()
    with engine.transaction() as service:
        rows = service.reports().rates(VIEWER, RatesQuery(group_by="unit"), now=NOW)
    return (time.perf_counter() - started) * 1000, rows


def rates_ms(url: str, cases: int, samples: int = 5) -> tuple[float, float, float, float, int, int]:
    """(backfill, cold, warm median, after-one-change ms, cases counted, events)."""
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    drive(engine)
    started = time.perf_counter()
    _clone(engine, cases // 10 - 1)
    with engine.sql.connect() as connection:
        events = int(connection.execute(text("SELECT count(*) FROM case_events")).scalar_one())
    print(f"  (rates data: {cases:,} cases, {events:,} events in "
          f"{time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    engine.close()
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    backfill, _rows = _timed(engine)
    with engine.sql.connect() as connection:  # what autovacuum does soon after a bulk write
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM ANALYZE cases"))
        connection.execute(text("VACUUM ANALYZE case_facts"))
    engine.close()
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    cold, rows = _timed(engine)
    warm = median([_timed(engine)[0] for _ in range(samples)])
    counted = sum(row.received for row in rows)
    expected = cases * 9 // 10  # the scenario's 9 of 10 answered in time, at any scale
    assert sum(row.responded_on_time for row in rows) == expected, rows
    Driver(engine).complete("C10", "dh_sign", "guoming", "10-12T11:40", {"sign_decision": "sign"})
    changed, _rows = _timed(engine)  # one case moved: its history is folded again
    engine.close()
    return backfill, cold, warm, changed, counted, events
