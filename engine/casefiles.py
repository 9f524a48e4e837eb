"""Read-side views of a case for people: lists, the public tracking page, the diagram."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy.orm import Session

from . import repository as repo
from .calendar import WorkingCalendar
from .casework import make_script_engine
from .errors import NotFound
from .labels import english_drawing
from .models import Case, ProcessVersion
from .progress import element_states
from .reach_queries import merged_into
from .running import Runner
from .views import CaseSummary, DiagramView, PublicCaseView, PublicEntry
from .xmlsafe import parse_xml

PUBLIC_KINDS = {"started": "受理", "task_completed": "办理", "message_received": "收到回复",
                "escalated": "升级协调", "merged": "并案办理"}  # fmt: skip


def code_hash(code: str) -> str:
    """Tracking codes are stored hashed, like passwords (they grant read access)."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def task_names(version: ProcessVersion) -> dict[str, str]:
    """User-task ids of a process version and their names, for timelines."""
    return {spec: meta.get("name", spec) for spec, meta in version.tasks.items()}


def english_task_names(version: ProcessVersion) -> dict[str, str]:
    """User-task ids of a process version and their English names, where the diagram has one."""
    return {spec: meta["name_en"] for spec, meta in version.tasks.items() if meta.get("name_en")}


def summaries(session: Session, cases: list[Case]) -> list[CaseSummary]:
    """Summaries of case rows (process ids resolved once per version)."""
    versions: dict[int, str] = {}
    result = []
    for case in cases:
        if case.process_version_id not in versions:
            version = session.get(ProcessVersion, case.process_version_id)
            versions[case.process_version_id] = version.process_id if version else "?"
        process_id = versions[case.process_version_id]
        result.append(CaseSummary(case.business_key, case.title, process_id, case.status,
                                  case.owner_unit, case.created_at, case.updated_at))  # fmt: skip
    return result


def public_view(session: Session, key: str, code: str) -> PublicCaseView:
    """The tracking page's view; NotFound unless the code matches (never say which)."""
    try:
        case = repo.case_by_key(session, key)
    except NotFound:
        case = None
    if (
        case is None
        or not case.tracking_code_hash
        or not hmac.compare_digest(case.tracking_code_hash, code_hash(code))
    ):
        raise NotFound("no case with this number and tracking code")
    return _public(session, case)


def granted_view(session: Session, key: str) -> PublicCaseView:
    """The tracking page's view for a visitor who proved the code earlier (a tracking grant)."""
    return _public(session, repo.case_by_key(session, key))


def _public(session: Session, case: Case) -> PublicCaseView:
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    names = task_names(version)
    english = english_task_names(version)
    timeline = tuple(
        PublicEntry(e.at, e.kind, _public_step(e.kind, e.task_spec, e.inputs, names),
                    _public_step(e.kind, e.task_spec, e.inputs, english, ""))
        for e in repo.events(session, case.id)
        if e.kind in PUBLIC_KINDS
    )  # fmt: skip
    open_tasks = repo.case_tasks(session, case.id)
    stage = tuple(row.name for row in open_tasks)
    stage_en = tuple(english.get(row.task_spec) or row.name for row in open_tasks)
    data: dict[str, Any] = case.data
    main = merged_into(session, case.id)  # a merged duplicate is answered by its main case
    if main is not None:
        data = {**data, "public_reply": main.data.get("public_reply"), "rating_requested": False}
    return PublicCaseView(
        key=case.business_key, title=case.title, kind=str(data.get("kind", "")),
        status=case.status, stage=stage, submitted_at=case.created_at,
        public_reply=data.get("public_reply"), rating_requested=bool(data.get("rating_requested")),
        rating=data.get("rating"), timeline=timeline, stage_en=stage_en,
    )  # fmt: skip


def _public_step(
    kind: str, spec: str | None, inputs: dict[str, Any], names: dict[str, str],
    otherwise: str | None = None,
) -> str:  # fmt: skip
    """The citizen's own rating reads as a rating, not as a reply received."""
    if kind == "message_received" and inputs.get("message") == "citizen_rating":
        return "群众评价" if otherwise is None else otherwise
    if kind == "message_received" and inputs.get("message") == "meeting_decision":
        return "联席会议决定" if otherwise is None else otherwise
    return names.get(spec or "", PUBLIC_KINDS[kind] if otherwise is None else otherwise)


def diagram(session: Session, case: Case, runner: Runner, files: dict[str, bytes]) -> DiagramView:
    """The case's own diagram XML with completed and active element ids."""
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    xml = _file_defining(version.process_id, files)
    workflow = runner.restore(case.state, make_script_engine(WorkingCalendar()))
    completed, active = element_states(workflow)
    xml_en, names_en = english_drawing(xml)
    called = english_task_names(version)
    return DiagramView(version.process_id, xml, tuple(completed), tuple(active), xml_en,
                       {**called, **names_en})  # fmt: skip


def _file_defining(process_id: str, files: dict[str, bytes]) -> str:
    for name, content in sorted(files.items()):
        if not name.lower().endswith(".bpmn"):
            continue
        root, _problems = parse_xml(content, name)
        if root is not None and root.find(f".//{{*}}process[@id='{process_id}']") is not None:
            return content.decode("utf-8")
    raise NotFound(f"the diagram of process '{process_id}' is not stored")
