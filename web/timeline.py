"""A case's history as people read it: who did what, when, and what changed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.views import EventView

from .i18n import gettext as _
from .timefmt import local, parse_instant
from .vocabulary import CODED_VALUES, DATA_LABELS, EVENTS, label

PUBLIC_ACTOR = "public"  # the actor the web records for citizens and enterprises
SYSTEM_ACTOR = "system"
MAX_CHANGES = 8
UNIT_KEYS = ("intake_unit", "lead_department", "departments")
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
) -> list[Entry]:
    """Timeline entries, newest first (`units` names unit codes such as lead_department)."""
    result = []
    for event in events:
        step = names.get(event.task_spec or "", event.task_spec or "")
        what = label(EVENTS, event.kind)
        if step:
            what = f"{what}：{step}"
        if event.kind == "message_received":
            what = f"{what}：{event.inputs.get('message', '')}"
        who = actor_name(event.actor, people)
        changes = _changes(event.kind, event.data_after, units)
        result.append(Entry(event.seq, event.at, event.kind, who, what, changes))
    return result[::-1]


def _changes(kind: str, after: dict, units: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
    """What an event changed, labelled; the intake data is on the summary card instead."""
    if kind == "started":
        return ()
    shown = []
    for key, value in list(after.items())[:MAX_CHANGES]:
        text = display_value(key, value, units)
        shown.append((label(DATA_LABELS, key) if key in DATA_LABELS else key,
                      text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"))  # fmt: skip
    return tuple(shown)


def display_value(key: str, value: object, units: Callable[[str], str] = str) -> str:
    """A data value as people read it: labels for codes, unit names, local times, 是/否."""
    if key in UNIT_KEYS:
        codes = value if isinstance(value, list) else [value]
        return "、".join(units(str(code)) for code in codes)
    if key in CODED_VALUES:
        return label(CODED_VALUES[key], value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and _ISO.match(value):
        moment = parse_instant(value)
        return local(moment) if moment else value
    if isinstance(value, dict):
        return "，".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
