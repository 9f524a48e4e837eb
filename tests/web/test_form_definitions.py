"""Every user task form of every deployed diagram, rendered by the task page's own macro
with the data of every demo case: no raw option value, ISO timestamp, group id, username
or Python literal shows, in the text or in a prefilled input (issue 13).

The browser walks open the tasks in Chromium: tests/browser/test_form_walk.py those the demo
data reaches, tests/browser/test_form_walk_all.py every user task, through the scenarios;
this one renders each form with every demo case's data as the prefill."""

from __future__ import annotations

import html as htmlib
import re
from datetime import datetime

from flask import render_template_string
from sqlalchemy import select

from engine.demo import demo_cases
from engine.formoptions import OptionsReader
from engine.models import ProcessVersion
from engine.service import Engine
from tests.auditcase import KEY, deploy_demo, escalated_rehandled_case
from tests.rawvalues import people, raw_values
from web.casefacts import unit_name
from web.taskforms import field_states, initial_values, readonly_text
from web.vocabulary import STATE_WORDS

from .conftest import PASSWORD, make_app

# The task page's own macro (templates/tasks/task.html renders its fields the same way).
FIELDS = (
    '{% from "_macros.html" import form_field %}'
    "{% for s in fields %}{{ form_field(s) }}{% endfor %}"
)
INPUT_VALUE = re.compile(r'<input(?![^>]*type="(?:hidden|radio|checkbox)")[^>]*\bvalue="([^"]*)"')


def _shown(page: str) -> str:
    """What a person reads: the text, and what the text inputs hold."""
    values = " ".join(htmlib.unescape(v) for v in INPUT_VALUE.findall(page))
    text = re.sub(r"<select.*?</select>", " ", page, flags=re.S)  # options: names, checked below
    options = " ".join(re.findall(r"<option[^>]*>([^<]*)</option>", page))
    return htmlib.unescape(re.sub(r"<[^>]+>", " ", text)) + " " + values + " " + options


def test_every_task_form_with_every_demo_case_shows_no_raw_values(engine: Engine) -> None:
    deploy_demo(engine, password=PASSWORD)
    escalated_rehandled_case(engine, upto=5)  # at level 2; the ladder's timer takes it to 3
    engine.fire_due_timers(now=datetime.fromisoformat("2026-06-11T09:00:00+08:00"))
    with engine.transaction() as service:
        keys = [KEY, *demo_cases(service)]
    forms = {}
    with engine.reading() as service:
        session = service.session
        reader = OptionsReader(session)
        for version in session.scalars(select(ProcessVersion)):
            for spec in version.tasks:
                meta = engine.versions.task_meta(session, version.id, spec)
                if meta is not None and meta.form:
                    forms[f"{version.process_id}/{spec}"] = reader.fill(meta.form)
        cases = {key: service.cases.get(key).data for key in keys}
    assert len(forms) >= 20, sorted(forms)
    _members, usernames = people()
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    problems: dict[str, list[str]] = {}
    with app.test_request_context("/"):
        for name, form in forms.items():
            options = {c.id for f in form for c in f.choices if len(c.id) > 2} | set(STATE_WORDS)
            for key, data in cases.items():
                readonly = {f.id: readonly_text(f, data.get(f.id, f.default), unit_name)
                            for f in form if f.readonly}  # fmt: skip
                states = field_states(form, initial_values(form, data), None, readonly)
                page = render_template_string(FIELDS, fields=states)
                found = raw_values(_shown(page), usernames, options)
                if found:
                    problems.setdefault(name, []).extend(f"{key}: {v}" for v in found)
    app.extensions["mashangban.engine"].close()
    assert problems == {}, {k: sorted(set(v))[:6] for k, v in problems.items()}
