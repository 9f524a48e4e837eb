"""The hash chain over a case's events, and its verification.

Each event's hash is SHA-256 over the previous event's hash and the event's own
canonical content (sorted-key JSON). Editing, deleting or reordering an event
breaks the chain at that event; truncating it is caught by comparing the last event
with the checkpoint: the head the case row keeps (and exportable outside the database).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64

EVENT_KINDS = (
    "started", "claimed", "unclaimed", "task_completed", "timer_fired", "message_received",
    "escalated", "reminded", "returned", "extended", "data_edited", "migrated", "failed",
    "recalculated", "transferred", "passed_up", "first_response_missed", "reassigned",
    "meeting_decided", "personal_erased", "kb_linked",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot store {type(value).__name__} in history")


def to_json_value(value: Any) -> Any:
    """Convert task data to plain JSON values (dates and decimals tagged)."""
    return json.loads(json.dumps(value, default=_plain, ensure_ascii=False))


def _untag(value: dict[str, Any]) -> Any:
    if len(value) != 1:
        return value
    tag, text = next(iter(value.items()))
    parse: dict[str, Callable[[str], Any]] = {
        "$datetime": datetime.fromisoformat,
        "$date": date.fromisoformat,
        "$decimal": Decimal,
    }
    if tag not in parse or not isinstance(text, str):
        return value
    try:
        return parse[tag](text)
    except (ValueError, ArithmeticError):
        return value  # user data that merely looks like a tag stays as it is


def from_json_value(value: Any) -> Any:
    """Undo `to_json_value`: tagged dates and decimals become objects again."""
    return json.loads(json.dumps(value), object_hook=_untag)


def canonical(content: dict[str, Any]) -> bytes:
    """The exact bytes an event's hash covers."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode("utf-8")


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and this event's canonical content."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(content)).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """The stored fields of one event, as read back for verification."""

    seq: int
    prev_hash: str
    hash: str
    content: dict[str, Any]


@dataclass(frozen=True)
class AuditFinding:
    """The first point where a case's history no longer proves itself."""

    case_key: str
    seq: int
    problem: str  # English, for logs and the CLI
    code: str = "unknown"  # stable: readers translate this, never the text above
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.case_key}: event {self.seq}: {self.problem}"


def verify_chain(
    case_key: str,
    links: Iterable[ChainLink],
    checkpoint: tuple[int, str] | None,
) -> AuditFinding | None:
    """Recompute a case's chain; return the first edited, deleted, reordered or missing event."""
    expected_prev = GENESIS
    expected_seq = 1
    last: ChainLink | None = None
    for link in links:
        if link.seq != expected_seq:
            kind = "deleted" if link.seq > expected_seq else "reordered or duplicated"
            code = "event_deleted" if link.seq > expected_seq else "event_reordered"
            return AuditFinding(case_key, expected_seq, f"event {expected_seq} is missing ({kind})",
                                code, {"seq": expected_seq})  # fmt: skip
        if link.prev_hash != expected_prev:
            return AuditFinding(
                case_key,
                link.seq,
                "does not follow the previous event "
                "(an earlier event was removed or events were reordered)",
                "chain_broken",
            )
        if chain_hash(link.prev_hash, link.content) != link.hash:
            return AuditFinding(
                case_key, link.seq, "its content was edited after it was recorded", "event_edited"
            )
        expected_prev, expected_seq, last = link.hash, link.seq + 1, link
    return _check_head(case_key, last, checkpoint)


def _check_head(
    case_key: str, last: ChainLink | None, checkpoint: tuple[int, str] | None
) -> AuditFinding | None:
    if checkpoint is None:
        return None
    seq, head = checkpoint
    last_seq = last.seq if last is not None else 0
    if last_seq < seq:
        return AuditFinding(
            case_key,
            last_seq + 1,
            f"the history was truncated: the checkpoint records {seq} events, {last_seq} remain",
            "history_truncated",
            {"recorded": seq, "remain": last_seq},
        )
    if last is not None and last.seq == seq and last.hash != head:
        return AuditFinding(
            case_key,
            seq,
            "the chain was rewritten: its head differs from the checkpoint",
            "chain_rewritten",
        )
    if last_seq > seq:
        return AuditFinding(
            case_key, seq + 1, "events were appended after the last checkpoint", "events_appended"
        )
    return None
