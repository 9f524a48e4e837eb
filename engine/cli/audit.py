"""`audit verify|export` and `replay`: tamper checks on the recorded history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..service import Engine
from .common import Problem, json_default, json_option, pass_engine, print_json, progress


@click.group("audit")
def audit() -> None:
    """Tamper checks."""


@audit.command("verify")
@click.argument("key", required=False)
@click.option("--heads", help="a file written by `audit export` to compare against")
@pass_engine
def verify(engine: Engine, key: str | None, heads: str | None) -> int:
    """Recompute hash chains (every case, or the one named)."""
    with engine.transaction() as service:
        findings = service.chain.verify(key, progress=progress)
        chains = service.chain.export_checkpoints()
        if heads:
            exported = read_heads(Path(heads))
            if key:  # the file holds every case; compare only the one asked about
                exported = {k: v for k, v in exported.items() if k == key}
            findings += service.chain.verify_heads(exported)
    for finding in findings:
        print(f"TAMPERED {finding}")
    if findings:
        return 1
    print(f"ok: {len(chains) if not key else 1} case chain(s) intact")
    return 0


def read_heads(path: Path) -> dict[str, Any]:
    """The chain heads in a file written by `audit export`."""
    try:
        heads = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise Problem(f"error: cannot read heads file {path}: {error}") from None
    if not isinstance(heads, dict):
        raise Problem(f"error: {path} is not a file written by `mashangban audit export`")
    return heads


@audit.command("export")
@click.argument("file")
@pass_engine
def export(engine: Engine, file: str) -> int:
    """Export every chain head."""
    with engine.transaction() as service:
        heads = service.chain.export_checkpoints()
    Path(file).write_text(json.dumps(heads, indent=2, ensure_ascii=False))
    print(f"exported the chain heads of {len(heads)} case(s) to {file}")
    return 0


@click.command("replay")
@click.argument("key")
@click.option("--step", type=int, help="stop after this event (default: all)")
@json_option
@pass_engine
def replay(engine: Engine, key: str, step: int | None, as_json: bool) -> int:
    """Rebuild a case from its recorded inputs.

    Exits with 1 if the replayed state differs from the stored one.
    """
    with engine.transaction() as service:
        result = service.chain.replay(key, step)
    if as_json:
        print_json(result)
        return 0 if result.matches_stored is not False else 1
    print(f"case {result.key} replayed to event {result.step}: {result.status}")
    print(f"  active tasks: {', '.join(result.active_tasks) or '-'}")
    print("  data: " + json.dumps(result.data, ensure_ascii=False, default=json_default))
    if result.matches_stored is not None:
        verdict = "identical to" if result.matches_stored else "DIFFERENT from"
        print(f"  replayed state is {verdict} the stored state")
    return 0 if result.matches_stored is not False else 1


COMMANDS = (audit, replay)
