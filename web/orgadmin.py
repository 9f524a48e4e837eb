"""The organisation page: units and staff, renamed, closed, disabled, imported and exported.

Only organisation and process admins (`engine.orgchart.may_administer`) reach it; anyone
else gets 403. Each form posts with its CSRF token; a bad value is shown next to its field
(or next to its row, for a rename or a close) with status 422.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from engine.errors import FieldError, FormInvalid
from engine.orgchart import KINDS, ROLES, may_administer
from engine.orgtransfer import ImportReport, export_csv, export_json, import_rows, parse_file

from . import db
from .auth import login_required, me
from .casefacts import people
from .i18n import field_message
from .i18n import gettext as _
from .orgtext import ACTIONS, FIELDS, KIND_LABELS, RESULTS, ROLE_LABELS

bp = Blueprint("orgadmin", __name__, url_prefix="/admin/org")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"may_edit_org": lambda user: user is not None and may_administer(user.roles)}


@bp.app_template_filter("field_text")
def _field_text(error: FieldError) -> str:
    return field_message(error)


@bp.app_template_filter("person")
def _person(username: str) -> str:
    return people()(username)


def require_admin() -> str:
    """The signed-in admin's username; 403 for every other role."""
    user = me()
    if not may_administer(user.roles):
        abort(403)
    return user.username


def messages(errors: list[FieldError]) -> dict[str, str]:
    """Field -> message in the current language (the first error of each field)."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field or "_form", field_message(error))
    return found


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    org = db.service().org
    units = org.units()
    context = {
        "units": units, "staff": org.staff(), "changes": org.changes(30),
        "names": {u.code: u.name for u in units}, "kinds": KINDS, "roles": ROLES,
        "KIND_LABELS": KIND_LABELS, "ROLE_LABELS": ROLE_LABELS, "ACTIONS": ACTIONS,
        "RESULTS": RESULTS, "FIELDS": FIELDS, "unit_errors": {}, "staff_errors": {},
        "row_errors": {}, "values": {}, "report": None,
    }  # fmt: skip
    context.update(extra)
    return render_template("admin/org.html", **context), status


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """Units and staff, the forms to change them, and the latest changes."""
    require_admin()
    return _page()


@bp.post("/units")
@login_required
def add_unit() -> Any:
    """Add a unit (a department, a town, a village, an office)."""
    actor = require_admin()
    form = request.form
    try:
        unit = db.service().org.add_unit(
            form.get("code", ""), form.get("name", ""), form.get("kind", ""),
            form.get("parent"), actor)  # fmt: skip
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _page(422, unit_errors=messages(error.errors), values=form.to_dict())
    flash(_("已新增单位：{name}", name=unit.name), "success")
    return redirect(url_for("orgadmin.index") + "#units", 303)


@bp.post("/units/<code>/rename")
@login_required
def rename_unit(code: str) -> Any:
    """Give a unit a new name from now on (history keeps the old one)."""
    actor = require_admin()
    try:
        unit = db.service().org.rename_unit(code, request.form.get("name", ""), actor)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _page(422, row_errors={code: "；".join(messages(error.errors).values())})
    flash(_("已更名：{name}", name=unit.name), "success")
    return redirect(url_for("orgadmin.index") + "#units", 303)


@bp.post("/units/<code>/close")
@login_required
def close_unit(code: str) -> Any:
    """Close a unit: forms stop offering it; old cases keep naming it."""
    actor = require_admin()
    try:
        unit = db.service().org.close_unit(code, actor)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _page(422, row_errors={code: "；".join(messages(error.errors).values())})
    flash(_("已撤销单位：{name}", name=unit.name), "success")
    return redirect(url_for("orgadmin.index") + "#units", 303)


@bp.post("/units/<code>/reopen")
@login_required
def reopen_unit(code: str) -> Any:
    """Open a closed unit again."""
    actor = require_admin()
    try:
        unit = db.service().org.reopen_unit(code, actor)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _page(422, row_errors={code: "；".join(messages(error.errors).values())})
    flash(_("已恢复单位：{name}", name=unit.name), "success")
    return redirect(url_for("orgadmin.index") + "#units", 303)


@bp.post("/staff")
@login_required
def add_staff() -> Any:
    """Add a staff member to a unit with a role (the role gives their task groups)."""
    actor = require_admin()
    form = request.form
    try:
        person = db.service().org.add_staff(
            form.get("username", ""), form.get("name", ""), form.get("unit", ""),
            [r for r in form.getlist("roles") if r], actor,
            password=form.get("password") or None)  # fmt: skip
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _page(422, staff_errors=messages(error.errors), values=form.to_dict())
    flash(_("已新增人员：{name}", name=person.display_name), "success")
    return redirect(url_for("orgadmin.index") + "#staff", 303)


@bp.post("/staff/<username>/active")
@login_required
def set_active(username: str) -> Any:
    """Disable a staff account (or enable it again)."""
    actor = require_admin()
    active = request.form.get("active") == "true"
    person = db.service().org.set_staff_active(username, active, actor)
    db.commit()
    text = _("已启用：{name}") if active else _("已停用：{name}")
    flash(text.format(name=person.display_name), "success")
    return redirect(url_for("orgadmin.index") + "#staff", 303)


@bp.post("/import")
@login_required
def import_file() -> Any:
    """Import units or staff from JSON or CSV; every row's result is shown beside it."""
    actor = require_admin()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, import_error=_("请选择要导入的文件"))
    try:
        data = parse_file(upload.filename, upload.read())
        report: ImportReport = import_rows(db.service().org, data, actor, _now())
    except FormInvalid as error:
        db.rollback()
        return _page(422, import_error="；".join(messages(error.errors).values()))
    if report.applied:
        db.commit()
        return _page(report=report)
    db.rollback()
    return _page(422, report=report)


@bp.get("/export.json")
@login_required
def export_as_json() -> Response:
    """Every unit and staff member as JSON (import it elsewhere)."""
    require_admin()
    body = json.dumps(export_json(db.service().org), ensure_ascii=False, indent=2)
    return _download(body, "organisation.json", "application/json")


@bp.get("/<what>.csv")
@login_required
def export_as_csv(what: str) -> Response:
    """Units or staff as CSV (opens in a spreadsheet)."""
    require_admin()
    if what not in ("units", "staff"):
        abort(404)
    body = "\ufeff" + export_csv(db.service().org, what)  # the BOM lets Excel read UTF-8
    return _download(body, f"{what}.csv", "text/csv")


def _download(body: str, name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


def _now() -> datetime:
    return datetime.now(UTC)
