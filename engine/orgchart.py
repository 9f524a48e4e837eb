"""The organisation as data: units and staff that an administrator adds, renames, closes
and disables, without a new deployment.

Effective-dated: a rename keeps the old name with the instant it stopped being valid
(`OrgUnitName`), so history shows each unit by the name it had when the event happened
(`NameBook`). Closing a unit keeps its row (old cases still name it) but no form offers it.
Every change is logged in `OrgChange` (who, when, what). Errors are `FormInvalid` with one
`FieldError` per bad value, so pages show them next to the field; a code that someone else
took a moment earlier is a `Conflict` (409).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import Conflict, FieldError, FormInvalid, NotFound
from .models import OrgChange, OrgUnit, OrgUnitName, User
from .passwords import hash_password

KINDS = ("district", "town", "village", "department", "office")
# Role -> the candidate group it gets in its unit (processes/CONTRACT.md "Candidate groups").
ROLE_GROUPS = {
    "clerk": "clerks:{unit}", "department_handler": "dept:{unit}",
    "chief_representative": "chief:{unit}", "leading_office": "leading_office",
    "joint_meeting": "joint_meeting", "supervising_office": "supervising_office",
    "discipline": "discipline", "auditor": "auditors", "process_admin": "process_admins",
    "org_admin": "",
}  # fmt: skip
ROLES = tuple(ROLE_GROUPS)
ADMIN_ROLES = frozenset({"org_admin", "process_admin", "admin"})
CODE = re.compile(r"[a-z][a-z0-9_]{1,49}")
USERNAME = re.compile(r"[a-z][a-z0-9_.-]{1,63}")
MAX_NAME = 100


@dataclass(frozen=True)
class UnitRecord:
    """A unit as the admin page lists it."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    closed_at: datetime | None
    staff: int  # active staff members

    @property
    def open(self) -> bool:
        """Not closed: forms may offer it."""
        return self.closed_at is None


@dataclass(frozen=True)
class StaffRecord:
    """A staff member as the admin page lists them."""

    username: str
    display_name: str
    unit_code: str | None
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class ChangeRecord:
    """One logged change."""

    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


class NameBook:
    """Unit names over time: `name(code, at)` is the name the unit had at that instant."""

    def __init__(self, current: dict[str, str], past: list[tuple[str, str, Any, Any]]) -> None:
        self.current = current
        self.past: dict[str, list[tuple[Any, Any, str]]] = {}
        for code, name, valid_from, valid_to in past:
            self.past.setdefault(code, []).append((valid_from, valid_to, name))

    def name(self, code: str, at: datetime | None = None) -> str:
        """The unit's name at `at` (now if None); the code itself for an unknown unit."""
        if at is not None:
            for valid_from, valid_to, name in self.past.get(code, ()):
                if (valid_from is None or valid_from <= at) and at < valid_to:
                    return str(name)
        return self.current.get(code, code)


