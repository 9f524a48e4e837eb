"""What a monthly-meeting decision does to its agenda case, through the diagrams.

"交办部门限期办理" (`decision_type` = `assign`, with `assign_department` and
`assign_days`) starts a `department_handling` instance for that department on the
agenda case's title and description, with `sla_due` = the decision time plus that many
working days: the department's 签收/办理 tasks carry that deadline, and the new case's
key is written into the agenda case's `meeting_decided` event (`handling_case`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .cases import Cases
from .errors import FieldError, FormInvalid
from .models import Case
from .work import Work

ASSIGN = "assign"
HANDLING_PROCESS = "department_handling"
ASSIGN_FIELDS = ("assign_department", "assign_days")
COPIED = ("title", "description", "kind", "intake_unit", "tier", "channel")


def check_assign(values: dict[str, Any]) -> None:
    """An `assign` decision names its department and days; else FormInvalid by the fields."""
    if values.get("decision_type") != ASSIGN:
        return
    errors = [FieldError(name, "required") for name in ASSIGN_FIELDS
              if values.get(name) in (None, "")]  # fmt: skip
    if errors:
        raise FormInvalid(errors)


def start_assignment(
    work: Work, source: Case, decided: dict[str, Any], meeting_key: str, actor: str,
    instant: datetime,
) -> str | None:  # fmt: skip
    """Start the department's handling for an `assign` decision; its case key (else None)."""
    if decided.get("decision_type") != ASSIGN:
        return None
    department = str(decided["assign_department"])
    due = work.calendar().add_working_days(instant, int(decided["assign_days"]))
    data = {name: (source.data or {}).get(name) for name in COPIED}
    data.update(
        assignment={"department": department, "role": "lead"},
        sla_due=due.isoformat(), source_case=source.business_key, meeting=meeting_key,
    )  # fmt: skip
    started = Cases(work).start(HANDLING_PROCESS, data=data, actor=actor, at=instant)
    return started.key
