"""Merging duplicates raced on PostgreSQL: clerks merging the same pair either way at once
never deadlock (both cases are locked in id order) and exactly one merge happens."""

from __future__ import annotations

import pytest

from engine.errors import Conflict
from engine.service import Engine, Service
from tests.engine.test_races import RACERS, one_winner, race
from tests.reachcase import STREETLIGHT, STREETLIGHT_AGAIN, appeal, set_up

pytestmark = pytest.mark.postgres


def test_merge_race__pair_merged_both_ways_at_once_merges_once(
    pg_engine: Engine, postgres_url: str
) -> None:
    set_up(pg_engine)
    with pg_engine.transaction() as service:
        first = service.cases.start("closed_loop", data=appeal(*STREETLIGHT)).key
        second = service.cases.start("closed_loop", data=appeal(*STREETLIGHT_AGAIN)).key

    def merge(service: Service, index: int) -> str:
        # Half the clerks merge the newer into the older, half the other way round.
        dup, main = (second, first) if index % 2 else (first, second)
        service.reach.duplicates.merge(dup, main, "wangfang")
        return dup

    results = race(postgres_url, merge, warm_key=first)
    one_winner(results, (Conflict,))
    (merged,) = [r for r in results if isinstance(r, str)]
    main = first if merged == second else second
    with pg_engine.transaction() as service:
        assert service.cases.get(merged).status == "merged"
        assert service.cases.get(main).status == "running"
        assert [e.kind for e in service.cases.history(merged)].count("merged") == 1
        assert [e.kind for e in service.cases.history(main)].count("duplicate_merged") == 1
        assert service.chain.verify(merged) == [] and service.chain.verify(main) == []
    assert RACERS >= 2
