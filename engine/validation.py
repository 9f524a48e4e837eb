"""Validate a set of diagrams before they are deployed.

Four layers, each turning every defect into a `Problem` (file, line, element id,
what to change) instead of a traceback: safe XML parsing, the BPMN/DMN XSD, our
own lint of constructs SpiffWorkflow cannot run (or runs wrongly without saying
so), and finally SpiffWorkflow's own parse, whose exceptions are caught too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .dialects import (
    NAMES,
    PLAIN,
    closure_dialect,
    concrete,
    file_dialect,
    mixed_use_message,
    needs_spiff,
)
from .documents import FORM_SUFFIXES, check_form_file, check_kind, check_schema, is_form
from .errors import Problem
from .labels import lint_labels
from .lint import lint_process, lint_properties
from .lint_extensions import lint_form_references
from .loading import is_dmn, load_process
from .modeling import TaskMeta, element_properties, processes, start_kind, user_tasks
from .process_info import ProcessInfo
from .validation_dmn import collect_decisions
from .xmlsafe import CAMUNDA_NS, NSMAP, element_id, parse_xml

__all__ = ["FORM_SUFFIXES", "ModelSet", "ProcessInfo", "validate"]
UNKNOWN_FILE = "not a diagram (.bpmn), decision table (.dmn) or form (.json); remove it"


@dataclass
class ModelSet:
    """A validated set of files: the processes and decisions they define, and problems.

    `problems` block a deployment; `warnings` (findings in non-executable partner pools,
    which are not deployed, and names without English) are shown but do not.
    """

    files: dict[str, bytes]
    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    untranslated: list[Problem] = field(default_factory=list)  # label_en gaps (engine/labels.py)
    dialects: dict[str, str] = field(default_factory=dict)

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
        needed.update(n for n in self.files if is_form(n))
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
        root = _read_file(model, name, content)
        if root is not None:
            roots[name] = root
    for name, root in roots.items():
        if is_dmn(name):
            collect_decisions(model.decisions, model.problems, name, root)
        else:
            _collect_processes(model, name, root)
    _check_references(model, roots)
    _resolve_dialects(model, roots)
    _dedupe(model.problems)
    if not model.problems:
        _check_with_spiff(model, roots)
    if not model.problems:  # English names matter once the set is deployable
        model.warnings.extend(model.untranslated)
    return model


def _read_file(model: ModelSet, name: str, content: bytes) -> etree._Element | None:
    """Parse one file; a schema error is reported but the file is still linted."""
    if is_form(name):
        model.problems.extend(check_form_file(name, content))
        return None
    if not name.lower().endswith((".bpmn", ".dmn")):
        model.problems.append(Problem(name, 1, "", UNKNOWN_FILE))
        return None
    root, problems = parse_xml(content, name)
    model.problems.extend(problems)
    if root is None:
        return None
    kind_problems = check_kind(name, root)
    model.problems.extend(kind_problems)
    if kind_problems:
        return None
    model.problems.extend(check_schema(name, root))
    return root


def is_executable(process: etree._Element) -> bool:
    """`isExecutable` is optional in BPMN; absent means executable."""
    return process.get("isExecutable", "true").strip().lower() == "true"


def _collect_processes(model: ModelSet, name: str, root: etree._Element) -> None:
    model.dialects[name] = file_dialect(root)
    mixed = mixed_use_message(root)
    if mixed is not None:
        model.problems.append(Problem(name, mixed[0].sourceline, element_id(mixed[0]), mixed[1]))
    forms = {n: c for n, c in model.files.items() if is_form(n)}
    found = processes(root)
    has_executable = any(is_executable(p) for p in found)
    for process in found:
        if has_executable and not is_executable(process):
            model.warnings.extend(_partner_pool_warnings(name, process))
            continue
        info = _process_info(model, name, process, root, forms)
        if info is None:
            continue
        model.processes[info.id] = info
        model.problems.extend(lint_process(name, process))
        model.problems.extend(lint_properties(name, process, info))
        model.problems.extend(lint_form_references(name, process, set(forms)))
        model.untranslated.extend(lint_labels(name, process))


def _partner_pool_warnings(name: str, process: etree._Element) -> list[Problem]:
    label = process.get("name") or process.get("id", "")
    return [
        replace(p, severity="warning",
                message=f"in the non-executable pool '{label}' (not deployed): {p.message}")
        for p in lint_process(name, process, partner=True)
    ]  # fmt: skip


def _process_info(
    model: ModelSet, name: str, process: etree._Element, root: etree._Element,
    forms: dict[str, bytes],
) -> ProcessInfo | None:  # fmt: skip
    process_id = process.get("id", "")
    if process_id in model.processes:
        other = model.processes[process_id].file
        message = f"process id already defined in {other}; rename one"
        model.problems.append(Problem(name, process.sourceline, process_id, message))
        return None
    dialect = model.dialects[name]
    info = ProcessInfo(
        process_id, process.get("name") or process_id, name, dialect,
        user_tasks(process, dialect, forms), start_kind(process, root),
        element_properties(process), line=process.sourceline,
    )  # fmt: skip
    for call in process.iterfind(".//bpmn:callActivity", NSMAP):
        target = call.get("calledElement", "")
        info.calls.add(target)
        info.call_sites.setdefault(target, (call.sourceline, call.get("id", "")))
    for rule in process.iterfind(".//bpmn:businessRuleTask", NSMAP):
        info.decisions.add(_decision_ref(rule) or "")
    return info


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
            if ref is None:
                model.problems.append(Problem(info.file, rule.sourceline, rule.get("id", ""),
                    "names no decision; set camunda:decisionRef (Camunda Modeler) or "
                    "spiffworkflow:calledDecisionId to a deployed DMN decision id"))  # fmt: skip
            elif ref not in model.decisions:
                model.problems.append(Problem(info.file, rule.sourceline, rule.get("id", ""),
                    f"uses decision '{ref}', which no deployed DMN file defines; add the .dmn "
                    f"file or fix the decision reference"))  # fmt: skip


def _resolve_dialects(model: ModelSet, roots: Mapping[str, etree._Element]) -> None:
    """Each process runs with the one flavour its closure's files use (plain files fit any)."""
    plain_needs_spiff = {
        name: needs_spiff(root) for name, root in roots.items()
        if model.dialects.get(name) == PLAIN
    }  # fmt: skip
    for info in model.processes.values():
        files = [model.processes[p].file for p in model.called_processes(info.id)]
        problem = _mixed_call(model, info)
        if problem is not None:
            model.problems.append(problem)
        needs = any(plain_needs_spiff.get(f, False) for f in files)
        info.dialect = closure_dialect((model.dialects.get(f, PLAIN) for f in files), needs)


