"""The `mashangban` command line, end to end on a fresh SQLite database per test."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.service import Engine
from engine.settings import Settings
from tests.conftest import VALID


@dataclass
class Result:
    """What a shell would see: the exit status and both output streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `mashangban ARGS...` in-process against a database of its own."""
    monkeypatch.setenv("MASHANGBAN_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def mashangban(*argv: str) -> Result:
        try:
            code: int | str | None = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        if isinstance(code, str):  # SystemExit("message"): Python prints it and exits with 1
            return Result(1, out, err + code + "\n")
        return Result(code or 0, out, err)

    assert mashangban("init").code == 0
    return mashangban


@pytest.fixture
def deployed(run: Run) -> Run:
    """The test diagrams deployed, and clerk li of town_a_clerks."""
    assert run("deploy", str(VALID)).code == 0
    assert run("user", "add", "li", "--group", "town_a_clerks").code == 0
    return run


@pytest.fixture
def register_task(deployed: Run) -> str:
    """Case K of two_step started; the id of its open `register` task."""
    started = deployed("case", "start", "two_step", "--key", "K", "--json")
    assert started.code == 0, started.err
    (task,) = started.json()["tasks"]
    return str(task["id"])


def history(run: Run, key: str) -> list[str]:
    result = run("case", "history", key, "--json")
    assert result.code == 0, result.err
    return [event["kind"] for event in result.json()]


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.out + result.err


GOOD_REGISTER = {"title": "路灯不亮", "kind": "coordination", "people": 3}
BAD_REGISTER = {"title": "x" * 60, "kind": "nope", "people": 0, "contact_phone": "123"}


# --- deploy ---------------------------------------------------------------------------------


def test_deploy__same_files_again_changes_nothing(run: Run) -> None:
    first = run("deploy", str(VALID))
    versions = run("processes", "--json").json()

    again = run("deploy", str(VALID))

    assert first.code == 0 and "two_step v1 (new version)" in first.out
    assert again.code == 0
    assert "nothing changed" in again.out
    assert "(new version)" not in again.out
    assert run("processes", "--json").json() == versions
    assert {v["version"] for v in versions} == {1}


def test_user_add__reports_the_groups(run: Run) -> None:
    result = run("user", "add", "li", "--group", "town_a_clerks")

    assert result.code == 0
    assert result.out.strip() == "user li: groups town_a_clerks"


def test_user_signout_and_disable__end_the_sessions(run: Run) -> None:
    run("init")
    run("user", "add", "li", "--group", "town_a_clerks")
    engine = Engine(Settings.from_env())
    try:
        with engine.transaction() as service:
            token = service.signins.open("web", timedelta(hours=1), username="li")
        assert run("user", "signout", "li").out.strip() == (
            "user li: 1 session(s) and API token(s) ended"
        )
        with engine.transaction() as service:
            assert service.signins.user(token) is None
            token = service.signins.open("api", timedelta(hours=1), username="li")
        assert run("user", "disable", "li").code == 0
        with engine.transaction() as service:
            assert service.signins.user(token, "api") is None
        assert run("user", "enable", "li").code == 0
        with engine.transaction() as service:
            assert service.staff.get_user("li").username == "li"
    finally:
        engine.close()
    unknown = run("user", "signout", "nobody")
    assert unknown.code != 0 and "unknown user 'nobody'" in unknown.err


# --- cases and tasks ------------------------------------------------------------------------


def test_case_start__json_shows_a_running_case_with_its_first_task(deployed: Run) -> None:
    result = deployed("case", "start", "two_step", "--key", "K", "--json")

    assert result.code == 0, result.err
    case = result.json()
    assert (case["key"], case["status"]) == ("K", "running")
    assert [t["task_spec"] for t in case["tasks"]] == ["register"]


def test_task_list__shows_the_task_in_the_clerks_inbox(deployed: Run, register_task: str) -> None:
    result = deployed("task", "list", "--user", "li", "--json")

    assert result.code == 0
    assert [(t["id"], t["case_key"], t["task_spec"]) for t in result.json()] == [
        (register_task, "K", "register")
    ]


def test_task_complete__bad_fields_are_listed_one_per_line_and_nothing_is_saved(
    deployed: Run, register_task: str
) -> None:
    result = deployed(
        "task", "complete", register_task, "--user", "li", "--data", json.dumps(BAD_REGISTER)
    )

    assert result.code == 1
    assert_no_traceback(result)
    lines = result.err.splitlines()
    for field in BAD_REGISTER:
        assert [line for line in lines if line.startswith(f"{field}: ")], result.err
    assert "not submitted" in result.err
    assert history(deployed, "K") == ["started"]
    assert [t["id"] for t in deployed("task", "list", "--user", "li", "--json").json()] == [
        register_task
    ]


def test_task_complete__good_data_moves_the_case_on(deployed: Run, register_task: str) -> None:
    data = json.dumps(GOOD_REGISTER)
    result = deployed("task", "complete", register_task, "--user", "li", "--data", data, "--json")

    assert result.code == 0, result.err
    case = result.json()
    assert [t["task_spec"] for t in case["tasks"]] == ["handle"]
    assert case["data"]["title"] == GOOD_REGISTER["title"]
    assert history(deployed, "K") == ["started", "task_completed"]


def test_task_complete__malformed_json_exits_with_a_clear_message(
    deployed: Run, register_task: str
) -> None:
    result = deployed("task", "complete", register_task, "--user", "li", "--data", "{")

    assert result.code == 1
    assert "--data is not valid JSON" in result.err
    assert_no_traceback(result)
    assert history(deployed, "K") == ["started"]


def test_case_show__unknown_key_says_there_is_no_case(deployed: Run) -> None:
    result = deployed("case", "show", "UNKNOWN")

    assert result.code == 1
    assert "no case" in result.err
    assert_no_traceback(result)


# --- audit and replay -----------------------------------------------------------------------


def complete_register(run: Run, task_id: str) -> None:
    data = json.dumps(GOOD_REGISTER)
    assert run("task", "complete", task_id, "--user", "li", "--data", data).code == 0


def test_audit_verify__intact_chains_are_ok(deployed: Run, register_task: str) -> None:
    complete_register(deployed, register_task)

    result = deployed("audit", "verify")

    assert result.code == 0
    assert result.out.startswith("ok: ")
    assert "TAMPERED" not in result.out


def test_replay__rebuilds_the_stored_state_identically(deployed: Run, register_task: str) -> None:
    complete_register(deployed, register_task)

    result = deployed("replay", "K")

    assert result.code == 0
    assert "identical" in result.out
    assert "active tasks: handle" in result.out


def test_replay__a_different_state_exits_non_zero(
    deployed: Run, register_task: str, tmp_path: Path
) -> None:
    complete_register(deployed, register_task)
    with sqlite3.connect(tmp_path / "mashangban.db") as db:  # edited behind the engine's back
        db.execute("UPDATE cases SET state = state || ' ' WHERE business_key = 'K'")

    result = deployed("replay", "K")

    assert "replayed state is DIFFERENT" in result.out
    assert result.code == 1
    assert deployed("replay", "K", "--json").code == 1


def test_audit_verify__with_heads_reports_only_the_named_case(
    deployed: Run, register_task: str, tmp_path: Path
) -> None:
    assert deployed("case", "start", "two_step", "--key", "OTHER").code == 0
    heads = tmp_path / "heads.json"
    assert deployed("audit", "export", str(heads)).code == 0
    exported = json.loads(heads.read_text())
    exported["OTHER"]["head"] = "0" * 64  # OTHER differs from the file; K does not
    heads.write_text(json.dumps(exported))

    named = deployed("audit", "verify", "K", "--heads", str(heads))
    everything = deployed("audit", "verify", "--heads", str(heads))

    assert named.code == 0, named.out
    assert "OTHER" not in named.out and named.out.startswith("ok: 1 case chain(s)")
    assert everything.code == 1 and "OTHER" in everything.out


# --- timers ---------------------------------------------------------------------------------


def test_timers_run__fires_due_timers_at_the_given_now(deployed: Run) -> None:
    assert deployed("case", "start", "sla_timer", "--key", "S").code == 0

    result = deployed("timers", "run", "--once", "--now", "2030-01-01T00:00+08:00")

    assert result.code == 0, result.err
    assert "1 case(s) had due timers" in result.out
    assert "respond_overdue" in result.err
    assert history(deployed, "S") == ["started", "timer_fired"]
    tasks = deployed("case", "show", "S", "--json").json()["tasks"]
    assert [t["task_spec"] for t in tasks] == ["escalated_review"]


def test_timers_run__now_without_offset_is_refused(deployed: Run) -> None:
    assert deployed("case", "start", "sla_timer", "--key", "S").code == 0

    result = deployed("timers", "run", "--once", "--now", "2030-01-01T00:00")

    assert result.code == 1
    assert "--now needs a UTC offset" in result.err
    assert_no_traceback(result)
    assert history(deployed, "S") == ["started"]


# --- calendar -------------------------------------------------------------------------------

SCHEDULE_2027 = """\
# 2027 official schedule (test excerpt)
2027-01-01  holiday  元旦
2027-02-06  workday  春节调休
"""


def calendar_days(*days: date) -> list[bool]:
    engine = Engine(Settings.from_env())
    try:
        with engine.transaction() as service:
            calendar = service.calendar.current()
            return [calendar.is_workday(day) for day in days]
    finally:
        engine.close()


def test_calendar_load__official_schedule_overrides_the_days(run: Run, tmp_path: Path) -> None:
    schedule = tmp_path / "2027.txt"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")

    result = run("calendar", "load", str(schedule))

    assert result.code == 0, result.err
    assert "loaded 2 day(s)" in result.out
    # Friday 2027-01-01 is a holiday; Saturday 2027-02-06 a make-up working day.
    assert calendar_days(date(2027, 1, 1), date(2027, 2, 6)) == [False, True]


def test_calendar_load__bad_line_is_named_without_a_traceback(run: Run, tmp_path: Path) -> None:
    schedule = tmp_path / "bad.txt"
    schedule.write_text("2027-01-01 holiday\n2027-13-01 holiday\n", encoding="utf-8")

    result = run("calendar", "load", str(schedule))

    assert result.code == 1
    assert "line 2" in result.err
    assert_no_traceback(result)


# --- exit statuses ------------------------------------------------------------------------


def test_task_complete__twice_is_a_conflict_with_status_3(
    deployed: Run, register_task: str
) -> None:
    complete_register(deployed, register_task)

    again = deployed("task", "complete", register_task, "--user", "li", "--data", "{}")

    assert again.code == 3
    assert again.err.startswith("conflict: ")
    assert_no_traceback(again)
