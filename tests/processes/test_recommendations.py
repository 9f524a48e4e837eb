"""Recommendations made upward: filed from the diagram, listed with their age until answered."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.service import Engine

from .rates_scenario import Driver, drive
from .test_knowledge import _write_entry

pytestmark = pytest.mark.slow
RECOMMEND = {"recommendation_to": "市人才办",
             "recommendation_text": "建议统一人才补贴的社保年限要求，写入市级细则。"}  # fmt: skip
LATER = datetime.fromisoformat("2026-11-02T09:00:00+08:00")  # 21 days after 10-12


def _recommend(engine: Engine) -> None:
    drive(engine)
    _write_entry(engine)  # C03, a policy gap: KB-1, then the office drafts a recommendation
    Driver(engine).complete("C03", "draft_recommendation", "yuanhua", "10-12T11:00", RECOMMEND)


def test_recommendation__filed_from_the_diagram_and_awaiting_with_its_age(
    any_engine: Engine,
) -> None:
    _recommend(any_engine)
    with any_engine.transaction() as service:
        entry = service.leadership.knowledge.get("yuanhua", "KB-2")
        (waiting,) = service.leadership.recommendations.awaiting("panzhiqiang", now=LATER)
        with pytest.raises(NotAllowed):
            service.leadership.recommendations.awaiting("wangfang")  # a clerk
    assert entry.status == "recommended" and entry.source_cases == ("C03",)
    assert entry.remedy == RECOMMEND["recommendation_text"]
    assert entry.answer is not None and entry.answer.state == "awaiting"
    assert entry.answer.recommended_to == "市人才办"
    assert (waiting.key, waiting.age_days, waiting.recommended_to) == ("KB-2", 21, "市人才办")


def test_recommendation__answer_is_recorded_once_with_text_day_and_who(
    any_engine: Engine,
) -> None:
    _recommend(any_engine)
    with any_engine.transaction() as service:
        answers = service.leadership.recommendations
        for values, field, code in [
            ({"answer_text": " "}, "answer_text", "required"),
            ({"answer_text": "采纳", "answered_on": "2026-12-01"}, "answered_on", "in_the_future"),
            ({"answer_text": "已采纳", "answered_on": "11/01"}, "answered_on", "not_a_date"),
        ]:
            with pytest.raises(FormInvalid) as bad:
                answers.answer("yuanhua", "KB-2", values, at=LATER)
            assert [(e.field, e.code) for e in bad.value.errors] == [(field, code)]
        with pytest.raises(FormInvalid) as explained:
            answers.answer("yuanhua", "KB-1", {"answer_text": "已采纳"}, at=LATER)
        assert explained.value.errors[0].code == "not_a_recommendation"
        with pytest.raises(NotAllowed):
            answers.answer("wangfang", "KB-2", {"answer_text": "已采纳"}, at=LATER)
        answers.answer("yuanhua", "KB-2", {"answer_text": "市人才办已采纳，明年细则修订。",
                                           "answered_on": "2026-10-30"}, at=LATER)  # fmt: skip
    with any_engine.transaction() as service:
        entry = service.leadership.knowledge.get("shenyi", "KB-2")
        assert service.leadership.recommendations.awaiting("yuanhua", now=LATER) == []
        with pytest.raises(Conflict):
            service.leadership.recommendations.answer("yuanhua", "KB-2", {"answer_text": "再答"})
    answer = entry.answer
    assert answer is not None and answer.state == "answered" and answer.by == "yuanhua"
    assert answer.text == "市人才办已采纳，明年细则修订。"
    assert answer.at is not None and answer.at.date().isoformat() == "2026-10-30"
