"""`service.notifications`: the bell, staff preferences, wordings and the admins' outbox view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from ..errors import FieldError, FormInvalid, NotAllowed, NotFound
from ..staff import Staff
from ..work import Work
from .enqueue import CACHE_KEY, fill, wording
from .tables import NotifyPreference, NotifyTemplate, OutboxMessage
from .templates import EVENTS, LANGS, Wording, check

ADMIN_ROLES = frozenset({"admin", "process_admin"})  # who run the system day to day
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}")
MOBILE = re.compile(r"1[3-9]\d{9}")
STATUSES = ("pending", "sending", "sent", "dead")


@dataclass(frozen=True)
class Notice:
    """An in-app message as the bell's list shows it."""

    id: int
    event: str
    subject: str
    body: str
    case_key: str | None
    created_at: datetime
    read: bool
    path: str  # the task's page ("" when the message is about no task)


@dataclass(frozen=True)
class Preferences:
    """A staff member's choices (in-app messages always arrive)."""

    channels: tuple[str, ...] = ()
    email: str = ""
    phone: str = ""
    lang: str = "zh"
    quiet_start: int | None = 22
    quiet_end: int | None = 7


@dataclass(frozen=True)
class OutboxRow:
    """One outgoing message as the admins' outbox page lists it."""

    id: int
    event: str
    channel: str
    recipient: str | None
    address: str
    case_key: str | None
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class Notifications:
    """Notification operations inside one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    # --- the bell ---------------------------------------------------------------------------

    def unread_count(self, username: str) -> int:
        """How many in-app messages the staff member has not read."""
        query = select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == username, OutboxMessage.channel == "inapp",
            OutboxMessage.read_at.is_(None),
        )  # fmt: skip
        return int(self.session.scalar(query) or 0)

    def recent(self, username: str, limit: int = 50) -> list[Notice]:
        """The staff member's latest in-app messages, newest first."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.recipient == username, OutboxMessage.channel == "inapp")
            .order_by(OutboxMessage.id.desc()).limit(limit)
        )  # fmt: skip
        notices = []
        for row in self.session.scalars(query):
            fill(self.session, row)  # the wording as of the first showing stays with it
            path = str((row.params or {}).get("path", ""))
            notices.append(Notice(row.id, row.event, row.subject, row.body, row.case_key,
                                  row.created_at, row.read_at is not None, path))  # fmt: skip
        return notices

    def mark_read(self, username: str, at: datetime | None = None) -> int:
        """Mark every in-app message of the staff member read; return how many were unread."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.recipient == username,
                OutboxMessage.channel == "inapp",
                OutboxMessage.read_at.is_(None),
            )
            .values(read_at=at or datetime.now(UTC))
        )
        # an UPDATE's result is a CursorResult, which has rowcount; execute() says Result
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- preferences ------------------------------------------------------------------------

    def preferences(self, username: str) -> Preferences:
        """The staff member's saved choices, or the defaults."""
        row = self.session.get(NotifyPreference, username)
        if row is None:
            return Preferences()
        return Preferences(tuple(row.channels), row.email, row.phone, row.lang,
                           row.quiet_start, row.quiet_end)  # fmt: skip

    def save_preferences(self, username: str, chosen: Preferences) -> Preferences:
        """Check and save a staff member's choices (FormInvalid names each bad field)."""
        Staff(self.work).get_user(username)
        errors = _preference_errors(chosen)
        if errors:
            raise FormInvalid(errors)
        row = self.session.get(NotifyPreference, username)
        if row is None:
            row = NotifyPreference(username=username)
            self.session.add(row)
        row.channels = [c for c in ("email", "sms") if c in chosen.channels]
        row.email, row.phone, row.lang = chosen.email.strip(), chosen.phone.strip(), chosen.lang
        row.quiet_start, row.quiet_end = chosen.quiet_start, chosen.quiet_end
        return self.preferences(username)

    # --- wordings (admins) ------------------------------------------------------------------

    def wordings(self, viewer: str) -> list[Wording]:
        """Every event's wording in every language (admins)."""
        self._require_admin(viewer)
        return [wording(self.session, event, lang) for event in EVENTS for lang in LANGS]

    def save_wording(
        self, viewer: str, event: str, lang: str, subject: str, body: str,
        at: datetime | None = None,
    ) -> Wording:  # fmt: skip
        """Reword one event's message in one language (used for messages written from now on)."""
        self._require_admin(viewer)
        check(event, lang, subject, body)
        row = self.session.get(NotifyTemplate, (event, lang))
        if row is None:
            row = NotifyTemplate(event=event, lang=lang)
            self.session.add(row)
        row.subject, row.body = subject.strip(), body.strip()
        row.updated_by, row.updated_at = viewer, at or datetime.now(UTC)
        self.session.info.pop(CACHE_KEY, None)
        return wording(self.session, event, lang)

    def reset_wording(self, viewer: str, event: str, lang: str) -> Wording:
        """Go back to the built-in wording."""
        self._require_admin(viewer)
        row = self.session.get(NotifyTemplate, (event, lang))
        if row is not None:
            self.session.delete(row)
            self.session.flush()
        self.session.info.pop(CACHE_KEY, None)
        return wording(self.session, event, lang)

    # --- the outbox (admins) ----------------------------------------------------------------

    def outbox(self, viewer: str, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
        """Outgoing messages (not in-app), newest first; `status='dead'`: the dead letters."""
        self._require_admin(viewer)
        query = select(OutboxMessage).where(OutboxMessage.channel != "inapp")
        if status:
            if status not in STATUSES:
                raise FormInvalid([FieldError("status", "not_an_option",
                                              {"value": status, "choices": STATUSES})])  # fmt: skip
            query = query.where(OutboxMessage.status == status)
        rows = self.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit))
        return [OutboxRow(r.id, r.event, r.channel, r.recipient, r.address, r.case_key,
                          r.subject, r.status, r.attempts, r.next_attempt_at, r.last_error,
                          r.created_at, r.sent_at) for r in rows]  # fmt: skip

    def retry(self, viewer: str, message_id: int, at: datetime | None = None) -> None:
        """Send a dead message again: a fresh set of attempts from now."""
        self._require_admin(viewer)
        row = self.session.get(OutboxMessage, message_id, with_for_update=True)
        if row is None or row.channel == "inapp":
            raise NotFound(f"no outgoing message #{message_id}")
        if row.status != "dead":
            raise NotAllowed(f"message #{message_id} is {row.status}, not dead: nothing to retry")
        row.status, row.attempts = "pending", 0
        row.next_attempt_at = at or datetime.now(UTC)

    def depth(self) -> dict[str, int]:
        """Outgoing messages per status (for the metrics endpoint)."""
        query = (
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.channel != "inapp").group_by(OutboxMessage.status)
        )  # fmt: skip
        counts = {status: 0 for status in STATUSES}
        counts.update({status: int(n) for status, n in self.session.execute(query)})
        return counts

    def _require_admin(self, viewer: str) -> None:
        if not ADMIN_ROLES & set(Staff(self.work).get_user(viewer).roles):
            raise NotAllowed("only administrators manage notifications")


