"""No field is prefilled with someone else's text (issue 13): the level above reads the lower
level's note as the escalation reason, and writes its own note in an empty field."""

from __future__ import annotations

import contextlib
import html as htmlib
import json
import re
from typing import Any

from engine.service import Engine
from tests.processes.test_scenarios import SCENARIO_DIR, Run, play

from .conftest import PASSWORD, login, make_app

LADDER = SCENARIO_DIR / "escalation_ladder" / "declared_cannot_resolve.json"
NOTE = "需要税务部门协同核对缴费记录，人社局无法单独解决。"  # 二级 胡静's note


class _Stop(Exception):
    """Ends the scenario before the 三级 completes its task."""


def test_level_three_form__lower_level_note_is_the_reason_not_a_prefill(engine: Engine) -> None:
    def before(step: Any) -> None:
        if step is not None and step.get("complete") == "el_level3":
            raise _Stop

    run = Run(engine, json.loads(LADDER.read_text("utf-8")), LADDER.stem)
    run.setup(password=PASSWORD)
    with contextlib.suppress(_Stop):
        play(run, before)
    with engine.reading() as service:
        task = next(t for t in service.cases.get("EL-DECLARED").tasks if t.task_spec == "el_level3")
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    client = app.test_client()
    login(client, "yuanhua")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    app.extensions["mashangban.engine"].close()
    note = re.search(r'<textarea[^>]*name="handling_note"[^>]*>(.*?)</textarea>', page, re.S)
    assert note is not None and htmlib.unescape(note.group(1)).strip() == ""
    assert NOTE in page  # shown read-only, as the reason the case came up
