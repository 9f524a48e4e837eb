"""Our lint of one process: constructs SpiffWorkflow cannot run, or runs wrongly without
saying so, and code the sandbox refuses. Each finding names the element and its line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Protocol

from lxml import etree

from .calendar import WorkingCalendar
from .casework import script_helpers
from .errors import Problem
from .hints import juel_advice
from .lint_extensions import lint_extensions
from .lint_options import lint_options_from
from .modeling import timer_values
from .reports import REPORTS
from .scripting import SandboxEnvironment, ScriptRejected, compile_expression, compile_script
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, SPIFF_NS, element_id, local_name

if TYPE_CHECKING:
    from .process_info import ProcessInfo

ACTIVITIES = (
    "task", "userTask", "scriptTask", "serviceTask", "manualTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess",
)  # fmt: skip
MILESTONE_KINDS = (
    "escalated", "reminded", "returned", "extended", "transferred", "passed_up",
    "first_response_missed",
)  # fmt: skip


def lint_process(file: str, process: etree._Element, partner: bool = False) -> list[Problem]:
    """Findings in one process; a `partner` pool is not deployed, so it may lack a start."""
    problems: list[Problem] = []
    report = _reporter(file, problems)

    if not partner and process.get("isExecutable", "true").strip().lower() != "true":
        report(
            process,
            'the process is marked non-executable; set isExecutable="true" '
            '("Executable" in the modeler)',
        )
    _tag(problems, 0, "not_executable")
    if not partner and process.find("bpmn:startEvent", NSMAP) is None:
        report(process, "the process has no start event; add one")
    _tag(problems, 0, "no_start_event")
    for checker in _CHECKERS:
        found = len(problems)
        checker(process, report)
        _tag(problems, found, checker.__name__.removeprefix("_check_"))  # e.g. "conditions"
    problems.extend(lint_extensions(file, process))
    problems.extend(lint_options_from(file, process))
    return problems


def _tag(problems: list[Problem], start: int, code: str) -> None:
    """Give the problems from `start` on that have no code yet this stable code."""
    problems[start:] = [replace(p, code=p.code or code) for p in problems[start:]]


class Report(Protocol):
    """Records a problem at an element (or at a line inside its text)."""

    def __call__(self, element: etree._Element, message: str, line: int | None = None) -> None:
        """Record one problem."""


def _check_data_stores(process: etree._Element, report: Report) -> None:
    for store in process.iter(f"{{{BPMN_NS}}}dataStoreReference", f"{{{BPMN_NS}}}dataStore"):
        report(store, "data stores are not supported; keep the data in task data or a form")


def _check_outgoing(process: etree._Element, report: Report) -> None:
    for activity in process.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in ACTIVITIES)):
        outgoing = activity.findall("bpmn:outgoing", NSMAP)
        if len(outgoing) > 1:
            report(
                activity,
                f"a task with {len(outgoing)} outgoing flows; add an exclusive or "
                "parallel gateway after it and connect the flows there",
            )


def _check_gateways(process: etree._Element, report: Report) -> None:
    flows = {f.get("id"): f for f in process.iterfind(".//bpmn:sequenceFlow", NSMAP)}
    for gateway in process.iter(f"{{{BPMN_NS}}}exclusiveGateway", f"{{{BPMN_NS}}}inclusiveGateway"):
        outgoing = [
            flows.get((o.text or "").strip()) for o in gateway.iterfind("bpmn:outgoing", NSMAP)
        ]
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            if flow is None or flow.get("id") == gateway.get("default"):
                continue
            if flow.find("bpmn:conditionExpression", NSMAP) is None:
                report(
                    flow,
                    "a gateway branch without a condition; add a condition or make "
                    "it the gateway's default flow",
                )


def _check_timers(process: etree._Element, report: Report) -> None:
    for timer in process.iterfind(".//bpmn:timerEventDefinition", NSMAP):
        values = timer_values(timer)
        if not values:
            report(
                timer,
                "the timer has no value; set a date, duration or cycle expression "
                '(a Python expression, e.g. "PT1H" with quotes)',
            )
        for value in values:
            if local_name(value) == "timeCycle":
                report(value, "cycle timers are not supported; use a duration timer on a loop "
                       "back through a gateway, or a timer start event (a schedule)")  # fmt: skip
            _check_expression(value, value.text or "", report, "timer")
    start = process.find("bpmn:startEvent/bpmn:timerEventDefinition", NSMAP)
    for value in timer_values(start) if start is not None else []:
        if local_name(value) != "timeDate":
            report(value, "a timer start event needs a timeDate expression giving the next "
                   "start, e.g. iso(first_working_day_of_next_month(now()))")  # fmt: skip


def _check_conditions(process: etree._Element, report: Report) -> None:
    for condition in process.iterfind(".//bpmn:conditionExpression", NSMAP):
        text = condition.text or ""
        if not text.strip():
            report(
                condition, "the condition is empty; write a Python expression such as level == 1"
            )
        else:
            _check_expression(condition, text, report, "condition")


def _check_scripts(process: etree._Element, report: Report) -> None:
    scripts = list(process.iterfind(".//bpmn:scriptTask/bpmn:script", NSMAP))
    scripts += list(process.iter(f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"))
    for script in scripts:
        _check_code(script, script.text or "", report, compile_script, "script")


def _check_task_attributes(process: etree._Element, report: Report) -> None:
    for task in process.iterfind(".//bpmn:userTask", NSMAP):
        for attribute in ("dueDate", "priority"):
            value = task.get(f"{{{CAMUNDA_NS}}}{attribute}")
            if value and not value.strip().isdigit():
                _check_expression(task, value, report, f"camunda:{attribute}")
        for attribute in ("candidateGroups", "candidateUsers", "assignee"):
            value = task.get(f"{{{CAMUNDA_NS}}}{attribute}") or ""
            if "${" in value or "#{" in value:
                report(
                    task,
                    f"camunda:{attribute} '{value}' uses a JUEL expression; write "
                    "{name} placeholders filled from the task data, e.g. clerks:{intake_unit}",
                )


def _check_form_fields(process: etree._Element, report: Report) -> None:
    for field_element in process.iterfind(".//camunda:formField", NSMAP):
        name = field_element.get("id", "")
        if name in reserved_names():
            report(field_element, f"form field '{name}' would hide the script helper of that "
                   f"name; rename the field")  # fmt: skip
        for constraint in field_element.iterfind("camunda:validation/camunda:constraint", NSMAP):
            if constraint.get("name") == "pattern":
                try:
                    re.compile(constraint.get("config") or "")
                except re.error as error:
                    report(constraint, f"the pattern is not a valid regular expression: {error}")


@cache
def reserved_names() -> frozenset[str]:
    """Names that scripts see as helpers, so task data must not use them."""
    return frozenset(SandboxEnvironment(script_helpers(WorkingCalendar())).reserved)


_CHECKERS: tuple[Callable[[etree._Element, Report], None], ...] = (
    _check_data_stores, _check_outgoing, _check_gateways, _check_timers,
    _check_conditions, _check_scripts, _check_task_attributes, _check_form_fields,
)  # fmt: skip


def _check_expression(element: etree._Element, text: str, report: Report, what: str) -> None:
    stripped = text.strip()
    if stripped.startswith(("${", "#{")):
        body = stripped[2:-1] if stripped.endswith("}") else stripped[2:]
        advice = juel_advice(body)
        if advice.startswith("write ") and "{" not in advice:
            advice += " without ${...}"
        report(element, f"the {what} '{stripped}' is a JUEL expression; this engine evaluates "
               f"Python: {advice}")  # fmt: skip
        return
    if stripped.startswith("="):
        advice = juel_advice(stripped[1:])
        report(element, f"the {what} '{stripped}' is a FEEL expression; this engine evaluates "
               f"Python: {advice}" + (" without the leading '='" if advice.startswith("write ")
                                      else ""))  # fmt: skip
        return
    _check_code(element, stripped, report, compile_expression, what)


def _check_code(
    element: etree._Element, text: str, report: Report, compiler: Callable[[str], object], what: str
) -> None:
    skipped = _leading_blank_lines(text)
    if compiler is compile_expression:
        source = text.strip()
    else:
        source = textwrap.dedent("\n".join(text.split("\n")[skipped:]))
    try:
        compiler(source)
    except ScriptRejected as error:
        offset = (error.line or 1) - 1 + skipped
        report(element, f"the {what} is refused: {error}", (element.sourceline or 0) + offset)


def _leading_blank_lines(text: str) -> int:
    """Lines between the element's start tag and the first line of code."""
    lines = text.split("\n")
    blank = 0
    while blank < len(lines) - 1 and not lines[blank].strip():
        blank += 1
    return blank


