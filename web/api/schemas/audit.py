"""A case's history, its replay and the verification of the chain (api/audit_routes.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ...replayview import FINDINGS
from . import Answer, Body, Instant, JsonObject, Query, Texts

# --- requests ---------------------------------------------------------------------------------


class ReplayQuery(Query):
    """Which step to show (1 = right after the first event)."""

    step: Annotated[int, Field(ge=1)] = 1


class Head(Body):
    """Where a case's chain ended when it was exported."""

    seq: int
    head: str


class VerifyRequest(Body):
    """One case, or every case; optionally against heads kept elsewhere."""

    case: Annotated[str | None, Field(
        max_length=100, description="Omit to verify every case.")] = None  # fmt: skip
    heads: Annotated[
        dict[str, Head] | None,
        Field(description="`mashangban audit export` output: {case: {seq, head}}."),
    ] = None


# --- answers ----------------------------------------------------------------------------------


class HistoryEvent(Answer):
    """One event as its hash covers it, with the hashes and the request that caused it."""

    case: str
    seq: int
    at: Instant
    actor: str
    kind: str
    task_id: str | None
    task_spec: str | None
    inputs: JsonObject
    data_before: JsonObject
    data_after: JsonObject
    prev_hash: str
    hash: str
    request_id: str | None = Field(
        description="The web request that caused the event (as in the JSON logs); not "
        "covered by the hash."
    )


class ChainHead(Answer):
    """The last event's number and hash."""

    seq: int
    head: str | None


class History(Answer):
    """A case's events, oldest first, and the chain head."""

    case: str
    process_id: str
    version: int
    events: list[HistoryEvent]
    head: ChainHead


class ReplayEvent(Answer):
    """The event of a replay step."""

    seq: int
    at: Instant
    actor: str
    kind: str
    task_id: str | None
    task_spec: str | None
    inputs: JsonObject
    what: str
    hash: str


class CalledElements(Answer):
    """A called process's elements at this step."""

    completed: Texts
    active: Texts


class ReplayTimer(Answer):
    """A timer waiting at this step."""

    element: str
    name: str
    due: Instant | None
    due_text: str


class ReplayStep(Answer):
    """The case right after event `step`: diagram elements and data."""

    step: int
    steps: int
    version: int
    process_id: str
    event: ReplayEvent
    completed: Texts
    active: Texts
    called: dict[str, CalledElements] = Field(
        description="Called process id -> its completed and active element ids."
    )
    data_before: JsonObject
    data_after: JsonObject
    changes: list[JsonObject]
    timers: list[ReplayTimer]


class VerificationFinding(Answer):
    """Something wrong with a case's history."""

    case: str
    seq: int | None
    problem: str
    code: Literal[tuple(FINDINGS)]  # type: ignore[valid-type]
    params: dict[str, Any]


class Verification(Answer):
    """The result of a verification."""

    intact: bool
    checked_at: Instant
    cases: int
    findings: list[VerificationFinding]
