"""Units and staff of the organisation (api/org_routes.py)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from engine.orgchart import CODE, KINDS, ROLES, USERNAME

from . import Answer, Body, Instant, JsonObject, Texts, checked, one_of


def _matching(pattern: re.Pattern[str], code: str) -> FieldInfo:
    """Text that fully matches `pattern`, else the engine's own field code (`bad_code`...)."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise PydanticCustomError(code, "'{value}' does not fit", {"value": value})
        return value

    return checked(check, json_schema_extra={"pattern": f"^{pattern.pattern}$"})


UnitCode = Annotated[str, _matching(CODE, "bad_code")]
Username = Annotated[str, _matching(USERNAME, "bad_username")]
Name = Annotated[str, Field(max_length=100)]

# --- requests ---------------------------------------------------------------------------------


class UnitCreate(Body):
    """A new unit (its code is permanent; cases store it)."""

    code: UnitCode
    name: Name
    kind: Annotated[str, one_of(KINDS)]
    parent: Annotated[str, Field(max_length=50)] | None = None


class UnitRename(Body):
    """The unit's name from now on."""

    name: Name


class StaffCreate(Body):
    """A new staff member; the roles give their task groups."""

    username: Username
    name: Name
    unit: Annotated[str, Field(max_length=50)]
    roles: list[Annotated[str, one_of(ROLES)]]
    password: Annotated[str, Field(max_length=256)] = ""


class StaffActive(Body):
    """Disable (`false`) or enable (`true`) an account."""

    active: bool


class OrgImport(Body):
    """Units and staff in the export format; each row is checked and reported by line."""

    units: list[JsonObject] | None = None
    users: list[JsonObject] | None = None


# --- answers ----------------------------------------------------------------------------------


class OrgUnit(Answer):
    """A unit, open or closed."""

    code: str
    name: str
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    parent: str | None
    closed_at: Instant | None
    staff: int = Field(description="Active staff members.")


class OrgUnits(Answer):
    """Every unit."""

    units: list[OrgUnit]


class OrgStaff(Answer):
    """A staff member, active or disabled."""

    username: str
    name: str
    unit: str | None
    roles: Texts
    groups: Texts
    active: bool


class OrgStaffList(Answer):
    """Every staff member."""

    staff: list[OrgStaff]


class ExportedUnit(Answer):
    """A unit in the import format."""

    code: str
    name: str
    kind: str
    parent: str | None
    closed: bool


class ExportedStaff(Answer):
    """A staff member in the import format."""

    username: str
    name: str
    unit: str | None
    roles: Texts
    groups: Texts
    active: bool


class OrgExport(Answer):
    """Units and staff in the import format."""

    units: list[ExportedUnit]
    users: list[ExportedStaff]


class RowProblem(Answer):
    """One bad value of an imported row."""

    field: str
    code: str
    params: dict[str, Any]
    message: str


class ImportRow(Answer):
    """What happened to one row."""

    line: int
    what: Literal["unit", "staff"]
    key: str
    action: Literal["created", "updated", "unchanged", "error"]
    errors: list[RowProblem]


class ImportResult(Answer):
    """Every row's result; nothing was applied if any row failed."""

    applied: bool
    rows: list[ImportRow]
