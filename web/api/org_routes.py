"""The organisation endpoints under /api/v1/org (shapes in schemas/org.py).

The same operations as the organisation page, for organisation and process admins;
every other signed-in role gets 403 (`not_allowed`). Bad values are 422 with one entry
per field (`validation_failed` for the body's shape, `form_invalid` for the engine's
rules); a code or username taken a moment earlier is 409.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.errors import NotAllowed
from engine.organisation import UserView
from engine.orgchart import OrgAdmin, StaffRecord, UnitRecord, may_administer
from engine.orgtransfer import ImportReport, as_rows, export_json, import_rows

from .. import db
from ..i18n import field_message
from . import tokens
from .operations import Reply, operation, staff_with
from .schemas import iso
from .schemas import org as shapes
from .schemas.errors import ErrorBody

UNIT_CODE = {"code": "The unit's code."}


def _org_admin() -> UserView:
    user = tokens.staff()
    if not may_administer(user.roles):
        raise NotAllowed("only organisation or process admins may change the organisation")
    return user


ORG_ADMIN = staff_with(_org_admin)
FORBIDDEN = {403: "The caller is not an organisation or process admin (`not_allowed`)."}


def _org() -> OrgAdmin:
    return db.service().org


def _unit(unit: UnitRecord) -> shapes.OrgUnit:
    return shapes.OrgUnit(code=unit.code, name=unit.name, kind=unit.kind,
                          parent=unit.parent_code, closed_at=iso(unit.closed_at),
                          staff=unit.staff)  # fmt: skip


def _person(person: StaffRecord) -> shapes.OrgStaff:
    return shapes.OrgStaff(username=person.username, name=person.display_name,
                           unit=person.unit_code, roles=list(person.roles),
                           groups=list(person.groups), active=person.active)  # fmt: skip


def _report(report: ImportReport) -> shapes.ImportResult:
    # model_validate: the engine's `what` and `action` are plain text the model checks.
    rows = [shapes.ImportRow.model_validate({
        "line": r.line, "what": r.what, "key": r.key, "action": r.action,
        "errors": [shapes.RowProblem(field=e.field or "_form", code=e.code,
                                     params=dict(e.params), message=field_message(e))
                   for e in r.errors]})
            for r in report.rows]  # fmt: skip
    return shapes.ImportResult(applied=report.applied, rows=rows)


@operation("get", "/org/units", access=ORG_ADMIN, errors=FORBIDDEN,
           ok=Reply(shapes.OrgUnits, "The units."))  # fmt: skip
def org_units(user: UserView) -> shapes.OrgUnits:
    """Every organisation unit, open and closed."""
    return shapes.OrgUnits(units=[_unit(u) for u in _org().units()])


@operation(
    "post", "/org/units", access=ORG_ADMIN, body=shapes.UnitCreate,
    ok={201: Reply(shapes.OrgUnit, "The new unit.")},
    errors={**FORBIDDEN, 409: "The code was just taken (`conflict`)."},
)  # fmt: skip
def org_add_unit(user: UserView, body: shapes.UnitCreate) -> Any:
    """Add a unit (its code is permanent; cases store it)."""
    unit = _org().add_unit(body.code, body.name, body.kind, body.parent, user.username)
    db.commit()
    return _unit(unit), 201


@operation("post", "/org/units/<code>/rename", access=ORG_ADMIN, body=shapes.UnitRename,
           errors=FORBIDDEN, path_text=UNIT_CODE,
           ok=Reply(shapes.OrgUnit, "The renamed unit."))  # fmt: skip
def org_rename_unit(code: str, user: UserView, body: shapes.UnitRename) -> shapes.OrgUnit:
    """Rename a unit from now on; history keeps the name of its time."""
    unit = _org().rename_unit(code, body.name, user.username)
    db.commit()
    return _unit(unit)


@operation(
    "post", "/org/units/<code>/close", access=ORG_ADMIN, path_text=UNIT_CODE,
    errors={**FORBIDDEN, 422: "The unit still has staff or open units (`form_invalid`)."},
    ok=Reply(shapes.OrgUnit, "The closed unit."),
)  # fmt: skip
def org_close_unit(code: str, user: UserView) -> shapes.OrgUnit:
    """Close a unit: forms stop offering it (refused while it has staff)."""
    unit = _org().close_unit(code, user.username)
    db.commit()
    return _unit(unit)


@operation(
    "post", "/org/units/<code>/reopen", access=ORG_ADMIN, path_text=UNIT_CODE,
    errors={**FORBIDDEN, 422: "Its parent is closed (`form_invalid`)."},
    ok=Reply(shapes.OrgUnit, "The reopened unit."),
)  # fmt: skip
def org_reopen_unit(code: str, user: UserView) -> shapes.OrgUnit:
    """Open a closed unit again (its parent must be open)."""
    unit = _org().reopen_unit(code, user.username)
    db.commit()
    return _unit(unit)


@operation("get", "/org/staff", access=ORG_ADMIN, errors=FORBIDDEN,
           ok=Reply(shapes.OrgStaffList, "The staff."))  # fmt: skip
def org_staff(user: UserView) -> shapes.OrgStaffList:
    """Every staff member, active and disabled."""
    return shapes.OrgStaffList(staff=[_person(s) for s in _org().staff()])


@operation(
    "post", "/org/staff", access=ORG_ADMIN, body=shapes.StaffCreate,
    ok={201: Reply(shapes.OrgStaff, "The new staff member.")},
    errors={**FORBIDDEN, 409: "The username was just taken (`conflict`)."},
)  # fmt: skip
def org_add_staff(user: UserView, body: shapes.StaffCreate) -> Any:
    """Add a staff member; the roles give their task groups."""
    person = _org().add_staff(body.username, body.name, body.unit, list(body.roles),
                              user.username, password=body.password or None)  # fmt: skip
    db.commit()
    return _person(person), 201


@operation("post", "/org/staff/<username>/active", access=ORG_ADMIN, body=shapes.StaffActive,
           errors=FORBIDDEN, ok=Reply(shapes.OrgStaff, "The staff member."))  # fmt: skip
def org_staff_active(username: str, user: UserView, body: shapes.StaffActive) -> shapes.OrgStaff:
    """Disable (`active: false`) or enable a staff account."""
    person = _org().set_staff_active(username, body.active, user.username)
    db.commit()
    return _person(person)


@operation("get", "/org/export", access=ORG_ADMIN, errors=FORBIDDEN,
           ok=Reply(shapes.OrgExport, "The organisation."))  # fmt: skip
def org_export(user: UserView) -> shapes.OrgExport:
    """Units and staff in the import format."""
    return shapes.OrgExport.model_validate(export_json(_org()))


@operation(
    "post", "/org/import", access=ORG_ADMIN, body=shapes.OrgImport,
    ok=Reply(shapes.ImportResult, "Applied."),
    errors={**FORBIDDEN, 422: Reply(
        shapes.ImportResult | ErrorBody, "Some rows failed (nothing applied; `applied: false`), "
        "or the body is not an organisation (`form_invalid`, `validation_failed`).")},
)  # fmt: skip
def org_import(user: UserView, body: shapes.OrgImport) -> Any:
    """Import units, then staff; all or nothing, with each row's result."""
    data = body.model_dump(exclude_none=True)
    report = import_rows(_org(), as_rows(data), user.username, datetime.now(UTC))
    if not report.applied:
        db.rollback()
        return _report(report), 422
    db.commit()
    return _report(report)
