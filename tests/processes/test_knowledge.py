"""Knowledge-base entries written by the root-cause review, found by Chinese search."""

from __future__ import annotations

import pytest

from engine.errors import FormInvalid, NotAllowed, NotFound
from engine.service import Engine

from .rates_scenario import Driver, drive

pytestmark = pytest.mark.slow

REVIEW = {"cause_category": "policy_gap", "is_common": True,
          "root_cause_note": "政策咨询集中在人才补贴申领条件，窗口口径不一。"}  # fmt: skip
ENTRY = {"kb_question": "人才补贴申领条件怎么答复？",
         "kb_answer": "按区人才办2026年细则答复：本科以上、社保满6个月即可申领，窗口当场告知材料。",
         "kb_keywords": "人才补贴，申领"}  # fmt: skip


def _write_entry(engine: Engine, key: str = "C03", extra: dict | None = None) -> None:
    driver = Driver(engine)
    driver.complete(key, "analyse_root_cause", "wangfang", "10-12T10:00", REVIEW)
    driver.complete(key, "write_knowledge_entry", "wangfang", "10-12T10:30",
                    {**ENTRY, **(extra or {})})  # fmt: skip


def test_knowledge__review_creates_an_entry_found_by_two_character_words(
    any_engine: Engine,
) -> None:
    drive(any_engine)
    _write_entry(any_engine)
    with any_engine.transaction() as service:
        kb = service.leadership.knowledge
        found = kb.search("zhaolei", "补贴")
        assert [e.key for e in found] == ["KB-1"]
        entry = kb.get("huangtao", "kb-1")
        assert kb.search("yuanhua", "补贴 社保") == [entry]
        assert kb.search("yuanhua", "补贴 噪音") == []
        assert kb.search("yuanhua", "100%") == []  # LIKE wildcards are plain text
        suggested = kb.suggest("wangfang", "想问一下人才补贴需要什么条件")
    assert entry.title == ENTRY["kb_question"] and entry.source_cases == ("C03",)
    assert entry.keywords == ("人才补贴", "申领") and entry.category == "policy_gap"
    assert [e.key for e in suggested] == ["KB-1"]


def test_knowledge__naming_an_entry_updates_it_and_links_the_case(any_engine: Engine) -> None:
    drive(any_engine)
    _write_entry(any_engine)
    _write_entry(
        any_engine,
        "C08",
        {"kb_entry_id": "KB-1", "kb_answer": "以区人才办最新细则为准，窗口当场告知材料清单。"},
    )
    with any_engine.transaction() as service:
        assert service.leadership.knowledge.count() == 1
        entry = service.leadership.knowledge.get("yuanhua", "KB-1")
    assert entry.source_cases == ("C03", "C08") and entry.remedy.startswith("以区人才办")


def test_knowledge__roles_and_bad_input(any_engine: Engine) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        kb = service.leadership.knowledge
        with pytest.raises(NotFound):
            kb.get("yuanhua", "KB-9")
        with pytest.raises(NotAllowed):
            kb.create("wangfang", {"title": "标题", "remedy": "办法"})
        with pytest.raises(FormInvalid) as error:
            kb.create("yuanhua", {"title": " ", "status": "maybe"})
        assert {e.field for e in error.value.errors} == {"title", "remedy", "status"}
        made = kb.create("yuanhua", {"title": "占道经营由城管执法", "remedy": "转区城管局",
                                     "status": "rule_changed"})  # fmt: skip
        assert kb.search("wangfang", "占道")[0].key == made.key