def may_administer(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether these roles may edit the organisation."""
    return bool(ADMIN_ROLES & set(roles))


def groups_for(roles: list[str] | tuple[str, ...], unit: str | None) -> list[str]:
    """The candidate groups the roles give in their unit."""
    groups = [ROLE_GROUPS.get(r, "").format(unit=unit or "") for r in roles]
    return list(dict.fromkeys(g for g in groups if g and not g.endswith(":")))


def _now(at: datetime | None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(UTC)


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise FormInvalid(errors)


class OrgAdmin:
    """Units, staff and their history over one session (the caller owns the transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reading ----------------------------------------------------------------------------

    def units(self) -> list[UnitRecord]:
        """Every unit, open and closed, by kind then code, with its active staff count."""
        counts: dict[str | None, int] = dict(
            self.session.execute(
                select(User.unit_code, func.count()).where(User.active.is_(True))
                .group_by(User.unit_code)
            ).tuples().all()
        )  # fmt: skip
        rows = self.session.scalars(select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.code))
        return [
            UnitRecord(u.code, u.name, u.kind, u.parent_code, u.closed_at, counts.get(u.code, 0))
            for u in rows
        ]

    def unit(self, code: str) -> UnitRecord:
        """One unit (NotFound if unknown)."""
        unit = self.session.get(OrgUnit, code)
        if unit is None:
            raise NotFound(f"unknown unit '{code}'")
        staff = self.session.scalar(
            select(func.count()).select_from(User)
            .where(User.unit_code == code, User.active.is_(True))
        )  # fmt: skip
        return UnitRecord(unit.code, unit.name, unit.kind, unit.parent_code, unit.closed_at,
                          staff or 0)  # fmt: skip

    def staff(self) -> list[StaffRecord]:
        """Every staff member, by unit then username."""
        rows = self.session.scalars(select(User).order_by(User.unit_code, User.username))
        return [
            StaffRecord(u.username, u.display_name, u.unit_code, tuple(u.roles), tuple(u.groups),
                        bool(u.active))
            for u in rows
        ]  # fmt: skip

    def options(self, kind: str) -> list[tuple[str, str]]:
        """(code, name) of the open units of a kind, by name: what a form offers."""
        query = (
            select(OrgUnit.code, OrgUnit.name)
            .where(OrgUnit.kind == kind, OrgUnit.closed_at.is_(None))
            .order_by(OrgUnit.name, OrgUnit.code)
        )
        return [(code, name) for code, name in self.session.execute(query).all()]

    def names(self) -> NameBook:
        """Current and past names of every unit."""
        current = dict(self.session.execute(select(OrgUnit.code, OrgUnit.name)).tuples().all())
        past = self.session.execute(
            select(OrgUnitName.unit_code, OrgUnitName.name, OrgUnitName.valid_from,
                   OrgUnitName.valid_to).order_by(OrgUnitName.valid_to)
        ).all()  # fmt: skip
        return NameBook(current, [tuple(row) for row in past])

    def changes(self, limit: int = 50) -> list[ChangeRecord]:
        """The latest logged changes, newest first."""
        rows = self.session.scalars(
            select(OrgChange).order_by(OrgChange.at.desc(), OrgChange.id.desc()).limit(limit)
        )
        return [ChangeRecord(c.at, c.actor, c.action, c.subject, dict(c.details)) for c in rows]

    # --- units ------------------------------------------------------------------------------

    def add_unit(
        self, code: str, name: str, kind: str, parent: str | None, actor: str,
        at: datetime | None = None,
    ) -> UnitRecord:  # fmt: skip
        """Create a unit; its code is permanent (cases store it), its name may change later."""
        code, name, parent = code.strip(), name.strip(), (parent or "").strip() or None
        errors = self.unit_errors(code, name, kind, parent)
        if not errors and self.session.get(OrgUnit, code) is not None:
            errors.append(FieldError("code", "code_taken", {"value": code}))
        _raise(errors)
        self.session.add(OrgUnit(code=code, name=name, kind=kind, parent_code=parent))
        self._flush_new(code)
        self.log(actor, at, "unit_added", code, {"name": name, "kind": kind, "parent": parent})
        return self.unit(code)

    def unit_errors(
        self, code: str, name: str, kind: str, parent: str | None, known: set[str] | None = None
    ) -> list[FieldError]:
        """What is wrong with a new unit's values (`known`: codes an import adds before it)."""
        errors = []
        if not CODE.fullmatch(code):
            errors.append(FieldError("code", "bad_code", {"value": code}))
        errors += self._name_errors(name)
        if kind not in KINDS:
            errors.append(FieldError("kind", "not_an_option", {"value": kind, "choices": KINDS}))
        if parent and parent not in (known or set()):
            found = self.session.get(OrgUnit, parent)
            if found is None or found.closed_at is not None:
                errors.append(FieldError("parent", "unknown_unit", {"value": parent}))
        return errors

    def rename_unit(
        self, code: str, name: str, actor: str, at: datetime | None = None
    ) -> UnitRecord:
        """Give a unit a new name from `at` on; events before keep the old one."""
        name = name.strip()
        _raise(self._name_errors(name))
        unit = self._locked_unit(code)
        if unit.name == name:
            return self.unit(code)
        since = self.session.scalar(
            select(func.max(OrgUnitName.valid_to)).where(OrgUnitName.unit_code == code)
        )
        now = _now(at)  # read after the lock: a rename that waited for another comes after it
        if since is not None and now < since:
            now = since
        self.session.add(OrgUnitName(unit_code=code, name=unit.name, valid_from=since,
                                     valid_to=now))  # fmt: skip
        self.log(actor, now, "unit_renamed", code, {"from": unit.name, "to": name})
        unit.name = name
        return self.unit(code)

    def close_unit(self, code: str, actor: str, at: datetime | None = None) -> UnitRecord:
        """Close a unit: forms stop offering it; refused while it has staff or open units."""
        now = _now(at)
        unit = self._locked_unit(code)
        if unit.closed_at is not None:
            return self.unit(code)
        staff = self.session.scalar(
            select(func.count()).select_from(User)
            .where(User.unit_code == code, User.active.is_(True))
        )  # fmt: skip
        children = self.session.scalar(
            select(func.count()).select_from(OrgUnit)
            .where(OrgUnit.parent_code == code, OrgUnit.closed_at.is_(None))
        )  # fmt: skip
        errors = []
        if staff:
            errors.append(FieldError("code", "unit_has_staff", {"count": staff}))
        if children:
            errors.append(FieldError("code", "unit_has_units", {"count": children}))
        _raise(errors)
        unit.closed_at = now
        self.log(actor, now, "unit_closed", code, {"name": unit.name})
        return self.unit(code)

    def reopen_unit(self, code: str, actor: str, at: datetime | None = None) -> UnitRecord:
        """Open a closed unit again (a close made by mistake); its parent must be open."""
        unit = self._locked_unit(code)
        if unit.closed_at is None:
            return self.unit(code)
        parent = self.session.get(OrgUnit, unit.parent_code) if unit.parent_code else None
        if parent is not None and parent.closed_at is not None:
            _raise([FieldError("parent", "unknown_unit", {"value": parent.name})])
        unit.closed_at = None
        self.log(actor, at, "unit_reopened", code, {"name": unit.name})
        return self.unit(code)

    # --- staff ------------------------------------------------------------------------------

    def add_staff(
        self, username: str, name: str, unit: str, roles: list[str], actor: str,
        at: datetime | None = None, password: str | None = None,
        groups: list[str] | None = None,
    ) -> StaffRecord:  # fmt: skip
        """Create a staff member in a unit; the roles give their candidate groups."""
        username, name = username.strip(), name.strip()
        errors = self.staff_errors(username, name, unit, roles)
        if not errors and self.session.get(User, username) is not None:
            errors.append(FieldError("username", "username_taken", {"value": username}))
        _raise(errors)
        self.session.add(User(
            username=username, display_name=name, unit_code=unit, roles=list(roles),
            groups=groups if groups is not None else groups_for(roles, unit), active=True,
            password_hash=hash_password(password) if password else None))  # fmt: skip
        self._flush_new(username)
        self.log(actor, at, "staff_added", username, {"name": name, "unit": unit,
                                                       "roles": list(roles)})  # fmt: skip
        return self._staff(username)

    def staff_errors(
        self, username: str, name: str, unit: str, roles: list[str], known: set[str] | None = None
    ) -> list[FieldError]:
        """What is wrong with a staff member's values (`known`: units an import adds)."""
        errors = []
        if not USERNAME.fullmatch(username):
            errors.append(FieldError("username", "bad_username", {"value": username}))
        errors += self._name_errors(name)
        if unit not in (known or set()):
            found = self.session.get(OrgUnit, unit) if unit else None
            if found is None or found.closed_at is not None:
                errors.append(FieldError("unit", "unknown_unit", {"value": unit}))
        bad = [r for r in roles if r not in ROLE_GROUPS]
        if not roles or bad:
            errors.append(FieldError("roles", "not_an_option",
                                     {"value": ",".join(bad), "choices": ROLES}))  # fmt: skip
        return errors

    def staff_active(self, username: str) -> bool:
        """Whether the account exists and is enabled."""
        user = self.session.get(User, username)
        return bool(user is not None and user.active)

    def set_staff_active(
        self, username: str, active: bool, actor: str, at: datetime | None = None
    ) -> StaffRecord:
        """Disable (or enable again) a staff account; history keeps their name."""
        user = self.session.get(User, username, with_for_update=True, populate_existing=True)
        if user is None:
            raise NotFound(f"unknown user '{username}'")
        if bool(user.active) != active:
            user.active = active
            self.log(actor, at, "staff_enabled" if active else "staff_disabled", username,
                      {"name": user.display_name})  # fmt: skip
        return self._staff(username)

    # --- helpers ----------------------------------------------------------------------------

    def _staff(self, username: str) -> StaffRecord:
        u = self.session.get(User, username)
        if u is None:
            raise NotFound(f"unknown user '{username}'")
        return StaffRecord(u.username, u.display_name, u.unit_code, tuple(u.roles),
                           tuple(u.groups), bool(u.active))  # fmt: skip

    def _name_errors(self, name: str) -> list[FieldError]:
        if not name:
            return [FieldError("name", "required")]
        if len(name) > MAX_NAME:
            return [FieldError("name", "too_long", {"max": MAX_NAME})]
        return []

    def _locked_unit(self, code: str) -> OrgUnit:
        # populate_existing: the row as the previous lock holder left it, not a cached copy
        unit = self.session.get(OrgUnit, code, with_for_update=True, populate_existing=True)
        if unit is None:
            raise NotFound(f"unknown unit '{code}'")
        return unit

    def _flush_new(self, key: str) -> None:
        """Write the new row now, so a concurrent insert of the same key is a clean 409."""
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            raise Conflict(f"'{key}' was just added by someone else") from None

    def log(
        self, actor: str, at: datetime | None, action: str, subject: str, details: dict[str, Any]
    ) -> None:
        """Record a change in the log the admin page shows."""
        self.session.add(OrgChange(at=_now(at), actor=actor, action=action, subject=subject,
                                   details=details))  # fmt: skip
