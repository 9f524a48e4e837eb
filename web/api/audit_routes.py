"""The auditors' endpoints under /api/v1 (listed in openapi_audit.py).

Read-only, over the engine's read-only unit of work (a long verification of every case
does not hold the write lock). Scope and roles are the engine's: a case outside the
caller's scope is 404, replay and verify without an audit role are 403.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from .. import db
from ..audit import jsonl_response
from ..casefacts import people, unit_name
from ..errors import json_error
from ..i18n import gettext as _
from ..replayview import Labels, step_view
from . import tokens
from .blueprint import bp
from .body import json_object


def _reader() -> Any:
    db.commit()  # end the request's own unit of work: only the read-only one below stays
    return db.get_engine().reading()


@bp.get("/cases/<key>/history")
def case_history(key: str) -> Any:
    """The case's events with their hashes, and the chain head."""
    user = tokens.staff()
    with _reader() as svc:
        records = svc.audit.export(key, user.username)
    header, events, head = records[0], records[1:-1], records[-1]
    return jsonify(case=key, process_id=header["process_id"], version=header["version"],
                   events=[{**e["content"], "prev_hash": e["prev_hash"], "hash": e["hash"],
                            "request_id": e["request_id"]} for e in events],
                   head={"seq": head["seq"], "head": head["head"]})  # fmt: skip


@bp.get("/cases/<key>/history.jsonl")
def case_history_jsonl(key: str) -> Any:
    """The case's history as JSON Lines (re-check it with engine/history_check.py)."""
    user = tokens.staff()
    with _reader() as svc:
        records = svc.audit.export(key, user.username)
    return jsonl_response(key, records)


@bp.get("/cases/<key>/replay")
def case_replay(key: str) -> Any:
    """The case right after event `step` (1 = the first): elements, data before and after."""
    user = tokens.staff()
    text = request.args.get("step", "1")
    with _reader() as svc:
        replay = svc.privacy.masked_replay(svc.audit.replay(key, user.username))
        total = len(replay.steps)
        if not text.isdigit() or not 1 <= int(text) <= total:
            message = _("步骤应为 1 到 {n} 之间的整数", n=total)
            return json_error(422, "validation_failed", message, {"step": message})
        step = int(text)
        chosen = replay.steps[step - 1]
        labels = Labels.of(replay, people(), unit_name)
        view = step_view(step, chosen, replay, labels)
    return jsonify(
        step=step, steps=total, version=replay.version, process_id=replay.process_id,
        event={"seq": chosen.seq, "at": view["at"], "actor": chosen.actor, "kind": chosen.kind,
               "task_id": chosen.task_id, "task_spec": chosen.task_spec,
               "inputs": chosen.inputs, "what": view["what"], "hash": chosen.hash},
        completed=view["completed"], active=view["active"], called=view["called"],
        data_before=chosen.data_before, data_after=chosen.data_after, changes=view["diff"],
        timers=view["timers"],
    )  # fmt: skip


@bp.post("/audit/verify")
def audit_verify() -> Any:
    """Verify one case (`{"case": KEY}`) or every case (`{}`), optionally against heads."""
    user = tokens.staff()
    body = json_object()
    key, heads = body.get("case"), body.get("heads")
    if key is not None and not isinstance(key, str):
        return json_error(422, "validation_failed", _("“case”应为案件编号"),
                          {"case": _("“case”应为案件编号")})  # fmt: skip
    if heads is not None and not _valid_heads(heads):
        message = _("链头文件格式不对：应为 {案件编号: {seq, head}}。")
        return json_error(422, "validation_failed", message, {"heads": message})
    with _reader() as svc:
        if key:
            report = svc.audit.verify(key, user.username, heads)
        else:
            report = svc.audit.verify_all(user.username, heads)
    return jsonify(intact=report.intact, checked_at=report.checked_at.isoformat(),
                   cases=report.cases,
                   findings=[{"case": f.case_key, "seq": f.seq, "problem": f.problem,
                              "code": f.code, "params": f.params}
                             for f in report.findings])  # fmt: skip


def _valid_heads(heads: Any) -> bool:
    return isinstance(heads, dict) and all(
        isinstance(v, dict) and isinstance(v.get("seq"), int) and isinstance(v.get("head"), str)
        for v in heads.values()
    )