def lint_properties(file: str, process: etree._Element, info: ProcessInfo) -> list[Problem]:
    problems = []
    lines = {e.get("id"): e.sourceline for e in process.iter() if e.get("id")}
    for element, props in info.properties.items():
        kind = props.get("history_event")
        if kind is not None and kind not in MILESTONE_KINDS:
            problems.append(Problem(file, lines.get(element), element, f"history_event '{kind}' "
                                    f"is not one of {', '.join(MILESTONE_KINDS)}"))  # fmt: skip
    report = info.start.start_data
    if report is not None and report not in REPORTS:
        start = process.find("bpmn:startEvent", NSMAP)
        start_id = start.get("id", "") if start is not None else ""
        known = ", ".join(sorted(REPORTS))
        message = f"start_data '{report}' is not a known report; use one of {known}"
        problems.append(Problem(file, lines.get(start_id), start_id, message))
    for definition in process.iterfind(".//bpmn:messageEventDefinition", NSMAP):
        payload = definition.get(f"{{{CAMUNDA_NS}}}expression")
        if payload:
            _check_expression(definition, payload, _reporter(file, problems), "message payload")
    return problems


def _reporter(file: str, problems: list[Problem]) -> Report:
    def report(element: etree._Element, message: str, line: int | None = None) -> None:
        where = line if line is not None else element.sourceline
        problems.append(Problem(file, where, element_id(element), message))

    return report
