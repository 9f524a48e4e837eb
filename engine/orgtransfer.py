"""Import and export of the organisation as JSON (the shape of engine/demo_data/organisation.json)
or CSV (one file for units, one for staff).

An import is all or nothing: every row is tried inside a savepoint with the same checks as
the admin page, each row gets its result (created, updated, unchanged, or its errors), and
if any row has an error the savepoint is rolled back so nothing changes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import FieldError, FormInvalid
from .models import OrgUnit, User
from .orgchart import OrgAdmin, groups_for

UNIT_COLUMNS = ("code", "name", "kind", "parent", "closed")
STAFF_COLUMNS = ("username", "name", "unit", "roles", "groups", "active")
LIST_SEPARATOR = ";"  # roles and groups inside one CSV cell
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowResult:
    """What an import did with one row (`line`: the row's number in the file, from 1)."""

    line: int
    what: str  # unit | staff
    key: str
    action: str  # created | updated | unchanged | error
    values: dict[str, Any]
    errors: tuple[FieldError, ...] = ()


@dataclass
class ImportReport:
    """Every row's result; `applied` is False when any row failed (then nothing changed)."""

    rows: list[RowResult] = field(default_factory=list)
    applied: bool = False

    @property
    def failed(self) -> list[RowResult]:
        """The rows with errors."""
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        """How many rows ended with this action."""
        return sum(1 for r in self.rows if r.action == action)


def export_json(admin: OrgAdmin) -> dict[str, Any]:
    """Every unit and staff member (closed units and disabled staff included)."""
    units = [{"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent_code,
              "closed": not u.open} for u in admin.units()]  # fmt: skip
    users = [{"username": s.username, "name": s.display_name, "unit": s.unit_code,
              "roles": list(s.roles), "groups": list(s.groups), "active": s.active}
             for s in admin.staff()]  # fmt: skip
    return {"units": units, "users": users}


def export_csv(admin: OrgAdmin, what: str) -> str:
    """Units (`what="units"`) or staff (`"staff"`) as CSV with a header row."""
    data = export_json(admin)
    out = io.StringIO()
    if what == "units":
        writer = csv.DictWriter(out, UNIT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for unit in data["units"]:
            writer.writerow({**unit, "parent": unit["parent"] or "",
                             "closed": "yes" if unit["closed"] else ""})  # fmt: skip
    else:
        writer = csv.DictWriter(out, STAFF_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for user in data["users"]:
            writer.writerow({**user, "unit": user["unit"] or "",
                             "roles": LIST_SEPARATOR.join(user["roles"]),
                             "groups": LIST_SEPARATOR.join(user["groups"]),
                             "active": "yes" if user["active"] else "no"})  # fmt: skip
    return out.getvalue()


def parse_file(name: str, content: bytes) -> dict[str, list[dict[str, Any]]]:
    """An uploaded file as {"units": [...], "users": [...]} (FormInvalid if unreadable)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormInvalid([FieldError("file", "not_utf8")]) from None
    if name.lower().endswith(".csv"):
        return parse_csv(text)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise FormInvalid([FieldError("file", "bad_json", {"reason": str(error)})]) from None
    return as_rows(data)


def as_rows(data: Any) -> dict[str, list[dict[str, Any]]]:
    """Check the top-level shape of imported JSON."""
    if not isinstance(data, dict) or not ({"units", "users"} & set(data)):
        raise FormInvalid([FieldError("file", "bad_shape")])
    units, users = data.get("units") or [], data.get("users") or []
    if not isinstance(units, list) or not isinstance(users, list):
        raise FormInvalid([FieldError("file", "bad_shape")])
    if len(units) + len(users) > MAX_ROWS:
        raise FormInvalid([FieldError("file", "too_many_rows", {"max": MAX_ROWS})])
    return {"units": units, "users": users}


def parse_csv(text: str) -> dict[str, list[dict[str, Any]]]:
    """A units CSV (header with `code`) or a staff CSV (header with `username`)."""
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or ())
    rows = [dict(row) for row in reader]
    if "username" in header:
        users = [{**row, "roles": _split(row.get("roles")),
                  "groups": _split(row.get("groups")) if row.get("groups") else None,
                  "active": _flag(row.get("active") or "yes")} for row in rows]  # fmt: skip
        return as_rows({"users": users})
    if "code" in header:
        units = [{**row, "parent": (row.get("parent") or "").strip() or None,
                  "closed": _flag(row.get("closed"))}
                 for row in rows]  # fmt: skip
        return as_rows({"units": units})
    raise FormInvalid([FieldError("file", "bad_header", {"columns": ", ".join(UNIT_COLUMNS)})])


def _flag(cell: str | None) -> bool:
    return (cell or "").strip().lower() in ("yes", "true", "1", "是")


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(LIST_SEPARATOR) if part.strip()]


def import_rows(
    admin: OrgAdmin, data: dict[str, list[dict[str, Any]]], actor: str, at: datetime,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> ImportReport:  # fmt: skip
    """Apply units, then staff; if any row fails, roll back and report every row."""
    report = ImportReport()
    total, done = len(data["units"]) + len(data["users"]), 0
    savepoint = admin.session.begin_nested()
    for line, raw in enumerate(data["units"], 1):
        report.rows.append(_try(line, "unit", raw, lambda r: _unit_row(admin, r, actor, at)))
        done += 1
        progress(done, total)
    for line, raw in enumerate(data["users"], 1):
        report.rows.append(_try(line, "staff", raw, lambda r: _staff_row(admin, r, actor, at)))
        done += 1
        progress(done, total)
    if report.failed:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.applied = True
    return report


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _try(line: int, what: str, raw: Any, apply: Callable[[dict[str, Any]], str]) -> RowResult:
    key_name = "code" if what == "unit" else "username"
    if not isinstance(raw, dict):
        return RowResult(line, what, "", "error", {}, (FieldError("", "not_an_object"),))
    key = _text(raw, key_name)
    values = {k: v for k, v in raw.items() if isinstance(k, str)}
    try:
        return RowResult(line, what, key, apply(raw), values)
    except FormInvalid as error:
        return RowResult(line, what, key, "error", values, tuple(error.errors))


def _unit_row(admin: OrgAdmin, raw: dict[str, Any], actor: str, at: datetime) -> str:
    code, name, kind = _text(raw, "code"), _text(raw, "name"), _text(raw, "kind")
    parent = _text(raw, "parent") or None
    unit = admin.session.get(OrgUnit, code) if code else None
    if unit is None:
        admin.add_unit(code, name, kind, parent, actor, at)
        action = "created"
    else:
        errors = [e for e in admin.unit_errors(code, name, kind, parent) if e.field != "code"]
        if errors:
            raise FormInvalid(errors)
        changed = (unit.kind, unit.parent_code, unit.name) != (kind, parent, name)
        if (unit.kind, unit.parent_code) != (kind, parent):
            admin.log(actor, at, "unit_updated", code, {"kind": kind, "parent": parent})
            unit.kind, unit.parent_code = kind, parent
        admin.rename_unit(code, name, actor, at)
        action = "updated" if changed else "unchanged"
    if raw.get("closed") is True and admin.unit(code).open:
        admin.close_unit(code, actor, at)
        action = "updated" if action == "unchanged" else action
    return action


def _staff_row(admin: OrgAdmin, raw: dict[str, Any], actor: str, at: datetime) -> str:
    username, name, unit = _text(raw, "username"), _text(raw, "name"), _text(raw, "unit")
    given = raw.get("roles")
    roles = [str(r) for r in given] if isinstance(given, list) else []
    groups = raw.get("groups") if isinstance(raw.get("groups"), list) else None
    groups = [str(g) for g in groups] if groups is not None else None
    user = admin.session.get(User, username) if username else None
    if user is None:
        admin.add_staff(username, name, unit, roles, actor, at, groups=groups)
        action = "created"
    else:
        errors = admin.staff_errors(username, name, unit, roles)
        if errors:
            raise FormInvalid(errors)
        wanted = (name, unit, roles, groups if groups is not None else groups_for(roles, unit))
        changed = (user.display_name, user.unit_code, list(user.roles), list(user.groups)) != wanted
        if changed:
            user.display_name, user.unit_code, user.roles, user.groups = wanted
            admin.log(actor, at, "staff_updated", username, {"name": name, "unit": unit,
                                                             "roles": roles})  # fmt: skip
        action = "updated" if changed else "unchanged"
    active = raw.get("active", True) is not False
    if admin.staff_active(username) != active:
        admin.set_staff_active(username, active, actor, at)
        action = "updated" if action == "unchanged" else action
    return action
