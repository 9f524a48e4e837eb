"""The organisation endpoints under /api/v1/org (listed in openapi_org.py).

The same operations as the organisation page, for organisation and process admins;
every other signed-in role gets 403 (`not_allowed`). Bad values are 422 `form_invalid`
with one entry per field; a code or username taken a moment earlier is 409.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import jsonify

from engine.errors import NotAllowed
from engine.orgchart import OrgAdmin, StaffRecord, UnitRecord, may_administer
from engine.orgtransfer import ImportReport, as_rows, export_json, import_rows

from .. import db
from ..i18n import field_message
from . import tokens
from .blueprint import bp
from .body import json_object


def _admin() -> tuple[OrgAdmin, str]:
    user = tokens.staff()
    if not may_administer(user.roles):
        raise NotAllowed("only organisation or process admins may change the organisation")
    return db.service().org, user.username


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _unit(unit: UnitRecord) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent": unit.parent_code,
            "closed_at": unit.closed_at.isoformat() if unit.closed_at else None,
            "staff": unit.staff}  # fmt: skip


def _person(person: StaffRecord) -> dict[str, Any]:
    return {"username": person.username, "name": person.display_name, "unit": person.unit_code,
            "roles": list(person.roles), "groups": list(person.groups),
            "active": person.active}  # fmt: skip


def _report(report: ImportReport) -> dict[str, Any]:
    rows = [{"line": r.line, "what": r.what, "key": r.key, "action": r.action,
             "errors": [{"field": e.field or "_form", "code": e.code, "params": dict(e.params),
                         "message": field_message(e)} for e in r.errors]}
            for r in report.rows]  # fmt: skip
    return {"applied": report.applied, "rows": rows}


@bp.get("/org/units")
def org_units() -> Any:
    """Every unit, open and closed."""
    org, _actor = _admin()
    return jsonify(units=[_unit(u) for u in org.units()])


@bp.post("/org/units")
def org_add_unit() -> Any:
    """Add a unit."""
    org, actor = _admin()
    body = json_object()
    parent = body.get("parent") if isinstance(body.get("parent"), str) else None
    unit = org.add_unit(_text(body, "code"), _text(body, "name"), _text(body, "kind"), parent,
                        actor)  # fmt: skip
    db.commit()
    return jsonify(_unit(unit)), 201


@bp.post("/org/units/<code>/rename")
def org_rename_unit(code: str) -> Any:
    """Rename a unit from now on (history keeps the old name)."""
    org, actor = _admin()
    unit = org.rename_unit(code, _text(json_object(), "name"), actor)
    db.commit()
    return jsonify(_unit(unit))


@bp.post("/org/units/<code>/close")
def org_close_unit(code: str) -> Any:
    """Close a unit (forms stop offering it)."""
    org, actor = _admin()
    unit = org.close_unit(code, actor)
    db.commit()
    return jsonify(_unit(unit))


@bp.post("/org/units/<code>/reopen")
def org_reopen_unit(code: str) -> Any:
    """Open a closed unit again."""
    org, actor = _admin()
    unit = org.reopen_unit(code, actor)
    db.commit()
    return jsonify(_unit(unit))


@bp.get("/org/staff")
def org_staff() -> Any:
    """Every staff member, active and disabled."""
    org, _actor = _admin()
    return jsonify(staff=[_person(s) for s in org.staff()])


@bp.post("/org/staff")
def org_add_staff() -> Any:
    """Add a staff member."""
    org, actor = _admin()
    body = json_object()
    roles = body.get("roles")
    roles = [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
    person = org.add_staff(_text(body, "username"), _text(body, "name"), _text(body, "unit"),
                           roles, actor, password=_text(body, "password") or None)  # fmt: skip
    db.commit()
    return jsonify(_person(person)), 201


@bp.post("/org/staff/<username>/active")
def org_staff_active(username: str) -> Any:
    """Disable or enable a staff account."""
    org, actor = _admin()
    active = json_object().get("active") is True
    person = org.set_staff_active(username, active, actor)
    db.commit()
    return jsonify(_person(person))


@bp.get("/org/export")
def org_export() -> Any:
    """Units and staff in the import format."""
    org, _actor = _admin()
    return jsonify(export_json(org))


@bp.post("/org/import")
def org_import() -> Any:
    """Import units and staff; all or nothing, with each row's result."""
    org, actor = _admin()
    report = import_rows(org, as_rows(json_object()), actor, datetime.now(UTC))
    if not report.applied:
        db.rollback()
        return jsonify(_report(report)), 422
    db.commit()
    return jsonify(_report(report))
