"""Linking a knowledge-base entry to a case from its classification task (engine/kb_links.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.errors import Conflict, NotAllowed, NotFound
from engine.service import Engine
from tests.engine.test_races import race

from .rates_scenario import drive

pytestmark = pytest.mark.slow
AT = datetime.fromisoformat("2026-10-12T10:00:00+08:00")
MATTER = {"title": "人才补贴申领需要什么条件", "description": "想问人才补贴怎么申领。",
          "kind": "policy_consultation", "tier": "town", "intake_unit": "town_a",
          "channel": "window", "contact": {"name": "测试", "phone": "13800000000"}}  # fmt: skip


def _entry_and_task(engine: Engine) -> tuple[str, str]:
    drive(engine)
    with engine.transaction() as service:
        entry = service.leadership.knowledge.create(
            "yuanhua", {"title": "人才补贴申领条件", "remedy": "社保满6个月即可申领。"}, at=AT
        )
        service.cases.start("closed_loop", key="K01", data=MATTER, actor="wangfang", at=AT)
        task = next(t for t in service.tasks.inbox("wangfang") if t.case_key == "K01")
        assert entry.key in [e.key for e in service.leadership.knowledge.suggest(
            "wangfang", f"{MATTER['title']} {MATTER['description']}")]  # fmt: skip
    return entry.key, task.id


def test_link__the_clerk_links_a_matching_entry_once(any_engine: Engine) -> None:
    key, task_id = _entry_and_task(any_engine)
    with any_engine.transaction() as service:
        kb = service.leadership.knowledge
        with pytest.raises(NotFound):
            kb.link("wangfang", task_id, "KB-999", at=AT)
        with pytest.raises((NotAllowed, NotFound)):
            kb.link("majun", task_id, key, at=AT)  # a department's handler: not this task
        kb.link("wangfang", task_id, key, at=AT)
    with any_engine.transaction() as service, pytest.raises(Conflict):
        service.leadership.knowledge.link("wangfang", task_id, key, at=AT)
    with any_engine.transaction() as service:
        events = [e for e in service.cases.history("K01") if e.kind == "kb_linked"]
        assert not service.chain.verify("K01")
    assert [(e.actor, e.inputs["entry"], e.inputs["title"]) for e in events] == [
        ("wangfang", key, "人才补贴申领条件")]  # fmt: skip


@pytest.mark.postgres
def test_link__racing_links_record_one(pg_engine: Engine) -> None:
    key, task_id = _entry_and_task(pg_engine)

    def link(service, index):  # type: ignore[no-untyped-def]
        return service.leadership.knowledge.link("wangfang", task_id, key, at=AT)

    results = race(pg_engine.settings.database_url, link, "K01")
    assert len([r for r in results if not isinstance(r, Exception)]) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    with pg_engine.transaction() as service:
        assert len([e for e in service.cases.history("K01") if e.kind == "kb_linked"]) == 1
