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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from .errors import Problem
from .lint import lint_process, lint_properties
from .loading import bpmn_validator, is_dmn, load_process
from .modeling import (
    StartKind,
    TaskMeta,
    dialect_of,
    element_properties,
    processes,
    start_kind,
    user_tasks,
)
from .scripting import ScriptRejected, compile_expression
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, element_id, local_name, parse_xml

FORM_SUFFIXES = ("-schema.json", ".schema.json")  # Spiff JSON-schema forms
UNKNOWN_FILE = "not a diagram (.bpmn), decision table (.dmn) or form (-schema.json); remove it"


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
        model.problems.extend(lint_process(name, process))
        model.problems.extend(lint_properties(name, process, info))


def _decision_ref(rule: etree._Element) -> str | None:
    ref = rule.get(f"{{{CAMUNDA_NS}}}decisionRef")
    if ref is None:
        called = rule.find(".//spiffworkflow:calledDecisionId", NSMAP)
        ref = called.text.strip() if called is not None and called.text else None
    return ref


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
