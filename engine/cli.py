"""`mashangban`: the command line over the service API (same verbs as the web)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import opscli
from .casewarnings import describe as describe_warning
from .deployment import read_sources
from .errors import Conflict, EngineError, FormInvalid, InvalidProcess
from .service import SYSTEM, Engine
from .settings import Settings
from .validation import validate

DEFAULT_PROCESSES = Path("processes")
DEMO_PASSWORD = "mashangban-demo"  # demo data only; documented in the README


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value):
        return asdict(value)  # type: ignore[arg-type]
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _print_json(value: Any) -> None:
    plain = asdict(value) if is_dataclass(value) else value  # type: ignore[arg-type]
    print(json.dumps(plain, ensure_ascii=False, indent=2, default=_json_default))


def _parse_json(text: str | None, what: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SystemExit(
            f"error: {what} is not valid JSON ({error.msg} at column {error.colno})"
        ) from None
    if not isinstance(value, dict):
        raise SystemExit(f'error: {what} must be a JSON object like \'{{"field": "value"}}\'')
    return value


def _parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(
            f"error: --now '{text}' is not ISO-8601 (e.g. 2026-10-09T09:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        raise SystemExit("error: --now needs a UTC offset, e.g. 2026-10-09T09:00+08:00")
    return moment


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- commands --------------------------------------------------------------------------------


def cmd_init(engine: Engine, args: argparse.Namespace) -> int:
    engine.init_schema()
    print(f"database ready: {_safe_url(engine.settings.database_url)}")
    return 0


def cmd_validate(engine: Engine | None, args: argparse.Namespace) -> int:
    model = validate(read_sources(args.paths))
    for problem in [*model.problems, *model.warnings]:
        print(problem)
    if model.problems:
        print(f"{len(model.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {len(model.files)} file(s), processes: {', '.join(sorted(model.processes))}")
    return 0


def cmd_deploy(engine: Engine, args: argparse.Namespace) -> int:
    files = read_sources(args.paths or [DEFAULT_PROCESSES])
    with engine.transaction() as service:
        result = service.deploy(files, actor=args.user, progress=_progress)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for process in result.processes:
        state = "new version" if process.created else "unchanged"
        print(f"{process.process_id} v{process.version} ({state})")
    if not result.changed:
        print("nothing changed: no new version created")
    return 0


def cmd_processes(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        versions = service.process_versions()
    if args.json:
        _print_json(versions)
    for v in [] if args.json else versions:
        print(f"{v['process_id']} v{v['version']}  {v['name']}  {', '.join(v['files'])}")
    return 0


def cmd_case_start(engine: Engine, args: argparse.Namespace) -> int:
    data = _parse_json(args.data, "--data")
    with engine.transaction() as service:
        case = service.start_case(args.process_id, key=args.key, data=data, actor=args.user)
    return _show_case(case, args.json)


def cmd_case_show(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        case = service.get_case(args.key)
    return _show_case(case, args.json)


def _show_case(case: Any, as_json: bool) -> int:
    if as_json:
        _print_json(case)
        return 0
    print(f"case {case.key}  {case.process_id} v{case.process_version}  status: {case.status}")
    for task in case.tasks:
        due = f"  due {task.due_at.isoformat()}" if task.due_at else ""
        print(f"  task {task.id}  {task.task_spec} ({task.name}){due}")
    if case.next_timer_at:
        print(f"  next timer: {case.next_timer_at.isoformat()}")
    for warning in case.warnings:
        print(f"  warning: {describe_warning(warning)}")
    if case.error:
        print(f"  error: {case.error}")
    print("  data: " + json.dumps(case.data, ensure_ascii=False, default=_json_default))
    return 0


def cmd_case_history(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        events = service.history(args.key)
    if args.json:
        _print_json(events)
        return 0
    for e in events:
        task = f" {e.task_spec}" if e.task_spec else ""
        print(f"{e.seq:4d} {e.at.isoformat()} {e.actor:<12} {e.kind}{task} {e.hash[:12]}")
    return 0


def cmd_task_list(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        tasks = service.list_tasks(args.user) if args.user else service.open_tasks()
    if args.json:
        _print_json(tasks)
        return 0
    for t in tasks:
        due = t.due_at.isoformat() if t.due_at else "-"
        claimed = f" claimed by {t.claimed_by}" if t.claimed_by else ""
        print(f"{t.id}  {t.case_key}  {t.task_spec} ({t.name})  due {due}{claimed}")
    return 0


def cmd_task_claim(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        task = service.claim(args.task_id, args.user)
    print(f"claimed {task.id} ({task.name}) for {args.user}")
    return 0


def cmd_task_unclaim(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        task = service.unclaim(args.task_id, args.user)
    print(f"released {task.id} ({task.name})")
    return 0


def cmd_task_complete(engine: Engine, args: argparse.Namespace) -> int:
    data = _parse_json(args.data, "--data")
    with engine.transaction() as service:
        case = service.complete_task(args.task_id, args.user, data)
    return _show_case(case, args.json)


def cmd_message(engine: Engine, args: argparse.Namespace) -> int:
    payload = _parse_json(args.data, "--data")
    with engine.transaction() as service:
        case = service.deliver_message(args.key, args.message, payload, actor=args.user)
    return _show_case(case, args.json)


def cmd_timers(engine: Engine, args: argparse.Namespace) -> int:
    def report(key: str, fired: list) -> None:
        names = ", ".join(f["spec"] for f in fired) or "nothing due after all"
        _progress(f"{key}: {names}")

    while True:
        count = engine.fire_due_timers(_parse_now(args.now), on_case=report)
        engine.heartbeat(args.interval)  # read by /readyz
        if args.once:
            print(f"{count} case(s) had due timers")
            return 0
        time.sleep(args.interval)


def cmd_audit_verify(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        findings = service.verify(args.key, progress=_progress)
        heads = service.export_checkpoints()
        if args.heads:
            exported = _read_heads(Path(args.heads))
            if args.key:  # the file holds every case; compare only the one asked about
                exported = {k: v for k, v in exported.items() if k == args.key}
            findings += service.verify_heads(exported)
    for finding in findings:
        print(f"TAMPERED {finding}")
    if findings:
        return 1
    print(f"ok: {len(heads) if not args.key else 1} case chain(s) intact")
    return 0


def _read_heads(path: Path) -> dict[str, Any]:
    try:
        heads = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"error: cannot read heads file {path}: {error}") from None
    if not isinstance(heads, dict):
        raise SystemExit(f"error: {path} is not a file written by `mashangban audit export`")
    return heads


def cmd_audit_export(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        heads = service.export_checkpoints()
    Path(args.file).write_text(json.dumps(heads, indent=2, ensure_ascii=False))
    print(f"exported the chain heads of {len(heads)} case(s) to {args.file}")
    return 0


def cmd_replay(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        result = service.replay(args.key, args.step)
    if args.json:
        _print_json(result)
        return 0 if result.matches_stored is not False else 1
    print(f"case {result.key} replayed to event {result.step}: {result.status}")
    print(f"  active tasks: {', '.join(result.active_tasks) or '-'}")
    print("  data: " + json.dumps(result.data, ensure_ascii=False, default=_json_default))
    if result.matches_stored is not None:
        verdict = "identical to" if result.matches_stored else "DIFFERENT from"
        print(f"  replayed state is {verdict} the stored state")
    return 0 if result.matches_stored is not False else 1


def cmd_demo_load(engine: Engine, args: argparse.Namespace) -> int:
    from . import demo

    try:
        with engine.transaction() as service:
            users = demo.load_organisation(service, args.org, password=args.password)
    except (KeyError, TypeError, ValueError) as error:
        raise SystemExit(
            f"error: {args.org} is not an organisation file (see processes/"
            f"README.md for its shape): {type(error).__name__} {error}"
        ) from None
    print(f"organisation loaded: {users} staff members (password: see README)")
    if args.no_cases:
        return 0
    with engine.transaction() as service:
        keys = demo.demo_cases(service)
    print(f"demo cases: {', '.join(keys) if keys else 'already present'}")
    return 0


def cmd_user_add(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        password = args.password or os.environ.get("MASHANGBAN_PASSWORD")
        service.save_user(args.username, args.name or args.username, args.group or [],
                          unit=args.unit, roles=args.role or [], password=password)  # fmt: skip
    print(f"user {args.username}: groups {', '.join(args.group or []) or '-'}")
    return 0


def cmd_user_signout(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        ended = service.sign_out_everywhere(args.username)
    print(f"user {args.username}: {ended} session(s) and API token(s) ended")
    return 0


def cmd_user_disable(engine: Engine, args: argparse.Namespace) -> int:
    with engine.transaction() as service:
        service.set_active(args.username, args.verb == "enable")
    state = "enabled" if args.verb == "enable" else "disabled (and signed out everywhere)"
    print(f"user {args.username}: {state}")
    return 0


def cmd_calendar_load(engine: Engine, args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8")
    with engine.transaction() as service:
        loaded = service.load_calendar(text)
    print(f"loaded {loaded.days} day(s) from {args.file}")
    if loaded.recalculated:
        print(f"recalculated the deadlines of {loaded.recalculated} open case(s)")
    return 0


# --- wiring ----------------------------------------------------------------------------------


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every `mashangban` command."""
    parser = argparse.ArgumentParser(prog="mashangban", description="马上办 workflow engine")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str, handler: Callable, helptext: str, parent: Any = sub
    ) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=helptext, description=helptext)
        command.set_defaults(handler=handler)
        return command

    add("init", cmd_init, "create or upgrade the database schema")
    add("validate", cmd_validate, "check diagrams without deploying").add_argument(
        "paths", nargs="+", type=Path
    )
    deploy = add("deploy", cmd_deploy, "validate and deploy diagrams (default: processes/)")
    deploy.add_argument("paths", nargs="*", type=Path)
    deploy.add_argument("--user", default="admin")
    add("processes", cmd_processes, "list deployed process versions").add_argument(
        "--json", action="store_true"
    )
    _add_case_commands(sub, add)
    _add_task_commands(sub, add)
    message = add("message", cmd_message, "deliver a message to a waiting case")
    message.add_argument("key")
    message.add_argument("message")
    message.add_argument("--data")
    message.add_argument("--user", default=SYSTEM)
    message.add_argument("--json", action="store_true")
    timers = sub.add_parser("timers", help="fire due timers").add_subparsers(
        dest="verb", required=True
    )
    run = add("run", cmd_timers, "run the timer worker", timers)
    run.add_argument("--once", action="store_true", help="process what is due, then exit")
    run.add_argument("--now", help="the instant to consider 'now' (ISO-8601 with offset)")
    run.add_argument("--interval", type=float, default=30.0, help="seconds between polls")
    _add_audit_commands(sub, add)
    opscli.add_commands(sub, add)
    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="verb", required=True)
    demo_load = add("load", cmd_demo_load, "load the demo organisation, staff and cases", demo)
    demo_load.add_argument("--org", type=Path, default=DEFAULT_PROCESSES / "organisation.json")
    demo_load.add_argument("--no-cases", action="store_true", help="staff only, no demo cases")
    demo_load.add_argument(
        "--password",
        default=os.environ.get("MASHANGBAN_DEMO_PASSWORD", DEMO_PASSWORD),
        help="password of every demo account (MASHANGBAN_DEMO_PASSWORD)",
    )
    user = sub.add_parser("user", help="staff members").add_subparsers(dest="verb", required=True)
    user_add = add("add", cmd_user_add, "create or update a staff member", user)
    user_add.add_argument("username")
    user_add.add_argument("--name")
    user_add.add_argument("--group", action="append", help="candidate group (repeatable)")
    user_add.add_argument("--unit", help="organisation unit code")
    user_add.add_argument("--role", action="append", help="role (repeatable)")
    user_add.add_argument("--password", help="sign-in password (prefer MASHANGBAN_PASSWORD)")
    for verb, handler, helptext in (
        ("signout", cmd_user_signout, "end every web session and API token of a staff member"),
        ("disable", cmd_user_disable, "disable a staff account and end its sessions"),
        ("enable", cmd_user_disable, "re-enable a disabled staff account"),
    ):
        add(verb, handler, helptext, user).add_argument("username")
    calendar = sub.add_parser("calendar", help="holiday schedule").add_subparsers(
        dest="verb", required=True
    )
    add("load", cmd_calendar_load, "load an official holiday schedule file", calendar).add_argument(
        "file"
    )
    return parser


