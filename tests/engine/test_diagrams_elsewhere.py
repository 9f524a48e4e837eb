"""Diagrams written elsewhere (vendors' exports, SpiffWorkflow's and Camunda's examples).

Each class of third-party diagram that used to be accepted and then fail (a traceback,
a stuck case, the wrong dialect, an over-strict refusal, a misleading message) has a
small diagram of its own under `tests/data/elsewhere/` or `tests/data/invalid/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from engine.calendar import WorkingCalendar
from engine.casework import make_script_engine
from engine.cli import main
from engine.deployment import read_sources
from engine.errors import InvalidProcess, MessageRejected, Problem, ScriptFailed
from engine.labels import MISSING_CODE
from engine.loading import load_process
from engine.running import Runner, advance
from engine.service import Engine
from engine.validation import _crash_site, validate
from tests.conftest import DATA, INVALID

ELSEWHERE = DATA / "elsewhere"
CLI = Callable[..., tuple[int, str, str]]


def files_of(*names: str) -> dict[str, bytes]:
    return {name: (ELSEWHERE / name).read_bytes() for name in names}


def problems_of(files: dict[str, bytes]) -> list[Problem]:
    return validate(files).problems


def describe(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problem reported)"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> CLI:
    """Run `mashangban ARGS...` in-process on a database of its own: (code, out, err)."""
    monkeypatch.setenv("MASHANGBAN_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def mashangban(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert mashangban("init")[0] == 0
    return mashangban


# --- accepted, then a raw traceback at run time ----------------------------------------------


def test_validate__spiff_service_task_without_connector_is_refused_with_advice() -> None:
    (problem,) = problems_of({"s.bpmn": (INVALID / "spiff_service_no_connector.bpmn").read_bytes()})

    assert (problem.line, problem.element_id) == (9, "lookup_citizen")
    assert "need a connector" in problem.message and "script task" in problem.message


def test_run__spiff_service_task_fails_the_case_with_the_element_not_a_traceback() -> None:
    files = {"s.bpmn": (INVALID / "spiff_service_no_connector.bpmn").read_bytes()}
    runner = Runner(load_process(files, "spiff_service", "spiff"))  # past validation
    workflow = runner.create(make_script_engine(WorkingCalendar()), {})

    with pytest.raises(ScriptFailed) as failed:
        advance(workflow)
    assert str(failed.value).startswith("lookup_citizen: service tasks need a connector")


def test_message__correlation_failing_on_the_payload_is_refused_and_the_case_keeps_waiting(
    engine: Engine,
) -> None:
    with engine.transaction() as service:
        service.deployments.deploy(files_of("correlated_reply.bpmn"))
    with engine.transaction() as service:
        service.cases.start("correlated_reply", key="C1")

    with pytest.raises(MessageRejected) as refused, engine.transaction() as service:
        service.cases.deliver_message("C1", "citizen_reply", {"text": "满意"})

    assert refused.value.code == "message_rejected"
    assert str(refused.value).startswith("wait_reply: ") and "appeal_no" in str(refused.value)
    with engine.transaction() as service:
        case = service.cases.deliver_message(
            "C1", "citizen_reply", {"appeal_no": "A-1", "text": "满意"}
        )
    assert case.status == "completed"
    assert case.data["reply"] == {"appeal_no": "A-1", "text": "满意"}


def test_cli_message__correlation_failure_is_an_error_line_not_a_traceback(cli: CLI) -> None:
    assert cli("deploy", str(ELSEWHERE / "correlated_reply.bpmn"))[0] == 0
    assert cli("case", "start", "correlated_reply", "--key", "C1")[0] == 0

    code, out, err = cli("message", "C1", "citizen_reply", "--data", '{"text": "ok"}')

    assert code == 1
    assert err.startswith("error: wait_reply: message 'citizen_reply' cannot be matched")
    assert "Traceback" not in out + err


# --- accepted, then silently stuck -----------------------------------------------------------

CAMUNDA_SERVICE = (INVALID / "camunda_class_service.bpmn").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ('camunda:class="org.example.SendSms"', "camunda:class"),
        ('camunda:delegateExpression="${smsSender}"', "camunda:delegateExpression"),
        ('camunda:expression="${sms.send(phone)}"', "camunda:expression"),
        ('camunda:type="external" camunda:topic="sms"', 'camunda:type="external"'),
    ],
    ids=["class", "delegateExpression", "expression", "external"],
)
def test_validate__camunda_java_service_task_is_refused_with_what_to_do(
    attributes: str, named: str
) -> None:
    text = CAMUNDA_SERVICE.replace('camunda:class="org.example.SendSms"', attributes)

    (problem,) = problems_of({"c.bpmn": text.encode()})

    assert (problem.line, problem.element_id) == (9, "notify_citizen")
    assert named in problem.message
    assert "script task" in problem.message and "user task" in problem.message


# --- the dialect comes from the elements used ------------------------------------------------


def test_deploy__both_namespaces_with_a_spiff_decision_runs_as_spiff(engine: Engine) -> None:
    with engine.transaction() as service:
        service.deployments.deploy(
            files_of("both_namespaces_spiff_decision.bpmn", "grade_by_people.dmn")
        )
    with engine.transaction() as service:
        case = service.cases.start("both_namespaces", key="D1", data={"people": 12})

    assert (case.status, case.data["level"]) == ("completed", 2)


def test_deploy__plain_caller_runs_a_spiff_callee_with_its_json_form(engine: Engine) -> None:
    with engine.transaction() as service:
        service.deployments.deploy(
            files_of("plain_caller.bpmn", "spiff_review.bpmn", "review_form.json")
        )
    with engine.transaction() as service:
        case = service.cases.start("plain_caller", key="P1")

    (task,) = case.tasks
    assert (task.task_spec, task.candidate_groups) == ("review", ("town_a_clerks",))
    assert [(f.id, f.required) for f in task.form] == [("approved", True), ("remark", False)]


def test_deploy__plain_multi_instance_user_task_is_accepted_and_runs(engine: Engine) -> None:
    with engine.transaction() as service:
        service.deployments.deploy(files_of("plain_multi_instance.bpmn"))
    with engine.transaction() as service:
        case = service.cases.start(
            "plain_multi_instance", key="M1", data={"departments": ["城建", "民政"]}
        )

    assert [t.task_spec for t in case.tasks] == ["sign", "sign"]


def test_validate__camunda_caller_of_a_spiff_callee_is_refused_naming_both_files() -> None:
    files = files_of("camunda_caller.bpmn", "spiff_review.bpmn", "review_form.json")

    (problem,) = problems_of(files)

    assert (problem.file, problem.line, problem.element_id) == (
        "camunda_caller.bpmn",
        13,
        "call_review",
    )
    assert "spiff_review.bpmn" in problem.message and "camunda_caller.bpmn" in problem.message


def test_validate__one_file_using_both_extensions_is_refused_at_the_second() -> None:
    text = (ELSEWHERE / "both_namespaces_spiff_decision.bpmn").read_text(encoding="utf-8")
    text = text.replace(
        '<bpmn:startEvent id="start" name="开始">',
        '<bpmn:startEvent id="start" name="开始" camunda:asyncBefore="true">',
    )
    files = {"mixed.bpmn": text.encode(), **files_of("grade_by_people.dmn")}

    (problem,) = problems_of(files)

    assert (problem.line, problem.element_id) == (12, "grade")
    assert "camunda:asyncBefore" in problem.message and "line 7" in problem.message


# --- over-strict -----------------------------------------------------------------------------


def test_validate__process_without_is_executable_is_executable() -> None:
    text = (ELSEWHERE / "plain_caller.bpmn").read_text(encoding="utf-8")
    assert "isExecutable" not in text

    model = validate(files_of("plain_caller.bpmn", "spiff_review.bpmn", "review_form.json"))

    assert model.problems == [] and "plain_caller" in model.processes


def test_deploy__findings_in_a_partner_pool_are_warnings_and_it_is_not_deployed(
    engine: Engine,
) -> None:
    with engine.transaction() as service:
        result = service.deployments.deploy(files_of("partner_pool.bpmn"))

    assert [p.process_id for p in result.processes] == ["office_handling"]
    (warning,) = [w for w in result.warnings if w.kind != MISSING_CODE]  # not English names
    assert (warning.severity, warning.line, warning.element_id) == ("warning", 25, "reply")
    assert "群众一方" in warning.message


def test_cli_validate__partner_pool_findings_print_as_warnings_and_exit_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["validate", str(ELSEWHERE / "partner_pool.bpmn")])
    out, _ = capsys.readouterr()

    assert code == 0
    assert "partner_pool.bpmn:25: reply: warning: in the non-executable pool" in out
    assert out.splitlines()[-1].startswith("ok: ")


def test_cli_validate__a_json_form_named_on_the_command_line_is_accepted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = ("plain_caller.bpmn", "spiff_review.bpmn", "review_form.json")

    code = main(["validate", *(str(ELSEWHERE / n) for n in names)])

    assert code == 0, capsys.readouterr()


def test_read_sources__a_folder_brings_the_json_form_a_diagram_names_and_no_other_json(
    tmp_path: Path,
) -> None:
    for name in ("spiff_review.bpmn", "review_form.json"):
        (tmp_path / name).write_bytes((ELSEWHERE / name).read_bytes())
    (tmp_path / "organisation.json").write_text("{}", encoding="utf-8")

    assert sorted(read_sources([tmp_path])) == ["review_form.json", "spiff_review.bpmn"]


def test_validate__a_form_file_that_is_not_deployed_is_refused_at_its_property() -> None:
    (problem,) = problems_of(files_of("spiff_review.bpmn"))

    assert (problem.line, problem.element_id) == (13, "review")
    assert "review_form.json" in problem.message


# --- messages --------------------------------------------------------------------------------


DIAGRAMS = sorted(p for p in [*INVALID.iterdir(), *ELSEWHERE.iterdir()] if p.suffix != ".json")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_validate__every_finding_has_a_line(path: Path) -> None:
    for problem in problems_of({path.name: path.read_bytes()}):
        assert problem.line is not None and problem.line > 0, str(problem)


def test_validate__spiff_refusal_names_the_element_and_its_line() -> None:
    text = (ELSEWHERE / "plain_multi_instance.bpmn").read_text(encoding="utf-8")
    text = text.replace(
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
    )
    text = text.replace(
        '<bpmn:endEvent id="end" name="结束">',
        '<bpmn:endEvent id="end" name="结束" camunda:asyncAfter="true">',
    )

    (problem,) = problems_of({"mi.bpmn": text.encode()})

    assert (problem.line, problem.element_id) == (14, "sign")
    assert "cardinality or a collection" in problem.message


JUEL_FLOW = (INVALID / "juel_condition.bpmn").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("expression", "advice"),
    [
        ("#{!approved}", "write not approved without ${...}"),
        ("${approved &amp;&amp; level &gt; 1}", "write approved and level > 1 without ${...}"),
        ("${dateTime().plusWeeks(1).toDate()}", "add_working_days(now(), 5)"),
        ("${dateTime().plusWeeks(1).toDate()}", "now() + timedelta(weeks=1)"),
    ],
    ids=["negation", "and", "date-helper", "date-timedelta"],
)
def test_validate__juel_advice_is_python(expression: str, advice: str) -> None:
    text = JUEL_FLOW.replace("${approved}", expression)
    assert text != JUEL_FLOW

    (problem,) = problems_of({"j.bpmn": text.encode()})

    assert advice in problem.message
    assert "write dateTime" not in problem.message and "write !" not in problem.message


def test_validate__schema_error_does_not_hide_the_lint_findings() -> None:
    text = JUEL_FLOW.replace(
        "<bpmn:incoming>flow_start_check</bpmn:incoming>",
        "<bpmn:incomming>flow_start_check</bpmn:incomming>",
        1,
    )
    assert text != JUEL_FLOW

    problems = problems_of({"j.bpmn": text.encode()})

    messages = describe(problems)
    assert "does not match the schema" in messages and "JUEL" in messages, messages


def test_deploy__refusal_lists_every_problem_in_one_round(engine: Engine) -> None:
    text = JUEL_FLOW.replace(
        "<bpmn:incoming>flow_start_check</bpmn:incoming>",
        "<bpmn:incomming>flow_start_check</bpmn:incomming>",
        1,
    )

    with pytest.raises(InvalidProcess) as refused, engine.transaction() as service:
        service.deployments.deploy({"j.bpmn": text.encode()})

    assert len(refused.value.problems) >= 2


def test_validate__business_rule_task_without_a_decision_says_which_attribute_to_set() -> None:
    text = (ELSEWHERE / "both_namespaces_spiff_decision.bpmn").read_text(encoding="utf-8")
    text = text.replace(
        "<spiffworkflow:calledDecisionId>grade_by_people</spiffworkflow:calledDecisionId>", ""
    )

    (problem,) = problems_of({"b.bpmn": text.encode(), **files_of("grade_by_people.dmn")})

    assert (problem.line, problem.element_id) == (10, "grade")
    assert "camunda:decisionRef" in problem.message and "None" not in problem.message


class _ParserStandIn:
    """Holds a diagram element the way SpiffWorkflow's node parsers do (`self.node`)."""

    def __init__(self, node: object) -> None:
        self.node = node

    def parse(self) -> None:
        raise KeyError("{http://camunda.org/schema/1.0/bpmn}decisionRef")


def test_validate__a_parser_crash_is_placed_at_the_element_being_parsed() -> None:
    root = etree.fromstring(b'<a>\n<b id="grade"/>\n</a>')

    with pytest.raises(KeyError) as crashed:
        _ParserStandIn(root[0]).parse()

    assert _crash_site(crashed.value) == (2, "grade")
