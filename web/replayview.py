"""A replayed case as people read it: each step named, its inputs and data diff labelled.

Shared by the replay page, the printable report and the JSON API. Data keys are shown
with the vocabulary's or the diagram forms' labels and values with option names; keys
no form asks for (routing internals such as `assignments`) are counted, never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.history import AuditFinding
from engine.replaying import CaseReplay, FieldLabel, ReplayStep

from .i18n import gettext as _
from .timefmt import local
from .timeline import actor_name, element_names, event_what, key_label, value_text
from .vocabulary import EVENTS, label

MAX_TEXT = 300


@dataclass(frozen=True)
class Labels:
    """Everything needed to name a case's data and steps for one request."""

    fields: dict[str, FieldLabel]
    elements: dict[str, str]
    people: Callable[[str], str]
    units: Callable[[str], str]

    @classmethod
    def of(cls, replay: CaseReplay, people: Callable[[str], str],
           units: Callable[[str], str]) -> Labels:  # fmt: skip
        """Labels from the replay's forms and every diagram of its version."""
        elements: dict[str, str] = {}
        for xml in replay.diagrams.values():
            elements.update(element_names(xml))
        elements.update(replay.task_names)
        return cls(replay.fields, elements, people, units)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _text(key: str, value: Any, labels: Labels) -> str:
    return _cut(value_text(key, value, labels.fields, labels.units))


def labelled(data: dict[str, Any], labels: Labels) -> list[tuple[str, str, str]]:
    """(key, label, value) of the data's labelled keys, in the data's order."""
    rows = []
    for key, value in data.items():
        name = key_label(key, labels.fields)
        if name is not None and value is not None:
            rows.append((key, name, _cut(value_text(key, value, labels.fields, labels.units))))
    return rows


def what(kind: str, task_spec: str | None, inputs: dict[str, Any], labels: Labels) -> str:
    """What an event was, in words (the timeline's wording)."""
    return event_what(kind, task_spec, inputs, labels.elements)


def submitted(kind: str, inputs: dict[str, Any], labels: Labels) -> list[tuple[str, str, str]]:
    """The inputs a person or the citizen submitted with the event, labelled."""
    if kind in ("task_completed", "started") and isinstance(inputs.get("data"), dict):
        return labelled(inputs["data"], labels)
    if kind == "message_received" and isinstance(inputs.get("payload"), dict):
        payload = dict(inputs["payload"])
        if "comment" in payload:
            payload["rating_comment"] = payload.pop("comment")
        return labelled(payload, labels)
    if isinstance(inputs.get("fields"), dict):  # milestones: the fields the diagram names
        return labelled(inputs["fields"], labels)
    return []


def diff(step: ReplayStep, labels: Labels) -> tuple[list[dict[str, str]], int]:
    """The changed labelled fields (before → after) and how many internal ones changed."""
    rows, hidden = [], 0
    for key in step.changed:
        name = key_label(key, labels.fields)
        if name is None:
            hidden += 1
            continue
        before = _text(key, step.data_before.get(key), labels)
        after = _text(key, step.data_after.get(key), labels)
        if before == after:
            continue  # e.g. none became an empty text: nothing a reader would call a change
        change = "added" if key not in step.data_before else "changed"
        change = "removed" if key not in step.data_after else change
        rows.append({"key": key, "label": name, "change": change,
                     "before": before, "after": after})  # fmt: skip
    return rows, hidden


def step_view(index: int, step: ReplayStep, replay: CaseReplay, labels: Labels) -> dict[str, Any]:
    """One step for the page and the API (element ids for the diagram, texts for people)."""
    top = step.states(replay.process_id)
    rows, hidden = diff(step, labels)
    called = {
        pid: {"completed": list(s.completed), "active": list(s.active)}
        for pid, s in step.elements.items() if pid != replay.process_id
    }  # fmt: skip
    return {
        "step": index, "seq": step.seq, "kind": step.kind, "kind_label": label(EVENTS, step.kind),
        "what": what(step.kind, step.task_spec, step.inputs, labels),
        "actor": step.actor, "actor_name": actor_name(step.actor, labels.people),
        "at": step.at.isoformat(), "at_text": local(step.at),
        "task_spec": step.task_spec, "task_id": step.task_id,
        "task_name": labels.elements.get(step.task_spec or "", ""),
        "inputs": [{"key": k, "label": n, "value": v}
                   for k, n, v in submitted(step.kind, step.inputs, labels)],
        "completed": list(top.completed), "active": list(top.active), "called": called,
        "active_names": [labels.elements.get(i, i) for i in top.active],
        "diff": rows, "hidden_changes": hidden,
        "timers": [{"element": t.element, "name": labels.elements.get(t.element, t.name),
                    "due": t.due.isoformat() if t.due else None,
                    "due_text": local(t.due) if t.due else "—"} for t in step.timers],
        "hash": step.hash, "process_id": replay.process_id, "version": replay.version,
    }  # fmt: skip


def steps(replay: CaseReplay, labels: Labels) -> list[dict[str, Any]]:
    """Every step of the replay, numbered from 1."""
    return [step_view(i, s, replay, labels) for i, s in enumerate(replay.steps, start=1)]


# The engine's verification findings by code (engine/history.py, audit.py, replaying.py).
FINDINGS = {
    "event_deleted": "第 {seq} 个事件缺失（已被删除）",
    "event_reordered": "第 {seq} 个事件缺失（顺序被打乱或重复）",
    "chain_broken": "与前一个事件衔接不上（之前的事件被删除或顺序被打乱）",
    "event_edited": "记录后内容被修改",
    "history_truncated": "记录被截短：检查点记有 {recorded} 个事件，现只剩 {remain} 个",
    "chain_rewritten": "哈希链被改写：链头与检查点不符",
    "events_appended": "在最后一个检查点之后追加了事件",
    "case_data_edited": "案件当前数据（{fields}）与记录不符：在系统之外被修改",
    "case_gone": "案件已从数据库中消失",
    "truncated_since_export": "导出链头之后记录被截短（事件被删除）",
    "rewritten_since_export": "导出链头之后被改写：该事件的哈希与导出时不同",
    "not_reexecutable": "无法重新执行：{error}",
    "data_differs": "重新执行得到的数据（{fields}）与记录不同",
    "state_differs": "按记录重新执行无法得到保存的流程状态",
}


def finding_text(finding: AuditFinding) -> str:
    """A verification finding in the reader's language, chosen by its code."""
    template = FINDINGS.get(finding.code)
    if template is None:
        return finding.problem
    values = {k: "、".join(map(str, v)) if isinstance(v, list) else v
              for k, v in finding.params.items()}  # fmt: skip
    return _(template, **values)
