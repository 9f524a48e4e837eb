"""The auditors' endpoints under /api/v1 (shapes in schemas/audit.py).

Read-only, over the engine's read-only unit of work (a long verification of every case
does not hold the write lock). Scope and roles are the engine's: a case outside the
caller's scope is 404, replay and verify without an audit role are 403.
"""

from __future__ import annotations

from typing import Any

from engine.errors import FieldError
from engine.organisation import UserView

from .. import db
from ..audit import jsonl_response
from ..casefacts import people, unit_name
from ..replayview import Labels, step_view
from .operations import File, Reply, operation
from .schemas import audit as shapes
from .validation import rejected

NO_AUDIT_ROLE = {403: "The caller holds no audit role (`not_allowed`)."}


def _reader() -> Any:
    db.commit()  # end the request's own unit of work: only the read-only one below stays
    return db.get_engine().reading()


@operation("get", "/cases/<key>/history", ok=Reply(shapes.History, "Events, oldest first."))
def case_history(key: str, user: UserView) -> shapes.History:
    """A case's events with their hashes and the chain head."""
    with _reader() as svc:
        records = svc.audit.export(key, user.username)
    header, events, head = records[0], records[1:-1], records[-1]
    return shapes.History(
        case=key, process_id=header["process_id"], version=header["version"],
        events=[shapes.HistoryEvent(**e["content"], prev_hash=e["prev_hash"], hash=e["hash"],
                                    request_id=e["request_id"]) for e in events],
        head=shapes.ChainHead(seq=head["seq"], head=head["head"]),
    )  # fmt: skip


@operation("get", "/cases/<key>/history.jsonl", ok=File(("application/jsonl",), "JSON Lines."))
def case_history_jsonl(key: str, user: UserView) -> Any:
    """A case's history as JSON Lines: header, events, head (re-check with
    `python -m engine.history_check FILE`)."""
    with _reader() as svc:
        records = svc.audit.export(key, user.username)
    return jsonl_response(key, records)


@operation(
    "get", "/cases/<key>/replay", query=shapes.ReplayQuery,
    ok=Reply(shapes.ReplayStep, "The step."),
    errors={**NO_AUDIT_ROLE, 422: "No such step (`validation_failed`, `too_large{max}`)."},
)  # fmt: skip
def case_replay(key: str, user: UserView, query: shapes.ReplayQuery) -> Any:
    """The case right after event `step` (1 = the first): diagram elements and data."""
    with _reader() as svc:
        replay = svc.privacy.masked_replay(svc.audit.replay(key, user.username))
        total = len(replay.steps)
        if query.step > total:
            return rejected([FieldError("step", "too_large", {"max": total})])
        chosen = replay.steps[query.step - 1]
        labels = Labels.of(replay, people(), unit_name)
        view = step_view(query.step, chosen, replay, labels)
    return shapes.ReplayStep(
        step=query.step, steps=total, version=replay.version, process_id=replay.process_id,
        event=shapes.ReplayEvent(
            seq=chosen.seq, at=view["at"], actor=chosen.actor, kind=chosen.kind,
            task_id=chosen.task_id, task_spec=chosen.task_spec, inputs=chosen.inputs,
            what=view["what"], hash=chosen.hash),
        completed=view["completed"], active=view["active"], called=view["called"],
        data_before=chosen.data_before, data_after=chosen.data_after, changes=view["diff"],
        timers=[shapes.ReplayTimer.model_validate(
                    {k: t[k] for k in ("element", "name", "due", "due_text")})
                for t in view["timers"]],
    )  # fmt: skip


@operation(
    "post", "/audit/verify", body=shapes.VerifyRequest,
    ok=Reply(shapes.Verification, "The result."), errors=NO_AUDIT_ROLE,
)  # fmt: skip
def audit_verify(user: UserView, body: shapes.VerifyRequest) -> shapes.Verification:
    """Verify one case or every case: chain, heads (if given), re-execution."""
    heads = None if body.heads is None else {k: h.model_dump() for k, h in body.heads.items()}
    with _reader() as svc:
        if body.case:
            report = svc.audit.verify(body.case, user.username, heads)
        else:
            report = svc.audit.verify_all(user.username, heads)
    return shapes.Verification(
        intact=report.intact, checked_at=report.checked_at, cases=report.cases,
        findings=[shapes.VerificationFinding(case=f.case_key, seq=f.seq, problem=f.problem,
                                             code=f.code, params=f.params)
                  for f in report.findings],
    )  # fmt: skip
