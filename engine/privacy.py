"""Who sees a citizen's personal data in full, the log of full views, and the retention purge.

`service.privacy` is the one door the web uses to show a case's data and history:
- in full to the receiving window (a clerk of the case's intake unit), the handler of an
  active task of the case (assigned, claimed, or offered to them or their group) and the
  discipline office; every such view is written to the access log (who, when, which case,
  why, page or API, the request id);
- masked (`138****0000`, `张*`) to everyone else who may see the case.
`purge` erases the personal values of cases closed longer ago than the retention period;
see personal.py for why the hash chains stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from . import personal, requestscope
from . import repository as repo
from .cases import Cases
from .errors import NotAllowed
from .models import Case
from .organisation import UserView
from .recording import record_event
from .replaying import CaseReplay
from .staff import Staff
from .views import CaseView, EventView
from .work import Work

FULL_VIEW_ROLES = frozenset({"discipline"})
LOG_READERS = frozenset({"auditor", "discipline", "admin"})
ERASED = "personal_erased"  # the history event a purge appends


@dataclass(frozen=True)
class Disclosure:
    """How a case's personal data was shown: in full (and why) or masked."""

    full: bool
    reason: str | None  # receiving_window, active_task, discipline (None when masked)
    fields: tuple[str, ...] = ()  # personal fields the case holds
    erased: tuple[str, ...] = ()  # fields whose value was erased


@dataclass(frozen=True)
class AccessEntry:
    """One full view of a case's personal data."""

    at: datetime
    username: str
    case_key: str
    reason: str
    channel: str
    fields: tuple[str, ...]
    request_id: str | None


@dataclass(frozen=True)
class Erasure:
    """A personal value of a case: its commitment, and when and by whom it was erased."""

    commitment: str
    field: str
    recorded_at: datetime
    erased_at: datetime | None
    erased_by: str | None


@dataclass(frozen=True)
class PurgeReport:
    """What `purge` did (or would do, on a dry run)."""

    cutoff: datetime
    purged: tuple[str, ...]  # case keys whose values were erased
    values: int  # values erased
    legacy: tuple[str, ...]  # cases recorded before sealing: their values stay (see README)


def full_view_reason(user: UserView, case: CaseView) -> str | None:
    """Why `user` needs the case's personal data in full, or None (then it is masked)."""
    if FULL_VIEW_ROLES & set(user.roles):
        return "discipline"
    window = case.owner_unit is not None and (
        ("clerk" in user.roles and user.unit_code == case.owner_unit)
        or f"clerks:{case.owner_unit}" in user.groups  # the window's candidate group
    )
    if window:
        return "receiving_window"
    for task in case.tasks:
        if task.claimed_by:
            handler = task.claimed_by == user.username
        else:
            handler = (task.assignee == user.username or user.username in task.candidate_users
                       or bool(set(task.candidate_groups) & set(user.groups)))  # fmt: skip
        if handler:
            return "active_task"
    return None


