"""The knowledge base: entries KB-n, written by the root-cause review, searched in Chinese.

An entry is created (or updated, when the clerk names `KB-n`) from the `knowledge_entry`
the closed_loop diagram's `save_knowledge_entry` script leaves in the case data; the
hook runs in `recording.record_event`, in the same transaction as the event.

Search: every whitespace-separated term must occur in the entry's text (a `LIKE
'%term%'`, case-insensitive). Chinese words are mostly two characters (噪音, 停车, 物业),
which a trigram index (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`) cannot find at all,
and a word-splitting parser (`zhparser`, jieba) is an extension the district's servers
do not have; a district writes a few hundred entries a year, so a scan of the table
answers in milliseconds on both databases. `suggest` ranks entries by the character
pairs they share with a new matter's title and description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from .errors import FieldError, FormInvalid, NotAllowed, NotFound
from .kb_follow import answer_state, entry_number, search_text
from .kb_links import link_entry
from .models import KnowledgeEntry
from .staff import Staff
from .work import Work

STATUSES = ("explained", "rule_changed", "recommended")
READERS = frozenset({
    "clerk", "department_handler", "chief_representative", "leading_office", "joint_meeting",
    "supervising_office", "discipline", "auditor", "admin",
})  # fmt: skip
_PUNCTUATION = re.compile(r"[\s，。、；：！？,.;:!?()（）《》“”\"'-]+")


@dataclass(frozen=True)
class EntryView:
    """One knowledge-base entry as pages and the API show it."""

    key: str  # KB-n
    title: str
    problem: str
    remedy: str
    legal_basis: str
    kind: str | None
    category: str | None
    keywords: tuple[str, ...]
    departments: tuple[str, ...]
    status: str
    source_cases: tuple[str, ...]
    created_by: str
    created_at: datetime
    updated_at: datetime
    answer: Answer | None = None  # recommendations only: awaiting or answered

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "answer": self.answer.as_dict() if self.answer is not None else None,
            "id": self.key, "title": self.title, "problem": self.problem, "remedy": self.remedy,
            "legal_basis": self.legal_basis, "kind": self.kind, "category": self.category,
            "keywords": list(self.keywords), "departments": list(self.departments),
            "status": self.status, "source_cases": list(self.source_cases),
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
        }  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """Where a recommendation made upward stands: awaiting, or answered (text, when, by whom)."""

    state: str  # awaiting | answered
    recommended_to: str | None
    text: str | None
    at: datetime | None
    by: str | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"state": self.state, "recommended_to": self.recommended_to, "text": self.text,
                "at": self.at.isoformat() if self.at else None, "by": self.by}  # fmt: skip


def _view(row: KnowledgeEntry) -> EntryView:
    return EntryView(
        f"KB-{row.id}", row.title, row.problem, row.remedy, row.legal_basis, row.kind,
        row.category, tuple(row.keywords or ()), tuple(row.departments or ()), row.status,
        tuple(row.source_cases or ()), row.created_by, row.created_at, row.updated_at,
        _answer(row),
    )  # fmt: skip


def _answer(row: KnowledgeEntry) -> Answer | None:
    state = answer_state(row)
    if state is None:
        return None
    return Answer(state, row.recommended_to, row.answer_text, row.answered_at, row.answered_by)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pairs(text: str) -> set[str]:
    """The two-character pieces of a text (punctuation and spaces split it)."""
    pieces = [p for p in _PUNCTUATION.split(text.lower()) if p]
    return {piece[i : i + 2] for piece in pieces for i in range(max(1, len(piece) - 1))}


class Knowledge:
    """The knowledge base over one service (one transaction)."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def _require_reader(self, viewer: str) -> None:
        if not set(Staff(self.work).get_user(viewer).roles) & READERS:
            raise NotAllowed(f"{viewer} may not read the knowledge base")

    def search(self, viewer: str, text: str = "", limit: int = 50) -> list[EntryView]:
        """Entries holding every term of `text` (all entries, newest first, when empty)."""
        self._require_reader(viewer)
        query = select(KnowledgeEntry).order_by(KnowledgeEntry.updated_at.desc())
        for term in text.lower().split()[:10]:
            query = query.where(KnowledgeEntry.search_text.like(f"%{_escape(term)}%", escape="\\"))
        return [_view(row) for row in self.session.scalars(query.limit(limit))]

    def get(self, viewer: str, key: str) -> EntryView:
        """One entry by its number (`KB-12`)."""
        self._require_reader(viewer)
        number = entry_number(key)
        row = self.session.get(KnowledgeEntry, number) if number is not None else None
        if row is None:
            raise NotFound(f"no knowledge-base entry '{key}' (numbers look like KB-12)")
        return _view(row)

    def suggest(self, viewer: str, text: str, limit: int = 5) -> list[EntryView]:
        """The entries sharing the most character pairs with a matter's title and description."""
        self._require_reader(viewer)
        wanted = _pairs(text)
        if not wanted:
            return []
        scored = []
        for row in self.session.scalars(select(KnowledgeEntry)):
            score = len(wanted & _pairs(row.search_text))
            if score >= 2:
                scored.append((-score, -row.id, row))
        return [_view(row) for *_score, row in sorted(scored)[:limit]]

    def create(self, viewer: str, values: dict[str, Any], at: datetime | None = None) -> EntryView:
        """A leader or the leading-group office writes an entry by hand (e.g. a rule change)."""
        user = Staff(self.work).get_user(viewer)
        if not set(user.roles) & {"leading_office", "joint_meeting", "admin"}:
            raise NotAllowed(f"{viewer} may not write knowledge-base entries")
        errors = [FieldError(name, "required") for name in ("title", "remedy")
                  if not str(values.get(name) or "").strip()]  # fmt: skip
        status = str(values.get("status") or "explained")
        if status not in STATUSES:
            errors.append(
                FieldError("status", "not_an_option", {"value": status, "choices": list(STATUSES)})
            )
        if errors:
            raise FormInvalid(errors)
        instant = at or datetime.now(UTC)
        row = KnowledgeEntry(
            title=str(values["title"]).strip()[:200], problem=str(values.get("problem") or ""),
            remedy=str(values["remedy"]), legal_basis=str(values.get("legal_basis") or ""),
            kind=values.get("kind") or None, category=None, departments=[], status=status,
            keywords=[], source_cases=[], created_by=viewer, created_at=instant,
            updated_at=instant,
        )  # fmt: skip
        row.search_text = search_text(row)
        self.session.add(row)
        self.session.flush()
        return _view(row)

    def link(self, viewer: str, task_id: str, key: str, at: datetime | None = None) -> EntryView:
        """Link entry `key` to the case of an open task the viewer works (engine/kb_links.py)."""
        entry = self.get(viewer, key)  # NotAllowed / NotFound
        link_entry(self.work, viewer, task_id, entry.key, entry.title, at)
        return entry

    def count(self) -> int:
        """How many entries there are."""
        return int(self.session.scalar(select(func.count()).select_from(KnowledgeEntry)) or 0)
