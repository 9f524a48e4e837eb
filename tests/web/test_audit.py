"""The auditors' pages and API on the finished, escalated and re-handled closed-loop case:
沈怡 (shenyi, auditor) may replay and verify; 李娜 (lina) handled it but is a clerk (403);
陈静 (chenjing, 桃源镇's clerk) never saw it (404)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from engine.models import Case, CaseEvent
from engine.service import Engine
from tests.auditcase import KEY, audit_engine, audit_template  # noqa: F401  (fixtures)

from .conftest import api_token, csrf_token, login, make_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def audit_app(audit_engine: Engine) -> Iterator[Flask]:  # noqa: F811
    application = make_app(audit_engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    yield application
    application.extensions["mashangban.engine"].close()


@pytest.fixture
def web(audit_app: Flask) -> FlaskClient:
    return audit_app.test_client()


def tamper(engine: Engine, seq: int) -> None:
    """Rewrite one event's recorded data behind the engine's back."""
    with engine.transaction() as service:
        case_id = service.session.scalar(select(Case.id).where(Case.business_key == KEY))
        service.session.execute(
            update(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq == seq)
            .values(data_after={"rating": "satisfied"})
        )  # fmt: skip


def test_api_history__events_with_hashes_linked_to_the_head(web: FlaskClient) -> None:
    response = web.get(f"/api/v1/cases/{KEY}/history", headers=api_token(web, "lina"))
    assert response.status_code == 200
    body = response.get_json()
    events = body["events"]
    assert [e["seq"] for e in events] == list(range(1, 18))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert body["head"] == {"seq": 17, "head": events[-1]["hash"]}
    outside = web.get(f"/api/v1/cases/{KEY}/history", headers=api_token(web, "chenjing"))
    assert outside.status_code == 404


def test_api_history_jsonl__rechecks_with_the_standalone_script(
    web: FlaskClient, tmp_path: Path
) -> None:
    response = web.get(f"/api/v1/cases/{KEY}/history.jsonl", headers=api_token(web, "shenyi"))
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    export = tmp_path / "export.jsonl"
    export.write_bytes(response.data)
    # A copy of the script alone, run where no database and no engine package exist.
    alone = tmp_path / "history_check.py"
    alone.write_bytes((ROOT / "engine" / "history_check.py").read_bytes())
    result = subprocess.run([sys.executable, str(alone), str(export)], cwd=tmp_path,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{KEY}: intact: 17 events" in result.stdout
    result = subprocess.run([sys.executable, "-m", "engine.history_check", str(export)],
                            cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_api_replay__step_shows_elements_and_data_before_and_after(web: FlaskClient) -> None:
    headers = api_token(web, "shenyi")
    body = web.get(f"/api/v1/cases/{KEY}/replay?step=6", headers=headers).get_json()
    assert body["step"] == 6 and body["event"]["kind"] == "timer_fired"
    assert body["version"] == 1 and "escalate_case" in body["active"]
    assert "el_level2" in body["called"]["escalation_ladder"]["active"]
    assert body["data_before"]["level"] == 1 and body["data_after"]["level"] == 2
    level = next(c for c in body["changes"] if c["key"] == "level")
    assert level["label"] == "协调级别" and level["after"].startswith("二级")
    bad = web.get(f"/api/v1/cases/{KEY}/replay?step=99", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]["step"]


def test_api_replay_and_verify__clerk_in_scope_403_outside_404(web: FlaskClient) -> None:
    lina, chenjing = api_token(web, "lina"), api_token(web, "chenjing")
    assert web.get(f"/api/v1/cases/{KEY}/replay", headers=lina).status_code == 403
    assert web.get(f"/api/v1/cases/{KEY}/replay", headers=chenjing).status_code == 404
    assert web.post("/api/v1/audit/verify", json={"case": KEY}, headers=lina).status_code == 403
    outside = web.post("/api/v1/audit/verify", json={"case": KEY}, headers=chenjing)
    assert outside.status_code == 404
    assert web.post("/api/v1/audit/verify", json={}, headers=lina).status_code == 403


def test_api_verify__intact_then_a_tampered_event_is_named(
    web: FlaskClient,
    audit_engine: Engine,  # noqa: F811
) -> None:
    headers = api_token(web, "shenyi")
    body = web.post("/api/v1/audit/verify", json={"case": KEY}, headers=headers).get_json()
    assert body["intact"] is True and body["findings"] == [] and body["checked_at"]
    tamper(audit_engine, 10)
    every = web.post("/api/v1/audit/verify", json={}, headers=headers).get_json()
    assert every["intact"] is False and every["cases"] >= 1
    assert every["findings"][0]["case"] == KEY and every["findings"][0]["seq"] == 10
    bad = web.post("/api/v1/audit/verify", json={"heads": [1]}, headers=headers)
    assert bad.status_code == 422


def test_replay_page__auditor_sees_every_step_clerks_do_not(web: FlaskClient) -> None:
    login(web, "shenyi")
    page = web.get(f"/audit/cases/{KEY}/replay?step=6")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="replay-step"') == 17
    assert 'data-step="6" data-seq="6" >' in html or 'data-step="6" data-seq="6">' in html
    assert "时限到达" in html and "协调级别" in html and "群众评价：不满意" in html
    assert "assignments" not in html.split('id="replay-data"')[0]
    web.post("/logout", data={"csrf_token": csrf_token(web, "/audit")})
    login(web, "lina")
    assert web.get(f"/audit/cases/{KEY}/replay").status_code == 403
    assert web.get("/audit").status_code == 403


def test_verify_page__uploaded_heads_catch_a_deleted_last_event(
    web: FlaskClient,
    audit_engine: Engine,  # noqa: F811
) -> None:
    with audit_engine.reading() as service:
        heads = json.dumps(service.chain.export_checkpoints()).encode()
    with audit_engine.transaction() as service:
        case = service.session.scalars(select(Case).where(Case.business_key == KEY)).one()
        service.session.execute(
            CaseEvent.__table__.delete().where(CaseEvent.case_id == case.id, CaseEvent.seq == 17)
        )
    login(web, "shenyi")
    token = csrf_token(web, f"/cases/{KEY}")
    upload = {"csrf_token": token, "heads": (BytesIO(heads), "heads.json")}
    page = web.post(f"/audit/cases/{KEY}/verify", content_type="multipart/form-data", data=upload)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-intact="false"' in html
    assert 'data-seq="17"' in html
    bad = web.post(f"/audit/cases/{KEY}/verify", content_type="multipart/form-data",
                   data={"csrf_token": token, "heads": (BytesIO(b"[]"), "heads.json")})  # fmt: skip
    assert bad.status_code == 422


def test_verify_all_page__runs_in_the_background_and_reports(web: FlaskClient) -> None:
    login(web, "shenyi")
    token = csrf_token(web, "/audit")
    started = web.post("/audit/verify", data={"csrf_token": token})
    assert started.status_code == 303
    job = started.headers["Location"]
    for _attempt in range(100):
        state = web.get(f"{job}/progress").get_json()
        if state["finished"]:
            break
        time.sleep(0.1)
    assert state["finished"] and state["done"] == state["total"] >= 1
    assert 'data-intact="true"' in web.get(job).get_data(as_text=True)


def test_search_and_report_pages__find_the_case_and_print_it(web: FlaskClient) -> None:
    login(web, "shenyi")
    found = web.get("/audit?q=韩国庆&level=2&unsatisfied=1").get_data(as_text=True)
    assert f'data-case="{KEY}"' in found
    none = web.get("/audit?cannot_resolve=1&since=bad").get_data(as_text=True)
    assert f'data-case="{KEY}"' not in none and "YYYY-MM-DD" in none
    report = web.get(f"/audit/cases/{KEY}/report").get_data(as_text=True)
    assert 'data-intact="true"' in report and report.count("<tr data-seq=") == 17


def test_case_timeline__labels_and_rating_no_internal_keys(web: FlaskClient) -> None:
    login(web, "lina")
    html = web.get(f"/cases/{KEY}").get_data(as_text=True)
    timeline = html[html.index('id="timeline-title"') :]
    assert "群众评价：不满意" in timeline and "评价" in timeline
    assert "完成：部门办理" in timeline  # a task of the called department_handling, by name
    for internal in ("assignments", "department_role", "co_departments", "None", "dh_handle",
                     "el_level2"):  # fmt: skip
        assert internal not in timeline, internal
    assert 'id="audit-title"' not in html  # no audit actions for a clerk


def test_case_page__auditor_gets_replay_verify_and_export(web: FlaskClient) -> None:
    login(web, "shenyi")
    html = web.get(f"/cases/{KEY}").get_data(as_text=True)
    assert 'id="audit-title"' in html
    assert f"/audit/cases/{KEY}/replay" in html and f"/audit/cases/{KEY}/verify" in html
