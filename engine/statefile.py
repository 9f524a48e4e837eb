"""How a case's workflow state is written to the `cases.state` column.

Cases started before bounded state (`pruning.py`) keep SpiffWorkflow's own JSON, byte
for byte, and replay the way they were run: restore, act, dump, event by event.

Bounded cases are written canonically: the keys of the workflows' and every task's data,
data delta and internal data sorted, and its list of deleted data keys sorted. A workflow
kept in memory and one restored from storage can hold the same data in a different key
order (a task's delta lists keys in its parent's order), so only a canonical form lets a
one-pass replay reproduce the stored bytes exactly. The order of the tasks themselves is
kept: the library restores a task's data from its parent's, so parents must come first.
"""

from __future__ import annotations

import json
from typing import Any

from .pruning import is_bounded


def dump(serializer: Any, workflow: Any) -> str:
    """The state to store: canonical for bounded cases, the library's own otherwise."""
    if not is_bounded(workflow):
        return str(serializer.serialize_json(workflow))
    serializer.registry._encoder_mode = True  # as `serialize_json` does around `to_dict`
    try:
        document = serializer.to_dict(workflow)
        document[serializer.VERSION_KEY] = serializer.VERSION
        _canonical_tasks(document)
        return json.dumps(document, cls=serializer._encoder_cls)
    finally:
        serializer.registry._encoder_mode = False


def _canonical_tasks(document: dict[str, Any]) -> None:
    for workflow in (document, *document["subprocesses"].values()):
        if "data" in workflow:
            workflow["data"] = _sorted(workflow["data"])
        for task in workflow["tasks"].values():
            task["data"] = _sorted(task["data"])
            task["internal_data"] = _sorted(task["internal_data"])
            delta = task.get("delta")
            if delta:
                task["delta"] = {"updates": _sorted(delta.get("updates", {})),
                                 "deletions": sorted(delta.get("deletions", []))}  # fmt: skip


def _sorted(value: Any) -> Any:
    """The same value with the keys of every dict in it in sorted order."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value
