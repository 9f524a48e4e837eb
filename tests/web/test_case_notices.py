"""Calendar warnings on the case page: in the UI language, for the process admin only."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask.testing import FlaskClient

from engine.calendar import SHANGHAI
from engine.service import Engine

from .conftest import APPEAL, PASSWORD, api_token, login, post_form

NEW_YEAR_EVE = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)  # the deadline runs into 2027


@pytest.fixture
def fallback_case(seeded: Engine) -> str:
    """A case whose first deadline fell on a 2027 day (no holiday data yet); admin `ma`."""
    with seeded.transaction() as service:
        service.staff.save_user("ma", "马工", [], unit="district", roles=("process_admin",),
                                password=PASSWORD)  # fmt: skip
        case = service.cases.start("mini_loop", data=APPEAL, actor="public", at=NEW_YEAR_EVE)
    assert case.warnings and case.warnings[0]["code"] == "calendar_fallback"
    return case.key


def notices(client: FlaskClient, key: str) -> str:
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    return " ".join(
        part.split("</div>")[0] for part in page.split('data-testid="case-notice">')[1:]
    )


def test_case_page__process_admin_reads_the_calendar_notice_in_chinese(
    client: FlaskClient, fallback_case: str
) -> None:
    login(client, "ma")
    text = notices(client, fallback_case)
    assert "2027 年的法定节假日安排尚未导入" in text and "calendar load" in text
    assert "no official holiday schedule" not in text


def test_case_page__process_admin_reads_it_in_english_when_chosen(
    client: FlaskClient, fallback_case: str
) -> None:
    login(client, "ma")
    post_form(client, "/lang", {"lang": "en", "next": "/inbox"})
    text = notices(client, fallback_case)
    assert "The official holiday schedule for 2027 has not been loaded" in text


def test_case_page__clerk_sees_only_that_the_deadline_may_change(
    client: FlaskClient, fallback_case: str
) -> None:
    login(client, "li")
    text = notices(client, fallback_case)
    assert text == "本案办理时限可能根据法定节假日安排调整。"


def test_api__case_warnings_are_codes_with_a_message(
    client: FlaskClient, fallback_case: str
) -> None:
    headers = {**api_token(client, "li"), "Accept-Language": "en"}
    body = client.get(f"/api/v1/appeals/{fallback_case}", headers=headers).get_json()
    [warning] = body["warnings"]
    assert warning["code"] == "calendar_fallback" and "2027" in warning["message"]


def test_cases__process_admin_lists_the_cases_awaiting_a_holiday_schedule(
    client: FlaskClient, seeded: Engine, fallback_case: str
) -> None:
    with seeded.transaction() as service:  # an ordinary case, deadline within 2026
        other = service.cases.start("mini_loop", data=APPEAL, actor="public").key
    login(client, "ma")
    page = client.get("/cases?attention=calendar").get_data(as_text=True)
    assert fallback_case in page and other not in page
    login(client, "li")
    clerk = client.get("/cases?attention=calendar").get_data(as_text=True)
    assert 'data-testid="awaiting-schedule"' not in clerk and other in clerk  # the usual list
