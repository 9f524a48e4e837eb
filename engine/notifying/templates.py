"""What each notification says, per event and language; admins may reword any of them.

Wordings use `$name` placeholders (`string.Template`): `$case` case number, `$title`,
`$task` the task's name, `$due` its deadline (Beijing time), `$reply` the public reply,
`$name` the citizen's name, `$link` where to look. Unknown placeholders are refused
when an admin saves a wording, so a message never goes out with a hole in it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from ..errors import FieldError, FormInvalid

CITIZEN_EVENTS = ("receipt", "reply", "callback", "closed")
STAFF_EVENTS = ("new_task", "urge", "due_soon", "overdue", "escalation", "supervision")
EVENTS = CITIZEN_EVENTS + STAFF_EVENTS
URGENT_EVENTS = frozenset({"urge", "overdue", "escalation", "supervision"})
LANGS = ("zh", "en")
PLACEHOLDERS = frozenset({"case", "title", "task", "due", "reply", "name", "link"})
MAX_SUBJECT = 200
MAX_BODY = 2000

_ZH_TASK = "案件 $case「$title」"
_EN_TASK = '"$task" of case $case "$title"'
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("receipt", "zh"): (
        "【马上办】您反映的事项已受理",
        "$name，您好：您反映的「$title」已收到，案件编号 $case。"
        "请凭案件编号和查询码在 $link 查询办理进度。",
    ),
    ("receipt", "en"): (
        "[Act-Now] We have received your matter",
        'Dear $name, we have received "$title" as case $case. '
        "Follow it at $link with the case number and tracking code.",
    ),
    ("reply", "zh"): (
        "【马上办】您反映的事项已答复，请评价",
        "您反映的「$title」（$case）已有答复：$reply 请在 $link 评价办理结果。",
    ),
    ("reply", "en"): (
        "[Act-Now] Your matter has been answered: please rate it",
        '"$title" ($case) has been answered: $reply Please rate the answer at $link.',
    ),
    ("callback", "zh"): (
        "【马上办】您反映的事项已回访",
        "工作人员已就您反映的「$title」（$case）电话回访并记录了您的评价，感谢您的反馈。",
    ),
    ("callback", "en"): (
        "[Act-Now] We have called you back about your matter",
        'Our staff called you back about "$title" ($case) and recorded your rating. '
        "Thank you for your feedback.",
    ),
    ("closed", "zh"): (
        "【马上办】您反映的事项已办结",
        "您反映的「$title」（$case）已办结销号，感谢您的监督。",
    ),
    ("closed", "en"): (
        "[Act-Now] Your matter is closed",
        '"$title" ($case) is closed. Thank you for reporting it.',
    ),
    ("new_task", "zh"): ("新待办：$task", _ZH_TASK + "有新待办「$task」，办理时限 $due。$link"),
    ("new_task", "en"): (
        "New task: $task",
        'Case $case "$title" has a new task "$task", due $due. $link',
    ),
    ("urge", "zh"): ("催办：$task", _ZH_TASK + "的「$task」将于 $due 到期，请抓紧办理。$link"),
    ("urge", "en"): ("Reminder: $task", _EN_TASK + " is due $due: please finish it. $link"),
    ("due_soon", "zh"): ("即将到期：$task", _ZH_TASK + "的「$task」将于 $due 到期。$link"),
    ("due_soon", "en"): ("Due soon: $task", _EN_TASK + " is due $due. $link"),
    ("overdue", "zh"): ("已超期：$task", _ZH_TASK + "的「$task」已超过办理时限 $due。$link"),
    ("overdue", "en"): ("Overdue: $task", _EN_TASK + " passed its deadline $due. $link"),
    ("escalation", "zh"): (
        "案件升级至您：$task",
        _ZH_TASK + "已升级，由您办理「$task」，办理时限 $due。$link",
    ),
    ("escalation", "en"): (
        "Escalated to you: $task",
        'Case $case "$title" was escalated: "$task" is yours, due $due. $link',
    ),
    ("supervision", "zh"): (
        "督办立案：$title",
        _ZH_TASK + "已立案督办，请办理「$task」，办理时限 $due。$link",
    ),
    ("supervision", "en"): (
        "Supervision opened: $title",
        'Supervision of case $case "$title" was opened: "$task" is yours, due $due. $link',
    ),
}


@dataclass(frozen=True)
class Wording:
    """One event's message in one language, and whether an admin changed it."""

    event: str
    lang: str
    subject: str
    body: str
    edited: bool = False


def render(wording: Wording, values: dict[str, str]) -> tuple[str, str]:
    """The subject and body with the placeholders filled (missing values left empty)."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS}
    subject = string.Template(wording.subject).safe_substitute(filled)
    body = string.Template(wording.body).safe_substitute(filled)
    return subject[:MAX_SUBJECT], body


def check(event: str, lang: str, subject: str, body: str) -> None:
    """Refuse a wording with an unknown event, language or placeholder, or an empty text."""
    errors: list[FieldError] = []
    if event not in EVENTS:
        errors.append(FieldError("event", "not_an_option", {"value": event, "choices": EVENTS}))
    if lang not in LANGS:
        errors.append(FieldError("lang", "not_an_option", {"value": lang, "choices": LANGS}))
    for field, text, limit in (("subject", subject, MAX_SUBJECT), ("body", body, MAX_BODY)):
        problem = _problem(field, text, limit)
        if problem is not None:
            errors.append(problem)
    if errors:
        raise FormInvalid(errors)


def _problem(field: str, text: str, limit: int) -> FieldError | None:
    if not text.strip():
        return FieldError(field, "required")
    if len(text) > limit:
        return FieldError(field, "too_long", {"max": limit})
    matches = list(string.Template.pattern.finditer(text))
    if any(m.group("invalid") is not None for m in matches):
        return FieldError(
            field,
            "bad_placeholder",
            {},
            "a '$' must start a placeholder such as $case (write $$ for a dollar)",
        )
    names = {m.group("named") or m.group("braced") for m in matches} - {None}
    unknown = sorted(names - PLACEHOLDERS)
    if unknown:
        choices = ", ".join("$" + p for p in sorted(PLACEHOLDERS))
        return FieldError(
            field,
            "unknown_placeholder",
            {"name": unknown[0], "choices": choices},
            f"unknown placeholder ${unknown[0]}; use {choices}",
        )
    return None
