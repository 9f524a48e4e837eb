"""Re-check an exported case history without the database: `python -m engine.history_check FILE`.

FILE is what `GET /api/v1/cases/{key}/history.jsonl` (or the case's export button)
gives: JSON Lines, a `case` header, one `event` record per event, and a `head` record.
Each event's hash is SHA-256 over the previous event's hash (ASCII hex; 64 zeros for
the first) followed by the canonical JSON of its `content`: keys sorted, separators
"," and ":", UTF-8 with non-ASCII characters kept. The chain must run 1, 2, 3, ...
and end at the head. Compare the head with one you kept earlier (a printed report,
an exported heads file) to know that nothing was cut off or rewritten since.

This file uses only Python's standard library and nothing else from `engine`, so it
can be copied alone to the machine of whoever checks. Exit status: 0 intact,
1 the chain is broken (the first bad event is named), 2 the file cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash an event must carry, given the previous one."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode("ascii") + canonical.encode("utf-8")).hexdigest()


def check(records: list[dict[str, Any]]) -> tuple[bool, str]:
    """(intact, what was found) for the records of one exported history."""
    events = [r for r in records if r.get("type") == "event"]
    heads = [r for r in records if r.get("type") == "head"]
    if not heads:
        return False, "the export has no head record: it was cut short"
    prev, expected = GENESIS, 1
    for record in events:
        seq, content = record.get("seq"), record.get("content")
        if seq != expected or not isinstance(content, dict) or content.get("seq") != seq:
            return False, f"event {expected}: missing, or events are out of order"
        if record.get("prev_hash") != prev:
            return False, f"event {seq}: does not follow event {seq - 1}"
        if event_hash(prev, content) != record.get("hash"):
            return False, f"event {seq}: its content does not match its hash (edited)"
        prev, expected = record["hash"], expected + 1
    head = heads[-1]
    if head.get("seq") != expected - 1 or head.get("head") != prev:
        return False, f"the head (event {head.get('seq')}) is not the last event of the chain"
    return True, f"intact: {expected - 1} events, head {prev}"


def read(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file (ValueError if a line is not a JSON object)."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError(f"line {number} is not a JSON object")
        records.append(record)
    return records


def main(argv: list[str] | None = None) -> int:
    """Check the file named on the command line and print the verdict."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m engine.history_check FILE.jsonl", file=sys.stderr)
        return 2
    try:
        records = read(Path(args[0]))
    except (OSError, ValueError) as error:
        print(f"error: cannot read {args[0]}: {error}", file=sys.stderr)
        return 2
    intact, message = check(records)
    case = next((r.get("case") for r in records if r.get("type") == "case"), "?")
    print(f"{case}: {message}" if intact else f"{case}: BROKEN: {message}")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
