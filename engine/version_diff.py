"""What changed between two versions of a process, element by element.

Three sources, each for what it sees best:
- SpiffWorkflow's `SpecDiff` aligns the task specs of the two versions (by BPMN id, then
  by position in the flow) and names the serialized attributes that differ: element
  type, name, flows, scripts, timer and message definitions, called processes.
- The task metadata we read at deploy time (`ProcessVersion.tasks`) gives what the
  Camunda flavour leaves off its specs: form fields, candidate groups and users,
  assignee, due date, priority.
- The XML gives the sequence flows and their conditions by flow id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.util.diff import SpecDiff

from .admin_views import DiffElement, ElementChange, VersionDiff
from .models import ProcessVersion
from .running import Runner
from .xmlsafe import CAMUNDA_NS, parse_xml

# Serialized task-spec keys as the admin reads them; None: noise (recomputed internals).
ATTRIBUTE_NAMES: dict[str, str | None] = {
    "typename": "type", "bpmn_name": "name", "name": None, "bpmn_id": "id",
    "inputs": "flows", "outputs": "flows", "cond_task_specs": None, "default_task_spec": None,
    "choice": None, "lookahead": None, "manual": None, "description": "type",
    "event_definition": "event", "extensions": "properties", "form": "form",
    "io_specification": "data", "data_input_associations": "data",
    "data_output_associations": "data", "prescript": "script", "postscript": "script",
    "script": "script", "spec": "called process", "cancel_activity": "interrupting",
}  # fmt: skip
META_NAMES = {"name": "name", "lane": "lane", "lane_name": "lane",
              "candidate_groups": "candidate groups", "candidate_users": "candidate users",
              "assignee": "assignee", "due_date": "due date", "priority": "priority",
              "documentation": "documentation"}  # fmt: skip


@dataclass
class _Change:
    element: str
    name: str
    kind: str
    process: str
    attributes: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)

    def freeze(self) -> ElementChange:
        return ElementChange(self.element, self.name, self.kind, tuple(sorted(self.attributes)),
                             tuple(sorted(self.fields)), tuple(sorted(self.conditions)),
                             self.process, tuple(sorted(self.rules)))  # fmt: skip


@dataclass
class _Diff:
    added: dict[tuple[str, str], DiffElement] = field(default_factory=dict)
    removed: dict[tuple[str, str], DiffElement] = field(default_factory=dict)
    changed: dict[tuple[str, str], _Change] = field(default_factory=dict)
    where: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> process, ...

    def change(self, process: str, element: str, name: str = "", kind: str = "") -> _Change:
        if (process, element) not in self.changed:
            self.changed[(process, element)] = _Change(element, name or element, kind, process)
        return self.changed[(process, element)]


def diff_versions(
    old: ProcessVersion, new: ProcessVersion, runners: tuple[Runner, Runner],
    files: tuple[dict[str, bytes], dict[str, bytes]],
) -> VersionDiff:  # fmt: skip
    """Compare two versions of one process (and of every process each calls), given each
    version's runner and file contents."""
    old_runner, new_runner = runners
    result = _Diff()
    _diff_specs(result, _specs(old_runner), _specs(new_runner), new_runner)
    _diff_meta(result, old.tasks, new.tasks)
    _diff_flows(result, _flows(old_runner, files[0]), _flows(new_runner, files[1]))
    differing = sorted(n for n in set(old.files) | set(new.files)
                       if old.files.get(n) != new.files.get(n))  # fmt: skip
    _diff_decisions(result, files)
    changed = [c.freeze() for c in result.changed.values() if c.attributes or c.fields
               or c.conditions or c.rules]  # fmt: skip
    return VersionDiff(
        process_id=new.process_id, a=old.version, b=new.version,
        added=tuple(sorted(result.added.values(), key=_order)),
        removed=tuple(sorted(result.removed.values(), key=_order)),
        changed=tuple(sorted(changed, key=_order)), files=tuple(differing),
    )  # fmt: skip


