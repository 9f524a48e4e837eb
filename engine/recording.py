"""Append events to a case's hash chain (the only code that writes history)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from . import factstore, kb_follow, requestscope
from .history import GENESIS, chain_hash, to_json_value
from .models import Case, CaseEvent
from .views import TaskView

log = logging.getLogger(__name__)


def event_content(
    case_key: str, seq: int, at: datetime, actor: str, kind: str, task_id: str | None,
    task_spec: str | None, inputs: dict[str, Any], data_before: dict[str, Any],
    data_after: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """The fields an event's hash covers."""
    return {
        "case": case_key, "seq": seq, "at": at.astimezone(UTC).isoformat(), "actor": actor,
        "kind": kind,
        "task_id": task_id, "task_spec": task_spec, "inputs": inputs,
        "data_before": data_before, "data_after": data_after,
    }  # fmt: skip


def _changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING)]
    return (
        {k: before[k] for k in changed if k in before},
        {k: after[k] for k in changed if k in after},
    )


_MISSING = object()


def record_event(
    session: Session, case: Case, kind: str, actor: str, at: datetime, inputs: dict[str, Any],
    before: dict[str, Any], after: dict[str, Any] | None = None, task: TaskView | None = None,
    details: dict[str, Any] | None = None, checkpoint: bool = True,
) -> CaseEvent:  # fmt: skip
    """Append one event after the case's head and move the head.

    The case row's head (`last_seq`, `head_hash`) is the chain's checkpoint: `checkpoint`
    writes it now; callers recording several events pass False and flush once
    (`acting.claim_case_row`), so one action costs one UPDATE of the case row.
    """
    seq = case.last_seq + 1
    prev = case.head_hash or GENESIS
    data_before, data_after = _changes(before, case.data if after is None else after)
    plain_inputs = to_json_value({**inputs, **({"details": details} if details else {})})
    task_id = task.id if task else None
    task_spec = task.task_spec if task else None
    content = event_content(case.business_key, seq, at, actor, kind, task_id, task_spec,
                            plain_inputs, data_before, data_after)  # fmt: skip
    digest = chain_hash(prev, content)
    row = CaseEvent(
        case_id=case.id, seq=seq, at=at, actor=actor, kind=kind, task_id=task_id,
        task_spec=task_spec, inputs=plain_inputs, data_before=data_before,
        data_after=data_after, prev_hash=prev, hash=digest, request_id=requestscope.current(),
    )  # fmt: skip
    session.add(row)
    case.last_seq, case.head_hash = seq, digest
    factstore.follow(session, case, row)  # the reports' per-case facts, same transaction
    kb_follow.follow(session, case, row)  # a root-cause review's knowledge-base entry
    kb_follow.follow_recommendation(session, case, row)  # a recommendation made upward
    if checkpoint:
        session.flush()  # the case row with its new head, as in every action
    # The request id is stored beside the event (not in its hashed content) and the web's log
    # lines carry it too: this line ties the event (case, seq) to the request's other lines.
    log.info("event recorded", extra={"case": case.business_key, "seq": seq, "kind": kind})
    return row
