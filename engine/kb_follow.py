"""The knowledge-base entry a root-cause review writes into a case, kept in step with it.

`recording.record_event` calls `follow` for every event, so it lives apart from the
knowledge base's facade (`knowledge.py`), which reaches the write path itself.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from .models import Case, CaseEvent, KnowledgeEntry

_KB = re.compile(r"^KB-(\d+)$")
RECOMMENDED = "recommended"  # the status of a recommendation made upward


def entry_number(key: str) -> int | None:
    """The n of `KB-n`, or None if the text is not such a number."""
    match = _KB.match(key.strip().upper())
    return int(match.group(1)) if match else None


def search_text(row: KnowledgeEntry) -> str:
    """The lower-cased text a search looks in."""
    parts = (row.title, row.problem, row.remedy, row.legal_basis, " ".join(row.keywords or ()))
    return "\n".join(part for part in parts if part).lower()


def follow(session: Session, case: Case, event: CaseEvent) -> None:
    """Create or update the entry a root-cause review just wrote into the case data."""
    written = (event.data_after or {}).get("knowledge_entry")
    if not isinstance(written, dict) or not written.get("question"):
        return
    number = entry_number(str(written.get("entry_id") or ""))
    row = session.get(KnowledgeEntry, number) if number is not None else None
    if row is None:
        row = KnowledgeEntry(created_by=event.actor, created_at=event.at, status="explained",
                             source_cases=[], departments=[], legal_basis="")  # fmt: skip
        session.add(row)
    row.title = str(written["question"])[:200]
    row.problem = str(written["question"])
    row.remedy = str(written.get("answer") or "")
    row.kind = written.get("kind") or row.kind
    row.category = written.get("category") or row.category
    row.keywords = [str(k) for k in written.get("keywords") or []] or list(row.keywords or [])
    department = (case.data or {}).get("lead_department")
    if department and department not in (row.departments or []):
        row.departments = [*(row.departments or []), department]
    if case.business_key not in (row.source_cases or []):
        row.source_cases = [*(row.source_cases or []), case.business_key]
    row.updated_at = event.at
    row.search_text = search_text(row)


def answer_state(row: KnowledgeEntry) -> str | None:
    """`awaiting` or `answered` for a recommendation; None for other entries."""
    if row.status != RECOMMENDED:
        return None
    return "answered" if row.answered_at is not None else "awaiting"


def follow_recommendation(session: Session, case: Case, event: CaseEvent) -> None:
    """File the recommendation a diagram just wrote into the case data as an entry."""
    written = (event.data_after or {}).get("recommendation")
    if not isinstance(written, dict) or not str(written.get("text") or "").strip():
        return
    data = case.data or {}
    text = str(written["text"])
    row = KnowledgeEntry(
        title=str(data.get("title") or text)[:200], problem=str(data.get("description") or ""),
        remedy=text, legal_basis="", kind=data.get("kind") or None,
        category=written.get("category") or None, departments=[], keywords=[],
        status=RECOMMENDED, source_cases=[case.business_key], created_by=event.actor,
        created_at=event.at, updated_at=event.at,
        recommended_to=str(written.get("to") or "")[:200] or None,
    )  # fmt: skip
    row.search_text = "\n".join(p for p in (row.title, row.problem, row.remedy) if p).lower()
    session.add(row)
