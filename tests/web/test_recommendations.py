"""Recommendations made upward on the knowledge page, the dashboard and the API."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.processes.rates_scenario import Driver
from tests.processes.test_recommendations import RECOMMEND

from .conftest import api_token, csrf_token
from .test_leaders import _client, app, prepared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def _recommend(app: Flask) -> None:  # noqa: F811
    engine = app.extensions["mashangban.engine"]
    Driver(engine).complete("C03", "draft_recommendation", "yuanhua", "10-12T11:00", RECOMMEND)


def test_awaiting__listed_on_the_knowledge_page_and_the_dashboard(app: Flask) -> None:  # noqa: F811
    _recommend(app)
    client = _client(app, "yuanhua")
    for path in ("/knowledge", "/dashboard"):
        page = client.get(path).get_data(as_text=True)
        assert "待上级答复的建议" in page and 'data-entry="KB-2"' in page and "市人才办" in page
    clerk = _client(app, "wangfang").get("/knowledge").get_data(as_text=True)
    assert "待上级答复的建议" not in clerk


def test_answer__recorded_on_the_entry_page_with_errors_by_the_field(app: Flask) -> None:  # noqa: F811
    _recommend(app)
    client = _client(app, "yuanhua")
    token = csrf_token(client, "/knowledge/KB-2")
    bad = client.post("/knowledge/KB-2/answer", data={"csrf_token": token, "answer_text": ""})
    assert bad.status_code == 422 and "此项为必填项" in bad.get_data(as_text=True)
    answer = {"csrf_token": token, "answer_text": "市人才办已采纳。", "answered_on": "2026-10-20"}
    done = client.post("/knowledge/KB-2/answer", follow_redirects=True, data=answer)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "已答复" in page and "市人才办已采纳。" in page
    assert 'data-entry="KB-2"' not in client.get("/knowledge").get_data(as_text=True)


def test_api__lists_and_answers_a_recommendation(app: Flask) -> None:  # noqa: F811
    _recommend(app)
    client = app.test_client()
    headers = api_token(client, "yuanhua")
    listed = client.get("/api/v1/recommendations", headers=headers).get_json()
    (first,) = listed["recommendations"]
    assert (first["id"], first["recommended_to"]) == ("KB-2", "市人才办")
    assert first["age_days"] >= 0
    clerk = api_token(client, "wangfang")
    assert client.get("/api/v1/recommendations", headers=clerk).status_code == 403
    missing = client.post("/api/v1/knowledge/KB-2/answer", headers=headers, json={})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["errors"][0]["field"] == "answer_text"
    body = {"answer_text": "已采纳。", "answered_on": "2026-10-20"}
    answered = client.post("/api/v1/knowledge/KB-2/answer", headers=headers, json=body)
    assert answered.status_code == 200
    got = answered.get_json()["answer"]
    assert (got["state"], got["text"], got["by"]) == ("answered", "已采纳。", "yuanhua")
    again = client.post("/api/v1/knowledge/KB-2/answer", headers=headers,
                        json={"answer_text": "再答"})  # fmt: skip
    assert again.status_code == 409
    assert client.get("/api/v1/recommendations", headers=headers).get_json() == {
        "recommendations": []}  # fmt: skip
    document = client.get("/api/v1/openapi.json").get_json()
    assert "post" in document["paths"]["/api/v1/knowledge/{key}/answer"]
    assert "get" in document["paths"]["/api/v1/recommendations"]
