"""Validate a set of diagrams before they are deployed.

Four layers, each turning every defect into a `Problem` (file, line, element id,
what to change) instead of a traceback: safe XML parsing, the BPMN/DMN XSD, our
own lint of constructs SpiffWorkflow cannot run (or runs wrongly without saying
so), and finally SpiffWorkflow's own parse, whose exceptions are caught too.
"""

from __future__ import annotations

import copy
import json
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from .calendar import WorkingCalendar
from .casework import script_helpers
from .errors import Problem
from .loading import bpmn_validator, is_dmn, load_process
from .modeling import (
    StartKind,
    TaskMeta,
    dialect_of,
    element_properties,
    processes,
    start_kind,
    timer_values,
    user_tasks,
)
from .reports import REPORTS
from .scripting import SandboxEnvironment, ScriptRejected, compile_expression, compile_script
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, SPIFF_NS, element_id, local_name, parse_xml

ACTIVITIES = (
    "task", "userTask", "scriptTask", "serviceTask", "manualTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess",
)  # fmt: skip
FORM_SUFFIXES = ("-schema.json", ".schema.json")  # Spiff JSON-schema forms
UNKNOWN_FILE = "not a diagram (.bpmn), decision table (.dmn) or form (-schema.json); remove it"
MILESTONE_KINDS = ("escalated", "reminded", "returned", "extended")


@dataclass
class ProcessInfo:
    """What deployment needs to know about one process in the set."""

    id: str
    name: str
    file: str
    dialect: str
    tasks: dict[str, TaskMeta]
    start: StartKind = field(default_factory=StartKind)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)


@dataclass
class ModelSet:
    """A validated set of files: the processes and decisions they define, and problems."""

    files: dict[str, bytes]
    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def called_processes(self, process_id: str) -> list[str]:
        """The process and every process it calls, directly or not (caller first)."""
        order: list[str] = []
        pending = [process_id]
        while pending:
            current = self.processes.get(pending.pop(0))
            if current is None or current.id in order:
                continue
            order.append(current.id)
            pending.extend(sorted(current.calls))
        return order

    def closure(self, process_id: str) -> dict[str, bytes]:
        """The files a process needs to run: its own, those it calls, their DMNs, forms."""
        needed: set[str] = set()
        for called in self.called_processes(process_id):
            info = self.processes[called]
            needed.add(info.file)
            needed.update(self.decisions[d] for d in info.decisions if d in self.decisions)
        needed.update(n for n in self.files if n.lower().endswith(FORM_SUFFIXES))
        return {name: self.files[name] for name in sorted(needed)}

    def milestones(self, process_id: str) -> dict[str, dict[str, object]]:
        """Elements (of the process and those it calls) that record a history event."""
        found: dict[str, dict[str, object]] = {}
        for called in reversed(self.called_processes(process_id)):
            for element, props in self.processes[called].properties.items():
                if props.get("history_event"):
                    fields = [f.strip() for f in props.get("history_fields", "").split(",")]
                    found[element] = {
                        "kind": props["history_event"],
                        "fields": [f for f in fields if f],
                    }
        return found

    def user_tasks(self, process_id: str) -> dict[str, TaskMeta]:
        """User tasks of the process and of the processes it calls (the caller's win)."""
        tasks: dict[str, TaskMeta] = {}
        for called in reversed(self.called_processes(process_id)):
            tasks.update(self.processes[called].tasks)
        return tasks


def validate(files: Mapping[str, bytes]) -> ModelSet:
    """Check every file and the set as a whole; `problems` is empty when deployable."""
    model = ModelSet(dict(files))
    roots: dict[str, etree._Element] = {}
    for name, content in sorted(files.items()):
        if name.lower().endswith(FORM_SUFFIXES):
            model.problems.extend(_check_form_file(name, content))
            continue
        if not name.lower().endswith((".bpmn", ".dmn")):
            model.problems.append(Problem(name, None, "", UNKNOWN_FILE))
            continue
        root, problems = parse_xml(content, name)
        model.problems.extend(problems)
        if root is not None:
            kind_problems = _check_document(name, root)
            model.problems.extend(kind_problems)
            if not kind_problems:
                roots[name] = root
    for name, root in roots.items():
        if is_dmn(name):
            _collect_decisions(model, name, root)
        else:
            _collect_processes(model, name, root)
    _check_references(model, roots)
    if not model.problems:
        _check_with_spiff(model)
    return model


