"""Prove what happened: verify hash chains and replay cases from their recorded inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from . import repository as repo
from .errors import NotFound
from .history import AuditFinding, ChainLink, verify_chain
from .models import Case, ProcessVersion
from .recalculation import rerun, schedule_patch
from .recording import event_content
from .running import case_data, is_finished, ready_user_tasks
from .versioned_runner import case_runner
from .views import ReplayResult
from .work import Work


def verify_cases(
    session: Session, key: str | None = None, progress: Callable[[str], None] = lambda _m: None
) -> list[AuditFinding]:
    """Verify one case's chain, or every case's; return the findings (empty if intact)."""
    keys = [key] if key else repo.all_case_keys(session)
    findings = []
    for index, case_key in enumerate(keys, start=1):
        if index % 100 == 0 or index == len(keys):
            progress(f"verified {index}/{len(keys)} cases")
        case = repo.case_by_key(session, case_key)
        finding = verify_chain(case_key, _links(session, case), _checkpoint(session, case))
        finding = finding or _check_case_row(session, case)
        if finding is not None:
            findings.append(finding)
    return findings


def _check_case_row(session: Session, case: Case) -> AuditFinding | None:
    """The case's current data must be what its recorded changes add up to."""
    data: dict[str, Any] = {}
    for event in repo.events(session, case.id):
        for key in set(event.data_before) - set(event.data_after):
            data.pop(key, None)
        data.update(event.data_after)
    if data != case.data:
        changed = sorted(k for k in set(data) | set(case.data) if data.get(k) != case.data.get(k))
        return AuditFinding(case.business_key, case.last_seq, f"the case's current data "
                            f"({', '.join(changed)}) differs from its history: edited outside "
                            f"the engine", "case_data_edited", {"fields": changed})  # fmt: skip
    return None


def verify_heads(session: Session, exported: dict[str, dict[str, Any]]) -> list[AuditFinding]:
    """Compare the chains with heads exported earlier (kept outside the database)."""
    findings = []
    for key, head in sorted(exported.items()):
        seq, expected = int(head["seq"]), str(head["head"])
        try:
            case = repo.case_by_key(session, key)
        except NotFound:
            findings.append(AuditFinding(key, 1, "the case is gone from the database", "case_gone"))
            continue
        events = {e.seq: e for e in repo.events(session, case.id, upto=seq)}
        if seq not in events:
            findings.append(AuditFinding(key, len(events) + 1, "truncated since the export",
                                         "truncated_since_export"))  # fmt: skip
        elif events[seq].hash != expected:
            findings.append(AuditFinding(key, seq, "rewritten since the export: the event "
                                         "no longer has the exported hash",
                                         "rewritten_since_export"))  # fmt: skip
    return findings


def _links(session: Session, case: Case) -> list[ChainLink]:
    return [
        ChainLink(
            seq=e.seq,
            prev_hash=e.prev_hash,
            hash=e.hash,
            content=event_content(
                case.business_key,
                e.seq,
                e.at,
                e.actor,
                e.kind,
                e.task_id,
                e.task_spec,
                e.inputs,
                e.data_before,
                e.data_after,
            ),
        )
        for e in repo.events(session, case.id)
    ]


def _checkpoint(session: Session, case: Case) -> tuple[int, str] | None:
    """The case row's head: every action moves it with the events it records, so events
    deleted from the end of the log fall short of it (a tamperer who also winds back the
    row is caught by heads exported earlier, `verify_heads`)."""
    return (case.last_seq, case.head_hash) if case.last_seq else None


def replay_case(work: Work, key: str, step: int | None = None) -> ReplayResult:
    """Re-run a case's recorded inputs on its diagram version, up to event `step`."""
    session = work.session
    case = repo.case_by_key(session, key)
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    runner = case_runner(work, case)
    events = repo.events(session, case.id, upto=step)
    # A `recalculated` event means: these days were counted with a schedule loaded later.
    workflow, state = rerun(runner, key, events, schedule_patch(events))
    reached = events[-1].seq if events else 0
    complete = step is None or step >= case.last_seq
    return ReplayResult(
        key=key,
        step=reached,
        status=_status(workflow),
        data=case_data(workflow) if workflow is not None else {},
        active_tasks=tuple(t.spec for t in ready_user_tasks(workflow)) if workflow else (),
        matches_stored=(state == case.state) if complete else None,
    )


def _status(workflow: Any) -> str:
    if workflow is None:
        return "not started"
    return "completed" if is_finished(workflow) else "running"
