"""`privacy purge|access-log`: the retention purge of personal data, and who saw it in full."""

from __future__ import annotations

import click

from ..service import Engine
from .common import Problem, json_option, parse_now, pass_engine, print_json


@click.group("privacy")
def privacy() -> None:
    """Personal data: retention purge and access log."""


@privacy.command("purge")
@click.option("--days", type=int, default=None,
              help="retention in days after closing (default: "
                   "MASHANGBAN_PERSONAL_DATA_RETENTION_DAYS, else 1095)")  # fmt: skip
@click.option("--now", "now_text", help="purge as of this instant (ISO-8601 with offset)")
@click.option("--user", default="system", show_default=True, help="who erases (recorded)")
@click.option("--dry-run", is_flag=True, help="only list what would be erased")
@pass_engine
def purge(engine: Engine, days: int | None, now_text: str | None, user: str,
          dry_run: bool) -> int:  # fmt: skip
    """Erase the personal data of cases closed longer ago than the retention period.

    Names, phones, ID numbers, addresses and e-mails are erased; every history chain stays
    valid (`audit verify`), and the erasure is recorded in each case's history.
    """
    if days is not None and days < 1:
        raise Problem(f"error: --days must be a whole number above 0, got {days}")
    with engine.transaction() as service:
        report = service.privacy.purge(user, parse_now(now_text), days, dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    print(f"{verb} {report.values} personal value(s) of {len(report.purged)} case(s) "
          f"closed before {report.cutoff.isoformat()}")  # fmt: skip
    for key in report.purged:
        print(f"  {key}")
    if report.legacy:
        print(f"kept {len(report.legacy)} case(s) recorded by release 0.1 (their personal "
              f"data is inside the hashed history; see README, 'Personal data'):")  # fmt: skip
        for key in report.legacy:
            print(f"  {key}")
    return 0


@privacy.command("access-log")
@click.option("--user", required=True, help="who reads the log (auditor, discipline, admin)")
@click.option("--case", "case_key", help="only this case")
@json_option
@pass_engine
def access_log(engine: Engine, user: str, case_key: str | None, as_json: bool) -> int:
    """List every full view of personal data, newest first."""
    with engine.reading() as service:
        entries = service.privacy.access_log(user, case_key)
    if as_json:
        print_json(entries)
        return 0
    for e in entries:
        print(f"{e.at.isoformat()}  {e.username}  {e.case_key}  {e.reason}  {e.channel}  "
              f"{','.join(e.fields)}")  # fmt: skip
    print(f"{len(entries)} full view(s)")
    return 0


COMMANDS = (privacy,)
