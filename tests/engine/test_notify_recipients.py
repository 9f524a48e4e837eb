"""Staff notifications chosen by the database (`notifying/recipients.py`) match the rule.

The rule, as the engine applied it in Python before the outbox rows were written with one
`INSERT … SELECT` (kept here as the oracle): every active user named or in one of the
groups gets an in-app row; e-mail and SMS only where chosen with an address; non-urgent
e-mail and SMS wait for the end of the person's quiet hours (22-07 Beijing unless set).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.calendar import SHANGHAI
from engine.models import User
from engine.notifying.enqueue import to_staff
from engine.notifying.tables import NotifyPreference, OutboxMessage
from engine.notifying.templates import URGENT_EVENTS
from engine.service import Engine

# username: (groups, active, preference: (channels, email, phone, lang, quiet start, end))
STAFF: dict[str, tuple[list[str], bool, tuple[Any, ...] | None]] = {
    "ann": (["housing"], True, None),
    "bo": (["housing", "roads"], True, (["email", "sms"], "bo@", "13800000001", "en", None, None)),
    "cai": (["housing"], True, (["sms"], "", "", "zh", 9, 17)),  # SMS chosen, no number
    "dai": (["roads"], True, (["email"], "dai@example.cn", "13800000002", "zh", 23, 6)),
    "eve": (["housing"], False, (["email"], "eve@example.cn", "", "zh", None, None)),  # left
    "fu": ([], True, (["sms", "email"], "fu@example.cn", "13800000003", "en", 12, 12)),
    "gao": (["parks"], True, ([], "gao@example.cn", "13800000004", "zh", None, None)),  # opted out
    "hu": (["housing"], True, (["sms"], "", "13800000005", "zh", 14, 3)),
}
PEOPLE = [  # (groups, users)
    (["housing"], []), (["roads"], ["fu"]), ([], ["gao", "eve", "hu"]), (["parks", "nobody"], []),
    (["housing", "roads"], ["bo", "ann"]),
]  # fmt: skip
MOMENTS = [datetime(2026, 3, 2, h, 30, tzinfo=SHANGHAI) for h in (1, 8, 13, 16, 22, 23)]


def _expected(people: tuple[list[str], list[str]], event: str, at: datetime,
              skip: frozenset[str], dedupe: str | None) -> list[tuple[Any, ...]]:  # fmt: skip
    groups, users = people
    rows = []
    for name in sorted(STAFF):
        member_of, active, pref = STAFF[name]
        if not active or name in skip or not (name in users or set(groups) & set(member_of)):
            continue
        channels = [("inapp", "")]
        if pref is not None:
            if "email" in pref[0] and pref[1]:
                channels.append(("email", pref[1]))
            if "sms" in pref[0] and pref[2]:
                channels.append(("sms", pref[2]))
        for channel, address in channels:
            urgent = event in URGENT_EVENTS
            due = at if urgent or channel == "inapp" else at + _quiet_delay(pref, at)
            rows.append((name, channel, address, pref[3] if pref else "zh", due.astimezone(UTC),
                         f"{dedupe}:{name}:{channel}" if dedupe else None))  # fmt: skip
    return rows


def _quiet_delay(pref: tuple[Any, ...] | None, at: datetime) -> timedelta:
    start, end = 22, 7
    if pref is not None and pref[4] is not None and pref[5] is not None:
        start, end = pref[4], pref[5]
    if start == end:
        return timedelta(0)
    local = at.astimezone(SHANGHAI)
    quiet = start <= local.hour < end if start < end else local.hour >= start or local.hour < end
    if not quiet:
        return timedelta(0)
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(UTC) - at


def _seed(engine: Engine) -> None:
    with engine.transaction() as service:
        session = service.session
        for name, (groups, active, pref) in STAFF.items():
            session.add(User(username=name, display_name=name, groups=groups, roles=[],
                             active=active))  # fmt: skip
            if pref is not None:
                channels, email, phone, lang, start, end = pref
                session.add(NotifyPreference(username=name, channels=channels, email=email,
                                             phone=phone, lang=lang, quiet_start=start,
                                             quiet_end=end))  # fmt: skip


def _written(engine: Engine, people: Any, event: str, at: datetime, skip: frozenset[str],
             dedupe: str | None) -> tuple[int, list[tuple[Any, ...]]]:  # fmt: skip
    values = {"case": "K1", "title": "路灯", "task": "办理", "due": "—", "link": "", "path": "/"}
    with engine.transaction() as service:
        count = to_staff(service.session, people, event, at, values, "K1", dedupe, skip)
    with engine.transaction() as service:
        messages = service.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        rows = []
        for m in messages:
            assert (m.event, m.case_key, m.params, m.urgent) == (
                event, "K1", values, event in URGENT_EVENTS)  # fmt: skip
            assert (m.status, m.sent_at) == (("sent", m.created_at) if m.channel == "inapp"
                                             else ("pending", None))  # fmt: skip
            rows.append((m.recipient, m.channel, m.address, m.lang, m.next_attempt_at, m.dedupe))
        service.session.query(OutboxMessage).delete()
    return count, rows


def test_to_staff__writes_what_the_rule_says_for_every_mix_of_people_and_hours(
    any_engine: Engine,
) -> None:
    _seed(any_engine)
    for groups, users in PEOPLE:
        for at in MOMENTS:
            for event in ("new_task", "urge"):
                expected = _expected((groups, users), event, at, frozenset(), None)
                count, rows = _written(any_engine, (groups, users), event, at, frozenset(), None)
                assert rows == expected, (groups, users, at, event)
                assert count == len(expected)


@pytest.mark.parametrize("skip", [frozenset(), frozenset({"bo", "hu"})])
def test_to_staff__dedupe_keys_and_skipped_people(any_engine: Engine, skip: frozenset[str]) -> None:
    _seed(any_engine)
    at = MOMENTS[0]
    people = (["housing", "roads"], [])
    count, rows = _written(any_engine, people, "due_soon", at, skip, "deadline:due_soon:T1")
    assert rows == _expected(people, "due_soon", at, skip, "deadline:due_soon:T1")
    assert count == len(rows) and not {r[0] for r in rows} & skip


def test_to_staff__an_opted_out_user_never_gets_an_sms(any_engine: Engine) -> None:
    _seed(any_engine)
    count, rows = _written(any_engine, ([], ["gao"]), "urge", MOMENTS[2], frozenset(), None)
    assert (count, [r[1] for r in rows]) == (1, ["inapp"])
    assert _written(any_engine, ([], []), "urge", MOMENTS[2], frozenset(), None) == (0, [])
