"""SMS through the Aliyun SendSms adapter, against a local HTTP server speaking that API."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.notifying.channels import channels_from_env
from engine.notifying.config import Policy
from engine.notifying.delivery import deliver_due
from engine.notifying.facade import Preferences
from engine.notifying.sms import AliyunSms, aliyun_signature
from engine.service import Engine
from tests.web.conftest import REGISTER, open_task, start_appeal

SECRET = "test-secret-key"
PHONE = "13900139000"


class FakeAliyun(ThreadingHTTPServer):
    """Checks each SendSms call's signature as the provider does and answers like it."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[dict[str, str]] = []
        self.answer: dict[str, Any] = {
            "Code": "OK",
            "Message": "OK",
            "BizId": "1",
            "RequestId": "r",
        }


class _Handler(BaseHTTPRequestHandler):
    server: FakeAliyun

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        signature = params.pop("Signature", "")
        if signature != aliyun_signature("POST", params, SECRET):
            body = {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
            self._answer(400, body)
            return
        self.server.calls.append(params)
        self._answer(200, self.server.answer)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def provider() -> Iterator[FakeAliyun]:
    server = FakeAliyun()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def env(server: FakeAliyun, secret: str = SECRET) -> dict[str, str]:
    return {
        "MASHANGBAN_SMS_PROVIDER": "aliyun", "MASHANGBAN_SMS_ACCESS_KEY_ID": "LTAI-test",
        "MASHANGBAN_SMS_ACCESS_KEY_SECRET": secret, "MASHANGBAN_SMS_SIGN_NAME": "马上办",
        "MASHANGBAN_SMS_TEMPLATE": "SMS_0001",
        "MASHANGBAN_SMS_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}/",
    }  # fmt: skip


def day() -> datetime:
    """A moment outside everyone's quiet hours (10:00 in Beijing, tomorrow)."""
    now = datetime.now(UTC)
    return now.replace(hour=2, minute=0, second=0, microsecond=0) + timedelta(days=1)


def test_staff_sms__sent_signed_with_the_task_in_the_template(seeded: Engine, provider):
    with seeded.transaction() as service:
        service.notifications.save_preferences("wang", Preferences(("sms",), phone=PHONE))
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    result = deliver_due(seeded, channels_from_env(env(provider)), day(), Policy())
    assert result.sent == 1, result.errors
    [call] = provider.calls
    assert (call["Action"], call["PhoneNumbers"], call["TemplateCode"]) == (
        "SendSms", PHONE, "SMS_0001")  # fmt: skip
    params = json.loads(call["TemplateParam"])
    assert params["case"] == key and params["task"] == "部门办理"


def test_citizen_sms__provider_refusal_is_retried(seeded: Engine, provider):
    provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "too many"}
    start_appeal(seeded, notify_by="sms")
    first = deliver_due(seeded, channels_from_env(env(provider)), day(), Policy())
    assert first.retried == 1 and "BUSINESS_LIMIT_CONTROL" in first.errors[0]
    provider.answer = {"Code": "OK", "Message": "OK"}
    later = deliver_due(seeded, channels_from_env(env(provider)), day() + timedelta(minutes=1),
                        Policy())  # fmt: skip
    assert later.sent == 1 and len(provider.calls) == 2


def test_wrong_secret__refused_by_the_provider(provider):
    channel = channels_from_env(env(provider, secret="wrong"))["sms"]
    assert isinstance(channel, AliyunSms)
    with pytest.raises(Exception, match="HTTP 400"):
        channel.send(PHONE, "", "", {"case": "C1"})


def test_sms_settings__missing_keys_named():
    with pytest.raises(ValueError, match="MASHANGBAN_SMS_TEMPLATE"):
        channels_from_env({"MASHANGBAN_SMS_PROVIDER": "aliyun",
                           "MASHANGBAN_SMS_ACCESS_KEY_ID": "a",
                           "MASHANGBAN_SMS_ACCESS_KEY_SECRET": "b",
                           "MASHANGBAN_SMS_SIGN_NAME": "c"})  # fmt: skip
