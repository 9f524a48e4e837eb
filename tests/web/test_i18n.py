"""Chinese by default, English on request; every message has an English text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from web.messages_en import EN
from web.timefmt import local, time_left, urgency

from .conftest import csrf_token, login

WEB = Path(__file__).resolve().parents[2] / "web"
MESSAGE = re.compile(r"""(?<![\w.])_\(\s*(["'])(.+?)\1""", re.S)


def test_catalogue__every_message_id_has_english() -> None:
    files = [p for p in [*WEB.rglob("*.py"), *WEB.rglob("*.html")] if p.name != "messages_en.py"]
    used = {m.group(2) for path in files for m in MESSAGE.finditer(path.read_text("utf-8"))}
    vocabulary = (WEB / "vocabulary.py").read_text("utf-8")
    used |= set(re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', vocabulary))
    missing = sorted(used - set(EN))
    assert not missing, f"add English texts to web/messages_en.py: {missing}"


def test_default__chinese(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "我要反映" in page


def test_switch__english_kept_in_session(client: FlaskClient) -> None:
    response = client.post(
        "/lang", data={"lang": "en", "next": "/track", "csrf_token": csrf_token(client, "/")}
    )
    assert response.headers["Location"] == "/track"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Report a matter" in page
    login(client, "li")  # the choice survives signing in
    assert "My tasks" in client.get("/inbox").get_data(as_text=True)


def test_switch__ignores_foreign_next(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    data = {"lang": "xx", "next": "//evil.example/", "csrf_token": token}
    response = client.post("/lang", data=data)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("hours", "text", "level"),
    [
        (7.5, "剩余 1 个工作日", "ok"),
        (9.5, "剩余 1 个工作日 2 小时", "ok"),
        (3.25, "剩余 3 小时", "soon"),
        (0.5, "剩余 30 分钟", "soon"),
        (-3, "已超期 3 小时", "overdue"),
        (-22.5, "已超期 3 个工作日", "overdue"),
    ],
)
def test_time_left__in_working_days_of_seven_and_a_half_hours(
    hours: float, text: str, level: str
) -> None:
    left = timedelta(hours=hours)
    assert time_left(left) == text and urgency(left) == level


def test_local__shows_shanghai_time() -> None:
    assert local(datetime(2026, 10, 9, 1, 30, tzinfo=UTC)) == "2026-10-09 09:30"
    assert local(None) == "—"
