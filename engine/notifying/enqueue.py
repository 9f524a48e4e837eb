"""Write outbox rows: in the caller's transaction, so they commit or vanish with the action."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import personal
from ..calendar import SHANGHAI
from ..models import Case
from . import directory
from .config import Policy
from .directory import Preference
from .tables import NotifyTemplate, OutboxMessage
from .templates import DEFAULTS, URGENT_EVENTS, Wording, render

CACHE_KEY = "notify_wordings"
DEFAULT_QUIET = (22, 7)  # Beijing hours: non-urgent e-mail and SMS to staff wait till morning


def wording(session: Session, event: str, lang: str) -> Wording:
    """The admin's wording of an event if saved, else the built-in one (cached per session)."""
    cache: dict[tuple[str, str], Wording] | None = session.info.get(CACHE_KEY)
    if cache is None:
        rows = session.scalars(select(NotifyTemplate)).all()
        cache = {(r.event, r.lang): Wording(r.event, r.lang, r.subject, r.body, True) for r in rows}
        session.info[CACHE_KEY] = cache
    found = cache.get((event, lang))
    if found is not None:
        return found
    subject, body = DEFAULTS[(event, lang if (event, lang) in DEFAULTS else "zh")]
    return Wording(event, lang, subject, body)


def citizen_address(data: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, address) the submitter chose for news of their case, or None."""
    contact = _mapping(data.get("contact"))
    channel = data.get("notify_by")
    field = {"email": "email", "sms": "phone"}.get(str(channel))
    address = str(contact.get(field, "")).strip() if field else ""
    return (str(channel), address) if address else None


def to_citizen(session: Session, case: Case, event: str, at: datetime) -> bool:
    """Queue news of the case for its submitter on the channel they chose (if they did)."""
    data = _unsealed(session, case.data)
    chosen = citizen_address(data)
    if chosen is None:
        return False
    channel, address = chosen
    lang = "en" if data.get("notify_lang") == "en" else "zh"
    contact = data.get("contact") or {}
    values = {
        "case": case.business_key, "title": case.title, "name": str(contact.get("name", "")),
        "reply": str(data.get("public_reply", "")),
        "link": f"{Policy.from_env().base_url}/track?case_no={case.business_key}",
    }  # fmt: skip
    session.add(OutboxMessage(
        event=event, channel=channel, recipient=None, address=address, lang=lang,
        case_key=case.business_key, subject="", body="", params=values, urgent=False,
        status="pending", attempts=0, next_attempt_at=at, created_at=at,
    ))  # fmt: skip
    return True


def _unsealed(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The case data with its sealed personal values (`engine/personal.py`) in full: the
    notification goes to the submitter's own address, which only the outbox row keeps."""
    rows = personal.load(session, personal.references(data))
    unsealed: dict[str, Any] = personal.present(data, rows, full=True)
    return unsealed


def to_staff(
    session: Session, people: tuple[Iterable[str], Iterable[str]], event: str, at: datetime,
    values: dict[str, str], case_key: str | None, dedupe: str | None = None,
    skip: frozenset[str] = frozenset(), staff_revision: int | None = None,
) -> int:  # fmt: skip
    """Queue an in-app message (and e-mail/SMS per their preferences) for each staff member.

    `people`: (groups, usernames); every active member of a group and every named user
    hears of it. The wording is applied when the message is sent or shown (`lease`,
    `Notifications.recent`), and the people come from the worker's staff directory
    (`directory.py`), so writing costs one insert. `dedupe`: a key per event occurrence
    (e.g. a task's deadline). `staff_revision`: as the caller's transaction read it.
    """
    groups, users = people
    found = directory.of(session).people(session, groups, users, staff_revision)
    urgent = event in URGENT_EVENTS
    rows = []
    for name, pref in sorted(found.items()):
        if name in skip:
            continue
        lang = pref.lang if pref is not None else "zh"
        for channel, address in _channels(pref):
            delay = timedelta(0) if urgent or channel == "inapp" else _quiet_delay(pref, at)
            inapp = channel == "inapp"
            rows.append(OutboxMessage(
                event=event, channel=channel, recipient=name, address=address, lang=lang,
                case_key=case_key, subject="", body="", params=values, urgent=urgent,
                status="sent" if inapp else "pending", attempts=0, created_at=at,
                next_attempt_at=at + delay, sent_at=at if inapp else None,
                dedupe=f"{dedupe}:{name}:{channel}" if dedupe else None,
            ))  # fmt: skip
    session.add_all(rows)
    return len(rows)


def fill(session: Session, row: OutboxMessage) -> None:
    """Apply the current wording to a message written without one (staff messages)."""
    if not row.subject:
        values = dict(row.params or {})
        if row.channel == "inapp":  # the page links to the task itself; no address in the text
            values["link"] = ""
        subject, body = render(wording(session, row.event, row.lang), values)
        row.subject, row.body = subject, body.strip()


def _channels(pref: Preference | None) -> list[tuple[str, str]]:
    chosen = [("inapp", "")]
    if pref is not None:
        if "email" in pref.channels and pref.email:
            chosen.append(("email", pref.email))
        if "sms" in pref.channels and pref.phone:
            chosen.append(("sms", pref.phone))
    return chosen


def _quiet_delay(pref: Preference | None, at: datetime) -> timedelta:
    """How long a non-urgent message waits for the end of the person's quiet hours."""
    start, end = DEFAULT_QUIET
    if pref is not None and pref.quiet_start is not None and pref.quiet_end is not None:
        start, end = pref.quiet_start, pref.quiet_end
    if start == end:
        return timedelta(0)
    local = at.astimezone(SHANGHAI)
    hour = local.hour
    quiet = start <= hour < end if start < end else hour >= start or hour < end
    if not quiet:
        return timedelta(0)
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(UTC) - at


def _mapping(value: object) -> dict[str, Any]:
    """A JSON object from case data, or {} for anything else."""
    return value if isinstance(value, dict) else {}
