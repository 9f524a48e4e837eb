"""Chinese by default, English on request; every message has an English text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from web.timefmt import local, time_left, urgency

from .conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_catalogue__every_message_id_has_english() -> None:
    """What `pybabel extract` finds (babel.cfg) must have a filled English entry."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(ROOT, method_map, options_map)
    used = {message for _file, _line, message, _comments, _context in found}
    with CATALOGUE.open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id and not m.fuzzy}
    missing = sorted(m for m in used if not english.get(m))
    assert not missing, f"run `make translations` and fill the English texts of: {missing}"
    assert used, "extraction found nothing: check babel.cfg"


def test_catalogue__chinese_words_in_tables_are_messages() -> None:
    """The extractor takes table values, not docstrings or English API descriptions."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    used = {m[2] for m in extract_from_dir(ROOT, method_map, options_map)}
    assert {"满意", "区级窗口", "此项为必填项"} <= used  # vocabulary.py, i18n.FIELD_TEXT
    assert not any(m.startswith("马上办 web: a thin Flask client") for m in used)


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
