"""一键直达: the enterprise channel for reports of officials' misconduct.

A report never enters the window's loop: it starts the discipline supervision process
directly (as `closed_loop` would by throwing `start_supervision`), owned by the discipline
office, so it is never dispatched to, offered to or visible to the accused unit
(`organisation.may_view_case`: owner line, past actors, candidates; the accused unit is
none of these). The reporter's contact is kept apart from the case data and its
hash-chained history, in `direct_reports`, and only users with the `discipline` role read it.
Printed QR codes (`direct_codes`) record who they were printed for and the address they encode.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import organisation
from . import reach_queries as q
from . import repository as repo
from .cases import Cases
from .errors import FieldError, FormInvalid, NotAllowed, NotFound
from .models import OrgUnit
from .models_reach import DirectCode, DirectReport
from .staff import Staff
from .views import CaseView
from .work import Work

PROCESS = "discipline_supervision"
START_MESSAGE = "start_supervision"
DISCIPLINE_UNIT = "discipline"
DISCIPLINE_ROLE = "discipline"
REASON = "吃拿卡要等问题举报（一键直达）"
SCOPES = ("enterprise", "district")
# Who prints codes: the discipline office and the administrators.
CODE_MAKERS = frozenset({"discipline", "admin", "process_admin"})
ACCUSED_KINDS = ("department", "office", "town", "village", "district")


@dataclass(frozen=True)
class DirectCodeView:
    """A printed code: for whom, and the address it encodes."""

    token: str
    scope: str
    label: str
    target_url: str
    created_by: str
    created_at: datetime
    active: bool


@dataclass(frozen=True)
class DirectReportView:
    """A report's private part as the viewer may read it (contact: discipline only)."""

    accused_unit: str
    anonymous: bool
    code_label: str | None
    contact: dict[str, Any] | None


@dataclass(frozen=True)
class Report:
    """What the enterprise filed."""

    title: str
    description: str
    accused_unit: str
    enterprise_name: str = ""
    anonymous: bool = False
    contact: dict[str, str] | None = None


class DirectChannel:
    """Codes and reports of the 一键直达 channel within one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def create_code(
        self, scope: str, label: str, base_url: str, actor: str, at: datetime | None = None
    ) -> DirectCodeView:
        """A new code for an enterprise or a district; its target is `base_url`/direct/TOKEN."""
        self._maker(actor)
        errors = []
        if scope not in SCOPES:
            errors.append(FieldError("scope", "not_an_option", {"value": scope, "choices": SCOPES}))
        if not label.strip():
            errors.append(FieldError("label", "required"))
        elif len(label) > 200:
            errors.append(FieldError("label", "too_long", {"max": 200}))
        if errors:
            raise FormInvalid(errors)
        token = secrets.token_urlsafe(12)
        row = DirectCode(token=token, scope=scope, label=label.strip(),
                         target_url=f"{base_url.rstrip('/')}/direct/{token}", created_by=actor,
                         created_at=at or datetime.now(UTC), active=True)  # fmt: skip
        self.session.add(row)
        self.session.flush()
        return _code_view(row)

    def codes(self, viewer: str) -> list[DirectCodeView]:
        """Every printed code (for the office that prints them)."""
        self._maker(viewer)
        return [_code_view(row) for row in q.direct_codes(self.session)]

    def code(self, token: str) -> DirectCodeView:
        """An active code, for its public page (NotFound if unknown or withdrawn)."""
        row = q.direct_code(self.session, token)
        if row is None:
            raise NotFound("no such 一键直达 code; scan the code again or ask the office")
        return _code_view(row)

    def report(self, token: str | None, report: Report, at: datetime | None = None) -> CaseView:
        """Start a discipline supervision case from a report; returns it with its tracking code."""
        if token is not None:
            self.code(token)
        self._check_accused(report.accused_unit)
        key = _new_key()
        data = {
            "title": report.title, "description": report.description,
            "kind": "misconduct_report", "channel": "enterprise", "tier": "district",
            "intake_unit": DISCIPLINE_UNIT, "accused_unit": report.accused_unit,
            "anonymous": report.anonymous, "source_case": key,
            **({"enterprise_name": report.enterprise_name} if report.enterprise_name else {}),
        }  # fmt: skip
        payload = {"source_case": key, "reason": REASON, "title": report.title}
        case = Cases(self.work).start(
           PROCESS, key=key, data=data, actor="public", at=at, tracking=True,
           message={"message": START_MESSAGE, "payload": payload},
        )  # fmt: skip
        row = repo.case_by_key(self.session, case.key)
        private = DirectReport(case_id=row.id, code_token=token, accused_unit=report.accused_unit,
                               anonymous=report.anonymous, contact=report.contact)  # fmt: skip
        self.session.add(private)
        self.session.flush()
        return case

    def report_of(self, key: str, viewer: str) -> DirectReportView | None:
        """The private part of a report, if the case is one; the contact for discipline only."""
        user = Staff(self.work).get_user(viewer)
        case = repo.case_by_key(self.session, key)
        if not organisation.may_view_case(self.session, case, user):
            raise NotFound(f"no case with key '{key}'")
        row = q.direct_report(self.session, case.id)
        if row is None:
            return None
        code = self.session.get(DirectCode, row.code_token) if row.code_token else None
        contact = row.contact if DISCIPLINE_ROLE in user.roles else None
        return DirectReportView(row.accused_unit, row.anonymous,
                                code.label if code else None, contact)  # fmt: skip

    def accused_units(self) -> list[organisation.UnitView]:
        """Units a report may name: departments, offices and windows (not the discipline office)."""
        return [u for u in Staff(self.work).units()
                    if u.kind in ACCUSED_KINDS and u.code != DISCIPLINE_UNIT]  # fmt: skip

    def _check_accused(self, code: str) -> None:
        unit = self.session.get(OrgUnit, code)
        if unit is None or unit.kind not in ACCUSED_KINDS or code == DISCIPLINE_UNIT:
            choices = [u.code for u in self.accused_units()]
            raise FormInvalid([FieldError("accused_unit", "not_an_option",
                                          {"value": code, "choices": choices})])  # fmt: skip

    def _maker(self, username: str) -> None:
        if not CODE_MAKERS & set(Staff(self.work).get_user(username).roles):
            raise NotAllowed("only the discipline office and administrators manage 一键直达 codes")


def _code_view(row: DirectCode) -> DirectCodeView:
    return DirectCodeView(row.token, row.scope, row.label, row.target_url, row.created_by,
                          row.created_at, row.active)  # fmt: skip


def _new_key() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return f"ZD-{stamp}-{secrets.token_hex(3).upper()}"
