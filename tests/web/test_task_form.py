"""The task form: fields from the diagram, errors in place, lost races told plainly."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.service import Engine

from .conftest import HANDLE, REGISTER, csrf_token, login, open_task, post_form, start_appeal


def test_form__renders_fields_defaults_help_and_readonly_context(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    login(client, "li")
    page = client.get(f"/tasks/{open_task(seeded, key)}").get_data(as_text=True)
    assert 'id="field-title"' in page and 'value="入学证明跑了三趟没办成"' in page  # from intake
    assert re.search(r'<select[^>]*id="field-kind"', page)
    assert re.search(r'<option value="coordination" selected>协调办理</option>', page)
    assert re.search(r'id="field-level"[^>]*value="1"', page.replace("\n", " "))  # default
    assert "1 经办人即办" in page  # help text
    assert 'class="form-control-plaintext readonly-context' in page  # description, read-only
    assert "办理记录" in page and "入学证明" in page  # case summary and timeline beside


def test_submit__invalid_fields_are_shown_and_values_kept(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    data = {**REGISTER, "title": "", "level": "9", "contact_phone": "12345"}
    response = post_form(client, f"/tasks/{task_id}", data, page=f"/tasks/{task_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请修改以下 3 项后再提交" in page
    assert 'id="field-title-error">此项为必填项<' in page
    assert 'id="field-level-error">不能大于 4<' in page
    assert 'id="field-contact_phone-error">格式不正确<' in page
    assert 'value="12345"' in page and 'value="9"' in page  # what the clerk typed stays
    with seeded.transaction() as service:
        assert service.cases.get(key).events == 1  # nothing was saved


def test_submit__too_long_and_not_a_number_explained_in_chinese(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    data = {**REGISTER, "title": "长" * 101, "level": "九", "kind": "weather"}
    page = post_form(client, f"/tasks/{task_id}", data, page=f"/tasks/{task_id}").get_data(
        as_text=True
    )
    assert 'id="field-title-error">最多 100 个字符<' in page
    assert 'id="field-level-error">“九”不是整数<' in page
    assert 'id="field-kind-error">“weather”不是可选项之一<' in page


def test_submit__english_page_shows_english_field_messages(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    post_form(client, "/lang", {"lang": "en", "next": "/inbox"})
    data = {**REGISTER, "title": "", "level": "9", "contact_phone": "12345"}
    response = post_form(client, f"/tasks/{task_id}", data, page=f"/tasks/{task_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="field-title-error">This field is required<' in page
    assert 'id="field-level-error">Must be at most 4<' in page
    assert 'id="field-contact_phone-error">Not in the expected format<' in page
    assert "此项为必填项" not in page and "不能大于" not in page


def test_submit__success_goes_to_case_with_next_step(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}", REGISTER, page=f"/tasks/{task_id}")
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{key}"
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "已提交：受理登记" in page and "部门办理" in page


def test_submit__task_completed_meanwhile_shows_message_and_current_state(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    token_page = f"/tasks/{task_id}"
    client.get(token_page)
    with seeded.transaction() as service:  # a colleague was faster
        service.tasks.complete(task_id, "sun", REGISTER)
    response = post_form(client, f"/tasks/{task_id}", {**REGISTER, "case_key": key})
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{key}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已被他人办理或案件已更新" in page and "部门办理" in page


def test_submit__task_claimed_by_colleague_is_refused_with_message(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    with seeded.transaction() as service:
        service.tasks.claim(task_id, "sun")
    login(client, "li")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "已被 孙丽 认领" in page and "disabled" in page
    response = post_form(client, f"/tasks/{task_id}", REGISTER)
    assert response.status_code == 303
    assert "此任务已被他人认领" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_department_form__textarea_for_reply(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    login(client, "wang")
    page = client.get(f"/tasks/{open_task(seeded, key)}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="field-public_reply"', page)
    response = post_form(client, f"/tasks/{open_task(seeded, key)}", HANDLE)
    assert response.status_code == 303


def test_case_and_task_pages__name_the_groups_not_their_ids(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    login(client, "li")
    for path in (f"/cases/{key}", f"/tasks/{open_task(seeded, key)}"):
        page = client.get(path).get_data(as_text=True)
        assert "城厢街道便民服务中心窗口" in page, path
        assert "clerks:town_a" not in page, path
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    english = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "城厢街道便民服务中心 window clerks" in english
