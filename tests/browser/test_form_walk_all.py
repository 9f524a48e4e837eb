"""Every user task of every diagram in processes/, opened in Chromium by the person it waits
for (issue 13): the scenario tests (tests/processes/scenarios/) drive cases through the
diagrams with engine calls, and before each step every task that is open for the first time
is opened on its task page and its case page. No raw option value, ISO timestamp, group id,
username or Python literal may show, in the text or in what a field holds; and together the
scenarios must reach every user task of every diagram."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.demo import ORGANISATION
from engine.models import ProcessVersion
from engine.service import Engine
from engine.settings import Settings
from engine.views import TaskView
from tests.processes.test_scenarios import SCENARIOS, Run, play
from tests.rawvalues import people, raw_values
from tests.web.conftest import make_app
from web.vocabulary import STATE_WORDS

from .conftest import CHROMIUM_ARGS, LiveServer, sign_in  # noqa: F401  (args: documented)
from .test_walk import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIELD_VALUES = "els => els.map(e => e.value)"  # what text inputs and text areas hold
IDENTIFIER = re.compile(r"(?<![\w./:-])[a-z]+(?:_[a-z0-9]+)+(?![\w-])")  # snake_case: code
FIELDS = "main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main textarea"


class FormWalk:
    """Opens each task the first time it is open, as the person it waits for."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.members, self.usernames = people()
        self.seen: set[str] = set()
        self.problems: dict[str, list[str]] = {}

    def scenario(self, engine: Engine, name: str, scenario: dict[str, Any]) -> None:
        """Play one scenario on its own database and server, opening the new tasks."""
        run = Run(engine, scenario, name)
        run.setup()
        app = make_app(engine, TESTING=False, MASHANGBAN_ENV="testing",
                       MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
        server = LiveServer(app)
        pages: dict[str, Any] = {}
        try:
            play(run, lambda step: self._open_new_tasks(run, server, pages, name, step))
        finally:
            for page in pages.values():
                page.context.close()
            server.close()
            app.extensions["mashangban.engine"].close()

    def _open_new_tasks(
        self, run: Run, server: LiveServer, pages: dict[str, Any], name: str, step: Any
    ) -> None:
        tasks: list[TaskView] = run.transaction(lambda service: service.tasks.open())
        for task in tasks:
            spec = task.task_spec  # unique across the diagrams (a called one runs in its caller)
            if spec in self.seen:
                continue
            self.seen.add(spec)
            user = self._holder(task, step)
            if user not in pages:
                context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
                context.set_default_timeout(10_000)
                context.route("**/assets/bpmn-js/**", lambda route: route.abort())  # speed
                pages[user] = context.new_page()
                run.transaction(lambda service, u=user: give_password(service, u))
                sign_in(pages[user], server.url, user, DEMO_PASSWORD)
            options = {c.id for f in task.form for c in f.choices if len(c.id) > 2}
            options |= set(STATE_WORDS) | {f.id for f in task.form if "_" in f.id}  # field ids
            for path in (f"/tasks/{task.id}", f"/cases/{task.case_key}"):
                found = self._read(pages[user], server.url + path, options)
                if found:
                    self.problems[f"{name}: {spec} {path} as {user}"] = sorted(set(found))

    def _holder(self, task: TaskView, step: Any) -> str:
        """Who the task waits for: the user of the step about to complete it, else its
        assignee or candidate user, else a member of one of its candidate groups."""
        if step and step.get("complete") == task.task_spec and "user" in step:
            return str(step["user"])
        for name in (task.assignee, *task.candidate_users):
            if name:
                return name
        found = next((self.members[g] for g in task.candidate_groups if g in self.members), None)
        assert found, f"{task.task_spec}: nobody in {task.candidate_groups}"
        return found

    def _read(self, page: Any, url: str, options: set[str]) -> list[str]:
        response = page.goto(url, wait_until="domcontentloaded")
        assert response is not None and response.status == 200, f"{url}: {response}"
        shown = page.locator("main").inner_text()
        shown += " " + " ".join(page.locator(FIELDS).evaluate_all(FIELD_VALUES))
        return raw_values(shown, self.usernames, options) + IDENTIFIER.findall(shown)


def give_password(service: Any, username: str) -> None:
    """The demo password for one person (hashing all 36 for each scenario takes long)."""
    user = next(u for u in json.loads(ORGANISATION.read_text("utf-8"))["users"]
                if u["username"] == username)  # fmt: skip
    service.staff.save_user(username, user["name"], user["groups"], unit=user["unit"],
                      roles=user["roles"], password=DEMO_PASSWORD)  # fmt: skip


def user_tasks(engine: Engine) -> set[str]:
    """The id of every user task of every deployed diagram."""
    with engine.reading() as service:
        versions = service.session.scalars(select(ProcessVersion))
        return {spec for v in versions for spec in v.tasks}


@pytest.fixture
def scenario_engines(sqlite_template: Path, tmp_path: Path) -> Iterator[Any]:
    """A fresh SQLite engine per scenario."""
    engines: list[Engine] = []

    def fresh(name: str) -> Engine:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(sqlite_template, folder / "mashangban.db")
        engines.append(Engine(Settings(database_url=f"sqlite:///{folder / 'mashangban.db'}",
                                       instance_path=folder)))  # fmt: skip
        return engines[-1]

    yield fresh
    for engine in engines:
        engine.close()


def test_every_user_task_of_every_diagram__opened_in_chromium_shows_no_raw_values(
    browser: Any, scenario_engines: Any
) -> None:
    walk = FormWalk(browser)
    every_task: set[str] = set()
    for path in SCENARIOS:
        name = f"{path.parent.name}/{path.stem}"
        engine = scenario_engines(name.replace("/", "-"))
        walk.scenario(engine, name, json.loads(path.read_text(encoding="utf-8")))
        every_task |= user_tasks(engine)
    assert walk.problems == {}, json.dumps(walk.problems, ensure_ascii=False, indent=1)
    assert len(every_task) >= 30 and every_task - walk.seen == set(), "tasks no scenario reaches"
