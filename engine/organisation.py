"""Who is who: organisation units, staff, their roles, and which cases they may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from .list_queries import among, task_ids
from .models import Case, CaseEvent, HumanTask, HumanTaskCandidate, OrgUnit, User
from .models_reach import DirectReport

# Roles that oversee the whole district: they may see every case.
DISTRICT_WIDE_ROLES = frozenset(
    {"leading_office", "joint_meeting", "supervising_office", "discipline", "auditor",
     "process_admin", "admin"}
)  # fmt: skip


# The discipline office reads 一键直达 reports even when its own unit is accused (it handles them).
ACCUSER_ROLE = "discipline"


@dataclass(frozen=True)
class UserView:
    """A staff member as the web shows and authorizes them."""

    username: str
    display_name: str
    unit_code: str | None
    unit_name: str | None
    roles: tuple[str, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True)
class UnitView:
    """An organisation unit."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    closed: bool = False  # closed on the organisation page: named in history, offered nowhere


def user_view(session: Session, user: User) -> UserView:
    """Build the view of a user row."""
    unit = session.get(OrgUnit, user.unit_code) if user.unit_code else None
    return UserView(user.username, user.display_name, user.unit_code,
                    unit.name if unit else None, tuple(user.roles), tuple(user.groups))  # fmt: skip


def units(session: Session) -> list[UnitView]:
    """Every unit, by kind then code."""
    rows = session.scalars(select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.code))
    return [UnitView(u.code, u.name, u.kind, u.parent_code, u.closed_at is not None) for u in rows]


def subtree(session: Session, root: str) -> set[str]:
    """The unit and every unit below it."""
    children: dict[str | None, list[str]] = {}
    for unit in session.scalars(select(OrgUnit)):
        children.setdefault(unit.parent_code, []).append(unit.code)
    found, pending = set(), [root]
    while pending:
        code = pending.pop()
        if code not in found:
            found.add(code)
            pending.extend(children.get(code, []))
    return found


def may_view_case(session: Session, case: Case, user: UserView) -> bool:
    """District-wide roles, the owning unit's line, past actors and current candidates;
    never the unit a 一键直达 report accuses (issue 14), whatever its role."""
    if _accused_by(session, case.id, user):
        return False
    if DISTRICT_WIDE_ROLES & set(user.roles):
        return True
    if case.owner_unit and user.unit_code and case.owner_unit in subtree(session, user.unit_code):
        return True
    acted = (
        select(CaseEvent.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.actor == user.username)
        .limit(1)
    )
    if session.scalar(acted) is not None:
        return True
    return _offered_an_open_task(session, case.id, user.username, user.groups)


def visible_cases(session: Session, user: UserView, status: str | None, limit: int) -> list[Case]:
    """The most recently changed cases the user may see (the same rule, as one query)."""
    query = select(Case).where(*visible_conditions(session, user, status))
    return list(session.scalars(query.order_by(Case.updated_at.desc()).limit(limit)))


def visible_conditions(session: Session, user: UserView, status: str | None) -> list[Any]:
    """Conditions on `cases` for the cases the user may see (optionally of one status)."""
    conditions: list[Any] = []
    if status:
        conditions.append(Case.status == status)
    accusing = reports_accusing(user)
    if accusing is not None:  # reports accusing my unit: never
        conditions.append(Case.id.not_in(accusing))
    if not DISTRICT_WIDE_ROLES & set(user.roles):
        # One union of index lookups: an OR of the three (and an OR across the candidates'
        # join) made PostgreSQL scan every case and every open task.
        units = subtree(session, user.unit_code) if user.unit_code else set()
        dialect = session.get_bind().dialect.name
        tasks = among(dialect, HumanTask.id, task_ids(user.username, list(user.groups)))
        branches = [
            select(CaseEvent.case_id).where(CaseEvent.actor == user.username),
            select(HumanTask.case_id).where(tasks),
        ]
        if units:
            branches.append(select(Case.id).where(Case.owner_unit.in_(units)))
        conditions.append(among(dialect, Case.id, union(*branches)))
    return conditions


def reports_accusing(user: UserView) -> Any:
    """The ids of 一键直达 reports accusing the user's unit (a subquery), or None if none may."""
    if not user.unit_code or ACCUSER_ROLE in user.roles:
        return None
    return select(DirectReport.case_id).where(DirectReport.accused_unit == user.unit_code)


def _accused_by(session: Session, case_id: int, user: UserView) -> bool:
    """Whether the case is a 一键直达 report accusing the user's unit (discipline excepted)."""
    if not user.unit_code or ACCUSER_ROLE in user.roles:
        return False
    report = session.get(DirectReport, case_id)
    return report is not None and report.accused_unit == user.unit_code


def _offered_to(username: str, groups: Iterable[str]) -> Any:
    return (
        (HumanTask.assignee == username)
        | (HumanTask.claimed_by == username)
        | ((HumanTaskCandidate.kind == "group") & HumanTaskCandidate.name.in_(list(groups)))
        | ((HumanTaskCandidate.kind == "user") & (HumanTaskCandidate.name == username))
    )


def _offered_an_open_task(
    session: Session, case_id: int, username: str, groups: Iterable[str]
) -> bool:
    query = (
        select(HumanTask.id)
        .join(HumanTaskCandidate, HumanTaskCandidate.task_id == HumanTask.id, isouter=True)
        .where(HumanTask.case_id == case_id)
        .where(_offered_to(username, groups))
        .limit(1)
    )
    return session.scalar(query) is not None
