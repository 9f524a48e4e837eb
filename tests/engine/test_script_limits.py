"""A diagram script cannot stop a worker or run without bound: it ends as a case error."""

import sys
import time
from datetime import datetime

import pytest

import engine.scripting
from engine.calendar import SHANGHAI
from engine.deployment import read_sources
from engine.errors import NotFound
from engine.scripting import SandboxEnvironment, SandboxViolation, ScriptRejected
from engine.service import Engine
from engine.settings import ScriptLimits, Settings
from engine.validation import validate
from tests.conftest import DATA

HOSTILE = DATA / "hostile"
REFUSED = DATA / "hostile_refused"
MONDAY = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
LATER = datetime(2026, 9, 28, 12, 0, tzinfo=SHANGHAI)


def _engine(tmp_path, sqlite_template, limits: ScriptLimits) -> Engine:
    path = tmp_path / "mashangban.db"
    path.write_bytes(sqlite_template.read_bytes())
    settings = Settings(f"sqlite:///{path}", tmp_path, script_limits=limits)
    engine = Engine(settings)
    with engine.transaction() as service:
        service.deployments.deploy(
            read_sources([HOSTILE]), at=datetime(2026, 9, 1, tzinfo=SHANGHAI)
        )
    return engine


@pytest.fixture
def hostile(tmp_path, sqlite_template):
    engine = _engine(tmp_path, sqlite_template, ScriptLimits(cpu_seconds=1.0, memory_mb=64))
    yield engine
    engine.close()


def _start(engine: Engine, key: str, **data) -> None:
    with engine.transaction() as service:
        service.cases.start("hostile_script", key=key, data=data, at=MONDAY)


def test_raise_system_exit__is_refused_when_the_diagram_is_validated():
    problems = validate(read_sources([REFUSED])).problems
    assert [(p.element_id, p.line) for p in problems] == [("run_hostile", 13)]
    assert "may not raise or catch SystemExit" in problems[0].message


@pytest.mark.parametrize(
    "script",
    ["try:\n    x = 1\nexcept:\n    x = 2", "try:\n    x = 1\nexcept BaseException:\n    x = 2",
     "x = KeyboardInterrupt", "x = GeneratorExit()", "def f():\n    yield 1",
     "x = ValueError.mro()", "x = f'{1:>{width}}'"],
)  # fmt: skip
def test_exception_escapes__are_refused_when_compiled(script):
    with pytest.raises(ScriptRejected):
        engine.scripting.compile_script(script)


def test_helper_raising_system_exit__becomes_a_script_error_not_a_process_exit():
    with pytest.raises(SandboxViolation, match="raised SystemExit"):
        SandboxEnvironment({"stop": sys.exit}).execute("stop(0)", {})


@pytest.mark.parametrize(
    ("attack", "needle"),
    [("pow", "200,000,000 bits"), ("power", "bits"), ("tower", "20,000,000 bits"),
     ("factorial", "math.factorial"), ("repeat", "1,000,000,000 characters"),
     ("swallow", "20,000,000 bits"), ("calendar", "3,660 days")],
)  # fmt: skip
def test_huge_arithmetic__ends_as_a_case_error_naming_element_and_limit(hostile, attack, needle):
    _start(hostile, "H1", attack=attack)
    began = time.monotonic()
    assert hostile.fire_due_timers(now=LATER) == 1
    assert time.monotonic() - began < 10  # before: 27 s to more than 90 s, or a crash
    with hostile.transaction() as service:
        case = service.cases.get("H1")
        assert service.chain.replay("H1").matches_stored is True
        assert service.chain.verify() == []
    assert case.status == "error"
    assert "run_hostile" in case.error and needle in case.error
    assert "MASHANGBAN_SCRIPT_MAX_" in case.error or attack == "calendar"


@pytest.mark.parametrize(
    ("attack", "setting"),
    [("cpu", "MASHANGBAN_SCRIPT_MAX_CPU_SECONDS"), ("memory", "MASHANGBAN_SCRIPT_MAX_MEMORY_MB")],
)
def test_cpu_or_memory_backstop__quarantines_the_case_and_other_timers_still_fire(
    hostile, attack, setting
):
    _start(hostile, "BAD", attack=attack)
    _start(hostile, "GOOD", attack="none")
    assert hostile.fire_due_timers(now=LATER) == 2
    with hostile.transaction() as service:
        bad, good = service.cases.get("BAD"), service.cases.get("GOOD")
        kinds = [e.kind for e in service.cases.history("BAD")]
        assert service.chain.replay("BAD").matches_stored is True
        assert service.chain.verify() == []
    assert good.status == "completed" and good.data["x"] == 1
    assert bad.status == "error" and "run_hostile" in bad.error and setting in bad.error
    assert bad.next_timer_at is None  # out of the rotation, its state as before the action
    assert kinds == ["started", "failed"]


def test_diagram_deployed_before_the_check__cannot_end_the_timer_worker(
    tmp_path, sqlite_template, monkeypatch
):
    monkeypatch.setattr(engine.scripting, "check_tree", lambda *args: None)  # an older release
    engine.scripting.compile_script.cache_clear()
    try:
        with _engine(tmp_path, sqlite_template, ScriptLimits()).transaction() as service:
            service.deployments.deploy(
                read_sources([REFUSED]), at=datetime(2026, 9, 2, tzinfo=SHANGHAI)
            )
            for key, stop in (("EXIT", True), ("GOOD", False)):
                service.cases.start("system_exit", key=key, data={"stop": stop}, at=MONDAY)
        worker = Engine(Settings(f"sqlite:///{tmp_path / 'mashangban.db'}", tmp_path))
        assert worker.fire_due_timers(now=LATER) == 2
        with worker.transaction() as service:
            stopped, good = service.cases.get("EXIT"), service.cases.get("GOOD")
    finally:
        engine.scripting.compile_script.cache_clear()
    assert stopped.status == "error" and "run_hostile" in stopped.error
    assert good.status == "completed"


def test_scheduled_start_past_its_limits__is_skipped_and_other_timers_still_fire(hostile):
    _start(hostile, "GOOD", attack="none")
    reports: list[tuple[str, str]] = []
    october = datetime(2026, 10, 9, 12, 0, tzinfo=SHANGHAI)  # after the first working day
    fired = hostile.fire_due_timers(october, on_case=lambda k, f: reports.append((k, f[0]["spec"])))
    assert [key.split("-")[0] for key, _ in reports] == ["scheduled_hostile", "GOOD"]
    with hostile.transaction() as service:
        assert service.cases.get("GOOD").status == "completed"
        with pytest.raises(NotFound):  # nothing half-started
            service.cases.get(reports[0][0])
    assert fired == 1
    assert "burn_cpu" in reports[0][1] and "MASHANGBAN_SCRIPT_MAX_CPU_SECONDS" in reports[0][1]
    assert hostile.fire_due_timers(october) == 0  # the next start is next month's
