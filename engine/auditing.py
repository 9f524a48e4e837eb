"""The auditors' use cases: step-through replay, verification, export (`Service.audit`).

Who may audit: the roles in `AUDIT_ROLES` (auditors, the discipline commission, the
leading-group office). Anyone else gets NotFound for a case outside their scope and
NotAllowed for one they may see; nothing here changes a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import organisation
from . import repository as repo
from .audit import verify_cases, verify_heads
from .auditsearch import CaseQuery, SearchPage, search
from .errors import NotAllowed, NotFound
from .history import GENESIS, AuditFinding
from .models import Case, ProcessVersion
from .organisation import UserView
from .recording import event_content
from .replaying import CaseReplay, replay_steps
from .staff import Staff
from .versioned_runner import case_runner
from .work import Work

AUDIT_ROLES = frozenset({"auditor", "discipline", "leading_office", "admin"})
EXPORT_FORMAT = "mashangban-history/1"


@dataclass(frozen=True)
class AuditReport:
    """The result of a verification: the first bad event of each bad case, or none."""

    checked_at: datetime
    cases: int
    findings: tuple[AuditFinding, ...] = field(default_factory=tuple)

    @property
    def intact(self) -> bool:
        """True if no check found anything."""
        return not self.findings


def may_audit(user: UserView) -> bool:
    """True for the roles that may replay, verify and export any case."""
    return bool(AUDIT_ROLES & set(user.roles))


class Auditor:
    """Read-only audit operations over one service (one transaction)."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def _user(self, viewer: str) -> UserView:
        return Staff(self.work).get_user(viewer)

    def _case(self, key: str, viewer: str) -> Case:
        """The case, if the viewer may audit it (NotFound outside their scope first)."""
        case = repo.case_by_key(self.session, key)
        user = self._user(viewer)
        if not organisation.may_view_case(self.session, case, user):
            raise NotFound(f"no case with key '{key}'")
        if not may_audit(user):
            raise NotAllowed("only auditors, the discipline commission and the leading-group "
                             "office may replay or verify cases")  # fmt: skip
        return case

    def require(self, viewer: str) -> None:
        """NotAllowed unless the viewer holds an audit role."""
        if not may_audit(self._user(viewer)):
            raise NotAllowed("only auditors, the discipline commission and the leading-group "
                             "office may verify cases")  # fmt: skip

    def replay(self, key: str, viewer: str, with_diagrams: bool = True) -> CaseReplay:
        """Every step of a case with element states, data and timers (one replay pass)."""
        case = self._case(key, viewer)
        version = self.session.get(ProcessVersion, case.process_version_id)
        assert version is not None
        runner = case_runner(self.work, case)
        return replay_steps(self.session, runner, case, with_diagrams)

    def verify(
        self, key: str, viewer: str, heads: dict[str, dict[str, Any]] | None = None
    ) -> AuditReport:
        """Chain, exported-heads and re-execution checks of one case."""
        case = self._case(key, viewer)
        return AuditReport(datetime.now(UTC), 1, tuple(self._check(case, heads)))

    def verify_all(
        self, viewer: str, heads: dict[str, dict[str, Any]] | None = None,
        progress: Callable[[int, int], None] = lambda _done, _total: None,
    ) -> AuditReport:  # fmt: skip
        """Every case, with progress reported as (done, total); heads of gone cases too."""
        self.require(viewer)
        keys = list(repo.all_case_keys(self.session))
        findings: list[AuditFinding] = []
        for index, key in enumerate(keys, start=1):
            findings += self._check(repo.case_by_key(self.session, key), heads)
            progress(index, len(keys))
        known = set(keys)
        gone = {k: v for k, v in (heads or {}).items() if k not in known}
        findings += verify_heads(self.session, gone)
        return AuditReport(datetime.now(UTC), len(keys), tuple(findings))

    def _check(self, case: Case, heads: dict[str, dict[str, Any]] | None) -> list[AuditFinding]:
        key = case.business_key
        findings = verify_cases(self.session, key)
        if heads and key in heads:
            findings += verify_heads(self.session, {key: heads[key]})
        if not findings:
            version = self.session.get(ProcessVersion, case.process_version_id)
            assert version is not None
            runner = case_runner(self.work, case)
            replayed = replay_steps(self.session, runner, case, with_diagrams=False)
            findings += [replayed.finding] if replayed.finding else []
        return sorted(findings, key=lambda f: f.seq)

    def search(self, viewer: str, query: CaseQuery) -> SearchPage:
        """Cases matching the auditor's filters, one page (NotAllowed for other roles)."""
        self.require(viewer)
        return search(self.session, query, organisation.reports_accusing(self._user(viewer)))

    def export(self, key: str, viewer: str) -> list[dict[str, Any]]:
        """A case's history as JSON Lines records: a header, every event, the chain head."""
        case = repo.case_by_key(self.session, key)
        if not organisation.may_view_case(self.session, case, self._user(viewer)):
            raise NotFound(f"no case with key '{key}'")
        version = self.session.get(ProcessVersion, case.process_version_id)
        assert version is not None
        records: list[dict[str, Any]] = [{
            "type": "case", "format": EXPORT_FORMAT, "case": key,
            "process_id": version.process_id, "version": version.version,
            "exported_at": datetime.now(UTC).isoformat(), "genesis": GENESIS,
            "hash_rule": "sha256(prev_hash ascii + canonical JSON of content: sorted keys, "
                         "separators (',', ':'), UTF-8, non-ASCII kept)",
        }]  # fmt: skip
        for e in repo.events(self.session, case.id):
            content = event_content(key, e.seq, e.at, e.actor, e.kind, e.task_id, e.task_spec,
                                    e.inputs, e.data_before, e.data_after)  # fmt: skip
            # The request id sits beside the content: it is not covered by the hash.
            records.append({"type": "event", "seq": e.seq, "prev_hash": e.prev_hash,
                            "hash": e.hash, "content": content,
                            "request_id": e.request_id})  # fmt: skip
        records.append({"type": "head", "seq": case.last_seq, "head": case.head_hash})
        return records
