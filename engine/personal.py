"""Personal data kept outside the hashed history: sealing, resolving and masking values.

The case data key `contact` holds a citizen's personal fields (`name`, `phone`, `id_number`,
`address`, `email`; processes/CONTRACT.md). Before an action runs, each such value is
replaced by a reference `{"$personal": commitment}` and stored in `personal_values` with a
random salt; the commitment is SHA-256 over the salt and the value. The workflow, its stored
state, the case data and every event therefore hold only references: event hashes cover the
commitment, never the value. Erasing a value (and its salt) leaves every hash valid, a replay
re-runs exactly what the live run ran (the same references), and the commitment still shows
that a value existed. While value and salt are kept, anyone holding them can re-check the
commitment (`commitment_of`).

Cases recorded before sealing existed (release 0.1.x) have plain values in their events;
those are masked the same way but cannot be erased without breaking their chains.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import Case, PersonalAccess, PersonalValue

CONTAINER = "contact"
FIELDS = ("name", "phone", "id_number", "address", "email")
TAG = "$personal"


def commitment_of(salt: str, field: str, value: str) -> str:
    """SHA-256 over the salt (hex) and the canonical JSON of the field and its value."""
    body = json.dumps({"field": field, "value": value}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(bytes.fromhex(salt) + body.encode("utf-8")).hexdigest()


def reference(value: Any) -> str | None:
    """The commitment a stored value refers to, or None for a plain value."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(TAG), str):
        return str(value[TAG])
    return None


def seal(session: Session, case_key: str, at: datetime, inputs: dict[str, Any]) -> dict[str, Any]:
    """`inputs` with every personal value under `contact` replaced by a stored reference."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: seal_contact(v) if k == CONTAINER else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    def seal_contact(contact: Any) -> Any:
        if not isinstance(contact, dict):
            return walk(contact)
        sealed = dict(contact)
        for field in FIELDS:
            value = contact.get(field)
            if isinstance(value, str) and value:
                sealed[field] = {TAG: _store(session, case_key, field, value, at)}
        return sealed

    sealed_inputs: dict[str, Any] = walk(inputs)
    return sealed_inputs


def _store(session: Session, case_key: str, field: str, value: str, at: datetime) -> str:
    salt = secrets.token_hex(16)
    commitment = commitment_of(salt, field, value)
    session.add(PersonalValue(commitment=commitment, case_key=case_key, field=field,
                              value=value, salt=salt, recorded_at=at))  # fmt: skip
    return commitment


def references(data: Any) -> set[str]:
    """Every commitment referenced anywhere in `data`."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        ref = reference(value)
        if ref is not None:
            found.add(ref)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return found


def load(session: Session, commitments: Iterable[str]) -> dict[str, PersonalValue]:
    """The stored rows of these commitments (one query)."""
    wanted = sorted(set(commitments))
    if not wanted:
        return {}
    rows = session.scalars(select(PersonalValue).where(PersonalValue.commitment.in_(wanted)))
    return {row.commitment: row for row in rows}


def present(data: Any, rows: Mapping[str, PersonalValue], full: bool) -> Any:
    """`data` with references resolved: in full, masked, or None where the value was erased.

    Plain values under `contact` (cases from before sealing) are masked the same way.
    """

    def walk(value: Any, field: str | None = None) -> Any:
        ref = reference(value)
        if ref is not None:
            row = rows.get(ref)
            if row is None or row.value is None:
                return None
            return row.value if full else mask(row.field, row.value)
        if isinstance(value, dict):
            return {k: show_contact(v) if k == CONTAINER else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    def show_contact(contact: Any) -> Any:
        if not isinstance(contact, dict):
            return walk(contact)
        return {k: shown(k, v) for k, v in contact.items()}

    def shown(field: str, value: Any) -> Any:
        if isinstance(value, str) and field in FIELDS and not full:
            return mask(field, value)
        return walk(value)

    return walk(data)


def mask(field: str, value: str) -> str:
    """A value with most of it hidden: `138****0000`, `张*`, `3301**********1234`."""
    if field == "email" and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if field == "name":
        return value[:1] + "*" * max(len(value) - 1, 1)
    if field == "address":
        return value[:6] + "****"
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return value[:1] + "*" * max(len(value) - 1, 1)


def personal_fields(data: Any) -> list[str]:
    """The personal fields present (sealed or plain) under `contact` anywhere in `data`."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == CONTAINER and isinstance(item, dict):
                    found.update(f for f in FIELDS if item.get(f) not in (None, ""))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return sorted(found)


def has_plain_values(data: Any) -> bool:
    """True if `contact` anywhere in `data` holds a value that was never sealed."""
    found = [False]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == CONTAINER and isinstance(item, dict):
                    found[0] |= any(isinstance(item.get(f), str) and item.get(f) for f in FIELDS)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return found[0]


def cases_matching(session: Session, text: str) -> set[str]:
    """Keys of cases whose kept name equals `text` or whose kept phone contains it (4+)."""
    if not text:
        return set()
    name = (PersonalValue.field == "name") & (PersonalValue.value == text)
    matches = [name]
    if len(text) >= 4:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        phone = PersonalValue.value.like(f"%{escaped}%", escape="\\")
        matches.append((PersonalValue.field == "phone") & phone)
    query = select(PersonalValue.case_key).where(or_(*matches)).distinct()
    return set(session.scalars(query))


# --- the queries of privacy.py (this module writes personal_values and personal_access) ---


def closed_before(session: Session, cutoff: datetime) -> list[str]:
    """Keys of the cases that closed (status completed, last change) at or before `cutoff`."""
    query = select(Case.business_key).where(Case.status == "completed", Case.updated_at <= cutoff)
    return list(session.scalars(query.order_by(Case.business_key)))


def case_values(session: Session, case_key: str, kept_only: bool = False) -> list[PersonalValue]:
    """A case's sealed values (`kept_only`: those not erased yet)."""
    query = select(PersonalValue).where(PersonalValue.case_key == case_key)
    if kept_only:
        query = query.where(PersonalValue.erased_at.is_(None))
    order = (PersonalValue.recorded_at, PersonalValue.field, PersonalValue.commitment)
    return list(session.scalars(query.order_by(*order)))


def erase(session: Session, commitments: list[str], actor: str, at: datetime) -> None:
    """Drop value and salt of these commitments, noting when and by whom."""
    session.execute(
        update(PersonalValue)
        .where(PersonalValue.commitment.in_(commitments))
        .values(value=None, salt=None, erased_at=at, erased_by=actor)
    )


def log_access(session: Session, entry: dict[str, Any]) -> None:
    """Append one full view to the access log (`PersonalAccess` columns)."""
    session.add(PersonalAccess(**entry))


def access_rows(session: Session, case_key: str | None, limit: int) -> list[PersonalAccess]:
    """The access log, newest first (one case's, if named)."""
    query = select(PersonalAccess).order_by(PersonalAccess.at.desc(), PersonalAccess.id.desc())
    if case_key:
        query = query.where(PersonalAccess.case_key == case_key)
    return list(session.scalars(query.limit(limit)))
