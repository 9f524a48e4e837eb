"""English pages show the diagram's English step, field and option names (label_en)."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from engine.deployment import read_sources
from engine.service import Engine

from .conftest import APPEAL, csrf_token, login, open_task

BILINGUAL = Path(__file__).parent / "data_labels"


def _bilingual_case(engine: Engine) -> str:
    return _start_bilingual(engine)[0]


def _start_bilingual(engine: Engine) -> tuple[str, str]:
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([BILINGUAL]))
        case = service.cases.start("bilingual", data=dict(APPEAL), actor="public", tracking=True)
    assert case.tracking_code
    return case.key, case.tracking_code


def _read_english(client: FlaskClient, page: str = "/inbox") -> None:
    token = csrf_token(client, page)
    client.post("/lang", data={"lang": "en", "next": page, "csrf_token": token})


def test_task_page__english_reader_sees_english_step_field_and_option_names(
    client: FlaskClient, seeded: Engine
) -> None:
    key = _bilingual_case(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    _read_english(client)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<h1 class="h4 mb-1" id="task-title">Assess the appeal</h1>' in page
    assert "受理研判" not in page
    assert re.search(r"<label[^>]*>Appeal type", page)
    assert re.search(r'<option value="conduct"[^>]*>Conduct issue</option>', page)
    assert "Assess the appeal" in client.get("/inbox").get_data(as_text=True)


def test_case_history__english_reader_sees_english_step_names_and_options(
    client: FlaskClient, seeded: Engine
) -> None:
    key = _bilingual_case(seeded)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", {"kind": "conduct"})
    login(client, "li")
    _read_english(client)
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "Assess the appeal" in page and "Reply to the citizen" in page  # history, open step
    assert "Conduct issue" in page  # the chosen option, by its English name
    assert "受理研判" not in page and "答复群众" not in page  # nor in the drawn diagram


def test_chinese_reader__keeps_the_chinese_names(client: FlaskClient, seeded: Engine) -> None:
    key = _bilingual_case(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<h1 class="h4 mb-1" id="task-title">受理研判</h1>' in page
    assert re.search(r'<option value="conduct"[^>]*>作风问题</option>', page)


def test_tracking_page__english_reader_sees_the_current_step_in_english(
    client: FlaskClient, seeded: Engine
) -> None:
    key, code = _start_bilingual(seeded)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", {"kind": "conduct"})
    _read_english(client, "/track")
    token = csrf_token(client, "/track")
    client.post("/track", data={"case_no": key, "code": code, "csrf_token": token})
    page = client.get(f"/track/{key}").get_data(as_text=True)
    assert re.search(r'data-testid="stage">Reply to the citizen<', page)
    assert "Assess the appeal" in page and "受理研判" not in page  # the step done, in the timeline
