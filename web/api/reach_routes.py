"""Duplicates through the API (issue 14; shapes in schemas/people.py): the suggestions a clerk
sees beside registration, merging a duplicate into its main case, marking a pair distinct.
Scope and roles are the engine's: out of scope 404, not a clerk or the leading office 403,
an already merged or finished case 409."""

from __future__ import annotations

from engine.organisation import UserView

from .. import db
from .operations import Reply, operation
from .schemas import people as shapes

REFUSALS = {
    403: "Not a window clerk or the leading office (`not_allowed`).",
    409: "A case is already merged or finished, or it is the same case (`conflict`).",
}


@operation("get", "/cases/<key>/duplicates", ok=Reply(shapes.Duplicates, "Most alike first."))
def case_duplicates(key: str, user: UserView) -> shapes.Duplicates:
    """Open cases like this one (same kind and place, similar text)."""
    found = db.service().reach.duplicates.suggest(key, user.username)
    return shapes.Duplicates(case_no=key, suggestions=[
        shapes.Duplicate(case_no=s.key, title=s.title, kind=s.kind, place=s.place,
                         score=s.score, received_at=s.created_at.isoformat())
        for s in found])  # fmt: skip


@operation("post", "/cases/<key>/merge", body=shapes.MergeRequest, errors=REFUSALS,
           ok=Reply(shapes.Merged, "Merged."))  # fmt: skip
def case_merge(key: str, user: UserView, body: shapes.MergeRequest) -> shapes.Merged:
    """Merge this case (a duplicate) into the main case; both get its answer."""
    main = body.main.strip()
    db.service().reach.duplicates.merge(key, main, user.username)
    db.commit()
    return shapes.Merged(case_no=key, merged_into=main)


@operation("post", "/cases/<key>/distinct", body=shapes.DistinctRequest, errors=REFUSALS,
           ok=Reply(shapes.Distinct, "Recorded."))  # fmt: skip
def case_distinct(key: str, user: UserView, body: shapes.DistinctRequest) -> shapes.Distinct:
    """Record that another case is a different matter (no longer suggested)."""
    other = body.other.strip()
    db.service().reach.duplicates.mark_distinct(key, other, user.username)
    db.commit()
    return shapes.Distinct(case_no=key, distinct_from=other)
