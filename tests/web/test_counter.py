"""Registration by staff at the counter: channel, 帮办代办, printable receipt, who may do it."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.service import Engine
from tests.web.conftest import login, post_form

MATTER = {
    "kind": "coordination", "title": "老人办理养老认证", "description": "老人行动不便，电话求助。",
    "contact.name": "王大爷", "contact.phone": "13900001111", "channel": "assisted",
    "assisted_by": "网格员小李",
}  # fmt: skip


def test_register__phone_matter_with_helper_gives_a_printable_receipt(
    client: FlaskClient, seeded: Engine
) -> None:
    login(client, "li")
    page = client.get("/counter/register")
    assert page.status_code == 200
    assert "帮办代办" in page.get_data(as_text=True)
    response = post_form(client, "/counter/register", MATTER, page="/counter/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 201, html
    assert response.headers["Cache-Control"] == "no-store"
    assert "帮办人：网格员小李" in html and "打印回执" in html and "李明" in html
    key = html.split('data-testid="case-no">')[1].split("<")[0]
    with seeded.transaction() as service:
        case = service.cases.get(key)
        history = service.cases.history(key)
    assert case.data["channel"] == "assisted" and case.data["assisted_by"] == "网格员小李"
    assert case.data["intake_unit"] == "town_a" and case.data["tier"] == "town"
    assert history[0].actor == "li"


def test_register__helper_required_for_assisted_and_shown_by_its_field(client: FlaskClient) -> None:
    login(client, "li")
    response = post_form(
        client, "/counter/register", {**MATTER, "assisted_by": "", "contact.phone": "12"},
        page="/counter/register",
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="assisted_by-error"' in html and 'id="contact-phone-error"' in html


def test_register__unknown_channel_is_refused(client: FlaskClient) -> None:
    login(client, "li")
    response = post_form(
        client, "/counter/register", {**MATTER, "channel": "fax"}, page="/counter/register"
    )
    assert response.status_code == 422
    assert 'id="channel-error"' in response.get_data(as_text=True)


def test_register__department_handler_gets_403(client: FlaskClient) -> None:
    login(client, "wang")
    assert client.get("/counter/register").status_code == 403
    assert "窗口登记" not in client.get("/inbox").get_data(as_text=True)


def test_register__anonymous_goes_to_login(client: FlaskClient) -> None:
    assert client.get("/counter/register").status_code in (302, 303)


def test_register__names_the_windows_above_for_passing_up(seeded: Engine) -> None:
    from web.appeals import parent_windows

    with seeded.transaction() as service:
        units = service.staff.units()
    assert parent_windows("village_a1", units) == [
        {"unit": "town_a", "tier": "town"}, {"unit": "district", "tier": "district"},
    ]  # fmt: skip
    assert parent_windows("district", units) == []
