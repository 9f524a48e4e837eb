"""Citizens and enterprises: submit, get a receipt, track, rate; limits on the open doors."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.service import Engine

from .conftest import HANDLE, REGISTER, csrf_token, make_app, open_task, start_appeal

FORM = {
    "kind": "coordination",
    "title": "入学证明跑了三趟没办成",
    "description": "社区和派出所互相推诿。",
    "contact.name": "张三",
    "contact.phone": "13800138000",
    "tier": "town",
    "intake_unit": "town_a",
}


def _submit(client: FlaskClient, **changes: str) -> object:
    return client.post(
        "/appeal", data={**FORM, **changes, "csrf_token": csrf_token(client, "/appeal")}
    )


def _handled(engine: Engine, key: str) -> None:
    with engine.transaction() as service:
        service.tasks.complete(open_task(engine, key), "li", REGISTER)
    with engine.transaction() as service:
        service.tasks.complete(open_task(engine, key), "wang", HANDLE)


def test_appeal_form__lists_windows_by_tier(client: FlaskClient) -> None:
    page = client.get("/appeal").get_data(as_text=True)
    assert '<optgroup label="镇街窗口" data-tier="town">' in page and "城厢街道便民服务中心" in page
    assert "住房和城乡建设局" not in page  # departments are not windows


def test_submit__receipt_shows_case_number_and_code_once(
    client: FlaskClient, seeded: Engine
) -> None:
    response = _submit(client)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    key = re.search(r'data-testid="case-no">([^<]+)<', page).group(1)
    code = re.search(r'data-testid="tracking-code">([^<]+)<', page).group(1)
    with seeded.transaction() as service:
        case, _shown = service.privacy.case(key, "li")  # the receiving window: in full
        assert service.cases.track(key, code).title == FORM["title"]
    assert case.process_id == "mini_loop" and case.owner_unit == "town_a"
    assert case.data["contact"] == {"name": "张三", "phone": "13800138000"}
    assert case.data["channel"] == "online"
    assert client.get(f"/track/{key}").status_code == 200  # the receipt's link works


def test_submit__invalid_fields_marked_and_values_kept(client: FlaskClient, seeded: Engine) -> None:
    response = _submit(client, title="", **{"contact.phone": "110", "intake_unit": "town_x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-error">此项为必填项' in page
    assert 'id="contact-phone-error">请填写有效的手机号' in page
    assert 'id="intake_unit-error">请选择该层级下的受理窗口' in page
    assert 'value="张三"' in page
    with seeded.transaction() as service:
        assert service.cases.recent("office") == []


def test_submit__window_of_another_tier_is_refused_next_to_the_field(
    client: FlaskClient, seeded: Engine
) -> None:
    """Without JavaScript every window is listed; a village station under 镇街窗口 is refused."""
    response = _submit(client, tier="town", intake_unit="village_a1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="intake_unit-error">请选择该层级下的受理窗口' in page
    assert 'aria-describedby="intake_unit-error"' in page
    assert '<optgroup label="村社服务站" data-tier="village">' in page  # all tiers listed
    with seeded.transaction() as service:
        assert service.cases.recent("office") == []
    assert _submit(client, tier="village", intake_unit="village_a1").status_code == 200


def test_submit__overlong_field_and_body_are_refused(client: FlaskClient) -> None:
    assert _submit(client, title="长" * 101).status_code == 422
    response = _submit(client, description="长" * 100_000)
    assert response.status_code == 413


def test_submit__misconduct_report_comes_through_enterprise_channel(
    client: FlaskClient, seeded: Engine
) -> None:
    response = _submit(client, kind="misconduct_report", enterprise_name="杭州某某科技有限公司")
    page = response.get_data(as_text=True)
    key = re.search(r'data-testid="case-no">([^<]+)<', page).group(1)
    with seeded.transaction() as service:
        data = service.cases.get(key).data
    assert data["channel"] == "enterprise" and data["enterprise_name"] == "杭州某某科技有限公司"


def test_track__wrong_code_is_404_without_telling_which(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    token = csrf_token(client, "/track")
    response = client.post("/track", data={"case_no": key, "code": "WRONG", "csrf_token": token})
    assert response.status_code == 404
    assert "案件编号或查询码不正确" in response.get_data(as_text=True)
    assert client.get(f"/track/{key}").status_code == 303  # no code in session: ask for it


def test_track_and_rate__reply_shown_rating_delivered(client: FlaskClient, seeded: Engine) -> None:
    key, code = start_appeal(seeded)
    token = csrf_token(client, "/track")
    response = client.post("/track", data={"case_no": key, "code": code, "csrf_token": token})
    assert response.headers["Location"] == f"/track/{key}"
    page = client.get(f"/track/{key}").get_data(as_text=True)
    assert "受理登记" in page and "请对本次办理进行评价" not in page
    _handled(seeded, key)
    page = client.get(f"/track/{key}").get_data(as_text=True)
    assert HANDLE["public_reply"] in page and "请对本次办理进行评价" in page
    assert "李明" not in page and "王芳" not in page  # no staff names in public
    token = csrf_token(client, f"/track/{key}")
    data = {"rating": "satisfied", "comment": "很快", "csrf_token": token}
    assert client.post(f"/track/{key}/rate", data=data).status_code == 303
    page = client.get(f"/track/{key}").get_data(as_text=True)
    assert "感谢您的评价" in page and "您的评价：满意" in page
    with seeded.transaction() as service:
        case = service.cases.get(key)
    assert case.status == "completed" and case.data["rating_comment"] == "很快"


def test_rate__refused_when_not_asked_and_for_bad_values(
    client: FlaskClient, seeded: Engine
) -> None:
    key, code = start_appeal(seeded)
    token = csrf_token(client, "/track")
    client.post("/track", data={"case_no": key, "code": code, "csrf_token": token})
    data = {"rating": "satisfied", "csrf_token": token}
    client.post(f"/track/{key}/rate", data=data)
    assert "此案件目前无需评价" in client.get(f"/track/{key}").get_data(as_text=True)
    _handled(seeded, key)
    client.post(f"/track/{key}/rate", data={"rating": "great", "csrf_token": token})
    assert "请选择评价等级" in client.get(f"/track/{key}").get_data(as_text=True)
    with seeded.transaction() as service:
        assert service.cases.get(key).status == "running"


def test_public_posts__are_rate_limited_per_ip(seeded: Engine) -> None:
    app = make_app(seeded, MASHANGBAN_RATE_LIMIT=3)
    client = app.test_client()
    token = csrf_token(client, "/track")
    data = {"case_no": "MSB-X", "code": "BAD", "csrf_token": token}
    statuses = [client.post("/track", data=data).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    other = client.post("/track", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404  # another address has its own bucket
    app.extensions["mashangban.engine"].close()
