"""The leaders' pages and API over the ten-case scenario: heatmap, bulletin, case lists,
the monthly meeting and the knowledge base, with their role checks."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import Driver, driven_database

from .conftest import PASSWORD, api_token, csrf_token, login, make_app

pytestmark = pytest.mark.slow
MEETING_TIME = datetime.fromisoformat("2026-10-08T09:30:00+08:00")
SIMILAR = {"title": "人才补贴申领需要什么条件", "description": "想问人才补贴怎么申领。",
           "kind": "policy_consultation", "tier": "town", "intake_unit": "town_a",
           "channel": "window", "contact": {"name": "测试", "phone": "13800000000"}}  # fmt: skip


def _prepare(engine: Engine) -> None:
    """A knowledge-base entry from C03's review, and September's meeting with its agenda."""
    driver = Driver(engine)
    driver.complete("C03", "analyse_root_cause", "wangfang", "10-12T10:00",
                    {"cause_category": "policy_gap", "is_common": True,
                     "root_cause_note": "人才补贴口径不一。"})  # fmt: skip
    driver.complete("C03", "write_knowledge_entry", "wangfang", "10-12T10:30",
                    {"kb_question": "人才补贴申领条件怎么答复？",
                     "kb_answer": "按区人才办细则答复：社保满6个月即可申领。",
                     "kb_keywords": "人才补贴"})  # fmt: skip
    engine.fire_due_timers(MEETING_TIME)
    with engine.transaction() as service:
        task = next(t for t in service.tasks.inbox("yuanhua") if t.task_spec == "mm_review_agenda")
        service.tasks.complete(task.id, "yuanhua",
                               {"meeting_date": "2026-10-09", "chair": "潘志强"},
                               at=MEETING_TIME)  # fmt: skip


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = driven_database(tmp_path_factory.mktemp("leaders"), PASSWORD)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=path.parent))
    _prepare(engine)
    engine.close()
    return path


@pytest.fixture
def app(prepared: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "mashangban.db"
    shutil.copy(prepared, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    made = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    engine.close()
    yield made
    made.extensions["mashangban.engine"].close()


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def _meeting_key(app: Flask) -> str:
    with app.extensions["mashangban.engine"].transaction() as service:
        return service.leadership.meetings.list("yuanhua")[0].key


def test_heatmap__api_counts_kind_by_unit_and_the_page_shows_them(app: Flask) -> None:
    client = app.test_client()
    body = client.get("/api/v1/reports/heatmap?rows=kind&columns=unit",
                      headers=api_token(client, "yuanhua")).get_json()  # fmt: skip
    cells = {(c["row"], c["column"]): c["received"] for c in body["cells"]}
    assert cells == {
        ("policy_consultation", "district"): 2,
        ("policy_consultation", "town_a"): 3,
        ("policy_consultation", "village_a1"): 2,
        ("special_handling", "district"): 2,
        ("special_handling", "village_a1"): 1,
    }  # fmt: skip (the dispatched cases C07, C09, C10 were classified as special handling)
    assert body["columns"] == ["district", "town_a", "village_a1"]  # most cases first
    page = _client(app, "yuanhua").get("/leaders/heatmap").get_data(as_text=True)
    assert 'data-row="policy_consultation" data-column="town_a" data-count="3"' in page
    assert "echarts" in page


def test_heatmap__clerk_sees_own_unit_and_bad_axis_is_named(app: Flask) -> None:
    client = app.test_client()
    headers = api_token(client, "wangfang")  # clerk of town_a: town_a and village_a1
    body = client.get("/api/v1/reports/heatmap?rows=week&columns=unit", headers=headers)
    assert sum(c["received"] for c in body.get_json()["cells"]) == 6
    bad = client.get("/api/v1/reports/heatmap?rows=colour", headers=headers)
    assert bad.status_code == 422 and "rows" in bad.get_json()["error"]["fields"]
    same = client.get("/api/v1/reports/heatmap?rows=unit&columns=unit", headers=headers)
    assert same.status_code == 422 and "columns" in same.get_json()["error"]["fields"]


def test_leaders_pages__clerk_gets_403_where_only_leaders_go(app: Flask) -> None:
    client = _client(app, "wangfang")
    key = _meeting_key(app)
    token = csrf_token(client, "/knowledge")
    for path in ("/leaders/bulletin", "/meetings", f"/meetings/{key}"):
        assert client.get(path).status_code == 403, path
    decided = client.post(f"/meetings/{key}/items/C01", data={"csrf_token": token})
    assert decided.status_code == 403
    written = client.post("/knowledge", data={"csrf_token": token, "title": "x", "remedy": "y"})
    assert written.status_code == 403
    api = app.test_client()
    assert api.get("/api/v1/meetings", headers=api_token(api, "wangfang")).status_code == 403
    assert client.get("/knowledge").status_code == 200  # clerks read the knowledge base
    assert client.get("/leaders/heatmap").status_code == 200  # their own unit's


def test_bulletin__september_prints_rates_ranking_and_overdue(app: Flask) -> None:
    page = _client(app, "yuanhua").get("/leaders/bulletin?month=2026-09")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "本月受理 6 件" in text and 'data-testid="bulletin-ranking"' in text
    assert "C09" in text  # overdue since 8 October
    bad = _client(app, "yuanhua").get("/leaders/bulletin?month=September")
    assert bad.status_code == 422


def test_case_lists__csv_and_excel_hold_the_same_cases(app: Flask) -> None:
    client = _client(app, "yuanhua")
    response = client.get("/leaders/cases.csv?from=2026-09-01&to=2026-09-30")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "案件编号"
    assert sorted(r[0] for r in rows[1:]) == ["C01", "C02", "C03", "C04", "C07", "C09"]
    book = load_workbook(
        io.BytesIO(client.get("/leaders/cases.xlsx?from=2026-09-01&to=2026-09-30").data)
    )
    sheet = book.active
    assert sheet is not None
    excel = [
        [("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert excel == rows
    late = next(r for r in rows if r[0] == "C02")
    assert late[8] == "否"  # replied after its 24 working hours


def test_meeting__member_records_a_decision_that_reaches_the_case(app: Flask) -> None:
    key = _meeting_key(app)
    client = _client(app, "panzhiqiang")
    page = client.get(f"/meetings/{key}").get_data(as_text=True)
    first = page.split('data-case="', 1)[1].split('"', 1)[0]
    token = csrf_token(client, f"/meetings/{key}")
    url = f"/meetings/{key}/items/{first}"
    bad = client.post(url, data={"csrf_token": token, "decision_type": "continue",
                                 "responsible_unit": "区住建局", "decision": ""})  # fmt: skip
    assert bad.status_code == 422 and "invalid-feedback" in bad.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "decision_type": "continue",
                                  "responsible_unit": "区住建局",
                                  "decision": "限三个工作日内办结，纳入督办。"})  # fmt: skip
    assert done.status_code in (302, 303)
    api = app.test_client()
    meeting = api.get(f"/api/v1/meetings/{key}", headers=api_token(api, "yuanhua")).get_json()
    assert meeting["items"][0]["decision"]["responsible_unit"] == "区住建局"
    with app.extensions["mashangban.engine"].transaction() as service:
        assert service.cases.history(first)[-1].kind == "meeting_decided"


def test_meeting__assign_decision_gives_the_department_its_task(app: Flask) -> None:
    key = _meeting_key(app)
    client = _client(app, "panzhiqiang")
    page = client.get(f"/meetings/{key}").get_data(as_text=True)
    assert 'name="assign_department"' in page and "区住建局" in page
    first = page.split('data-case="', 1)[1].split('"', 1)[0]
    token = csrf_token(client, f"/meetings/{key}")
    url = f"/meetings/{key}/items/{first}"
    form = {"csrf_token": token, "decision_type": "assign", "responsible_unit": "区住建局",
            "decision": "交区住建局限三个工作日内办结。", "assign_days": "3"}  # fmt: skip
    refused = client.post(url, data=form)
    bad = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'is-invalid" id="d-dept"' in bad
    done = client.post(url, data={**form, "assign_department": "housing"})
    assert done.status_code in (302, 303)
    shown = client.get(f"/meetings/{key}").get_data(as_text=True)
    assert "交办部门限期办理" in shown and "3 个工作日" in shown
    with app.extensions["mashangban.engine"].transaction() as service:
        handling = service.cases.history(first)[-1].inputs["handling_case"]
        tasks = [t for t in service.tasks.open() if t.case_key == handling]
    assert [t.candidate_groups for t in tasks] == [("dept:housing",)]


def test_knowledge__search_page_and_api(app: Flask) -> None:
    page = _client(app, "zhaolei").get("/knowledge?q=补贴").get_data(as_text=True)
    assert "KB-1" in page and "人才补贴申领条件怎么答复" in page
    client = app.test_client()
    headers = api_token(client, "zhaolei")
    found = client.get("/api/v1/knowledge?q=补贴 社保", headers=headers).get_json()["entries"]
    assert [e["id"] for e in found] == ["KB-1"] and found[0]["source_cases"] == ["C03"]
    assert client.get("/api/v1/knowledge/KB-1", headers=headers).get_json()["id"] == "KB-1"
    assert client.get("/api/v1/knowledge/KB-99", headers=headers).status_code == 404
    leader = _client(app, "yuanhua")
    token = csrf_token(leader, "/knowledge")
    bad = leader.post("/knowledge", data={"csrf_token": token, "title": "", "remedy": ""})
    assert bad.status_code == 422 and "is-invalid" in bad.get_data(as_text=True)


def test_knowledge__clerk_accepting_a_similar_matter_sees_the_entry(app: Flask) -> None:
    engine = app.extensions["mashangban.engine"]
    Driver(engine).start("C20", "town_a", "10-12T11:00")
    with engine.transaction() as service:
        task = next(t for t in service.tasks.inbox("wangfang") if t.case_key == "C20")
    page = _client(app, "wangfang").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="kb-suggestions"' not in page  # "诉求 C20 测试诉求": nothing alike
    with engine.transaction() as service:
        service.cases.start("closed_loop", key="C21", data=SIMILAR, actor="wangfang")
        task = next(t for t in service.tasks.inbox("wangfang") if t.case_key == "C21")
    page = _client(app, "wangfang").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="kb-suggestions"' in page and "KB-1" in page
    client = _client(app, "wangfang")
    form = {"csrf_token": csrf_token(client, f"/tasks/{task.id}"), "task_id": task.id}
    assert "关联本案" in page
    linked = client.post("/knowledge/KB-1/link", data=form)
    assert linked.status_code == 303
    case_page = client.get("/cases/C21").get_data(as_text=True)
    assert "关联知识库条目：KB-1" in case_page
    again = client.post("/knowledge/KB-1/link", data=form, follow_redirects=True)
    assert "该知识库条目已关联本案。" in again.get_data(as_text=True)
    with engine.transaction() as service:
        events = [e for e in service.cases.history("C21") if e.kind == "kb_linked"]
        assert not service.chain.verify("C21")
    assert [(e.actor, e.inputs["entry"]) for e in events] == [("wangfang", "KB-1")]
    outsider = _client(app, "panzhiqiang")  # may read the knowledge base, not work this task
    token = csrf_token(outsider, "/knowledge")
    refused = outsider.post("/knowledge/KB-1/link", data={"csrf_token": token, "task_id": task.id})
    assert refused.status_code in (403, 404)
