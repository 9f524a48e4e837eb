"""Staff notifications written in one statement: `INSERT INTO outbox … SELECT` its people.

The database picks the recipients (active users named, or in one of the groups: SQLite's
`json_each`, PostgreSQL's `jsonb_exists_any`), joins their preferences and writes one row
per person and channel: in-app always, e-mail and SMS only where the person chose that
channel and gave an address. So a task's notifications cost one statement and read only
its own people, however many staff there are. The quiet-hour delay is worked out here for
the 24 possible end hours and picked per row by a CASE (`enqueue.quiet_delay` is the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Insert,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB, array

from ..calendar import SHANGHAI
from ..models import User, table_of
from .tables import NotifyPreference, OutboxMessage

DEFAULT_QUIET = (22, 7)  # Beijing hours: non-urgent e-mail and SMS to staff wait till morning
CHANNELS = ("inapp", "email", "sms")  # in this order per person, as they were always written

_USERS, _PREFS = table_of(User), table_of(NotifyPreference)
_OUTBOX = table_of(OutboxMessage)
_COLUMNS = ("event", "channel", "recipient", "address", "lang", "case_key", "subject", "body",
            "params", "urgent", "status", "attempts", "next_attempt_at", "sent_at", "dedupe",
            "created_at")  # fmt: skip


def staff_insert(
    dialect: str, people: tuple[Iterable[str], Iterable[str]], event: str, at: datetime,
    values: dict[str, str], case_key: str | None, urgent: bool, dedupe: str | None,
    skip: frozenset[str], wake: Callable[[int], datetime],
) -> Insert | None:  # fmt: skip
    """The INSERT of one event's staff messages (None when it names nobody).

    `wake(hour)`: the instant a message waits for when quiet hours end at `hour`.
    """
    groups, users = sorted(set(people[0])), sorted(set(people[1]))
    if not groups and not users:
        return None
    named = [_USERS.c.username.in_(users)] if users else []
    grouped = [_in_any(dialect, _USERS.c.groups, groups)] if groups else []
    who = and_(_USERS.c.active.is_(true()), or_(*named, *grouped))
    if skip:
        who = and_(who, _USERS.c.username.not_in(sorted(skip)))
    common = _Common(at, values, case_key, urgent, dedupe, event)
    branches = [
        _branch(common, rank, channel, who, _channel_chosen(dialect, channel), wake)
        for rank, channel in enumerate(CHANNELS)
    ]
    rows = union_all(*branches).subquery("staff_messages")
    ordered = select(*(rows.c[name] for name in _COLUMNS)).order_by(rows.c.recipient, rows.c.rank)
    return insert(_OUTBOX).from_select(list(_COLUMNS), ordered)


class _Common:
    """The values every row of one event shares, as typed literals."""

    def __init__(self, at: datetime, values: dict[str, str], case_key: str | None,
                 urgent: bool, dedupe: str | None, event: str) -> None:  # fmt: skip
        self.at, self.urgent, self.dedupe = at, urgent, dedupe
        self.instant = literal(at, _OUTBOX.c.created_at.type)
        self.event = literal(event, String)
        self.case_key = literal(case_key, String) if case_key is not None else _null(String)
        self.params = literal(values, JSON)  # typed: SQLite's CAST(… AS JSON) makes a number


def _null(kind: Any) -> ColumnElement[Any]:
    return cast(null(), kind)


def _branch(
    common: _Common, rank: int, channel: str, who: ColumnElement[bool],
    chosen: ColumnElement[bool], wake: Callable[[int], datetime],
) -> Any:  # fmt: skip
    inapp = channel == "inapp"
    prefs = _PREFS.c
    address = literal("", String) if inapp else prefs.email if channel == "email" else prefs.phone
    lang = case((prefs.username.is_(None), literal("zh", String)), else_=prefs.lang)
    due = common.instant if inapp or common.urgent else _after_quiet(common.at, wake)
    if common.dedupe:
        dedupe = literal(f"{common.dedupe}:") + _USERS.c.username + literal(f":{channel}")
    else:
        dedupe = _null(String)
    columns = (
        common.event.label("event"),
        literal(channel, String).label("channel"),
        _USERS.c.username.label("recipient"),
        cast(address, String).label("address"),
        cast(lang, String).label("lang"),
        common.case_key.label("case_key"),
        literal("", String).label("subject"),
        literal("", String).label("body"),
        common.params.label("params"),
        literal(common.urgent).label("urgent"),
        literal("sent" if inapp else "pending", String).label("status"),
        literal(0).label("attempts"),
        due.label("next_attempt_at"),
        (common.instant if inapp else _null(DateTime(timezone=True))).label("sent_at"),
        cast(dedupe, String).label("dedupe"),
        common.instant.label("created_at"),
        literal(rank).label("rank"),
    )
    people = _USERS.outerjoin(_PREFS, _PREFS.c.username == _USERS.c.username)
    return select(*columns).select_from(people).where(who, chosen)


def _channel_chosen(dialect: str, channel: str) -> ColumnElement[bool]:
    """In-app always; e-mail or SMS if the person chose it and gave the address."""
    if channel == "inapp":
        return true()
    prefs = _PREFS.c
    address = prefs.email if channel == "email" else prefs.phone
    chosen = _in_any(dialect, prefs.channels, [channel])
    return and_(prefs.username.is_not(None), address.is_not(None), address != "", chosen)


def _in_any(dialect: str, column: Any, names: list[str]) -> ColumnElement[bool]:
    """Whether a JSON array column holds one of `names`."""
    if not names:
        return false()
    if dialect == "postgresql":
        return func.jsonb_exists_any(cast(column, JSONB), array(names, type_=String))
    element = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(element).where(element.c.value.in_(names)))


def _after_quiet(at: datetime, wake: Callable[[int], datetime]) -> ColumnElement[Any]:
    """When a non-urgent e-mail or SMS is due: `at`, or the end of the person's quiet hours."""
    prefs = _PREFS.c
    both = and_(prefs.quiet_start.is_not(None), prefs.quiet_end.is_not(None))
    start = case((both, prefs.quiet_start), else_=DEFAULT_QUIET[0])
    end = case((both, prefs.quiet_end), else_=DEFAULT_QUIET[1])
    hour = literal(_local_hour(at))
    quiet = or_(
        and_(start < end, start <= hour, hour < end),
        and_(start > end, or_(hour >= start, hour < end)),
    )
    kind = _OUTBOX.c.next_attempt_at.type
    wakes = case(*((end == h, literal(wake(h), kind)) for h in range(24)), else_=_null(kind))
    return case((quiet, wakes), else_=literal(at, kind))


def _local_hour(at: datetime) -> int:
    return at.astimezone(SHANGHAI).hour


def wake_at(at: datetime) -> Callable[[int], datetime]:
    """The instant quiet hours ending at `hour` (Beijing) end, seen from `at`."""
    local = at.astimezone(SHANGHAI)

    def wake(hour: int) -> datetime:
        moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        if moment <= local:
            moment += timedelta(days=1)
        return moment.astimezone(UTC)

    return wake