def _add_case_commands(sub: Any, add: Callable) -> None:
    case = sub.add_parser("case", help="cases").add_subparsers(dest="verb", required=True)
    start = add("start", cmd_case_start, "start a case", case)
    start.add_argument("process_id")
    start.add_argument("--key")
    start.add_argument("--data")
    start.add_argument("--user", default=SYSTEM)
    start.add_argument("--json", action="store_true")
    for name, handler, helptext in (
        ("show", cmd_case_show, "show a case"),
        ("history", cmd_case_history, "show a case's events"),
    ):
        command = add(name, handler, helptext, case)
        command.add_argument("key")
        command.add_argument("--json", action="store_true")


def _add_task_commands(sub: Any, add: Callable) -> None:
    task = sub.add_parser("task", help="human tasks").add_subparsers(dest="verb", required=True)
    listing = add("list", cmd_task_list, "list open tasks (a user's inbox with --user)", task)
    listing.add_argument("--user")
    listing.add_argument("--json", action="store_true")
    for name, handler in (("claim", cmd_task_claim), ("unclaim", cmd_task_unclaim)):
        command = add(name, handler, f"{name} a task", task)
        command.add_argument("task_id")
        command.add_argument("--user", required=True)
    complete = add("complete", cmd_task_complete, "complete a task with form data", task)
    complete.add_argument("task_id")
    complete.add_argument("--user", required=True)
    complete.add_argument("--data", default="{}")
    complete.add_argument("--json", action="store_true")


