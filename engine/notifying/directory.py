"""Whom to notify: the active staff, their groups and preferences, kept in memory per worker.

Every action that offers a task notifies the people it is offered to. Reading them from
the database each time cost one statement per new task and, for a group, a scan of every
active staff member. The directory instead keeps all active staff with their preferences
in memory, keyed by the `staff_revision` number (`tables.StaffRevision`), which database
triggers change with every change to the staff. The write path reads that number with
the task it completes (`repository.open_task`), so on an unchanged staff finding the
people costs no statement at all; other callers read the number first (one small
statement, as before). Anything that changed the staff in this very transaction changed
the number too, so the directory never answers from older staff than the caller sees.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .tables import NotifyPreference, StaffRevision


@dataclass(frozen=True)
class Preference:
    """A staff member's notification preferences, detached from any session."""

    channels: tuple[str, ...]
    email: str
    phone: str
    lang: str
    quiet_start: int | None
    quiet_end: int | None


@dataclass(frozen=True)
class _Staff:
    revision: int
    groups: dict[str, frozenset[str]]  # group -> active members
    active: frozenset[str]
    preferences: dict[str, Preference]


class StaffDirectory:
    """The active staff of one database, as of a staff revision."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._staff: _Staff | None = None

    def people(
        self, session: Session, groups: Iterable[str], users: Iterable[str],
        revision: int | None = None,
    ) -> dict[str, Preference | None]:  # fmt: skip
        """Active staff named in `users` or in one of `groups`, with their preferences.

        `revision`: the staff revision this transaction read with its first statement
        (None: read it now).
        """
        groups, users = tuple(groups), tuple(users)
        if not groups and not users:
            return {}
        staff = self._current(session, revision)
        found = {name for name in users if name in staff.active}
        for group in groups:
            found |= staff.groups.get(group, frozenset())
        return {name: staff.preferences.get(name) for name in found}

    def _current(self, session: Session, revision: int | None) -> _Staff:
        if revision is None:
            revision = session.scalar(select(StaffRevision.n))
        with self._lock:
            staff = self._staff
        if staff is not None and staff.revision == revision:
            return staff
        staff = _read(session, int(revision or 0))
        with self._lock:
            self._staff = staff
        return staff


def _read(session: Session, revision: int) -> _Staff:
    """Every active staff member with their groups and preferences (one statement)."""
    query = (
        select(User.username, User.groups, NotifyPreference)
        .outerjoin(NotifyPreference, NotifyPreference.username == User.username)
        .where(User.active.is_(True))
    )
    groups: dict[str, set[str]] = {}
    active: set[str] = set()
    preferences: dict[str, Preference] = {}
    for username, user_groups, pref in session.execute(query):
        active.add(username)
        for group in user_groups or ():
            groups.setdefault(str(group), set()).add(username)
        if pref is not None:
            preferences[username] = Preference(
                tuple(pref.channels or ()), pref.email, pref.phone, pref.lang,
                pref.quiet_start, pref.quiet_end,
            )  # fmt: skip
    members = {group: frozenset(names) for group, names in groups.items()}
    return _Staff(revision, members, frozenset(active), preferences)


_directories: weakref.WeakKeyDictionary[SqlEngine, StaffDirectory] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def of(session: Session) -> StaffDirectory:
    """The directory of the database this session is bound to (one per connection pool)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, SqlEngine) else bind.engine
    with _registry_lock:
        found = _directories.get(engine)
        if found is None:
            found = _directories[engine] = StaffDirectory()
        return found
