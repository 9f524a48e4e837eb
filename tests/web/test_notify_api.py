"""Notifications and attachments through the JSON API (issue 14)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.service import Engine
from tests.web.conftest import REGISTER, api_token, open_task, start_appeal
from tests.web.test_attachments_engine import photo


@pytest.fixture(autouse=True)
def attachment_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MASHANGBAN_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def test_notifications__listed_counted_and_marked_read(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    headers = api_token(client, "li")
    assert client.get("/api/v1/notifications/unread", headers=headers).get_json() == {"unread": 1}
    listing = client.get("/api/v1/notifications", headers=headers).get_json()
    [notice] = listing["notifications"]
    assert listing["unread"] == 1 and notice["event"] == "new_task"
    assert notice["event_name"] == "新待办" and notice["case_no"] == key
    assert notice["read"] is False and notice["path"].startswith("/tasks/")
    marked = client.post("/api/v1/notifications/read", headers=headers)
    assert marked.status_code == 200 and marked.get_json()["marked"] == 1
    assert client.get("/api/v1/notifications/unread", headers=headers).get_json() == {"unread": 0}
    other = api_token(client, "wang")
    assert client.get("/api/v1/notifications", headers=other).get_json()["notifications"] == []


def test_notifications__need_a_staff_token(client: FlaskClient, seeded: Engine):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/v1/notifications/unread", headers=bad).status_code == 401


def _upload(client: FlaskClient, key: str, headers: dict, files: list, **form: str):
    data = {**form, "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(f"/api/v1/cases/{key}/attachments", data=data, headers=headers,
                       content_type="multipart/form-data")  # fmt: skip


def test_attachments__upload_list_with_hashes_and_download(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    headers = api_token(client, "li")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    made = _upload(client, key, headers, [(photo(), "现场.jpg"), (pdf, "证明.pdf")])
    assert made.status_code == 201, made.get_json()
    [image, document] = made.get_json()["attachments"]
    assert image["kind"] == "image" and image["has_thumbnail"] is True
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()
    listed = client.get(f"/api/v1/cases/{key}/attachments", headers=headers).get_json()
    assert [a["sha256"] for a in listed["attachments"]] == [image["sha256"], document["sha256"]]
    got = client.get(document["url"], headers=headers)
    assert got.status_code == 200 and got.data == pdf and got.mimetype == "application/pdf"
    history = client.get(f"/api/v1/cases/{key}/history", headers=headers).get_data(as_text=True)
    assert document["sha256"] in history


def test_attachments__refusals_and_scope(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    li = api_token(client, "li")
    fake = _upload(client, key, li, [(b"just text", "photo.jpg")])
    assert fake.status_code == 422
    assert fake.get_json()["error"]["code"] == "validation_failed"
    assert "不是图片" in fake.get_json()["error"]["fields"]["attachments"]
    assert _upload(client, key, li, []).status_code == 422
    as_json = client.post(f"/api/v1/cases/{key}/attachments", json={}, headers=li)
    assert as_json.status_code == 415
    made = _upload(client, key, li, [(photo(), "a.jpg")]).get_json()["attachments"][0]
    zhao = api_token(client, "zhao")  # a clerk of another town: outside the case's scope
    assert client.get(f"/api/v1/cases/{key}/attachments", headers=zhao).status_code == 404
    assert _upload(client, key, zhao, [(photo(), "b.jpg")]).status_code == 404
    assert client.get(made["url"], headers=zhao).status_code == 404
    assert client.get(made["url"]).status_code == 401
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    wang = api_token(client, "wang")  # the handler now sees the case and its file
    assert client.get(made["url"], headers=wang).status_code == 200
