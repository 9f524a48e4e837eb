"""Validation: every defective diagram is refused with its file, line, element and a fix.

`tests/data/invalid/EXPECTED.json` names, for each defective file, where the defect is.
Where the engine points somewhere more precise than that file says (the condition
element rather than its flow's start tag, the script line rather than the task), the
more precise place is expected instead; see `MORE_PRECISE`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import InvalidProcess, Problem
from engine.scripting import SandboxEnvironment
from engine.service import Engine
from engine.validation import validate
from tests.conftest import INVALID, VALID

EXPECTED: dict[str, dict[str, object]] = json.loads((INVALID / "EXPECTED.json").read_text())
INVALID_FILES = sorted(p for p in INVALID.iterdir() if p.name != "EXPECTED.json")

# file -> (line, element id) where the engine reports the defect more precisely.
MORE_PRECISE: dict[str, tuple[int, str]] = {
    # The <!DOCTYPE html> on line 1 is refused before the HTML is parsed at all.
    "not_xml.bpmn": (1, ""),
    # The conditionExpression element itself, inside sequenceFlow flow_decide_approved.
    "juel_condition.bpmn": (36, "flow_decide_approved"),
    "feel_condition.bpmn": (36, "flow_decide_approved"),
    "condition_syntax.bpmn": (36, "flow_decide_approved"),
    # The empty <bpmn:timerEventDefinition /> inside the event.
    "empty_timer.bpmn": (16, "wait_a_while"),
    # The dataStoreReference inside the process: the shape drawn in the diagram.
    "data_store.bpmn": (26, "archive_ref"),
    # The <bpmn:script> line holding the refused code.
    "script_import.bpmn": (16, "run_script"),
    "script_open.bpmn": (16, "run_script"),
    "script_dunder.bpmn": (16, "run_script"),
}


def expected_place(name: str) -> tuple[int, str]:
    """The line and element id the engine should report for an invalid file."""
    if name in MORE_PRECISE:
        return MORE_PRECISE[name]
    entry = EXPECTED[name]
    return int(str(entry["line"])), str(entry["element_id"])


def invalid_params() -> list[object]:
    return [pytest.param(path, id=path.name) for path in INVALID_FILES]


def problems_of(path: Path) -> list[Problem]:
    return validate({path.name: path.read_bytes()}).problems


def describe(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problem reported)"


# --- the invalid set ------------------------------------------------------------------------


def test_validate__every_invalid_file_has_an_expectation() -> None:
    assert {p.name for p in INVALID_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", invalid_params())
def test_validate__invalid_file_is_reported_at_its_line_and_element(path: Path) -> None:
    line, element = expected_place(path.name)
    problems = problems_of(path)

    matching = [p for p in problems if str(p).startswith(f"{path.name}:{line}: ")]
    if element:
        matching = [p for p in matching if p.element_id == element]
    assert matching, f"expected {path.name}:{line} {element or ''}, got:\n{describe(problems)}"


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_validate__every_problem_says_what_to_change(path: Path) -> None:
    problems = problems_of(path)

    assert problems, f"{path.name} validated without a problem"
    for problem in problems:
        assert len(problem.message.strip()) > 20, str(problem)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("juel_condition.bpmn", "JUEL"),
        ("feel_condition.bpmn", "FEEL"),
        ("juel_due_date.bpmn", "JUEL"),
        ("billion_laughs.bpmn", "DOCTYPE"),
        ("external_entity.bpmn", "DOCTYPE"),
        ("script_import.bpmn", "import"),
        ("script_open.bpmn", "'open'"),
        ("script_dunder.bpmn", "__class__"),
        ("two_decisions.dmn", "exactly one"),
        ("missing_call_target.bpmn", "no_such_process"),
        ("missing_decision.bpmn", "no_such_decision"),
    ],
)
def test_validate__message_names_the_offending_construct(name: str, needle: str) -> None:
    assert needle in describe(problems_of(INVALID / name))


def test_validate__juel_condition_is_rejected_with_its_line() -> None:
    (problem,) = problems_of(INVALID / "juel_condition.bpmn")

    assert (problem.line, problem.element_id) == (36, "flow_decide_approved")
    assert "write approved without ${...}" in problem.message


def test_validate__html_page_is_reported_as_not_a_diagram() -> None:
    message = describe(problems_of(INVALID / "not_xml.bpmn"))

    assert "not a BPMN" in message or "HTML" in message


# --- the CLI --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_cli_validate__prints_each_problem_as_file_line_element_message(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()

    assert code == 1
    lines = out.splitlines()
    assert lines, err
    pattern = re.compile(rf"{re.escape(path.name)}:\d+: \S+: .{{20,}}")
    for line in lines:
        assert pattern.fullmatch(line), line
    assert "Traceback" not in out + err


def test_cli_validate__valid_set_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(VALID)])
    out, _ = capsys.readouterr()

    assert code == 0
    assert out.splitlines()[-1].startswith("ok: ") and "two_step" in out


# --- the valid set --------------------------------------------------------------------------


def test_validate__valid_set_has_no_problem() -> None:
    files = {p.name: p.read_bytes() for p in sorted(VALID.iterdir()) if p.is_file()}

    model = validate(files)

    assert model.problems == []
    assert {"two_step", "sla_timer", "decide", "parent_call"} <= set(model.processes)


# --- the sandbox ----------------------------------------------------------------------------

SCRIPT_TASK = (INVALID / "script_import.bpmn").read_text(encoding="utf-8")
SCRIPT_ELEMENT = "<bpmn:script>import os</bpmn:script>"
SCRIPT_LINE = 16  # the line of SCRIPT_ELEMENT in script_import.bpmn


def with_script(body: str) -> bytes:
    """script_import.bpmn with its script replaced, under a process id of its own."""
    assert SCRIPT_ELEMENT in SCRIPT_TASK
    text = SCRIPT_TASK.replace(SCRIPT_ELEMENT, f"<bpmn:script>{body}</bpmn:script>")
    return text.replace('id="script_import"', 'id="sandboxed"').encode()


def deploy_problems(engine: Engine, files: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(InvalidProcess) as refused, engine.transaction() as service:
        service.deployments.deploy(files)
    return refused.value.problems


@pytest.mark.parametrize(
    ("body", "offset"),
    [
        pytest.param("x = 1\ny = 2\nimport os", 2, id="starts-on-the-tag-line"),
        pytest.param("\n  x = 1\n  y = 2\n  import os\n", 3, id="indented-below-the-tag"),
        pytest.param("\n\n  x = 1\n  y = 2\n  import os\n", 4, id="after-an-empty-line"),
        pytest.param(
            "  \n  x = 1\n  y = 2\n  import os\n",
            3,
            id="after-a-whitespace-only-line",
        ),
    ],
)
def test_deploy__import_on_third_script_line_is_refused_at_that_line(
    engine: Engine, body: str, offset: int
) -> None:
    problems = deploy_problems(engine, {"sandboxed.bpmn": with_script(body)})

    assert [(p.line, p.element_id) for p in problems] == [(SCRIPT_LINE + offset, "run_script")]
    assert "imports are not allowed" in problems[0].message


ESCAPES = {
    "str-format": 'x = "{0.__class__}".format(1)',
    "str-format-unbound": 'x = str.format("{0.__class__}", 1)',
    "format-map": 'x = "{0.__class__}".format_map({"0": 1})',
    "f-string": 'x = f"{(1).__class__}"',
    "getattr": 'x = getattr(1, "__class__")',
    "dunder-import": 'x = __import__("os")',
    "type": "x = type(1)",
    "vars": "x = vars()",
}


@pytest.mark.parametrize("script", ESCAPES.values(), ids=ESCAPES.keys())
def test_sandbox__escape_tricks_raise_instead_of_yielding_a_class(script: str) -> None:
    context: dict[str, object] = {}

    with pytest.raises(Exception) as refused:  # ScriptRejected, NotImplementedError, ...
        SandboxEnvironment({}).execute(script, context)

    assert not isinstance(refused.value, SystemExit)
    assert not any(isinstance(value, type) for value in context.values())


def test_sandbox__plain_script_still_runs() -> None:
    context: dict[str, object] = {"people": 12}

    SandboxEnvironment({}).execute("level = 1 if people < 10 else 2", context)

    assert context == {"people": 12, "level": 2}


def test_deploy__compile_time_escapes_are_refused_with_the_script_line(engine: Engine) -> None:
    problems = deploy_problems(engine, {"sandboxed.bpmn": with_script(ESCAPES["getattr"])})

    assert [(p.line, p.element_id) for p in problems] == [(SCRIPT_LINE, "run_script")]
    assert "'getattr' is not available" in problems[0].message


def test_run__str_format_trick_fails_the_case_safely(engine: Engine) -> None:
    with engine.transaction() as service:
        service.deployments.deploy({"sandboxed.bpmn": with_script(ESCAPES["str-format"])})
    with engine.transaction() as service:
        case = service.cases.start("sandboxed", key="F1")

    assert case.status == "error"
    assert case.error is not None and "run_script" in case.error
    assert "format" in case.error
    assert "x" not in case.data