def _add_audit_commands(sub: Any, add: Callable) -> None:
    audit = sub.add_parser("audit", help="tamper checks").add_subparsers(dest="verb", required=True)
    verify = add("verify", cmd_audit_verify, "recompute hash chains", audit)
    verify.add_argument("key", nargs="?")
    verify.add_argument("--heads", help="a file written by `audit export` to compare against")
    add("export", cmd_audit_export, "export every chain head", audit).add_argument("file")
    replay = add("replay", cmd_replay, "rebuild a case from its recorded inputs")
    replay.add_argument("key")
    replay.add_argument("--step", type=int)
    replay.add_argument("--json", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mashangban` console script."""
    args = build_parser().parse_args(argv)
    if args.handler is cmd_validate:
        return _run(lambda: cmd_validate(None, args))
    engine = Engine(Settings.from_env())
    try:
        return _run(lambda: args.handler(engine, args))
    finally:
        engine.close()


def _run(action: Callable[[], int]) -> int:
    try:
        return action()
    except InvalidProcess as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s); nothing was deployed", file=sys.stderr)
        return 1
    except FormInvalid as error:
        for field_error in error.errors:
            print(f"{field_error.field}: {field_error.message}", file=sys.stderr)
        print("the form was not submitted; fix the fields above", file=sys.stderr)
        return 1
    except Conflict as error:
        print(f"conflict: {error}", file=sys.stderr)
        return 3
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a file named on the command line is missing or unreadable
        print(f"error: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 1

    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