def _check_form_file(name: str, content: bytes) -> list[Problem]:
    try:
        schema = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", 1)
        return [Problem(name, line, "", f"not a JSON form schema: {error}; fix the JSON")]
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        return [Problem(name, 1, "", "a form schema must be a JSON object with 'properties'")]
    return []


def _check_document(name: str, root: etree._Element) -> list[Problem]:
    namespace = etree.QName(root).namespace or ""
    if is_dmn(name):
        if local_name(root) != "definitions" or namespace not in DMN_SCHEMAS:
            return [
                Problem(
                    name,
                    root.sourceline,
                    "",
                    "not a DMN document (expected <definitions> "
                    "in a DMN 1.1-1.3 namespace); export it from a DMN editor",
                )
            ]
        return _xsd_problems(name, root, BpmnValidator(DMN_SCHEMAS[namespace]))
    if local_name(root) != "definitions" or namespace != BPMN_NS:
        return [
            Problem(
                name,
                root.sourceline,
                "",
                f"not a BPMN 2.0 document (root element is "
                f"<{local_name(root)}>); save the diagram as BPMN 2.0 XML",
            )
        ]
    return _xsd_problems(name, root, bpmn_validator())


def _xsd_problems(name: str, root: etree._Element, validator: BpmnValidator) -> list[Problem]:
    schema = validator.validator
    tree = copy.deepcopy(root)  # keeps source lines; preprocess() edits the tree
    validator.preprocess(tree)
    if schema.validate(tree):
        return []
    lines = {element.sourceline: element for element in root.iter()}
    return [
        Problem(
            name,
            error.line,
            element_id(lines[error.line]) if error.line in lines else "",
            f"does not match the schema: {_short_xsd(error.message)}",
        )
        for error in schema.error_log
    ]


def _short_xsd(message: str) -> str:
    return re.sub(r"\{[^}]+\}", "", message)


def _collect_decisions(model: ModelSet, name: str, root: etree._Element) -> None:
    namespace = etree.QName(root).namespace
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        line = decisions[1].sourceline if len(decisions) > 1 else root.sourceline
        ident = decisions[1].get("id", "") if len(decisions) > 1 else ""
        model.problems.append(
            Problem(
                name,
                line,
                ident,
                f"a DMN file must hold exactly one "
                f"decision, found {len(decisions)}; split it into files",
            )
        )
        return
    decision = decisions[0]
    if decision.get("id", "") in model.decisions:
        ident = decision.get("id", "")
        message = f"decision id already defined in {model.decisions[ident]}; rename one"
        model.problems.append(Problem(name, decision.sourceline, ident, message))
        return
    model.decisions[decision.get("id", "")] = name
    for problem in _dmn_cell_problems(name, decision, namespace or ""):
        model.problems.append(problem)


def _dmn_cell_problems(name: str, decision: etree._Element, ns: str) -> Iterator[Problem]:
    for element in decision.iter(
        f"{{{ns}}}inputExpression", f"{{{ns}}}inputEntry", f"{{{ns}}}outputEntry"
    ):
        text_node = element.find(f"{{{ns}}}text")
        text = (text_node.text or "").strip() if text_node is not None else ""
        if not text or text == "-":
            continue
        message = _dmn_cell_message(text, local_name(element) == "inputEntry")
        if message:
            yield Problem(name, element.sourceline, element_id(element), message)


def _dmn_cell_message(text: str, is_input_entry: bool) -> str | None:
    if text in ("true", "false"):
        return f"'{text}' is FEEL; DMN cells are Python: write {text.capitalize()}"
    if is_input_entry and re.fullmatch(r'\s*"[^"]*"(\s*,\s*"[^"]*")+\s*', text):
        return f"'{text}' is a FEEL list and never matches; write ? in ({text})"
    candidate = text.replace("?", "dmninputexpr")
    try:
        compile_expression(candidate)
        return None
    except ScriptRejected as first:
        if not is_input_entry:
            return f"'{text}': {first}"
    try:
        compile_expression(f"dmninputexpr {candidate}")
        return None
    except ScriptRejected as error:
        return f"'{text}': {error}"


