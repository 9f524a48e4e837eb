"""A case's history as people read it: who did what, when, and what changed."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from engine.replaying import FieldLabel
from engine.views import EventView

from .i18n import gettext as _
from .timefmt import local_times
from .vocabulary import (
    CODED_VALUES,
    DATA_LABELS,
    EVENTS,
    MEETING_DECISIONS,
    RATINGS,
    STATE_WORDS,
    label,
)

PUBLIC_ACTOR = "public"  # the actor the web records for citizens and enterprises
SYSTEM_ACTOR = "system"
MAX_CHANGES = 8
UNIT_KEYS = ("intake_unit", "lead_department", "departments", "department",
             "escalated_department", "co_departments", "invited_departments",
             "transfer_to", "place_unit", "accused_unit")  # fmt: skip
MAX_VALUE = 80


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    seq: int
    at: datetime
    kind: str
    actor: str
    what: str
    changes: tuple[tuple[str, str], ...]


def element_names(xml: str) -> dict[str, str]:
    """Element id -> name in a diagram the engine validated and stored (for readable steps)."""
    try:
        # The engine parsed this file safely (no entities, no DTD) when it was deployed.
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return {}
    return {
        node.attrib["id"]: node.attrib["name"]
        for node in root.iter()
        if "id" in node.attrib and node.attrib.get("name")
    }


def actor_name(actor: str, people: Callable[[str], str]) -> str:
    """Citizens and the system by role; staff by display name."""
    if actor == PUBLIC_ACTOR:
        return _("群众/企业")
    if actor == SYSTEM_ACTOR:
        return _("系统")
    return people(actor)


def entries(
    events: Iterable[EventView],
    names: dict[str, str],
    people: Callable[[str], str],
    units: Callable[[str], str] = str,
    fields: dict[str, FieldLabel] | None = None,
    units_at: Callable[[str, datetime], str] | None = None,
) -> list[Entry]:
    """Timeline entries, newest first (`units` names unit codes such as lead_department;
    `fields` are the diagram forms' labels, so data reads as the forms named it;
    `units_at`, if given, names a unit as it was called at the event's time)."""
    result = []
    known = fields or {}
    for event in events:
        if units_at is not None:
            units = partial(_unit_at, units_at, event.at)
        known_names = names
        if event.task_spec and event.task_spec not in names and event.task_name:
            known_names = {**names, event.task_spec: event.task_name}  # a called process's task
        what = event_what(event.kind, event.task_spec, event.inputs, known_names)
        who = actor_name(event.actor, people)
        changes = _changes(event.kind, event.data_after, units, known)
        if event.kind == "reassigned":
            changes = _handover(event.inputs, people)
        if event.kind == "meeting_decided":
            changes = _meeting_decision(event.inputs)
        result.append(Entry(event.seq, event.at, event.kind, who, what, changes))
    return result[::-1]


def _handover(inputs: dict[str, Any], people: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
    """Who a task was reassigned to, and why."""
    to = inputs.get("to")
    return ((_("改派给"), people(to) if isinstance(to, str) else "—"),
            (_("改派理由"), str(inputs.get("reason") or "—")))  # fmt: skip


def _meeting_decision(inputs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The joint meeting's decision on the case, and the case it started (if any)."""
    shown = [(_("会议决定"), str(inputs.get("decision") or "—")),
             (_("责任单位"), str(inputs.get("responsible_unit") or "—"))]  # fmt: skip
    if inputs.get("handling_case"):
        shown.append((_("交办案件"), str(inputs["handling_case"])))
    if inputs.get("consultation_case"):
        shown.append((_("会诊案件"), str(inputs["consultation_case"])))
    return tuple(shown)


def _unit_at(units_at: Callable[[str, datetime], str], at: datetime, code: str) -> str:
    return units_at(code, at)


def event_what(
    kind: str, task_spec: str | None, inputs: dict[str, Any], names: dict[str, str]
) -> str:
    """What an event was, in words: 完成：受理登记, 群众评价：不满意, 时限到达：办理超期."""
    text = label(EVENTS, kind)
    if kind == "message_received":
        given = inputs.get("payload")
        payload: dict[str, Any] = given if isinstance(given, dict) else {}
        if inputs.get("message") == "citizen_rating" and payload.get("rating"):
            return _("群众评价：{rating}", rating=label(RATINGS, payload["rating"]))
        if inputs.get("message") == "meeting_decision":  # engine/meeting_actions.py
            return _("联席会议决定：{kind}", kind=label(MEETING_DECISIONS,
                                                      payload.get("decision_type")))  # fmt: skip
        return f"{text}：{inputs.get('message', '')}"
    if kind == "attachment_added":  # names with the start of each file's SHA-256
        listed = inputs.get("files")
        files: list[Any] = listed if isinstance(listed, list) else []
        shown = [f"{f.get('name', '')}（SHA-256 {str(f.get('sha256', ''))[:12]}…）" for f in files]
        return f"{text}：{'、'.join(shown)}"
    if kind == "timer_fired":
        fired = (inputs.get("details") or {}).get("fired") or []
        steps = [names.get(f.get("spec", ""), f.get("name") or "") for f in fired]
        return f"{text}：{'、'.join(s for s in steps if s)}" if any(steps) else text
    other = inputs.get("into") or inputs.get("duplicate") or inputs.get("other")  # issue 14
    if kind in ("merged", "duplicate_merged", "marked_distinct") and isinstance(other, str):
        return f"{text}：{other}"
    if kind == "meeting_decided":
        return f"{text}：{label(MEETING_DECISIONS, inputs.get('decision_type'))}"
    if kind == "kb_linked":  # a knowledge-base entry linked while classifying (engine/kb_links.py)
        return f"{text}：{inputs.get('entry', '')} {inputs.get('title', '')}".rstrip()
    step = names.get(task_spec or "", task_spec or "")
    if not step and isinstance(inputs.get("element"), str):  # milestones name their element
        step = names.get(inputs["element"], "")
    return f"{text}：{step}" if step else text


def key_label(key: str, fields: dict[str, FieldLabel]) -> str | None:
    """The label people know a data key by; None for internal keys (never shown)."""
    if key in DATA_LABELS:
        return label(DATA_LABELS, key)
    if key in fields:
        return fields[key].label
    return None


def contact_text(contact: dict[str, Any]) -> str:
    """A contact's name and phone (masked or in full as the viewer may see them)."""
    shown = [
        _("已删除") if contact[f] is None else str(contact[f])
        for f in ("name", "phone", "id_number", "address", "email")
        if f in contact
    ]
    return " ".join(shown)


def value_text(
    key: str, value: object, fields: dict[str, FieldLabel], units: Callable[[str], str] = str
) -> str:
    """A value with the form's option names, unit names, local times; 是/否 for yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    known = fields.get(key)
    if known and known.units and isinstance(value, str | list):
        return unit_names(value, units)
    if known and known.choices and str(value) in known.choices and key not in CODED_VALUES:
        return known.choices[str(value)]
    if isinstance(value, str) and value in STATE_WORDS:  # a script's code, no form's option
        return label(STATE_WORDS, value)
    if key == "contact" and isinstance(value, dict):
        return contact_text(value)
    return display_value(key, value, units)


def _changes(
    kind: str, after: dict[str, Any], units: Callable[[str], str], fields: dict[str, FieldLabel]
) -> tuple[tuple[str, str], ...]:
    """What an event changed, labelled; internal keys and emptied values are left out, and
    the intake data is on the summary card instead."""
    if kind == "started":
        return ()
    shown = []
    for key, value in after.items():
        name = key_label(key, fields)
        if name is None or value is None:
            continue
        text = value_text(key, value, fields, units)
        shown.append((name, text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"))
    return tuple(shown[:MAX_CHANGES])


def unit_names(value: object, units: Callable[[str], str]) -> str:
    """Unit codes (a list or comma-separated) as their names: 区住建局、区民政局."""
    codes = value if isinstance(value, list) else str(value).split(",")
    return "、".join(units(str(code).strip()) for code in codes if str(code).strip())


def display_value(key: str, value: object, units: Callable[[str], str] = str) -> str:
    """A data value as people read it: labels for codes, unit names, local times, 是/否."""
    if key in UNIT_KEYS:
        return unit_names(value, units)
    if key in CODED_VALUES:
        return label(CODED_VALUES[key], value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        return local_times(value)
    if isinstance(value, dict):
        return "，".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
