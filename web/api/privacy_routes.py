"""The personal-data endpoints under /api/v1 (shapes in schemas/people.py).

The access log and a case's sealed values (never the values themselves: which existed,
which were erased, when and by whom). Only auditors, the discipline office and admins
read them (403 for other staff, as `engine.privacy` decides).
"""

from __future__ import annotations

from engine.organisation import UserView
from engine.privacy import AccessEntry, Erasure

from .. import db
from .operations import Reply, operation
from .schemas import iso
from .schemas import people as shapes

FORBIDDEN = {403: "Only auditors, the discipline office and admins (`not_allowed`)."}


def _entry(entry: AccessEntry) -> shapes.AccessEntry:
    # model_validate: the engine's reason, channel and fields are plain text the model checks.
    return shapes.AccessEntry.model_validate({
        "at": entry.at.isoformat(), "username": entry.username, "case_no": entry.case_key,
        "reason": entry.reason, "channel": entry.channel, "fields": list(entry.fields),
        "request_id": entry.request_id,
    })  # fmt: skip


def _erasure(value: Erasure) -> shapes.PersonalValue:
    return shapes.PersonalValue(
        field=value.field, commitment=value.commitment, recorded_at=value.recorded_at.isoformat(),
        erased_at=iso(value.erased_at), erased_by=value.erased_by,
    )  # fmt: skip


@operation("get", "/audit/access-log", query=shapes.AccessLogQuery, errors=FORBIDDEN,
           ok=Reply(shapes.AccessLog, "The log."))  # fmt: skip
def access_log(user: UserView, query: shapes.AccessLogQuery) -> shapes.AccessLog:
    """Every full view of a citizen's personal data, newest first."""
    entries = db.service().privacy.access_log(user.username, query.case.strip() or None)
    return shapes.AccessLog(entries=[_entry(e) for e in entries])


@operation("get", "/cases/<key>/personal", errors=FORBIDDEN,
           ok=Reply(shapes.PersonalValues, "The values."))  # fmt: skip
def personal_values(key: str, user: UserView) -> shapes.PersonalValues:
    """A case's sealed personal values (never the values): which exist, which were erased,
    when and by whom."""
    values = db.service().privacy.erasures(key, user.username)
    return shapes.PersonalValues(case_no=key, values=[_erasure(v) for v in values])
