"""The auditors' pages: search, step-by-step replay, verification, printable report, export.

Read-only. Each view ends the request's unit of work once the user is known and reads
through `Engine.reading()`, which on SQLite never holds the write lock: a long replay
or verification does not make clerks wait. Who may audit is the engine's rule
(`engine.auditing`): a case outside the viewer's scope is 404, an in-scope one 403.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from engine.auditing import AuditReport, may_audit
from engine.auditsearch import CaseQuery
from engine.service import Service

from . import auditjobs, db
from .auth import login_required, me
from .casefacts import people, unit_name
from .i18n import gettext as _
from .replayview import Labels, labelled, steps
from .vocabulary import KINDS, LEVELS, STATUSES

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _reader() -> Any:
    """The read-only unit of work (the request's own transaction is ended first)."""
    db.commit()
    return db.get_engine().reading()


def _require_auditor() -> None:
    if not may_audit(me()):
        abort(403)


@bp.get("")
@login_required
def search() -> str:
    """Search every case by number, submitter, unit, kind, status, dates and outcomes."""
    _require_auditor()
    query, problems = query_from(request.args)
    with _reader() as svc:
        page = svc.audit.search(me().username, query) if request.args else None
        units = svc.staff.units()
    return render_template("audit/search.html", page=page, query=query, problems=problems,
                           units=units, kinds=KINDS, statuses=STATUSES, levels=LEVELS,
                           args=request.args)  # fmt: skip


def query_from(args: Any) -> tuple[CaseQuery, list[str]]:
    """The search form as a CaseQuery, with a message for each value that was ignored."""
    problems: list[str] = []

    def day(name: str) -> date | None:
        text = args.get(name, "").strip()
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            problems.append(_("日期“{value}”无效，请用 YYYY-MM-DD 格式。", value=text[:20]))
            return None

    level = args.get("level", "")
    page = args.get("page", "1")
    return CaseQuery(
        text=args.get("q", "").strip()[:64], unit=args.get("unit", "")[:64],
        kind=args.get("kind", "") if args.get("kind") in KINDS else "",
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        since=day("since"), until=day("until"),
        level=int(level) if level in ("1", "2", "3", "4") else None,
        unsatisfied=args.get("unsatisfied") == "1",
        cannot_resolve=args.get("cannot_resolve") == "1",
        supervised=args.get("supervised") == "1",
        page=int(page) if page.isdigit() and len(page) < 6 else 1,
    ), problems  # fmt: skip


def replay_context(svc: Service, key: str) -> tuple[Any, Labels, list[dict[str, Any]]]:
    """The replay, its labels and its steps for people (NotFound/NotAllowed as the engine says)."""
    replay = svc.privacy.masked_replay(svc.audit.replay(key, me().username))
    labels = Labels.of(replay, people(), unit_name)
    return replay, labels, steps(replay, labels)


@bp.get("/cases/<key>/replay")
@login_required
def replay(key: str) -> str:
    """The case's diagram with a timeline slider: what was done, by whom, what changed."""
    with _reader() as svc:
        case = svc.cases.get(key, viewer=me().username)
        replayed, labels, views = replay_context(svc, key)
    names = {pid: labels.elements.get(pid, pid) for pid in replayed.diagrams}
    data = {
        "process_id": replayed.process_id, "diagrams": replayed.diagrams, "names": names,
        "steps": [{k: v[k] for k in ("step", "completed", "active", "called")} for v in views],
    }  # fmt: skip
    chosen = request.args.get("step", "1")
    start = int(chosen) if chosen.isdigit() and 1 <= int(chosen) <= len(views) else 1
    intake = labelled(svc.privacy.masked(case.data), labels)
    return render_template("audit/replay.html", case=case, replay=replayed, steps=views,
                           data=data, start=start, names=names, intake=intake)  # fmt: skip


def _heads_upload() -> tuple[dict[str, Any] | None, str | None]:
    """The uploaded heads file (from `mashangban audit export`), or an error message."""
    upload = request.files.get("heads")
    if upload is None or not upload.filename:
        return None, None
    try:
        heads = json.loads(upload.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, _("链头文件不是有效的 JSON，请上传 `mashangban audit export` 导出的文件。")
    valid = isinstance(heads, dict) and all(
        isinstance(v, dict) and isinstance(v.get("seq"), int) and isinstance(v.get("head"), str)
        for v in heads.values()
    )
    if not valid:
        return None, _("链头文件格式不对：应为 {案件编号: {seq, head}}。")
    return heads, None


@bp.post("/cases/<key>/verify")
@login_required
def verify(key: str) -> tuple[str, int]:
    """Check one case: its chain, the uploaded heads if any, and a re-execution."""
    heads, problem = _heads_upload()
    if problem:
        return render_template("audit/verified.html", key=key, report=None, problem=problem), 422
    with _reader() as svc:
        report = svc.audit.verify(key, me().username, heads)
    return render_template("audit/verified.html", key=key, report=report, problem=None,
                           with_heads=heads is not None), 200  # fmt: skip


@bp.get("/cases/<key>/report")
@login_required
def report(key: str) -> str:
    """A printable page for a discipline file: the case, its events, the verification."""
    with _reader() as svc:
        case = svc.cases.get(key, viewer=me().username)
        replayed, labels, views = replay_context(svc, key)
        verified = svc.audit.verify(key, me().username)
    intake = labelled(svc.privacy.masked(case.data), labels)
    name = labels.elements.get(replayed.process_id, replayed.process_id)
    return render_template("audit/report.html", case=case, replay=replayed, steps=views,
                           report=verified, intake=intake, process_name=name)  # fmt: skip


@bp.get("/cases/<key>/history.jsonl")
@login_required
def export(key: str) -> Response:
    """The case's history as JSON Lines with hashes (re-check: engine/history_check.py)."""
    with _reader() as svc:
        records = svc.audit.export(key, me().username)
    return jsonl_response(key, records)


def jsonl_response(key: str, records: list[dict[str, Any]]) -> Response:
    """A JSON Lines download named after the case."""
    body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    response = Response(body, mimetype="application/jsonl")
    response.headers["Content-Disposition"] = f'attachment; filename="{key}-history.jsonl"'
    return response


@bp.post("/verify")
@login_required
def verify_all() -> Any:
    """Start verifying every case in the background and show its progress."""
    _require_auditor()
    heads, problem = _heads_upload()
    if problem:
        return render_template("audit/verified.html", key=None, report=None, problem=problem), 422
    # the application behind the proxy: the job's thread outlives this request
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = auditjobs.start(app, db.get_engine(), me().username, heads)
    return redirect(url_for("audit.job", job_id=job.id), 303)


@bp.get("/verify/<job_id>")
@login_required
def job(job_id: str) -> str:
    """The progress of a verification of every case, and its result once done."""
    found = auditjobs.get(current_app, job_id, me().username)
    if found is None:
        abort(404)
    report: AuditReport | None = found.report
    return render_template("audit/job.html", job=found, report=report)


@bp.get("/verify/<job_id>/progress")
@login_required
def job_progress(job_id: str) -> Response:
    """How far the verification got (polled by the progress page)."""
    found = auditjobs.get(current_app, job_id, me().username)
    if found is None:
        abort(404)
    return jsonify(found.as_json())