def _order(item: DiffElement | ElementChange) -> tuple[str, str]:
    return (item.process, item.element)


def _specs(runner: Runner) -> dict[str, Any]:
    specs = runner.specs
    return {specs.process_id: specs.spec, **specs.subprocess_specs}


def _element(process: str, spec: Any) -> DiffElement:
    return DiffElement(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, _kind(spec), process)


def _kind(spec: Any) -> str:
    name = type(spec).__name__
    return name[0].lower() + name[1:]


def _bpmn(specs: Iterable[Any]) -> list[Any]:
    """The specs of diagram elements (not the engine's own joins and splits), one per id."""
    found: dict[str, Any] = {}
    for spec in specs:
        bpmn_id = getattr(spec, "bpmn_id", None)
        if bpmn_id and bpmn_id not in found:
            found[bpmn_id] = spec
    return list(found.values())


def _diff_specs(result: _Diff, old: dict[str, Any], new: dict[str, Any], runner: Runner) -> None:
    for process in sorted(set(old) | set(new)):
        before, after = old.get(process), new.get(process)
        if after is not None:
            for spec in _bpmn(after.task_specs.values()):
                result.where[spec.bpmn_id] = (process, spec.bpmn_name or spec.bpmn_id, _kind(spec))
        if before is None or after is None:
            target = result.added if before is None else result.removed
            present = after if after is not None else before
            for spec in _bpmn(present.task_specs.values() if present is not None else ()):
                target[(process, spec.bpmn_id)] = _element(process, spec)
        else:
            _diff_process(result, process, before, after, runner.serializer.registry)


def _diff_process(result: _Diff, process: str, before: Any, after: Any, registry: Any) -> None:
    """One process in both versions: SpecDiff's alignment and changed attributes."""
    try:
        diff = SpecDiff(registry, before, after)
    except Exception:  # e.g. the two versions use different flavours: compare by id
        _diff_by_id(result, process, before, after)
        return
    for spec in _bpmn(diff.added):
        result.added[(process, spec.bpmn_id)] = _element(process, spec)
    for spec in _bpmn(diff.removed):
        result.removed[(process, spec.bpmn_id)] = _element(process, spec)
    for spec, keys in diff.changed.items():
        if getattr(spec, "bpmn_id", None):
            names = {ATTRIBUTE_NAMES.get(k, k) for k in keys} - {None}
            item = result.change(process, spec.bpmn_id, spec.bpmn_name, _kind(spec))
            item.attributes.update(str(n) for n in names)


def _diff_by_id(result: _Diff, process: str, before: Any, after: Any) -> None:
    """Elements matched by id alone; a matched pair of different types counts as changed."""
    old = {spec.bpmn_id: spec for spec in _bpmn(before.task_specs.values())}
    new = {spec.bpmn_id: spec for spec in _bpmn(after.task_specs.values())}
    for bpmn_id in sorted(set(old) | set(new)):
        if bpmn_id not in old:
            result.added[(process, bpmn_id)] = _element(process, new[bpmn_id])
        elif bpmn_id not in new:
            result.removed[(process, bpmn_id)] = _element(process, old[bpmn_id])
        elif type(old[bpmn_id]) is not type(new[bpmn_id]):
            spec = new[bpmn_id]
            result.change(process, bpmn_id, spec.bpmn_name, _kind(spec)).attributes.add("type")