def _preference_errors(chosen: Preferences) -> list[FieldError]:
    errors = []
    unknown = [c for c in chosen.channels if c not in ("email", "sms")]
    if unknown:
        errors.append(FieldError("channels", "not_an_option",
                                 {"value": unknown[0], "choices": ["email", "sms"]}))  # fmt: skip
    email, phone = chosen.email.strip(), chosen.phone.strip()
    if (email and not EMAIL.fullmatch(email)) or ("email" in chosen.channels and not email):
        errors.append(FieldError("email", "bad_email", {}, "enter an e-mail address such as "
                                 "name@example.gov.cn"))  # fmt: skip
    if (phone and not MOBILE.fullmatch(phone)) or ("sms" in chosen.channels and not phone):
        errors.append(FieldError("phone", "bad_mobile", {}, "enter an 11-digit mobile number"))
    if chosen.lang not in LANGS:
        errors.append(FieldError("lang", "not_an_option", {"value": chosen.lang,
                                                          "choices": LANGS}))  # fmt: skip
    for name in ("quiet_start", "quiet_end"):
        hour = getattr(chosen, name)
        if hour is not None and not 0 <= hour <= 23:
            errors.append(FieldError(name, "too_large" if hour > 23 else "too_small",
                                     {"max": 23, "min": 0}))  # fmt: skip
    return errors
