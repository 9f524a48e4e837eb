"""Scenario tests of the diagrams in processes/: one JSON file per scenario, in
`scenarios/<process_id>/` beside this file (they name demo units, which processes/ must not).

Each scenario deploys every diagram and the
organisation on a fresh SQLite database, starts cases and walks them step by step:
complete a task as a user, deliver a message, fire the timers due at an instant. Every
step runs on a new `Engine` over the same database, so the case is stored and reloaded
between steps exactly as in production. After each step the `expect` block is checked;
at the end every case must replay to its stored state and the hash chains must verify.

Scenario file::

    {"title": "...", "deploy_at": "2026-06-01T08:00:00+08:00",
     "start": {"process": "closed_loop", "key": "C1", "at": "...", "actor": "zhaolei",
               "data": {...}, "expect": {...}},
     "steps": [
       {"at": "...", "complete": "accept_case", "user": "zhaolei", "data": {...},
        "expect": {...}},
       {"at": "...", "complete": "dh_return_reason", "user": "linfeng", "data": {...},
        "rejected": ["return_reason"]},               # the form must refuse these fields
       {"at": "...", "message": "citizen_rating", "payload": {...}},
       {"at": "...", "timers": true, "expect": {...}},
       {"at": "...", "start": {...}},                  # another case in the same scenario
       {"case": "C1-1", "at": "...", "complete": ...}  # steps act on "case" (default: start key)
     ]}

`expect` keys (all optional; checked on `case`, default the step's case):
`status`; `tasks` (open task ids, sorted, with repeats); `groups` ({task: candidate groups});
`due` ({task: ISO due time}); `inbox` ({user: task ids of this case in their inbox});
`data` (subset of the case data, dicts compared recursively); `data_absent` (keys);
`events` ({history event kind: count}); `escalations` (fields of each `escalated`
event, subset, in order); `last_timers` (boundary/catch events fired by the case's latest
timer event); `next_timer_at`; `cases` ({other key: nested expect}); `absent_cases`.
A case must never carry warnings (e.g. an unfilled `{placeholder}`) or an error.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.errors import FormInvalid, NotFound
from engine.service import Engine

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
SCENARIO_DIR = Path(__file__).parent / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*/*.json"))


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text}: scenario times need a UTC offset"
    return moment


class Run:
    """One scenario on one database; every action uses a fresh Engine object."""

    def __init__(self, engine: Engine, scenario: dict[str, Any], name: str) -> None:
        self.settings = engine.settings
        self.scenario = scenario
        self.name = name
        self.keys: list[str] = []

    def engine(self) -> Engine:
        return Engine(self.settings)

    def transaction(self, action: Any) -> Any:
        engine = self.engine()
        try:
            with engine.transaction() as service:
                return action(service)
        finally:
            engine.close()

    # --- actions ------------------------------------------------------------------------------

    def setup(self, password: str | None = None) -> None:
        """Deploy processes/ and load the demo organisation (`password`: demo sign-ins)."""
        at = _instant(self.scenario.get("deploy_at", self.scenario["start"]["at"]))

        def deploy(service: Any) -> None:
            service.deployments.deploy(read_sources([PROCESSES]), at=at)
            load_organisation(service, ORGANISATION, password=password)

        self.transaction(deploy)

    def start(self, spec: dict[str, Any]) -> str:
        self.transaction(
            lambda s: s.cases.start(spec["process"], key=spec["key"], data=spec.get("data", {}),
                                    actor=spec.get("actor", "system"), at=_instant(spec["at"]))
        )  # fmt: skip
        self.keys.append(spec["key"])
        return spec["key"]

    def complete(self, key: str, step: dict[str, Any], where: str) -> None:
        def act(service: Any) -> None:
            task_id = self._find_task(service, key, step["complete"], step["user"], where)
            service.tasks.complete(task_id, step["user"], step.get("data", {}),
                                   at=_instant(step["at"]))  # fmt: skip

        if "rejected" not in step:
            self.transaction(act)
            return
        with pytest.raises(FormInvalid) as refused:
            self.transaction(act)
        fields = sorted(e.field for e in refused.value.errors)
        assert fields == sorted(step["rejected"]), f"{where}: refused fields {fields}"

    def _find_task(self, service: Any, key: str, spec: str, user: str, where: str) -> str:
        inbox = [t for t in service.tasks.inbox(user) if t.case_key == key]
        found = [t for t in inbox if t.task_spec == spec]
        if not found:
            case = service.cases.get(key)
            open_tasks = {t.task_spec: t.candidate_groups for t in case.tasks}
            pytest.fail(f"{where}: {user} has no task {spec} of {key}; their inbox: "
                        f"{[t.task_spec for t in inbox]}; open tasks: {open_tasks}; "
                        f"case error: {case.error}")  # fmt: skip
        return str(found[0].id)

    # --- checks -------------------------------------------------------------------------------

    def check(self, key: str, expect: dict[str, Any], where: str) -> None:
        def read(service: Any) -> None:
            self._check_case(service, key, expect, where)

        self.transaction(read)

    def _check_case(self, service: Any, key: str, expect: dict[str, Any], where: str) -> None:
        case = service.cases.get(key)
        where = f"{where} [{key}]"
        assert case.error is None, f"{where}: the case failed: {case.error}"
        assert list(case.warnings) == [], f"{where}: warnings {list(case.warnings)}"
        if "status" in expect:
            assert case.status == expect["status"], f"{where}: status {case.status}"
        if "tasks" in expect:
            tasks = sorted(t.task_spec for t in case.tasks)
            assert tasks == sorted(expect["tasks"]), f"{where}: open tasks {tasks}"
        for spec, groups in expect.get("groups", {}).items():
            actual = sorted({g for t in case.tasks if t.task_spec == spec
                             for g in t.candidate_groups})  # fmt: skip
            assert actual == sorted(groups), f"{where}: {spec} offered to {actual}"
        for spec, due in expect.get("due", {}).items():
            actual_due = {t.due_at for t in case.tasks if t.task_spec == spec}
            assert actual_due == {_instant(due)}, f"{where}: {spec} due {actual_due}"
        for user, specs in expect.get("inbox", {}).items():
            inbox = sorted(t.task_spec for t in service.tasks.inbox(user) if t.case_key == key)
            assert inbox == sorted(specs), f"{where}: inbox of {user}: {inbox}"
        _check_subset(case.data, expect.get("data", {}), f"{where}: data")
        for name in expect.get("data_absent", []):
            assert name not in case.data, f"{where}: data has {name}={case.data[name]!r}"
        if "next_timer_at" in expect:
            wanted = expect["next_timer_at"] and _instant(expect["next_timer_at"])
            assert case.next_timer_at == wanted, f"{where}: next timer {case.next_timer_at}"
        self._check_history(service, key, expect, where)
        for other, nested in expect.get("cases", {}).items():
            self._check_case(service, other, nested, where)
        for other in expect.get("absent_cases", []):
            with pytest.raises(NotFound):
                service.cases.get(other)

    def _check_history(self, service: Any, key: str, expect: dict[str, Any], where: str) -> None:
        if not {"events", "escalations", "last_timers"} & set(expect):
            return
        events = service.cases.history(key)
        if "last_timers" in expect:
            fired = [e for e in events if e.kind == "timer_fired"]
            specs = sorted(f["spec"] for f in fired[-1].inputs["details"]["fired"]) if fired else []
            assert specs == sorted(expect["last_timers"]), f"{where}: last timers fired {specs}"
        counts = Counter(e.kind for e in events)
        for kind, count in expect.get("events", {}).items():
            assert counts[kind] == count, f"{where}: {counts[kind]} {kind} events, not {count}"
        if "escalations" in expect:
            fields = [e.inputs.get("fields", {}) for e in events if e.kind == "escalated"]
            assert len(fields) == len(expect["escalations"]), f"{where}: escalations {fields}"
            for number, (got, wanted) in enumerate(
                zip(fields, expect["escalations"], strict=True), 1
            ):
                _check_subset(got, wanted, f"{where}: escalation {number}")

    def audit(self) -> None:
        def verify(service: Any) -> None:
            assert service.chain.verify() == []
            for key in self.keys:
                assert service.chain.replay(key).matches_stored is True, (
                    f"{self.name}: replay {key}"
                )

        self.transaction(verify)


def _check_subset(actual: Any, wanted: Any, where: str) -> None:
    if isinstance(wanted, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for name, value in wanted.items():
            assert name in actual, f"{where}: missing {name}"
            _check_subset(actual[name], value, f"{where}.{name}")
    elif isinstance(wanted, list) and wanted and all(isinstance(w, dict) for w in wanted):
        assert isinstance(actual, list) and len(actual) == len(wanted), (
            f"{where}: expected {len(wanted)} items, got {actual!r}"
        )
        for index, (got, item) in enumerate(zip(actual, wanted, strict=True)):
            _check_subset(got, item, f"{where}[{index}]")
    else:
        assert actual == wanted, f"{where}: {actual!r} != {wanted!r}"


def play(run: Run, before_step: Callable[[dict[str, Any] | None], None] | None = None) -> None:
    """Start the scenario's case and take every step, checking each `expect`; `before_step`
    is called before each step and once more at the end (with None): the browser walk
    opens the task forms there."""
    scenario = run.scenario
    key = run.start(scenario["start"])
    run.check(key, scenario["start"].get("expect", {}), "start")
    for number, step in enumerate(scenario["steps"], start=1):
        if before_step is not None:
            before_step(step)
        where = f"step {number}"
        current = step.get("case", key)
        if "start" in step:
            current = run.start(step["start"])
        elif "complete" in step:
            run.complete(current, step, where)
        elif "message" in step:
            run.transaction(lambda s, c=current, st=step: s.cases.deliver_message(
                      c, st["message"], st.get("payload", {}), at=_instant(st["at"])))  # fmt: skip
        elif "timers" in step:
            engine_for_timers = run.engine()
            try:
                engine_for_timers.fire_due_timers(now=_instant(step["at"]))
            finally:
                engine_for_timers.close()
        else:
            pytest.fail(f"{where}: unknown step {sorted(step)}")
        run.check(step.get("expect_case", current), step.get("expect", {}), where)
    if before_step is not None:
        before_step(None)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario(engine: Engine, path: Path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    run = Run(engine, scenario, path.stem)
    run.setup()
    play(run)
    run.audit()


def test_every_process_has_scenarios() -> None:
    with_scenarios = {p.parent.name for p in SCENARIOS}
    processes = {p.parent.name for p in PROCESSES.glob("*/*.bpmn")}
    assert processes - with_scenarios == set()