def _mixed_call(model: ModelSet, info: ProcessInfo) -> Problem | None:
    """The call activity where a case would need both flavours, if this process has one."""
    own = model.dialects.get(info.file, PLAIN)
    seen: dict[str, str] = {} if own == PLAIN else {own: info.file}
    for target in sorted(t for t in info.calls if t in model.processes):
        files = [model.processes[p].file for p in model.called_processes(target)]
        found = concrete(model.dialects, files)
        other = sorted(found - set(seen))
        if seen and other:
            mine, mine_file = next(iter(seen.items()))
            theirs_file = next(f for f in files if model.dialects.get(f) == other[0])
            line, call_id = info.call_sites[target]
            return Problem(info.file, line, call_id, (
                f"calls '{target}', whose file {theirs_file} uses {NAMES[other[0]]} extensions, "
                f"while {mine_file} uses {NAMES[mine]} ones; a case runs with one of them, so "
                f"rewrite one file with the other's extensions (or as plain BPMN)"))  # fmt: skip
        seen.update({d: next(f for f in files if model.dialects.get(f) == d) for d in found})
    return None


def _dedupe(problems: list[Problem]) -> None:
    seen: set[tuple[str, int | None, str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.file, problem.line, problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    problems[:] = unique


def _check_with_spiff(model: ModelSet, roots: Mapping[str, etree._Element]) -> None:
    for info in model.processes.values():
        try:
            load_process(model.closure(info.id), info.id, info.dialect)
        except ValidationException as error:
            file = error.file_name or info.file
            ident = error.id or info.id
            line = _int_or_none(error.line_number) or _line_of(roots.get(file), ident)
            model.problems.append(Problem(file, line or info.line, ident,
                                          f"SpiffWorkflow cannot parse it: {error}",
                                          code="spiff_rejected"))  # fmt: skip
        except Exception as error:  # any parser crash becomes a Problem
            line, ident = _crash_site(error)
            model.problems.append(Problem(info.file, line or info.line, ident or info.id, (
                f"SpiffWorkflow cannot parse it ({type(error).__name__}: {error}); "
                "simplify the construct named here"), code="spiff_crashed"))  # fmt: skip


def _crash_site(error: Exception) -> tuple[int | None, str]:
    """The diagram element SpiffWorkflow's parser was reading when it crashed."""
    site: tuple[int | None, str] = (None, "")
    trace = error.__traceback__
    while trace is not None:  # the innermost parser frame wins
        node = getattr(trace.tb_frame.f_locals.get("self"), "node", None)
        if isinstance(node, etree._Element) and node.get("id"):
            site = (node.sourceline, str(node.get("id")))
        trace = trace.tb_next
    return site


def _line_of(root: etree._Element | None, ident: str) -> int | None:
    if root is None or not ident:
        return None
    found = root.xpath("//*[@id=$ident]", ident=ident)
    return found[0].sourceline if found else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None