def _collect_processes(model: ModelSet, name: str, root: etree._Element) -> None:
    dialect = dialect_of(root)
    forms = {n: c for n, c in model.files.items() if n.lower().endswith(FORM_SUFFIXES)}
    for process in processes(root):
        process_id = process.get("id", "")
        if process_id in model.processes:
            other = model.processes[process_id].file
            model.problems.append(
                Problem(
                    name,
                    process.sourceline,
                    process_id,
                    f"process id already defined in {other}; rename one",
                )
            )
            continue
        info = ProcessInfo(
            process_id,
            process.get("name") or process_id,
            name,
            dialect,
            user_tasks(process, dialect, forms),
            start_kind(process, root),
            element_properties(process),
        )
        for call in process.iterfind(".//bpmn:callActivity", NSMAP):
            info.calls.add(call.get("calledElement", ""))
        for rule in process.iterfind(".//bpmn:businessRuleTask", NSMAP):
            info.decisions.add(_decision_ref(rule) or "")
        model.processes[process_id] = info
        model.problems.extend(_lint_process(name, process))
        model.problems.extend(_lint_properties(name, process, info))


def _lint_properties(file: str, process: etree._Element, info: ProcessInfo) -> list[Problem]:
    problems = []
    lines = {e.get("id"): e.sourceline for e in process.iter() if e.get("id")}
    for element, props in info.properties.items():
        kind = props.get("history_event")
        if kind is not None and kind not in MILESTONE_KINDS:
            problems.append(Problem(file, lines.get(element), element, f"history_event '{kind}' "
                                    f"is not one of {', '.join(MILESTONE_KINDS)}"))  # fmt: skip
    report = info.start.start_data
    if report is not None and report not in REPORTS:
        start_line = lines.get(process.find("bpmn:startEvent", NSMAP).get("id"))
        problems.append(Problem(file, start_line, "", f"start_data '{report}' is not a known "
                                f"report; use one of {', '.join(sorted(REPORTS))}"))  # fmt: skip
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


def _decision_ref(rule: etree._Element) -> str | None:
    ref = rule.get(f"{{{CAMUNDA_NS}}}decisionRef")
    if ref is None:
        called = rule.find(".//spiffworkflow:calledDecisionId", NSMAP)
        ref = called.text.strip() if called is not None and called.text else None
    return ref


def _lint_process(file: str, process: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    report = _reporter(file, problems)

    if process.get("isExecutable", "false").lower() != "true":
        report(
            process,
            'the process is marked non-executable; set isExecutable="true" '
            '("Executable" in the modeler)',
        )
    if process.find("bpmn:startEvent", NSMAP) is None:
        report(process, "the process has no start event; add one")
    for checker in _CHECKERS:
        checker(process, report)
    return problems


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
        report(
            element,
            f"the {what} '{stripped}' is a JUEL expression; this engine evaluates "
            f"Python: write {stripped[2:-1].strip() or 'an expression'} without ${{...}}",
        )
        return
    if stripped.startswith("="):
        report(
            element,
            f"the {what} '{stripped}' is a FEEL expression; write it in Python "
            f"without the leading '='",
        )
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


def _check_references(model: ModelSet, roots: Mapping[str, etree._Element]) -> None:
    for info in model.processes.values():
        root = roots[info.file]
        for call in root.iterfind(".//bpmn:callActivity", NSMAP):
            target = call.get("calledElement", "")
            if target not in model.processes:
                model.problems.append(Problem(info.file, call.sourceline, call.get("id", ""),
                    f"calls process '{target}', which no deployed file defines; deploy it with "
                    f"this diagram or fix calledElement"))  # fmt: skip
        for rule in root.iterfind(".//bpmn:businessRuleTask", NSMAP):
            ref = _decision_ref(rule)
            if ref not in model.decisions:
                model.problems.append(Problem(info.file, rule.sourceline, rule.get("id", ""),
                    f"uses decision '{ref}', which no deployed DMN file defines; add the .dmn "
                    f"file or fix the decision reference"))  # fmt: skip
    _dedupe(model)


def _dedupe(model: ModelSet) -> None:
    seen: set[tuple[str, int | None, str, str]] = set()
    unique = []
    for problem in model.problems:
        key = (problem.file, problem.line, problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    model.problems[:] = unique


def _check_with_spiff(model: ModelSet) -> None:
    for info in model.processes.values():
        try:
            load_process(model.closure(info.id), info.id, info.dialect)
        except ValidationException as error:
            model.problems.append(
                Problem(
                    error.file_name or info.file,
                    _int_or_none(error.line_number),
                    error.id or info.id,
                    f"SpiffWorkflow cannot parse it: {error}",
                )
            )
        except Exception as error:  # any parser crash becomes a Problem
            model.problems.append(
                Problem(
                    info.file,
                    None,
                    info.id,
                    f"SpiffWorkflow cannot parse it ({type(error).__name__}:"
                    f" {error}); simplify the construct named here",
                )
            )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None
