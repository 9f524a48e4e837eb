"""Joint meeting members deciding the same agenda item at once, on PostgreSQL: one wins."""

from __future__ import annotations

import pytest

from engine.errors import Conflict
from engine.service import Engine
from tests.engine.test_races import race

from .test_meetings import DECIDED_AT, DECISION, _meeting

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
MEMBERS = ("panzhiqiang", "duyuan")


def test_meeting_decision__racing_members_record_one_decision(pg_engine: Engine) -> None:
    key = _meeting(pg_engine)
    with pg_engine.transaction() as service:
        first = service.leadership.meetings.get(key, "yuanhua").items[0].case_key

    def decide(service, index):  # type: ignore[no-untyped-def]
        member = MEMBERS[index % 2]
        text = f"{DECISION['decision']}（{index}）"
        return service.leadership.meetings.decide(
            key, first, member, {**DECISION, "decision": text}, at=DECIDED_AT
        )

    results = race(pg_engine.settings.database_url, decide, key)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    with pg_engine.transaction() as service:
        decided = [e for e in service.cases.history(first) if e.kind == "meeting_decided"]
        meeting = service.leadership.meetings.get(key, "yuanhua")
        assert not service.chain.verify(first)
    assert len(decided) == 1
    assert meeting.items[0].decision is not None
    assert meeting.items[0].decision["decision"] == decided[0].inputs["decision"]
