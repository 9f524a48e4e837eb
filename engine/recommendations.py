"""Recommendations made upward (知识库 status `recommended`), tracked until answered.

When current policy cannot solve a matter, the citizen gets an explanation and a
recommendation goes to the higher level (closed_loop `draft_recommendation`,
joint_consultation `jc_recommend`; both leave `recommendation = {to, text, case_key, ...}`
in the case data). Each becomes a knowledge-base entry with status `recommended`, in the
transaction of the event that wrote it (`kb_follow.follow_recommendation`, called by
`recording`). It stays *awaiting* until the leading-group office records the higher
level's answer: its text, the day it came and who recorded it. The open ones are listed
oldest first with their age, on the knowledge page and the leaders' dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .calendar import SHANGHAI
from .errors import Conflict, FieldError, FormInvalid, NotAllowed, NotFound
from .kb_follow import RECOMMENDED
from .models import KnowledgeEntry
from .staff import Staff

if TYPE_CHECKING:
    from .work import Work

ANSWERERS = frozenset({"leading_office", "joint_meeting", "admin"})
READERS = ANSWERERS | {"supervising_office", "discipline", "auditor"}
MAX_ANSWER = 4000


@dataclass(frozen=True)
class OpenRecommendation:
    """A recommendation still awaiting the higher level's answer."""

    key: str  # KB-n
    title: str
    recommended_to: str | None
    since: datetime
    age_days: int
    source_cases: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"id": self.key, "title": self.title, "recommended_to": self.recommended_to,
                "since": self.since.isoformat(), "age_days": self.age_days,
                "source_cases": list(self.source_cases)}  # fmt: skip


class Recommendations:
    """The recommendations made upward, in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def _require(self, viewer: str, roles: frozenset[str]) -> None:
        if not set(Staff(self.work).get_user(viewer).roles) & roles:
            raise NotAllowed(f"{viewer} may not see the recommendations made upward")

    def awaiting(self, viewer: str, now: datetime | None = None) -> list[OpenRecommendation]:
        """Every recommendation not answered yet, oldest first, with its age in days."""
        self._require(viewer, READERS)
        today = (now or datetime.now(UTC)).astimezone(SHANGHAI).date()
        query = (
            select(KnowledgeEntry)
            .where(KnowledgeEntry.status == RECOMMENDED, KnowledgeEntry.answered_at.is_(None))
            .order_by(KnowledgeEntry.created_at, KnowledgeEntry.id)
        )
        return [_open(row, today) for row in self.session.scalars(query)]

    def answer(
        self, viewer: str, key: str, values: dict[str, Any], at: datetime | None = None
    ) -> KnowledgeEntry:
        """Record the higher level's answer to recommendation `key` (FormInvalid by field)."""
        self._require(viewer, ANSWERERS)
        from .kb_follow import entry_number

        number = entry_number(key)
        row = self.session.get(KnowledgeEntry, number, with_for_update=True) if number else None
        if row is None:
            raise NotFound(f"no knowledge-base entry '{key}' (numbers look like KB-12)")
        if row.status != RECOMMENDED:
            raise FormInvalid([FieldError("answer_text", "not_a_recommendation")])
        if row.answered_at is not None:
            raise Conflict(f"{key} was answered already by {row.answered_by}")
        text = str(values.get("answer_text") or "").strip()
        errors = []
        if not text:
            errors.append(FieldError("answer_text", "required"))
        elif len(text) > MAX_ANSWER:
            errors.append(FieldError("answer_text", "too_long", {"max": MAX_ANSWER}))
        instant = at or datetime.now(UTC)
        answered_on = _day(values.get("answered_on"), errors, instant)
        if errors:
            raise FormInvalid(errors)
        row.answer_text, row.answered_by = text, viewer
        row.answered_at = datetime.combine(answered_on, instant.astimezone(SHANGHAI).timetz())
        row.updated_at = instant
        self.session.flush()
        return row


def _day(value: Any, errors: list[FieldError], instant: datetime) -> date:
    """The day the answer came (YYYY-MM-DD, not in the future); today when not given."""
    today = instant.astimezone(SHANGHAI).date()
    if value in (None, ""):
        return today
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError("answered_on", "not_a_date", {"value": str(value)[:20]}))
        return today
    if day > today:
        errors.append(FieldError("answered_on", "in_the_future"))
    return day


def _open(row: KnowledgeEntry, today: date) -> OpenRecommendation:
    since = row.created_at
    age = (today - since.astimezone(SHANGHAI).date()).days
    return OpenRecommendation(f"KB-{row.id}", row.title, row.recommended_to, since, max(age, 0),
                              tuple(row.source_cases or ()))  # fmt: skip