class Privacy:
    """The personal-data face of the service (one transaction: the service's session)."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def case(self, key: str, viewer: str, channel: str = "page") -> tuple[CaseView, Disclosure]:
        """The case as `viewer` may see it (NotFound outside their scope); logs a full view."""
        return self.present(Cases(self.work).get(key, viewer=viewer), viewer, channel)

    def present(
        self, view: CaseView, viewer: str, channel: str = "page"
    ) -> tuple[CaseView, Disclosure]:
        """A case view the service returned, with personal data as `viewer` may see it.

        A case without personal data costs no statement (the write path's SQL budget)."""
        if not personal.personal_fields(view.data):
            return view, Disclosure(full=False, reason=None)
        disclosure = self._disclose(view, viewer, [view.data])
        rows = personal.load(self.session, personal.references(view.data))
        shown = replace(view, data=personal.present(view.data, rows, disclosure.full))
        self._log(view.key, viewer, channel, disclosure)
        return shown, disclosure

    def history(
        self, key: str, viewer: str, channel: str = "page", log: bool = True
    ) -> tuple[list[EventView], Disclosure]:
        """The case's events with personal data as `viewer` may see it (`log`: note a full
        view; the case page logs once for its summary and history)."""
        view = Cases(self.work).get(key, viewer=viewer)
        events = Cases(self.work).history(key, viewer=viewer)
        parts = [view.data] + [e.inputs for e in events] + [e.data_after for e in events]
        disclosure = self._disclose(view, viewer, parts)
        refs = set().union(*(personal.references(p) for p in parts), personal.references(
            [e.data_before for e in events]))  # fmt: skip
        rows = personal.load(self.session, refs)
        full = disclosure.full
        shown = [
            replace(e, inputs=personal.present(e.inputs, rows, full),
                    data_before=personal.present(e.data_before, rows, full),
                    data_after=personal.present(e.data_after, rows, full))
            for e in events
        ]  # fmt: skip
        if log:
            self._log(view.key, viewer, channel, disclosure)
        return shown, disclosure

    def masked(self, data: Any) -> Any:
        """Data with personal values masked (replay steps and exports for auditors)."""
        rows = personal.load(self.session, personal.references(data))
        return personal.present(data, rows, full=False)

    def masked_replay(self, replay: CaseReplay) -> CaseReplay:
        """A replay with every step's personal values masked (the auditors' step-through)."""
        parts = [[s.inputs, s.data_before, s.data_after] for s in replay.steps]
        rows = personal.load(self.session, personal.references(parts))

        def hide(data: Any) -> Any:
            return personal.present(data, rows, full=False)

        steps = tuple(
            replace(s, inputs=hide(s.inputs), data_before=hide(s.data_before),
                    data_after=hide(s.data_after))
            for s in replay.steps
        )  # fmt: skip
        return replace(replay, steps=steps)

    def access_log(
        self, viewer: str, case_key: str | None = None, limit: int = 500
    ) -> list[AccessEntry]:
        """Full views of personal data, newest first (auditors, discipline office, admins)."""
        self._require_reader(viewer)
        rows = personal.access_rows(self.session, case_key, limit)
        return [AccessEntry(r.at, r.username, r.case_key, r.reason, r.channel, tuple(r.fields),
                            r.request_id) for r in rows]  # fmt: skip

    def erasures(self, key: str, viewer: str) -> list[Erasure]:
        """The case's personal values (never the values): which exist, which were erased."""
        self._require_reader(viewer)
        Cases(self.work).get(key, viewer=viewer)  # NotFound for an unknown case
        rows = personal.case_values(self.session, key)
        return [Erasure(r.commitment, r.field, r.recorded_at, r.erased_at, r.erased_by)
                for r in rows]  # fmt: skip

    def purge(
        self, actor: str, now: datetime | None = None, retention_days: int | None = None,
        dry_run: bool = False,
    ) -> PurgeReport:  # fmt: skip
        """Erase the personal values of cases closed before now minus the retention period."""
        instant = (now or datetime.now(UTC)).astimezone(UTC)
        days = self.work.engine.settings.personal_retention_days
        cutoff = instant - timedelta(days=days if retention_days is None else retention_days)
        purged, legacy, count = [], [], 0
        for key in personal.closed_before(self.session, cutoff):
            case = repo.lock_case(self.session, key=key)
            if personal.has_plain_values(case.data):
                legacy.append(key)
            erased = 0 if dry_run else self._erase(case, actor, instant)
            if dry_run:
                erased = len(personal.case_values(self.session, key, kept_only=True))
            if erased:
                purged.append(key)
                count += erased
        return PurgeReport(cutoff, tuple(purged), count, tuple(legacy))

    def _erase(self, case: Case, actor: str, at: datetime) -> int:
        """Drop value and salt of every kept value; the chain notes it (commitments only)."""
        kept = personal.case_values(self.session, case.business_key, kept_only=True)
        if not kept:
            return 0
        personal.erase(self.session, [r.commitment for r in kept], actor, at)
        inputs = {"erased": [{"field": r.field, "commitment": r.commitment} for r in kept]}
        record_event(self.session, case, ERASED, actor, at, inputs, case.data, case.data)
        return len(kept)

    def _disclose(self, view: CaseView, viewer: str, parts: list[Any]) -> Disclosure:
        fields = sorted(set().union(*(personal.personal_fields(p) for p in parts)))
        rows = personal.load(self.session, personal.references(view.data))
        erased = sorted({r.field for r in rows.values() if r.value is None})
        reason = full_view_reason(Staff(self.work).get_user(viewer), view)
        return Disclosure(reason is not None, reason, tuple(fields), tuple(erased))

    def _log(self, key: str, viewer: str, channel: str, disclosure: Disclosure) -> None:
        shown = [f for f in disclosure.fields if f not in disclosure.erased]
        if not disclosure.full or not shown or disclosure.reason is None:
            return
        personal.log_access(self.session, {
            "at": datetime.now(UTC), "username": viewer, "case_key": key,
            "reason": disclosure.reason, "channel": channel, "fields": shown,
            "request_id": requestscope.current(),
        })  # fmt: skip

    def _require_reader(self, viewer: str) -> None:
        if not LOG_READERS & set(Staff(self.work).get_user(viewer).roles):
            raise NotAllowed("only auditors, the discipline office and admins read the "
                             "personal-data access log")  # fmt: skip
