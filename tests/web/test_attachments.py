"""Photos and documents through the web: with a submission, on a task, who may see them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from engine.service import Engine
from tests.web.conftest import csrf_token, login, open_task
from tests.web.test_attachments_engine import photo
from tests.web.test_public import FORM


@pytest.fixture(autouse=True)
def attachment_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app keeps files in this test's folder, not the checkout's instance/ folder."""
    monkeypatch.setenv("MASHANGBAN_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def submit(client: FlaskClient, files: list[tuple[bytes, str]], **changes: str):
    data = {**FORM, **changes, "csrf_token": csrf_token(client, "/appeal")}
    data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/appeal", data=data, content_type="multipart/form-data")


def case_no(response) -> str:
    return re.search(r'data-testid="case-no">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_photo_with_submission__thumbnail_for_the_handler_hash_in_history(
    client: FlaskClient, app, seeded: Engine, attachment_store: Path
):
    response = submit(client, [(photo(), "漏水.jpg")])
    assert response.status_code == 200
    key = case_no(response)
    staff = app.test_client()
    login(staff, "li")
    page = staff.get(f"/tasks/{open_task(seeded, key)}").get_data(as_text=True)
    thumb_url = re.search(r'<img src="(/attachments/\d+/thumb)"', page).group(1)
    thumb = staff.get(thumb_url)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 320
    with seeded.transaction() as service:
        [stored] = service.attachments.of_case(key, "li")
    sha = stored.sha256
    assert (attachment_store / sha[:2] / sha[2:4] / sha).is_file()  # content-addressed
    assert f"SHA-256 {stored.sha256[:12]}" in staff.get(f"/cases/{key}").get_data(as_text=True)
    assert client.get(f"/track/{key}").get_data(as_text=True).count("/thumb") == 1  # their own
    stranger = app.test_client()
    assert stranger.get(f"/track/{key}/attachments/{stored.id}").status_code == 404
    login(stranger, "zhao")  # clerk of another town
    assert stranger.get(f"/attachments/{stored.id}").status_code == 404


def test_text_under_a_jpg_name__refused_next_to_the_field(client: FlaskClient, seeded: Engine):
    response = submit(client, [(b"just some text, not a photo", "photo.jpg")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="attachments-error">photo.jpg 不是图片' in page
    with seeded.transaction() as service:
        assert service.cases.recent("office") == []  # nothing was started


def test_task_upload__handler_adds_a_document_errors_shown(
    client: FlaskClient, app, seeded: Engine
):
    key = case_no(submit(client, []))
    task_id = open_task(seeded, key)
    staff = app.test_client()
    login(staff, "li")
    token = csrf_token(staff, f"/tasks/{task_id}")
    bad = staff.post(f"/cases/{key}/attachments", content_type="multipart/form-data",
                     data={"csrf_token": token, "task_id": task_id,
                           "files": [(io.BytesIO(b"MZ\x90"), "tool.exe")]})  # fmt: skip
    assert bad.status_code == 303
    page = staff.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="attachments-error">tool.exe：只能上传照片' in page
    good = staff.post(f"/cases/{key}/attachments", content_type="multipart/form-data",
                      data={"csrf_token": token, "task_id": task_id,
                            "files": [(io.BytesIO(b"%PDF-1.4 reply"), "答复.pdf")]})  # fmt: skip
    assert good.status_code == 303
    with seeded.transaction() as service:
        [doc] = service.attachments.of_case(key, "li")
    assert (doc.name, doc.task_id, doc.uploaded_by) == ("答复.pdf", task_id, "li")
    download = staff.get(f"/attachments/{doc.id}")
    assert download.data == b"%PDF-1.4 reply" and "attachment;" in download.headers[
        "Content-Disposition"]  # fmt: skip
    assert client.get(f"/track/{key}").get_data(as_text=True).count("答复.pdf") == 0


def test_upload__anonymous_sent_to_login(client: FlaskClient, seeded: Engine):
    response = client.post("/cases/X/attachments", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code in (302, 303)
