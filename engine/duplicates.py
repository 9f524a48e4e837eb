"""Duplicates (重复件): suggest similar open cases to the clerk, merge one into another.

A case is suggested as a possible duplicate of another when both are open cases of the
same process, of the same kind, at the same place (the village/community chosen at intake,
else the receiving window) and their texts are alike (`similarity.jaccard` of title and
description at or above `similarity.THRESHOLD`). Merging stops the duplicate (its open
tasks go, its status becomes `merged`, its history says where it went) and the main case's
answer becomes the duplicate's answer on the tracking page, so both submitters are answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import organisation
from . import reach_queries as q
from . import repository as repo
from .acting import claim_case_row
from .errors import Conflict, NotAllowed, NotFound
from .models import Case
from .models_reach import CaseLink
from .recording import record_event
from .similarity import THRESHOLD, jaccard
from .staff import Staff
from .work import Work

if TYPE_CHECKING:
    from .organisation import UserView

MERGED = "merged"
# Roles that decide about duplicates: window clerks and the coordinating office (auditors,
# discipline and the other district-wide roles see cases but do not decide this).
DECIDERS = frozenset({"clerk", "leading_office", "admin"})
LOOK_BACK = timedelta(days=90)  # older open cases are not suggested


@dataclass(frozen=True)
class Suggestion:
    """An open case that may be the same matter, and why it was suggested."""

    key: str
    title: str
    kind: str
    place: str  # the unit code both cases share
    score: float  # bigram Jaccard of the texts, 0-1
    created_at: datetime


@dataclass(frozen=True)
class MergedCase:
    """A duplicate absorbed by a main case, with the submitter the answer also goes to."""

    key: str
    title: str
    contact: dict[str, Any]
    created_at: datetime


def place_of(data: dict[str, Any]) -> str | None:
    """Where a matter is: the village/community chosen at intake, else the receiving window."""
    place = data.get("place_unit") or data.get("intake_unit")
    return str(place) if place else None


def text_of(data: dict[str, Any]) -> str:
    """The words compared: the title and the description."""
    return f"{data.get('title', '')} {data.get('description', '')}"


class Duplicates:
    """Suggest, merge and tell apart duplicate cases within one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def suggest(self, key: str, viewer: str, limit: int = 5) -> list[Suggestion]:
        """Open cases like this one that the viewer may see, most alike first."""
        user = Staff(self.work).get_user(viewer)
        case = self._visible(key, user)
        if case.status != "running" or not place_of(case.data):
            return []
        version = self.work.version(case)
        decided = q.linked_case_ids(self.session, case.id)
        since = case.created_at - LOOK_BACK
        found = []
        for other in q.open_cases_of_process(self.session, version.process_id, since, case.id):
            if other.id in decided or not _same_matter_kind(case.data, other.data):
                continue
            score = jaccard(text_of(case.data), text_of(other.data))
            if score >= THRESHOLD and organisation.may_view_case(self.session, other, user):
                found.append(Suggestion(other.business_key, other.title,
                                        str(other.data.get("kind", "")),
                                        place_of(other.data) or "", round(score, 2),
                                        other.created_at))  # fmt: skip
        found.sort(key=lambda s: (-s.score, s.created_at))
        return found[:limit]

    def merge(self, duplicate: str, main: str, actor: str, at: datetime | None = None) -> None:
        """Merge `duplicate` into `main`: the duplicate stops and is answered by the main case.

        Both cases are locked in id order, so two clerks merging the same pair either way
        cannot deadlock, and the second sees the first one's merge (Conflict).
        """
        user = self._decider(actor)
        if duplicate == main:
            raise Conflict("a case cannot be merged into itself")
        dup, host = self._lock_pair(duplicate, main, user)
        if dup.status != "running":
            raise Conflict(f"case {duplicate} is no longer open ({dup.status}); nothing to merge")
        if host.status == MERGED:
            raise Conflict(f"case {main} was itself merged; merge into its main case instead")
        if q.merged_from(self.session, dup.id):
            raise Conflict(f"case {duplicate} already absorbs duplicates; merge {main} into it")
        instant = (at or datetime.now(UTC)).astimezone(UTC)
        self._decide(dup, host, MERGED, actor, instant)
        repo.remove_human_tasks(self.session, [t.id for t in repo.case_tasks(self.session, dup.id)])
        dup.status, dup.next_timer_at = MERGED, None
        self._note(dup, "merged", actor, instant, {"into": host.business_key})
        self._note(host, "duplicate_merged", actor, instant, {"duplicate": dup.business_key})

    def mark_distinct(self, key: str, other: str, actor: str, at: datetime | None = None) -> None:
        """Record that two suggested cases are different matters (no longer suggested)."""
        user = self._decider(actor)
        if key == other:
            raise Conflict("a case cannot be told apart from itself")
        case, other_case = self._lock_pair(key, other, user)
        instant = (at or datetime.now(UTC)).astimezone(UTC)
        self._decide(case, other_case, "distinct", actor, instant)
        self._note(case, "marked_distinct", actor, instant, {"other": other_case.business_key})

    def merged_into(self, key: str) -> str | None:
        """The main case's number if this case was merged into one."""
        main = q.merged_into(self.session, repo.case_by_key(self.session, key).id)
        return main.business_key if main is not None else None

    def merged_from(self, key: str, viewer: str) -> list[MergedCase]:
        """The duplicates merged into a case the viewer may see, with their submitters."""
        case = self._visible(key, Staff(self.work).get_user(viewer))
        return [
            MergedCase(d.business_key, d.title, dict(d.data.get("contact") or {}), d.created_at)
            for d in q.merged_from(self.session, case.id)
        ]

    # --- internals --------------------------------------------------------------------------

    def _decider(self, username: str) -> UserView:
        user = Staff(self.work).get_user(username)
        if not DECIDERS & set(user.roles):
            raise NotAllowed("only window clerks and coordinating offices decide about duplicates")
        return user

    def _visible(self, key: str, user: UserView) -> Case:
        case = repo.case_by_key(self.session, key)
        if not organisation.may_view_case(self.session, case, user):
            raise NotFound(f"no case with key '{key}'")
        return case

    def _lock_pair(self, first: str, second: str, user: UserView) -> tuple[Case, Case]:
        """Both cases (visible to the user), locked in a stable order (by id)."""
        a, b = self._visible(first, user), self._visible(second, user)
        locked = {c.id: repo.lock_case(self.session, case_id=c.id) for c in sorted((a, b), key=_id)}
        return locked[a.id], locked[b.id]

    def _decide(self, case: Case, other: Case, relation: str, actor: str, at: datetime) -> None:
        row = q.link(self.session, case.id, other.id)
        if row is None:
            self.session.add(CaseLink(case_id=case.id, other_case_id=other.id,
                                      relation=relation, actor=actor, at=at))  # fmt: skip
        else:
            row.relation, row.actor, row.at = relation, actor, at

    def _note(
        self, case: Case, kind: str, actor: str, at: datetime, inputs: dict[str, Any]
    ) -> None:
        """An event that changes no case data (the hash chain still covers it)."""
        case.updated_at = at
        record_event(self.session, case, kind, actor, at, inputs, case.data, case.data,
                     checkpoint=False)  # fmt: skip
        claim_case_row(self.session)


def _id(case: Case) -> int:
    return case.id


def _same_matter_kind(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same kind of matter at the same place."""
    return a.get("kind") == b.get("kind") and place_of(a) == place_of(b)