def _diff_meta(result: _Diff, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Form fields, routing and deadlines of the user tasks in both versions."""
    for task_id in sorted(set(old) & set(new)):
        before, after = old[task_id], new[task_id]
        process, name, kind = result.where.get(task_id, ("", after.get("name", ""), "userTask"))
        item = result.change(process, task_id, name, kind)
        item.attributes.discard("form")  # said better field by field below
        for key, label in META_NAMES.items():
            if before.get(key) != after.get(key):
                item.attributes.add(label)
        fields_before = {f["id"]: f for f in before.get("form", ())}
        fields_after = {f["id"]: f for f in after.get("form", ())}
        item.fields.update(k for k in set(fields_before) | set(fields_after)
                           if fields_before.get(k) != fields_after.get(k))  # fmt: skip


@dataclass(frozen=True)
class _Flow:
    process: str
    name: str
    source: str
    target: str
    condition: str | None


def _flows(runner: Runner, files: dict[str, bytes]) -> dict[str, _Flow]:
    """Every sequence flow of the version's processes by id, with its condition text."""
    wanted = set(_specs(runner))
    flows: dict[str, _Flow] = {}
    for name, content in sorted(files.items()):
        root = parse_xml(content, name)[0] if name.lower().endswith(".bpmn") else None
        for process in root.iterfind(".//{*}process") if root is not None else ():
            if process.get("id") not in wanted:
                continue
            for flow in process.iter("{*}sequenceFlow"):
                condition = flow.find("{*}conditionExpression")
                text = (condition.text or "").strip() if condition is not None else None
                flows[flow.get("id", "")] = _Flow(process.get("id", ""), flow.get("name") or "",
                                                  flow.get("sourceRef", ""),
                                                  flow.get("targetRef", ""), text)  # fmt: skip
    return flows


def _diff_flows(result: _Diff, old: dict[str, _Flow], new: dict[str, _Flow]) -> None:
    for flow_id in sorted(set(old) | set(new)):
        before, after = old.get(flow_id), new.get(flow_id)
        if before is None or after is None:
            flow = after or before
            assert flow is not None
            target = result.added if before is None else result.removed
            target[(flow.process, flow_id)] = DiffElement(flow_id, flow.name or flow_id,
                                                          "sequenceFlow", flow.process)  # fmt: skip
        elif before != after:
            item = result.change(after.process, flow_id, after.name, "sequenceFlow")
            if before.condition != after.condition:
                item.attributes.add("condition")
                source = result.where.get(after.source, (after.process, after.source, ""))
                result.change(after.process, after.source, source[1],
                              source[2]).conditions.add(flow_id)  # fmt: skip
            if (before.source, before.target) != (after.source, after.target):
                item.attributes.add("flows")


def _decisions(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Decision id -> rule id -> the rule's canonical XML, from every DMN file."""
    found: dict[str, dict[str, bytes]] = {}
    for name, content in sorted(files.items()):
        root = parse_xml(content, name)[0] if name.lower().endswith(".dmn") else None
        for decision in root.iterfind(".//{*}decision") if root is not None else ():
            rules = {rule.get("id", str(index)): etree.tostring(rule, method="c14n")
                     for index, rule in enumerate(decision.iter("{*}rule"))}  # fmt: skip
            rules[""] = etree.tostring(decision, method="c14n")  # the table as a whole
            found[decision.get("id", "")] = rules
    return found


def _diff_decisions(result: _Diff, files: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """A business rule task whose decision table changed: which rules."""
    before, after = _decisions(files[0]), _decisions(files[1])
    for task_id, ref in sorted(_rule_tasks(files[1]).items()):
        old, new = before.get(ref, {}), after.get(ref, {})
        if old == new:
            continue
        process, name, kind = result.where.get(task_id, ("", task_id, "businessRuleTask"))
        item = result.change(process, task_id, name, kind)
        item.attributes.add("decision table")
        item.rules.update(r for r in set(old) | set(new) if r and old.get(r) != new.get(r))


def _rule_tasks(files: dict[str, bytes]) -> dict[str, str]:
    """Business rule task id -> the id of the decision it calls (either flavour)."""
    found: dict[str, str] = {}
    for name, content in sorted(files.items()):
        root = parse_xml(content, name)[0] if name.lower().endswith(".bpmn") else None
        for task in root.iter("{*}businessRuleTask") if root is not None else ():
            ref = task.get(f"{{{CAMUNDA_NS}}}decisionRef")
            called = task.find(".//{*}calledDecisionId")
            ref = ref or (called.text if called is not None else None)
            if ref:
                found[task.get("id", "")] = ref.strip()
    return found
