"""Attachments in an S3-compatible store: a real local S3 server (moto's), spoken to over HTTP."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from flask.testing import FlaskClient
from moto.server import ThreadedMotoServer

from engine.attaching.s3store import S3Config, S3Store
from engine.errors import NotFound
from engine.service import Engine
from tests.web.conftest import api_token, start_appeal
from tests.web.test_attachments_engine import photo

PORT = 5221
BUCKET = "mashangban-files"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local S3 server with an empty bucket, and the app configured to use it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    endpoint = f"http://127.0.0.1:{PORT}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("MASHANGBAN_ATTACHMENT_STORE", "s3")
    monkeypatch.setenv("MASHANGBAN_S3_BUCKET", BUCKET)
    monkeypatch.setenv("MASHANGBAN_S3_ENDPOINT", endpoint)
    yield client
    server.stop()


def test_s3__upload_lands_in_the_bucket_and_downloads_back(
    client: FlaskClient, seeded: Engine, s3: Any
):
    key, _code = start_appeal(seeded)
    headers = api_token(client, "li")
    content = photo()
    made = client.post(f"/api/v1/cases/{key}/attachments", headers=headers,
                       data={"files": [(io.BytesIO(content), "现场.jpg")]},
                       content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 201, made.get_json()
    [view] = made.get_json()["attachments"]
    names = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    sha = view["sha256"]
    assert f"attachments/{sha[:2]}/{sha[2:4]}/{sha}" in names
    assert len(names) == 2  # the re-encoded photo and its thumbnail
    got = client.get(view["url"], headers=headers)
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == sha


def test_s3__missing_and_altered_objects_are_not_served(s3: Any):
    store = S3Store(S3Config.from_env())
    sha = store.put(b"%PDF-1.4 proof")
    assert store.get(sha) == b"%PDF-1.4 proof"
    s3.put_object(Bucket=BUCKET, Key=store.key(sha), Body=b"%PDF-1.4 forged")
    with pytest.raises(NotFound, match="altered"):
        store.get(sha)
    with pytest.raises(NotFound, match="missing"):
        store.get("0" * 64)


def test_s3__a_bad_setting_says_what_to_set(monkeypatch: pytest.MonkeyPatch, tmp_path):
    from engine.attaching.storage import store_for

    monkeypatch.setenv("MASHANGBAN_ATTACHMENT_STORE", "s3")
    monkeypatch.delenv("MASHANGBAN_S3_BUCKET", raising=False)
    with pytest.raises(ValueError, match="MASHANGBAN_S3_BUCKET"):
        store_for(tmp_path)
    monkeypatch.setenv("MASHANGBAN_ATTACHMENT_STORE", "ftp")
    with pytest.raises(ValueError, match="'disk' or 's3'"):
        store_for(tmp_path)
